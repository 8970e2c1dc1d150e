//! Portable schemas (`mcpActions.schemas: portable`, the default): each tool's input and
//! output schema is rewritten, when the tool list is built, into the part of JSON Schema that
//! every major client maps without loss. Each rewrite is a rule of its own below; none changes
//! what the schema accepts (a value valid before is valid after, and the other way round).
//!
//! - [`type_union`]: `"type": [a, b]` becomes `anyOf` of single types (with each type's own
//!   keywords moved into its branch);
//! - [`inline_refs`]: local `$ref`s are replaced by what they point at, unless recursive;
//!   `definitions` / `$defs` go once nothing points into them;
//! - [`untyped`]: a schema with no validation keyword (`{}`, `true`) becomes an explicit
//!   "any JSON value" (`anyOf` of every type); `false` becomes `{"not": {}}`;
//! - [`exclusive_bounds`]: draft-04 boolean `exclusiveMinimum` / `exclusiveMaximum` become
//!   the numbers later drafts and clients expect;
//! - [`drop_dialect`]: the root's `$schema`, which some clients refuse as an unknown keyword.
//!
//! A construct no rule can make portable (a recursive or remote `$ref`) is left as it is and
//! named, so that the tool is still listed and the operator warned once.

use std::sync::Arc;

use serde_json::{json, Map, Value};

mod rules;
mod walk;

use rules::inline_refs;
use rules::refs_resolve;
use rules::{any_value, constrains};
pub use rules::{drop_dialect, exclusive_bounds, type_union, untyped};
use walk::{for_each_subschema, subschemas, Place, BOOLEAN_OK};

/// How tool schemas reach clients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SchemaMode {
    /// Rewritten by the rules of this module.
    #[default]
    Portable,
    /// As the action declares them.
    AsIs,
}

impl SchemaMode {
    pub const NAMES: &'static str = "\"portable\" or \"asis\"";

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "portable" => Some(Self::Portable),
            "asis" => Some(Self::AsIs),
            _ => None,
        }
    }
}

/// A schema made portable, and what could not be.
#[derive(Debug, Clone)]
pub struct Portable {
    pub schema: Arc<Map<String, Value>>,
    /// The constructs left as they were, each with where it is (`properties.tree.$ref`).
    pub unportable: Vec<String>,
}

/// The node rules, everywhere below and at `node`. `keyword`: what holds this schema.
fn apply(node: &mut Value, keyword: Option<&str>, place: &Place, left: &mut Vec<String>) {
    match node {
        Value::Bool(_) if keyword.is_some_and(|k| BOOLEAN_OK.contains(&k)) => return,
        Value::Bool(true) => *node = json!({ "anyOf": any_value() }),
        Value::Bool(false) => *node = json!({ "not": {} }),
        _ => {}
    }
    for_each_subschema(node, place, &mut |child, child_place, key| {
        apply(child, key, child_place, left);
    });
    let Value::Object(map) = node else { return };
    exclusive_bounds(map);
    if !type_union(map) {
        left.push(format!(
            "a \"type\" list that names no JSON types at {}type",
            place.path
        ));
    }
    if keyword != Some("not") {
        untyped(map);
    }
}

/// Whether any rule has something to do (most schemas pass untouched, and stay shared).
fn needs_rewrite(node: &Value, keyword: Option<&str>) -> bool {
    match node {
        Value::Bool(_) => !keyword.is_some_and(|k| BOOLEAN_OK.contains(&k)),
        Value::Object(map) => map_needs_rewrite(map, keyword),
        _ => false,
    }
}

fn map_needs_rewrite(map: &Map<String, Value>, keyword: Option<&str>) -> bool {
    map.get("type").is_some_and(Value::is_array)
        || map.contains_key("$ref")
        || map.contains_key("$schema")
        || map.get("exclusiveMinimum").is_some_and(Value::is_boolean)
        || map.get("exclusiveMaximum").is_some_and(Value::is_boolean)
        || (keyword != Some("not") && !constrains(map))
        || subschemas(map)
            .into_iter()
            .any(|(child, key)| needs_rewrite(child, key))
}

/// `schema` made portable by every rule.
pub fn make_portable(schema: &Arc<Map<String, Value>>) -> Portable {
    let Some(map) = Some(&**schema).filter(|m| map_needs_rewrite(m, None)) else {
        return Portable {
            schema: Arc::clone(schema),
            unportable: Vec::new(),
        };
    };
    let original = Value::Object(map.clone());
    let mut root = original.clone();
    let top = Place::default();
    let mut unportable = inline_refs(&mut root, &original, &top, &mut Vec::new());
    if let Value::Object(map) = &mut root {
        if unportable.is_empty() {
            map.remove("definitions");
            map.remove("$defs");
        }
        drop_dialect(map);
    }
    apply(&mut root, None, &top, &mut unportable);
    if !refs_resolve(&root, &root) {
        // A ref that stayed no longer finds what it named: serve the schema as declared.
        unportable.push("refs that stay would point elsewhere after the rewrite, so the schema is served as declared".into());
        return Portable {
            schema: Arc::clone(schema),
            unportable,
        };
    }
    match root {
        Value::Object(map) => Portable {
            schema: Arc::new(map),
            unportable,
        },
        _ => Portable {
            schema: Arc::clone(schema),
            unportable,
        },
    }
}
