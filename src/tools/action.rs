//! The action model of Backstage's Actions Registry, as the host hands it over (JSON text of
//! `actionsService.list()`).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Deserialize)]
pub struct ActionList {
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `pluginId:name`, e.g. `catalog:get-catalog-entity`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub plugin_id: String,
    #[serde(default)]
    pub schema: ActionSchema,
    #[serde(default)]
    pub attributes: Attributes,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionSchema {
    #[serde(default)]
    pub input: Schema,
    #[serde(default)]
    pub output: Schema,
    /// `schema.secrets`: values the action needs that are not part of its input.
    #[serde(default)]
    pub secrets: Schema,
}

/// A JSON schema as the registry describes it. Objects are kept behind an `Arc` from the
/// start, so that every tool list built from them shares them instead of copying.
#[derive(Debug, Clone, Default)]
pub enum Schema {
    Object(Arc<Map<String, Value>>),
    /// Anything else (`true`, a string, ...), or none at all.
    #[default]
    Other,
}

impl Schema {
    /// The schema when it is an object schema (`{"type": "object", ...}`), as MCP requires.
    pub fn object(&self) -> Option<&Arc<Map<String, Value>>> {
        match self {
            Schema::Object(map) if map.get("type").and_then(Value::as_str) == Some("object") => {
                Some(map)
            }
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Object(map) => Schema::Object(Arc::new(map)),
            _ => Schema::Other,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    #[serde(default)]
    pub destructive: Option<bool>,
    #[serde(default)]
    pub idempotent: Option<bool>,
    #[serde(default)]
    pub read_only: Option<bool>,
}

impl ActionList {
    /// `{ "actions": [...] }`, or an array of them (one per plugin source), merged in order.
    pub fn parse(json: &str) -> Result<Self, crate::Error> {
        let bad = |source| crate::Error::BadActionList { source };
        if json.trim_start().starts_with('[') {
            let lists: Vec<ActionList> = serde_json::from_str(json).map_err(bad)?;
            let actions = lists.into_iter().flat_map(|list| list.actions).collect();
            Ok(Self { actions })
        } else {
            serde_json::from_str(json).map_err(bad)
        }
    }
}
