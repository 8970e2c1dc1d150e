//! Portable schemas: each rewrite rule gives the exact schema below, and every sample value
//! is accepted after the rewrite exactly when it was accepted before (checked with the
//! `jsonschema` validator on both).

mod common;

use std::sync::Arc;

use common::*;
use mcp_actions_backend::tools::portable::{make_portable, Portable};
use serde_json::{json, Map, Value};

fn portable(schema: Value) -> Portable {
    let Value::Object(map) = schema else {
        panic!("a schema object")
    };
    make_portable(&Arc::new(map))
}

/// The same answer from both schemas for every value.
fn same_meaning(before: &Value, after: &Value, values: &[Value]) {
    let old = jsonschema::validator_for(before).expect("the schema before compiles");
    let new = jsonschema::validator_for(after).expect("the schema after compiles");
    let mut accepted = 0;
    for value in values {
        assert_eq!(
            old.is_valid(value),
            new.is_valid(value),
            "{value} before {before} after {after}"
        );
        accepted += usize::from(old.is_valid(value));
    }
    assert!(
        accepted > 0 && accepted < values.len(),
        "the samples must tell valid from invalid"
    );
}

fn samples() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(3),
        json!(2.5),
        json!(-7),
        json!(""),
        json!("abc"),
        json!("a much longer string"),
        json!([]),
        json!([1, 2]),
        json!(["x", "y", "z", "w"]),
        json!({}),
        json!({"a": 1}),
        json!({"a": "x", "b": [1]}),
        json!({"name": "n", "child": {"name": "c"}}),
        json!({"name": 1}),
        json!({"owner": "abcd"}),
        json!({"owner": "ab"}),
        json!({"owner": "abcd", "team": "x"}),
        json!({"b": "xy"}),
        json!({"b": "xyz"}),
    ]
}

fn check(before: Value, expected: Value) {
    check_at(before, expected, true)
}

/// `nested`: also inside a property (not for schemas whose `$ref`s or `$schema` name the
/// root).
fn check_at(before: Value, expected: Value, nested: bool) {
    let got = portable(before.clone());
    assert!(got.unportable.is_empty(), "{:?}", got.unportable);
    let after = Value::Object((*got.schema).clone());
    assert_eq!(after, expected);
    let wrap = |s: &Value| json!({"type": "object", "properties": {"v": s}});
    same_meaning(&before, &after, &samples());
    if !nested {
        return;
    }
    // The same inside a property (a nested position), for the values under "v".
    let objects: Vec<Value> = samples().into_iter().map(|v| json!({ "v": v })).collect();
    same_meaning(&wrap(&before), &wrap(&after), &objects);
}

#[test]
fn a_type_list_becomes_any_of_single_types_with_their_own_keywords() {
    check(
        json!({"type": ["string", "null"], "minLength": 2, "description": "Optional name"}),
        json!({"anyOf": [{"type": "string", "minLength": 2}, {"type": "null"}], "description": "Optional name"}),
    );
    check(
        json!({"type": ["integer", "array"], "maximum": 3, "maxItems": 2, "enum": [1, 3, [1, 2], 9]}),
        json!({"anyOf": [{"type": "integer", "maximum": 3}, {"type": "array", "maxItems": 2}], "enum": [1, 3, [1, 2], 9]}),
    );
    check(json!({"type": ["number"]}), json!({"type": "number"}));
    // Beside an anyOf already there, both hold.
    check(
        json!({"type": ["string", "number"], "anyOf": [{"minLength": 3}, {"minimum": 1}]}),
        json!({"allOf": [
            {"anyOf": [{"type": "string"}, {"type": "number"}]},
            {"anyOf": [{"minLength": 3}, {"minimum": 1}]},
        ]}),
    );
}

