//! Tool search (`mcpActions.toolDiscovery: search`): instead of the whole catalog, a client
//! lists three tools, finds the ones it needs by what they do, reads their definitions, and
//! calls them through the third. This module holds the rules: the mode, the ranking, the
//! summaries, and the three tools' definitions. The engine applies them to the caller's own
//! tool list, so a tool the caller cannot see is never found.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use bm25::{Document, Language, SearchEngine, SearchEngineBuilder};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{json, Map, Value};

use super::mapping::NamedTool;

pub const SEARCH_TOOLS: &str = "search_tools";
pub const DESCRIBE_TOOLS: &str = "describe_tools";
pub const CALL_TOOL: &str = "call_tool";

/// `search_tools` `limit`: its default and its largest value.
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 50;
/// `describe_tools` takes up to this many names at once.
pub const MAX_DESCRIBE: usize = 20;
/// A summary is the description's first sentence, cut to about this many characters.
pub const SUMMARY_CHARS: usize = 200;

/// How a server offers its tools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Discovery {
    /// Every tool in `tools/list` (what the official plugin does).
    #[default]
    All,
    /// `search_tools`, `describe_tools` and `call_tool` stand in for the catalog.
    Search,
}

impl Discovery {
    pub const NAMES: &'static str = "\"all\" or \"search\"";

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "all" => Some(Self::All),
            "search" => Some(Self::Search),
            _ => None,
        }
    }
}

/// The tool of search mode `name` is, if it is one of the three.
pub fn meta_tool(name: &str) -> Option<&'static str> {
    [SEARCH_TOOLS, DESCRIBE_TOOLS, CALL_TOOL]
        .into_iter()
        .find(|meta| *meta == name)
}

/// The first sentence of `description`, at most about [`SUMMARY_CHARS`] characters (cut at a
/// word, with an ellipsis, when longer).
pub fn summary(description: &str) -> String {
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = text
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map_or(text.as_str(), |(i, c)| &text[..i + c.len_utf8()]);
    if sentence.chars().count() <= SUMMARY_CHARS {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(SUMMARY_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > SUMMARY_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// What a tool is searched by: its name (separators as spaces, so `get-entity` matches
/// "entity"), twice, as names say most; its title; its description.
fn document(tool: &Tool) -> String {
    let name: String = tool
        .name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    format!(
        "{name} {name} {} {}",
        tool.title.as_deref().unwrap_or_default(),
        tool.description.as_deref().unwrap_or_default()
    )
}

/// The BM25 index of one tool list (name, title, description of each tool).
pub struct SearchIndex {
    engine: SearchEngine<usize>,
}

impl SearchIndex {
    pub fn new(tools: &[NamedTool]) -> Self {
        let documents: Vec<Document<usize>> = tools
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(i, document(&t.tool)))
            .collect();
        Self {
            engine: SearchEngineBuilder::<usize>::with_documents(Language::English, documents)
                .build(),
        }
    }

    /// The tools of `tools` (the list this index was built from) matching `query`, best
    /// first; equal scores in name order, so the same query over the same tools always gives
    /// the same list.
    pub fn rank<'a>(&self, tools: &'a [NamedTool], query: &str) -> Vec<&'a NamedTool> {
        if tools.is_empty() || query.trim().is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(f32, &NamedTool)> = self
            .engine
            .search(query, tools.len())
            .into_iter()
            .filter(|hit| hit.score > 0.0)
            .filter_map(|hit| Some((hit.score, tools.get(hit.document.id)?)))
            .collect();
        hits.sort_by(|(a, x), (b, y)| b.total_cmp(a).then_with(|| x.tool.name.cmp(&y.tool.name)));
        hits.into_iter().map(|(_, tool)| tool).collect()
    }
}

/// The tools matching `query`, best first (BM25 over name, title and description).
pub fn rank<'a>(tools: &'a [NamedTool], query: &str) -> Vec<&'a NamedTool> {
    SearchIndex::new(tools).rank(tools, query)
}

/// Indexes of the tool lists in use, one per list (the tool-list cache shares a list between
/// the requests of a caller, so a search reuses its index until the list is rebuilt).
#[derive(Default)]
pub struct SearchIndexes {
    indexes: Mutex<HashMap<usize, Indexed>>,
}

/// A tool list (while it lives) and its index.
type Indexed = (Weak<Vec<NamedTool>>, Arc<SearchIndex>);

/// Indexes kept at most (of lists still alive); past it, the table starts over.
const MAX_INDEXES: usize = 1024;

impl SearchIndexes {
    pub fn of(&self, tools: &Arc<Vec<NamedTool>>) -> Arc<SearchIndex> {
        let key = Arc::as_ptr(tools) as usize;
        let lock = || self.indexes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((list, index)) = lock().get(&key) {
            if list.upgrade().is_some_and(|l| Arc::ptr_eq(&l, tools)) {
                return Arc::clone(index);
            }
        }
        let index = Arc::new(SearchIndex::new(tools));
        let mut indexes = lock();
        indexes.retain(|_, (list, _)| list.strong_count() > 0);
        if indexes.len() >= MAX_INDEXES {
            indexes.clear();
        }
        indexes.insert(key, (Arc::downgrade(tools), Arc::clone(&index)));
        index
    }

