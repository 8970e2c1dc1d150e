//! The rewrite rules of portable schemas, one function each.

use serde_json::{json, Map, Value};

use super::walk::{for_each_subschema, Place};

const JSON_TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// Keywords that say something about a value (the rest are annotations).
pub(super) const CONSTRAINING: [&str; 43] = [
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
pub(super) fn constrains(node: &Map<String, Value>) -> bool {
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
pub(super) fn any_value() -> Vec<Value> {
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

/// Whether `pointer` is `ancestor` or lies below it.
fn is_within(pointer: &str, ancestor: &str) -> bool {
    pointer == ancestor
        || pointer
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Rule: every local, non-recursive `$ref` is replaced by its target (itself made portable
/// first); keywords beside the `$ref` stay, in an `allOf` when both sides constrain the same
/// keyword. A ref to the schema it stands in (or to one of its ancestors), or one reached
/// again while its own target is being inlined, is recursive and stays. Returns the refs that
/// stay (recursive, remote or dangling), with their paths.
pub(super) fn inline_refs(
    node: &mut Value,
    root: &Value,
    place: &Place,
    seen: &mut Vec<String>,
) -> Vec<String> {
    let mut left = Vec::new();
    if let Value::Object(map) = node {
        if let Some(Value::String(reference)) = map.get("$ref").cloned().as_ref() {
            let here = format!("{}$ref", place.path);
            let target = reference.strip_prefix('#');
            let recursive =
                seen.contains(reference) || target.is_some_and(|t| is_within(&place.pointer, t));
            match resolve(root, reference) {
                _ if recursive => left.push(format!("a recursive $ref ({reference}) at {here}")),
                None if target.is_some() => {
                    left.push(format!("a $ref to nothing ({reference}) at {here}"))
                }
                None => left.push(format!("a remote $ref ({reference}) at {here}")),
                Some(found) => {
                    let mut copy = found.clone();
                    seen.push(reference.clone());
                    // The copy's own refs are judged from where it came from.
                    let from = Place {
                        path: place.path.clone(),
                        pointer: target.unwrap_or_default().to_owned(),
                    };
                    left.extend(inline_refs(&mut copy, root, &from, seen));
                    seen.pop();
                    map.remove("$ref");
                    let siblings = std::mem::take(map);
                    *node = merge(copy, siblings);
                    return left;
                }
            }
        }
    }
    // Definitions are not walked: they go when nothing points into them, or stay as they
    // are for the recursive refs that still do.
    let defs = [
        format!("{}/definitions/", place.pointer),
        format!("{}/$defs/", place.pointer),
    ];
    for_each_subschema(node, place, &mut |child, child_place, _| {
        if !defs
            .iter()
            .any(|d| child_place.pointer.starts_with(d.as_str()))
        {
            left.extend(inline_refs(child, root, child_place, seen));
        }
    });
    left
}

/// Whether every local `$ref` left in `node` still names something in `root` (a rewrite may
/// have moved what a recursive ref pointed at).
pub(super) fn refs_resolve(node: &Value, root: &Value) -> bool {
    match node {
        Value::Object(map) => {
            map.get("$ref")
                .and_then(Value::as_str)
                .is_none_or(|r| !r.starts_with('#') || resolve(root, r).is_some())
                && map.values().all(|v| refs_resolve(v, root))
        }
        Value::Array(items) => items.iter().all(|v| refs_resolve(v, root)),
        _ => true,
    }
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