#[test]
fn local_refs_are_inlined_and_their_definitions_dropped() {
    check_at(
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {
                "owner": {"$ref": "#/definitions/ref", "description": "Who owns it"},
                "team": {"$ref": "#/definitions/ref"},
            },
            "required": ["owner"],
            "definitions": {"ref": {"type": "string", "minLength": 3}},
        }),
        json!({
            "type": "object",
            "properties": {
                "owner": {"type": "string", "minLength": 3, "description": "Who owns it"},
                "team": {"type": "string", "minLength": 3},
            },
            "required": ["owner"],
        }),
        false,
    );
    // zod-to-json-schema's root strategy: a pointer to another property; a sibling keyword
    // that the target has too goes into an allOf.
    check_at(
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "maxLength": 5},
                "b": {"$ref": "#/properties/a", "maxLength": 2},
            },
        }),
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "maxLength": 5},
                "b": {"allOf": [{"type": "string", "maxLength": 5}, {"maxLength": 2}]},
            },
        }),
        false,
    );
}

#[test]
fn a_schema_without_a_keyword_says_any_value_explicitly() {
    let any = json!([
        {"type": "string"}, {"type": "number"}, {"type": "boolean"},
        {"type": "object"}, {"type": "array"}, {"type": "null"},
    ]);
    let before = json!({"type": "object", "properties": {"data": {"description": "Anything"}, "flag": true, "never": false}});
    let got = portable(before.clone());
    let after = Value::Object((*got.schema).clone());
    assert_eq!(
        after,
        json!({"type": "object", "properties": {
            "data": {"description": "Anything", "anyOf": any},
            "flag": {"anyOf": any},
            "never": {"not": {}},
        }})
    );
    let objects: Vec<Value> = samples()
        .into_iter()
        .flat_map(|v| {
            [
                json!({ "data": v.clone() }),
                json!({ "flag": v.clone() }),
                json!({ "never": v }),
            ]
        })
        .collect();
    same_meaning(&before, &after, &objects);
    // additionalProperties: false / true stay: every client reads those.
    let kept = portable(json!({"type": "object", "additionalProperties": false}));
    assert_eq!(
        *kept.schema,
        as_map(json!({"type": "object", "additionalProperties": false}))
    );
}

#[test]
fn draft_04_exclusive_bounds_become_numbers() {
    // Validated before as draft-04, after as the current draft.
    check_at(
        json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 3, "exclusiveMaximum": false}),
        json!({"type": "number", "exclusiveMinimum": 0, "maximum": 3}),
        false,
    );
}

#[test]
fn a_portable_schema_is_shared_not_copied() {
    let schema = Arc::new(as_map(
        json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}),
    ));
    let got = make_portable(&schema);
    assert!(Arc::ptr_eq(&got.schema, &schema));
}

#[test]
fn what_cannot_be_made_portable_is_named_and_left() {
    let tree = json!({
        "type": "object",
        "properties": {"root": {"$ref": "#/definitions/node"}},
        "definitions": {"node": {"type": "object", "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/definitions/node"}},
        }}},
    });
    let got = portable(tree);
    assert_eq!(
        got.unportable,
        ["a recursive $ref (#/definitions/node) at properties.root.properties.children.items.$ref"]
    );
    // The definitions it needs stay.
    assert!(got.schema.contains_key("definitions"));
    let remote = portable(
        json!({"type": "object", "properties": {"x": {"$ref": "https://example.com/s.json"}}}),
    );
    assert_eq!(
        remote.unportable,
        ["a remote $ref (https://example.com/s.json) at properties.x.$ref"]
    );
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn tools_list_is_portable_by_default_and_as_declared_with_asis() {
    let mut a = action("catalog", "query", true);
    a["schema"]["input"] = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"filter": {"type": ["object", "array"]}, "any": {}},
    });
    let actions = json!({"actions": [a]});
    let list = request(1, "tools/list", json!({}));
    let tools = |raw: Value| {
        let f = fixture_with(config_from(raw), actions.clone(), vec![]);
        let list = list.clone();
        async move {
            body_json(&post(&f.engine, &list).await)["result"]["tools"][0]["inputSchema"].clone()
        }
    };
    let portable = tools(json!({})).await;
    assert_eq!(
        portable["properties"]["filter"],
        json!({"anyOf": [{"type": "object"}, {"type": "array"}]})
    );
    assert_eq!(
        portable["properties"]["any"]["anyOf"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    assert!(portable.get("$schema").is_none());
    let asis = tools(json!({"schemas": "asis"})).await;
    assert_eq!(asis, actions["actions"][0]["schema"]["input"]);
    let e = mcp_actions_backend::EngineConfig::from_json(&json!({"schemas": "strict"}).to_string())
        .unwrap_err();
    assert_eq!(e.to_string(), "Invalid configuration at mcpActions.schemas: must be \"portable\" or \"asis\", got \"strict\"");
}

#[test]
fn a_ref_to_its_own_ancestor_stays_and_nothing_is_copied_for_it() {
    // What zod-to-json-schema writes for a recursive filter: a pointer to an enclosing schema.
    let tree = json!({
        "type": "object",
        "properties": {"tree": {"type": "object", "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/properties/tree"}},
        }}},
    });
    let got = portable(tree.clone());
    assert_eq!(
        got.unportable,
        ["a recursive $ref (#/properties/tree) at properties.tree.properties.children.items.$ref"]
    );
    assert_eq!(Value::Object((*got.schema).clone()), tree);
}

