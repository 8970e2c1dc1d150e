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

const JSON_TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// Keywords that say something about a value (the rest are annotations).
const CONSTRAINING: [&str; 43] = [
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "items",
    "prefixItems",
    "contains",
    "additionalItems",
    "unevaluatedItems",
    "properties",
    "patternProperties",
    "additionalProperties",
    "unevaluatedProperties",
    "propertyNames",
    "dependentSchemas",
    "dependencies",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
];

/// Whether a schema object says anything about a value. (`if` constrains only with `then`
/// or `else`.)
fn constrains(node: &Map<String, Value>) -> bool {
    node.keys().any(|k| CONSTRAINING.contains(&k.as_str()))
        || (node.contains_key("if") && (node.contains_key("then") || node.contains_key("else")))
}

/// The keywords that apply only to values of one type.
fn type_of_keyword(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "minLength" | "maxLength" | "pattern" | "format" | "contentMediaType"
        | "contentEncoding" | "contentSchema" => &["string"],
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            &["number", "integer"]
        }
        "items" | "prefixItems" | "additionalItems" | "unevaluatedItems" | "minItems"
        | "maxItems" | "uniqueItems" | "contains" | "minContains" | "maxContains" => &["array"],
        "properties"
        | "patternProperties"
        | "additionalProperties"
        | "unevaluatedProperties"
        | "required"
        | "minProperties"
        | "maxProperties"
        | "propertyNames"
        | "dependentRequired"
        | "dependentSchemas"
        | "dependencies" => &["object"],
        _ => return None,
    })
}

/// Every value JSON has, spelled out: what `{}` and `true` accept.
fn any_value() -> Vec<Value> {
    ["string", "number", "boolean", "object", "array", "null"]
        .iter()
        .map(|t| json!({ "type": t }))
        .collect()
}

/// Rule: `"type": [a, b, ...]` → `"anyOf": [{"type": a, <a's keywords>}, ...]`. One type in
/// the array becomes that type. `false` when the array is not a list of distinct type names
/// (left alone).
pub fn type_union(node: &mut Map<String, Value>) -> bool {
    let Some(Value::Array(types)) = node.get("type") else {
        return true;
    };
    let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
    let distinct = names
        .iter()
        .enumerate()
        .all(|(i, n)| !names[..i].contains(n));
    if names.is_empty()
        || names.len() != types.len()
        || !distinct
        || !names.iter().all(|n| JSON_TYPES.contains(n))
    {
        return false;
    }
    let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
    node.remove("type");
    if let [only] = names.as_slice() {
        node.insert("type".into(), json!(only));
        return true;
    }
    let mut branches: Vec<Map<String, Value>> = names
        .iter()
        .map(|n| Map::from_iter([("type".to_owned(), json!(n))]))
        .collect();
    let specific: Vec<String> = node
        .keys()
        .filter(|k| type_of_keyword(k).is_some())
        .cloned()
        .collect();
    for key in specific {
        let value = node.remove(&key).unwrap_or(Value::Null);
        let applies = type_of_keyword(&key).unwrap_or(&[]);
        for branch in &mut branches {
            let t = branch["type"].as_str().unwrap_or_default();
            if applies.contains(&t) {
                branch.insert(key.clone(), value.clone());
            }
        }
    }
    let union = Value::Array(branches.into_iter().map(Value::Object).collect());
    match node.remove("anyOf") {
        None => {
            node.insert("anyOf".into(), union);
        }
        Some(existing) => {
            let mut all = match node.remove("allOf") {
                Some(Value::Array(all)) => all,
                _ => Vec::new(),
            };
            all.push(json!({ "anyOf": union }));
            all.push(json!({ "anyOf": existing }));
            node.insert("allOf".into(), Value::Array(all));
        }
    }
    true
}

/// Rule: draft-04's boolean `exclusiveMinimum` / `exclusiveMaximum` become the bound itself.
pub fn exclusive_bounds(node: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match node.get(exclusive) {
            Some(Value::Bool(true)) => {
                node.remove(exclusive);
                if let Some(n) = node.remove(bound) {
                    node.insert(exclusive.into(), n);
                }
            }
            Some(Value::Bool(false)) => {
                node.remove(exclusive);
            }
            _ => {}
        }
    }
}

/// Rule: a schema that constrains nothing (`{}`, or one with annotations only) accepts every
/// value: say so with `anyOf` of every type.
pub fn untyped(node: &mut Map<String, Value>) {
    if !constrains(node) {
        node.insert("anyOf".into(), Value::Array(any_value()));
    }
}

/// Rule: the dialect marker goes; what a schema accepts does not depend on it here.
pub fn drop_dialect(root: &mut Map<String, Value>) {
    root.remove("$schema");
}

/// The value a local JSON pointer (`#/definitions/x`) names in `root`.
fn resolve<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let path = pointer.strip_prefix('#')?;
    if path.is_empty() {
        return Some(root);
    }
    root.pointer(path)
}

