//! The views of a running engine: which tool shows which view, the tool list's `_meta.ui`,
//! and each view as a `ui://` resource.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{MIME_TYPE, URI_PREFIX};
use crate::tools::glob::Glob;
use crate::tools::mapping::NamedTool;

/// The views built into the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    EntityCard,
    EntityTable,
    Result,
}

impl Builtin {
    pub const ALL: [Builtin; 3] = [Builtin::EntityCard, Builtin::EntityTable, Builtin::Result];

    /// The name in `mcpActions.apps.views[].view` and of the file in the package.
    pub fn key(self) -> &'static str {
        match self {
            Builtin::EntityCard => "entity-card",
            Builtin::EntityTable => "entity-table",
            Builtin::Result => "result",
        }
    }

    pub fn parse(key: &str) -> Option<Builtin> {
        Self::ALL.into_iter().find(|b| b.key() == key)
    }

    fn title(self) -> &'static str {
        match self {
            Builtin::EntityCard => "Backstage entity card",
            Builtin::EntityTable => "Backstage entity table",
            Builtin::Result => "Tool result",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Builtin::EntityCard => "One catalog entity: kind, owner, system, lifecycle, tags, links, relations, and a link to its page in Backstage",
            Builtin::EntityTable => "A list of catalog entities as a sortable, filterable table; a row opens the entity's card",
            Builtin::Result => "A tool's structured output as labelled fields and tables",
        }
    }
}

/// One view: a self-contained HTML document served as a `ui://` resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    pub uri: String,
    pub name: String,
    pub title: String,
    pub description: String,
    pub mime_type: &'static str,
    #[serde(skip)]
    pub html: Arc<str>,
}

impl View {
    pub(super) fn builtin(which: Builtin, html: String) -> Self {
        Self {
            uri: format!("{URI_PREFIX}{}.html", which.key()),
            name: which.key().to_owned(),
            title: which.title().to_owned(),
            description: which.description().to_owned(),
            mime_type: MIME_TYPE,
            html: html.into(),
        }
    }

    /// What `resources/read` answers: the HTML, its type, and its `_meta.ui`. No network
    /// domains are declared, so the host applies the extension's strict default CSP: a view
    /// reaches nothing but its host.
    pub fn contents(&self) -> Value {
        json!({
            "uri": self.uri,
            "mimeType": MIME_TYPE,
            "text": &*self.html,
            "_meta": { "ui": { "csp": { "connectDomains": [], "resourceDomains": [] }, "prefersBorder": true } },
        })
    }
}

/// `mcpActions.apps.views[i]`: tools matching `tool` show view `view`.
#[derive(Debug, Clone)]
pub(super) struct Assignment {
    pub tool: Glob,
    pub view: usize,
}

/// The views of an engine, and which tool shows which.
#[derive(Debug, Clone, Default)]
pub struct Apps {
    pub(super) views: Vec<View>,
    pub(super) assignments: Vec<Assignment>,
    pub(super) card: Option<usize>,
    pub(super) table: Option<usize>,
}

impl Apps {
    /// No views at all (`mcpActions.apps.enabled: false`).
    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }

    pub fn views(&self) -> &[View] {
        &self.views
    }

    /// The view of `uri`, if this server has one.
    pub fn view(&self, uri: &str) -> Option<&View> {
        self.views.iter().find(|v| v.uri == uri)
    }

    /// The view a tool shows: the first of `mcpActions.apps.views` whose glob matches its
    /// name, else the entity card for a tool whose output is one entity, the entity table for
    /// one whose output is a list of them.
    pub fn view_of(&self, tool: &NamedTool) -> Option<&View> {
        let name = &tool.tool.name;
        if let Some(a) = self.assignments.iter().find(|a| a.tool.matches(name)) {
            return self.views.get(a.view);
        }
        let output = tool.tool.output_schema.as_deref();
        let builtin = if tool.action_id == "catalog:get-catalog-entity" || is_entity(output) {
            self.card
        } else if tool.action_id == "catalog:query-catalog-entities" || is_entity_list(output) {
            self.table
        } else {
            None
        };
        builtin.and_then(|i| self.views.get(i))
    }

    /// The tools as an Apps host sees them: each that has a view carries `_meta.ui`
    /// (`resourceUri`, `visibility`: the model and the views may call it) and the flat
    /// `ui/resourceUri` that hosts of the extension's first drafts read.
    pub fn decorate(&self, tools: &[NamedTool]) -> Vec<NamedTool> {
        tools
            .iter()
            .map(|named| {
                let mut named = named.clone();
                if let Some(view) = self.view_of(&named) {
                    let mut meta = named.tool.meta.take().map(|m| m.0).unwrap_or_default();
                    meta.insert(
                        "ui".into(),
                        json!({ "resourceUri": view.uri, "visibility": ["model", "app"] }),
                    );
                    meta.insert("ui/resourceUri".into(), json!(view.uri));
                    named.tool.meta = Some(rmcp::model::MetaObject(meta));
                }
                named
            })
            .collect()
    }
}

/// The properties of an object schema.
fn properties(schema: Option<&Map<String, Value>>) -> Option<&Map<String, Value>> {
    schema?.get("properties")?.as_object()
}

/// An output schema that describes a catalog entity: `apiVersion`, `kind` and `metadata`.
fn is_entity(schema: Option<&Map<String, Value>>) -> bool {
    properties(schema).is_some_and(|p| {
        ["apiVersion", "kind", "metadata"]
            .iter()
            .all(|k| p.contains_key(*k))
    })
}

/// An output schema whose `items` is an array of entities.
fn is_entity_list(schema: Option<&Map<String, Value>>) -> bool {
    properties(schema)
        .and_then(|p| p.get("items"))
        .and_then(|items| items.get("items"))
        .and_then(Value::as_object)
        .is_some_and(|item| is_entity(Some(item)))
}