#[test]
fn when_a_rewrite_would_move_what_a_staying_ref_names_the_schema_is_served_as_declared() {
    let linked = json!({
        "type": "object",
        "properties": {"node": {
            "type": ["object", "null"],
            "properties": {"next": {"anyOf": [{"type": "null"}, {"$ref": "#/properties/node/properties/next"}]}},
        }},
    });
    let got = portable(linked.clone());
    assert_eq!(Value::Object((*got.schema).clone()), linked);
    assert_eq!(got.unportable.len(), 2, "{:?}", got.unportable);
    assert!(got.unportable[1].contains("served as declared"));
}

/// Log events of the engine, captured: (level, message).
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<(tracing::Level, String)>>>);

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), message.0));
    }
}

#[test]
fn what_stays_as_declared_is_one_warning_per_action_and_recursive_refs_only_a_debug_line() {
    use mcp_actions_backend::tools::action::ActionList;
    use mcp_actions_backend::tools::portable::SchemaMode;
    use mcp_actions_backend::tools::{Filter, ToolSet};
    use tracing_subscriber::layer::SubscriberExt;

    let mut remote = action("catalog", "remote", true);
    remote["schema"]["input"] = json!({"type": "object", "properties": {
        "a": {"$ref": "https://example.com/a.json"},
        "b": {"$ref": "https://example.com/a.json"},
    }});
    let mut tree = action("catalog", "tree", true);
    tree["schema"]["input"] = json!({"type": "object", "properties": {"t": {"type": "object", "properties": {
        "children": {"type": "array", "items": {"$ref": "#/properties/t"}},
    }}}});
    let list = ActionList::parse(&json!({"actions": [remote, tree]}).to_string()).unwrap();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let set = ToolSet::new(SchemaMode::Portable);
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..3 {
            assert_eq!(
                set.build(&list, config().naming, &Filter::default(), false)
                    .len(),
                2
            );
        }
    });
    let events = captured.0.lock().unwrap().clone();
    let warnings: Vec<_> = events
        .iter()
        .filter(|(l, _)| *l == tracing::Level::WARN)
        .collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    assert_eq!(
        warnings[0].1,
        "The schema of action \"catalog:remote\" cannot be made wholly portable: inputSchema: a remote $ref (https://example.com/a.json) (2 times, first at properties.a.$ref); tool \"catalog.remote\" is listed with those parts as declared, which some clients may refuse"
    );
    let debug: Vec<_> = events
        .iter()
        .filter(|(l, _)| *l == tracing::Level::DEBUG)
        .collect();
    assert_eq!(debug.len(), 1, "{events:?}");
    assert!(debug[0]
        .1
        .contains("\"catalog:tree\" keeps its recursive references"));
}
