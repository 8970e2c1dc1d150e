//! Where the subschemas of a schema are: the keywords that hold one, a list or a map of them.

use serde_json::{Map, Value};

/// Keywords whose value is one schema, and where a bare boolean is plain JSON Schema that
/// every client reads.
pub(super) const SINGLE: [&str; 12] = [
    "items",
    "contains",
    "not",
    "propertyNames",
    "if",
    "then",
    "else",
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contentSchema",
];
pub(super) const BOOLEAN_OK: [&str; 4] = [
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
];
const LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
const MAPS: [&str; 6] = [
    "properties",
    "patternProperties",
    "dependentSchemas",
    "dependencies",
    "$defs",
    "definitions",
];

/// Where a subschema is: its dotted path for people (`properties.tree.items.`), and its JSON
/// pointer (`/properties/tree/items`) in the document it came from.
#[derive(Debug, Clone, Default)]
pub(super) struct Place {
    pub path: String,
    pub pointer: String,
}

impl Place {
    fn child(&self, key: &str, name: Option<&str>, index: Option<usize>) -> Place {
        let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
        match (name, index) {
            (Some(name), _) => Place {
                path: format!("{}{key}.{name}.", self.path),
                pointer: format!("{}/{key}/{}", self.pointer, escape(name)),
            },
            (None, Some(i)) => Place {
                path: format!("{}{key}[{i}].", self.path),
                pointer: format!("{}/{key}/{i}", self.pointer),
            },
            (None, None) => Place {
                path: format!("{}{key}.", self.path),
                pointer: format!("{}/{key}", self.pointer),
            },
        }
    }
}

/// Calls `visit` on every direct subschema of `node`, with its place and, for keywords that
/// hold one schema, the keyword.
pub(super) fn for_each_subschema(
    node: &mut Value,
    place: &Place,
    visit: &mut dyn FnMut(&mut Value, &Place, Option<&'static str>),
) {
    let Value::Object(map) = node else { return };
    for key in MAPS {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for (name, child) in children.iter_mut() {
                if !(key == "dependencies" && child.is_array()) {
                    visit(child, &place.child(key, Some(name), None), None);
                }
            }
        }
    }
    for key in LISTS.iter().chain(["items"].iter()) {
        if let Some(Value::Array(children)) = map.get_mut(*key) {
            for (i, child) in children.iter_mut().enumerate() {
                visit(child, &place.child(key, None, Some(i)), None);
            }
        }
    }
    for key in SINGLE {
        match map.get_mut(key) {
            Some(Value::Array(_)) | None => {}
            Some(child) => visit(child, &place.child(key, None, None), Some(key)),
        }
    }
}

/// The direct subschemas of `node` (read only), each with its single-schema keyword.
pub(super) fn subschemas(node: &Map<String, Value>) -> Vec<(&Value, Option<&'static str>)> {
    let mut out = Vec::new();
    for key in MAPS {
        if let Some(Value::Object(children)) = node.get(key) {
            out.extend(
                children
                    .values()
                    .filter(|c| !(key == "dependencies" && c.is_array()))
                    .map(|c| (c, None)),
            );
        }
    }
    for key in LISTS.iter().chain(["items"].iter()) {
        if let Some(Value::Array(children)) = node.get(*key) {
            out.extend(children.iter().map(|c| (c, None)));
        }
    }
    for key in SINGLE {
        if let Some(child) = node.get(key).filter(|c| !c.is_array()) {
            out.push((child, Some(key)));
        }
    }
    out
}