/// Rule: every local, non-recursive `$ref` is replaced by its target (itself made portable
/// first); keywords beside the `$ref` stay, in an `allOf` when both sides constrain the same
/// keyword. Returns the refs that stay (recursive, remote or dangling), with their paths.
pub fn inline_refs(
    node: &mut Value,
    root: &Value,
    path: &str,
    seen: &mut Vec<String>,
) -> Vec<String> {
    let mut left = Vec::new();
    if let Value::Object(map) = node {
        if let Some(Value::String(reference)) = map.get("$ref").cloned().as_ref() {
            let here = format!("{path}$ref");
            match resolve(root, reference) {
                _ if seen.contains(reference) => {
                    left.push(format!("a recursive $ref ({reference}) at {here}"))
                }
                None if reference.starts_with('#') => {
                    left.push(format!("a $ref to nothing ({reference}) at {here}"))
                }
                None => left.push(format!("a remote $ref ({reference}) at {here}")),
                Some(target) => {
                    let mut target = target.clone();
                    seen.push(reference.clone());
                    left.extend(inline_refs(&mut target, root, path, seen));
                    seen.pop();
                    map.remove("$ref");
                    let siblings = std::mem::take(map);
                    *node = merge(target, siblings);
                    return left;
                }
            }
        }
    }
    // Definitions are not walked: they go when nothing points into them, or stay as they
    // are for the recursive refs that still do.
    for_each_subschema(node, path, &mut |child, child_path, _| {
        if !(child_path.starts_with(&format!("{path}definitions."))
            || child_path.starts_with(&format!("{path}$defs.")))
        {
            left.extend(inline_refs(child, root, child_path, seen));
        }
    });
    left
}

/// `target` with the keywords that stood beside its `$ref`.
fn merge(target: Value, siblings: Map<String, Value>) -> Value {
    if siblings.is_empty() {
        return target;
    }
    match target {
        Value::Object(mut t)
            if siblings
                .keys()
                .all(|k| !t.contains_key(k) || !CONSTRAINING.contains(&k.as_str())) =>
        {
            t.extend(siblings);
            Value::Object(t)
        }
        other => {
            let mut out = Map::new();
            out.insert("allOf".into(), json!([other, Value::Object(siblings)]));
            Value::Object(out)
        }
    }
}

/// Keywords whose value is one schema, and where a bare boolean is plain JSON Schema that
/// every client reads.
const SINGLE: [&str; 12] = [
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
const BOOLEAN_OK: [&str; 4] = [
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

/// Calls `visit` on every direct subschema of `node`, with its path and, for keywords that
/// hold one schema, the keyword.
fn for_each_subschema(
    node: &mut Value,
    path: &str,
    visit: &mut dyn FnMut(&mut Value, &str, Option<&'static str>),
) {
    let Value::Object(map) = node else { return };
    for key in MAPS {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for (name, child) in children.iter_mut() {
                if !(key == "dependencies" && child.is_array()) {
                    visit(child, &format!("{path}{key}.{name}."), None);
                }
            }
        }
    }
    for key in LISTS.iter().chain(["items"].iter()) {
        if let Some(Value::Array(children)) = map.get_mut(*key) {
            for (i, child) in children.iter_mut().enumerate() {
                visit(child, &format!("{path}{key}[{i}]."), None);
            }
        }
    }
    for key in SINGLE {
        match map.get_mut(key) {
            Some(Value::Array(_)) | None => {}
            Some(child) => visit(child, &format!("{path}{key}."), Some(key)),
        }
    }
}

/// The direct subschemas of `node` (read only), each with its single-schema keyword.
fn subschemas(node: &Map<String, Value>) -> Vec<(&Value, Option<&'static str>)> {
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

/// The node rules, everywhere below and at `node`. `keyword`: what holds this schema.
fn apply(node: &mut Value, keyword: Option<&str>, path: &str, left: &mut Vec<String>) {
    match node {
        Value::Bool(_) if keyword.is_some_and(|k| BOOLEAN_OK.contains(&k)) => return,
        Value::Bool(true) => *node = json!({ "anyOf": any_value() }),
        Value::Bool(false) => *node = json!({ "not": {} }),
        _ => {}
    }
    for_each_subschema(node, path, &mut |child, child_path, key| {
        apply(child, key, child_path, left);
    });
    let Value::Object(map) = node else { return };
    exclusive_bounds(map);
    if !type_union(map) {
        left.push(format!(
            "a \"type\" list that names no JSON types at {path}type"
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
    let mut unportable = inline_refs(&mut root, &original, "", &mut Vec::new());
    if let Value::Object(map) = &mut root {
        if unportable.is_empty() {
            map.remove("definitions");
            map.remove("$defs");
        }
        drop_dialect(map);
    }
    apply(&mut root, None, "", &mut unportable);
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
