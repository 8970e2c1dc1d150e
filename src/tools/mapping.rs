//! Action → tool: names, schemas, annotations. Invalid actions are skipped, never fatal.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use rmcp::model::{Tool, ToolAnnotations};

use super::action::{Action, ActionList};
use super::filter::Filter;
use super::portable::{make_portable, SchemaMode};

/// What joins plugin and action in a namespaced tool name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Separator {
    /// `catalog.get-entity` (the official plugin's names).
    #[default]
    Dot,
    /// `catalog_get-entity`, for clients that reject dots.
    Underscore,
    /// `catalog__get-entity`.
    DoubleUnderscore,
}

impl Separator {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "." => Some(Self::Dot),
            "_" => Some(Self::Underscore),
            "__" => Some(Self::DoubleUnderscore),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dot => ".",
            Self::Underscore => "_",
            Self::DoubleUnderscore => "__",
        }
    }
}

/// How tool names are made from actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolNaming {
    /// `catalog.get-catalog-entity` (true, the default) or `get-catalog-entity` (false).
    pub namespaced: bool,
    pub separator: Separator,
}

impl Default for ToolNaming {
    fn default() -> Self {
        Self {
            namespaced: true,
            separator: Separator::Dot,
        }
    }
}

/// MCP tool names: at most 128 characters of `[A-Za-z0-9_.-]`.
pub const MAX_TOOL_NAME: usize = 128;

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// MCP tool names: 1 to 128 characters of `[A-Za-z0-9_.-]`.
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=MAX_TOOL_NAME).contains(&name.len()) && name.chars().all(allowed)
}

impl ToolNaming {
    /// The tool name of an action before collisions are resolved: characters MCP does not
    /// allow become `_`, and the name is cut at 128 characters.
    pub fn tool_name(&self, action: &Action) -> String {
        self.name_of(&action.plugin_id, &action.name)
    }

    /// [`Self::tool_name`] of the action `name` of plugin `plugin_id`.
    pub fn name_of(&self, plugin_id: &str, name: &str) -> String {
        let raw = if self.namespaced {
            format!("{plugin_id}{}{name}", self.separator.as_str())
        } else {
            name.to_owned()
        };
        raw.chars()
            .map(|c| if allowed(c) { c } else { '_' })
            .take(MAX_TOOL_NAME)
            .collect()
    }

    /// The action id a tool name stands for, when the name alone determines it
    /// (namespaced names: `plugin.name` → `plugin:name`). `None` means: look it up.
    pub fn action_id(&self, tool_name: &str) -> Option<String> {
        if !self.namespaced {
            return None;
        }
        let (plugin, name) = tool_name.split_once(self.separator.as_str())?;
        (!plugin.is_empty() && !name.is_empty()).then(|| format!("{plugin}:{name}"))
    }
}

/// Why an action cannot be offered as a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    EmptyName,
    InputSchemaNotObject,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::EmptyName => write!(f, "its name is empty"),
            SkipReason::InputSchemaNotObject => write!(
                f,
                "its input schema is not a JSON Schema with \"type\": \"object\""
            ),
        }
    }
}

/// The tool for one action, under the given name, with its schemas as `mode` has them, and
/// what of them could not be made portable.
pub fn action_to_tool(
    action: &Action,
    name: String,
    mode: SchemaMode,
) -> Result<(Tool, Vec<String>), SkipReason> {
    if name.is_empty() {
        return Err(SkipReason::EmptyName);
    }
    let input = action
        .schema
        .input
        .object()
        .ok_or(SkipReason::InputSchemaNotObject)?;
    let mut unportable = Vec::new();
    let mut shaped = |schema: &Arc<serde_json::Map<String, serde_json::Value>>, which: &str| {
        if mode == SchemaMode::AsIs {
            return Arc::clone(schema);
        }
        let portable = make_portable(schema);
        unportable.extend(
            portable
                .unportable
                .into_iter()
                .map(|c| format!("{which}: {c}")),
        );
        portable.schema
    };
    let input = shaped(input, "inputSchema");
    let mut annotations = ToolAnnotations::new().open_world(false);
    annotations.title = action.title.clone();
    annotations.read_only_hint = action.attributes.read_only;
    annotations.destructive_hint = action.attributes.destructive;
    annotations.idempotent_hint = action.attributes.idempotent;

    // An action that needs secrets says which (names and descriptions, never values).
    let description = match (
        action.description.as_deref(),
        action.schema.secrets.object(),
    ) {
        (Some(d), Some(s)) => Some(format!("{d} {}", crate::secrets::description_note(s))),
        (None, Some(s)) => Some(crate::secrets::description_note(s)),
        (d, None) => d.map(str::to_owned),
    };
    let mut tool =
        Tool::new_with_raw(name, description.map(Into::into), input).with_annotations(annotations);
    if let Some(title) = &action.title {
        tool = tool.with_title(title.clone());
    }
    if let Some(output) = action.schema.output.object() {
        tool = tool.with_raw_output_schema(shaped(output, "outputSchema"));
    }
    Ok((tool, unportable))
}

/// A tool and the action behind it.
#[derive(Debug, Clone)]
pub struct NamedTool {
    pub tool: Tool,
    pub action_id: String,
}