    pub fn len(&self) -> usize {
        self.indexes.lock().map(|i| i.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One `search_tools` hit as the model reads it.
pub fn hit_json(tool: &Tool) -> Value {
    let mut hit = Map::new();
    hit.insert("name".into(), json!(tool.name));
    if let Some(title) = &tool.title {
        hit.insert("title".into(), json!(title));
    }
    hit.insert(
        "summary".into(),
        json!(summary(tool.description.as_deref().unwrap_or_default())),
    );
    if let Some(annotations) = &tool.annotations {
        hit.insert("annotations".into(), json!(annotations));
    }
    Value::Object(hit)
}

/// What `call_tool` may do, from every tool it can reach: read-only only when all are, as
/// destructive as the most destructive (MCP's default for a tool that is not read-only and
/// says nothing is destructive), idempotent only when all are.
fn reach(tools: &[NamedTool]) -> ToolAnnotations {
    let hints: Vec<_> = tools.iter().map(|t| t.tool.annotations.as_ref()).collect();
    let read_only = |a: Option<&ToolAnnotations>| a.and_then(|a| a.read_only_hint) == Some(true);
    let all_read_only = hints.iter().all(|a| read_only(*a));
    let destructive = hints
        .iter()
        .any(|a| !read_only(*a) && a.and_then(|a| a.destructive_hint) != Some(false));
    let idempotent = hints
        .iter()
        .all(|a| read_only(*a) || a.and_then(|a| a.idempotent_hint) == Some(true));
    let open_world = hints
        .iter()
        .any(|a| a.and_then(|a| a.open_world_hint) != Some(false));
    let mut annotations = ToolAnnotations::new()
        .read_only(all_read_only)
        .destructive(!all_read_only && destructive)
        .idempotent(idempotent)
        .open_world(open_world);
    annotations.title = Some("Call a tool".into());
    annotations
}

fn schema(value: Value) -> Arc<Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => unreachable!("the meta tools' schemas are objects"),
    }
}

fn looking(title: &str) -> ToolAnnotations {
    let mut annotations = ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false);
    annotations.title = Some(title.into());
    annotations
}

/// The three tools of search mode, for a caller who can reach `tools`.
pub fn meta_tools(tools: &[NamedTool]) -> Vec<Tool> {
    let count = tools.len();
    let search = Tool::new_with_raw(
        SEARCH_TOOLS,
        Some(format!(
            "Find tools of this Backstage server by what they do ({count} tools are available). Returns the best matches first: name, title, a one-line summary and annotations. Then use {DESCRIBE_TOOLS} for a tool's input schema and {CALL_TOOL} to run it."
        ).into()),
        schema(json!({
            "type": "object",
            "properties": {
                "query": { "type": "string", "minLength": 1, "description": "What the tool should do, in a few words, e.g. \"get catalog entity\"" },
                "limit": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT, "description": "Most tools to return" },
            },
            "required": ["query"],
            "additionalProperties": false,
        })),
    )
    .with_title("Search tools")
    .with_raw_output_schema(schema(json!({
        "type": "object",
        "properties": {
            "tools": { "type": "array", "items": { "type": "object", "properties": {
                "name": { "type": "string" }, "title": { "type": "string" },
                "summary": { "type": "string" }, "annotations": { "type": "object" },
            }, "required": ["name", "summary"] } },
            "total": { "type": "integer", "description": "How many tools matched in all" },
        },
        "required": ["tools", "total"],
    })))
    .with_annotations(looking("Search tools"));
    let describe = Tool::new_with_raw(
        DESCRIBE_TOOLS,
        Some(format!(
            "The full definitions of tools found with {SEARCH_TOOLS}: description, input schema, output schema and annotations, up to {MAX_DESCRIBE} at once. Names that are not tools are listed under \"unknown\"."
        ).into()),
        schema(json!({
            "type": "object",
            "properties": {
                "names": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": MAX_DESCRIBE, "description": "Tool names, as search_tools gives them" },
            },
            "required": ["names"],
            "additionalProperties": false,
        })),
    )
    .with_title("Describe tools")
    .with_annotations(looking("Describe tools"));
    let call = Tool::new_with_raw(
        CALL_TOOL,
        Some(format!(
            "Run a tool found with {SEARCH_TOOLS}, with arguments that follow the input schema {DESCRIBE_TOOLS} gives. The result is the tool's own."
        ).into()),
        schema(json!({
            "type": "object",
            "properties": {
                "name": { "type": "string", "minLength": 1, "description": "The tool's name" },
                "arguments": { "type": "object", "description": "The tool's arguments" },
            },
            "required": ["name", "arguments"],
            "additionalProperties": false,
        })),
    )
    .with_title("Call a tool")
    .with_annotations(reach(tools));
    vec![search, describe, call]
}
