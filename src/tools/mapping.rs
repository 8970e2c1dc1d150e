//! Action → tool: names, schemas, annotations. Invalid actions are skipped, never fatal.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use super::action::{Action, ActionList};

/// How tool names are made from actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolNaming {
    /// `catalog.get-catalog-entity` (true, the default) or `get-catalog-entity` (false).
    pub namespaced: bool,
}

impl Default for ToolNaming {
    fn default() -> Self {
        Self { namespaced: true }
    }
}

impl ToolNaming {
    pub fn tool_name(&self, action: &Action) -> String {
        if self.namespaced {
            format!("{}.{}", action.plugin_id, action.name)
        } else {
            action.name.clone()
        }
    }

    /// The action id a tool name stands for, when the name alone determines it
    /// (namespaced names: `plugin.name` → `plugin:name`). `None` means: look it up.
    pub fn action_id(&self, tool_name: &str) -> Option<String> {
        if !self.namespaced {
            return None;
        }
        let (plugin, name) = tool_name.split_once('.')?;
        (!plugin.is_empty() && !name.is_empty()).then(|| format!("{plugin}:{name}"))
    }
}

/// MCP tool names: 1 to 128 characters of `[A-Za-z0-9_.-]`.
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Why an action cannot be offered as a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    InvalidName(String),
    InputSchemaNotObject,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::InvalidName(name) => write!(
                f,
                "tool name \"{name}\" is not 1-128 characters of A-Z, a-z, 0-9, _, . and -"
            ),
            SkipReason::InputSchemaNotObject => {
                write!(
                    f,
                    "its input schema is not a JSON Schema with \"type\": \"object\""
                )
            }
        }
    }
}

/// An object schema (`{"type": "object", ...}`), as MCP requires for tool schemas.
fn object_schema(schema: &Value) -> Option<Arc<JsonObject>> {
    match schema {
        Value::Object(map) if map.get("type").and_then(Value::as_str) == Some("object") => {
            Some(Arc::new(map.clone()))
        }
        _ => None,
    }
}

/// The tool for one action.
pub fn action_to_tool(action: &Action, naming: ToolNaming) -> Result<Tool, SkipReason> {
    let name = naming.tool_name(action);
    if !is_valid_tool_name(&name) {
        return Err(SkipReason::InvalidName(name));
    }
    let input = object_schema(&action.schema.input).ok_or(SkipReason::InputSchemaNotObject)?;
    let mut annotations = ToolAnnotations::new().open_world(false);
    annotations.title = action.title.clone();
    annotations.read_only_hint = action.attributes.read_only;
    annotations.destructive_hint = action.attributes.destructive;
    annotations.idempotent_hint = action.attributes.idempotent;

    let mut tool = Tool::new_with_raw(name, action.description.clone().map(Into::into), input)
        .with_annotations(annotations);
    if let Some(title) = &action.title {
        tool = tool.with_title(title.clone());
    }
    if let Some(output) = object_schema(&action.schema.output) {
        tool = tool.with_raw_output_schema(output);
    }
    Ok(tool)
}

/// The tools for an action list, in the registry's order. Each skipped action is reported
/// once per `warned` set (a warning per action, not per request).
#[derive(Debug, Default)]
pub struct ToolSet {
    warned: Mutex<HashSet<String>>,
}

impl ToolSet {
    pub fn build(&self, list: &ActionList, naming: ToolNaming) -> Vec<Tool> {
        let mut tools = Vec::with_capacity(list.actions.len());
        for action in &list.actions {
            match action_to_tool(action, naming) {
                Ok(tool) => tools.push(tool),
                Err(reason) => {
                    let first = self
                        .warned
                        .lock()
                        .map(|mut w| w.insert(action.id.clone()))
                        .unwrap_or(true);
                    if first {
                        tracing::warn!(
                            action = %action.id,
                            "Skipping MCP tool for action \"{}\": {reason}",
                            action.id
                        );
                    }
                }
            }
        }
        tools
    }
}