/// Final tool names for a list of actions: unique, deterministic, and a name the naming
/// rule derives from an action id always belongs to that action (so a `tools/call` can go
/// straight to it). The others of a collision get `_2`, `_3`, ... in action id order.
fn assign_names<'a>(
    actions: impl Iterator<Item = &'a Action>,
    naming: ToolNaming,
) -> Vec<(String, &'a Action, Option<String>)> {
    let mut groups: BTreeMap<String, Vec<&'a Action>> = BTreeMap::new();
    for action in actions {
        groups
            .entry(naming.tool_name(action))
            .or_default()
            .push(action);
    }
    let mut used: HashSet<String> = groups.keys().cloned().collect();
    let mut out = Vec::new();
    for (base, mut members) in groups {
        let natural = naming.action_id(&base);
        members.sort_by(|a, b| {
            let a_nat = Some(&a.id) == natural.as_ref();
            let b_nat = Some(&b.id) == natural.as_ref();
            b_nat.cmp(&a_nat).then_with(|| a.id.cmp(&b.id))
        });
        let mut members = members.into_iter();
        if let Some(first) = members.next() {
            out.push((base.clone(), first, None));
        }
        let mut n = 2;
        for action in members {
            let name = loop {
                let suffix = format!("_{n}");
                let stem: String = base.chars().take(MAX_TOOL_NAME - suffix.len()).collect();
                let candidate = format!("{stem}{suffix}");
                n += 1;
                if used.insert(candidate.clone()) {
                    break candidate;
                }
            };
            out.push((name, action, Some(base.clone())));
        }
    }
    out
}

/// What could not be made portable, each kind once: `a recursive $ref (#/x) at a.b` twice
/// reads `inputSchema: a recursive $ref (#/x) (2 times, first at a.b)`.
fn constructs(unportable: &[String]) -> String {
    let mut kinds: Vec<(&str, usize, &str)> = Vec::new();
    for item in unportable {
        let (what, at) = item.split_once(" at ").unwrap_or((item, ""));
        match kinds.iter_mut().find(|(w, _, _)| *w == what) {
            Some((_, n, _)) => *n += 1,
            None => kinds.push((what, 1, at)),
        }
    }
    kinds
        .iter()
        .map(|(what, n, at)| match (n, at.is_empty()) {
            (1, true) => (*what).to_owned(),
            (1, false) => format!("{what} at {at}"),
            (n, _) => format!("{what} ({n} times, first at {at})"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Builds tool lists and remembers what it already warned about (once per action).
#[derive(Debug, Default)]
pub struct ToolSet {
    warned: Mutex<HashSet<String>>,
    /// `mcpActions.schemas`.
    schemas: SchemaMode,
}

impl ToolSet {
    pub fn new(schemas: SchemaMode) -> Self {
        Self {
            warned: Mutex::default(),
            schemas,
        }
    }

    fn warn_once(&self, action_id: &str, message: impl FnOnce() -> String) {
        if self.first(action_id.to_owned()) {
            tracing::warn!(action = %action_id, "{}", message());
        }
    }

    /// Whether `key` is new (and remember it).
    fn first(&self, key: String) -> bool {
        self.warned
            .lock()
            .map(|mut w| w.insert(key))
            .unwrap_or(true)
    }

    /// What of an action's schema stayed as declared: recursive local refs (plain JSON Schema
    /// that the clients' strict checks accept) once at debug level, anything else once as a
    /// warning, each naming the action and the constructs.
    fn report_unportable(&self, action_id: &str, tool: &str, unportable: &[String]) {
        let (recursive, other): (Vec<String>, Vec<String>) = unportable
            .iter()
            .cloned()
            .partition(|u| u.contains(": a recursive $ref ("));
        if !other.is_empty() && self.first(format!("{action_id}#schema")) {
            tracing::warn!(action = %action_id,
                "The schema of action \"{action_id}\" cannot be made wholly portable: {}; tool \"{tool}\" is listed with those parts as declared, which some clients may refuse",
                constructs(&other));
        }
        if !recursive.is_empty() && self.first(format!("{action_id}#recursive")) {
            tracing::debug!(action = %action_id,
                "The schema of action \"{action_id}\" keeps its recursive references: {}",
                constructs(&recursive));
        }
    }

    /// The tools a server offers, sorted by name. Names are assigned over every valid action
    /// the caller can see, so a tool keeps its name on every server.
    pub fn build(
        &self,
        list: &ActionList,
        naming: ToolNaming,
        filter: &Filter,
        read_only: bool,
    ) -> Vec<NamedTool> {
        let valid = list.actions.iter().filter(|action| {
            let ok = action.schema.input.object().is_some();
            if !ok {
                self.warn_once(&action.id, || {
                    format!(
                        "Skipping MCP tool for action \"{}\": {}",
                        action.id,
                        SkipReason::InputSchemaNotObject
                    )
                });
            }
            ok
        });
        let mut tools = Vec::new();
        for (name, action, collided_with) in assign_names(valid, naming) {
            if !filter.allows(action, read_only) {
                continue;
            }
            match action_to_tool(action, name, self.schemas) {
                Ok((tool, unportable)) => {
                    if !unportable.is_empty() {
                        self.report_unportable(&action.id, &tool.name, &unportable);
                    }
                    if let Some(base) = collided_with {
                        self.warn_once(&action.id, || {
                            format!(
                                "Tool name \"{base}\" of action \"{}\" is taken by another action; it is offered as \"{}\"",
                                action.id, tool.name
                            )
                        });
                    }
                    tools.push(NamedTool {
                        tool,
                        action_id: action.id.clone(),
                    });
                }
                Err(reason) => self.warn_once(&action.id, || {
                    format!("Skipping MCP tool for action \"{}\": {reason}", action.id)
                }),
            }
        }
        tools.sort_by(|a, b| a.tool.name.cmp(&b.tool.name));
        tools
    }
}
