//! `tools/call`: results, tool errors, protocol errors, and no action list on the way.

mod common;
use std::sync::atomic::Ordering;

use common::*;
use mcp_actions_backend::HostError;
use serde_json::{json, Value};

async fn call(f: &Fixture, params: Value) -> Value {
    let r = post(&f.engine, &request(5, "tools/call", params)).await;
    assert_eq!(r.status, 200);
    body_json(&r)
}

#[tokio::test]
async fn success_has_text_and_structured_content_without_listing() {
    let f = fixture();
    let b = call(
        &f,
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    )
    .await;
    assert_eq!(
        b["result"],
        json!({"content": [{"type": "text", "text": "{\"n\":1}"}], "structuredContent": {"n": 1}})
    );
    assert_eq!(
        f.calls.list.load(Ordering::SeqCst),
        0,
        "tools/call must not list actions"
    );
    let invoked = f.calls.invoke.lock().unwrap().clone();
    assert_eq!(
        invoked,
        vec![(
            7,
            "catalog:get-entity".to_owned(),
            r#"{"q":"x"}"#.to_owned()
        )]
    );
}

#[tokio::test]
async fn non_object_output_is_text_only() {
    let f = fixture_with(
        config(),
        default_actions(),
        vec![("catalog:get-entity", Ok("[1,2]".into()))],
    );
    let b = call(&f, json!({"name": "catalog.get-entity", "arguments": {}})).await;
    assert_eq!(
        b["result"],
        json!({"content": [{"type": "text", "text": "[1,2]"}]})
    );
}

#[tokio::test]
async fn missing_arguments_are_an_empty_object() {
    let f = fixture();
    call(&f, json!({"name": "catalog.get-entity"})).await;
    assert_eq!(f.calls.invoke.lock().unwrap()[0].2, "{}");
}

#[tokio::test]
async fn known_backstage_error_is_a_tool_error() {
    let f = fixture();
    let b = call(
        &f,
        json!({"name": "catalog.delete-entity", "arguments": {"q": ""}}),
    )
    .await;
    assert_eq!(
        b["result"],
        json!({"content": [{"type": "text", "text": "InputError: q must not be empty"}], "isError": true})
    );
}

#[tokio::test]
async fn unknown_error_is_internal_error_without_its_message() {
    let f = fixture();
    let b = call(
        &f,
        json!({"name": "scaffolder.run-template", "arguments": {}}),
    )
    .await;
    assert_eq!(b["error"]["code"], -32603);
    let message = b["error"]["message"].as_str().unwrap();
    assert!(message.contains("scaffolder.run-template"));
    assert!(!message.contains("hunter2"));
}

#[tokio::test]
async fn unknown_tools_are_invalid_params() {
    let f = fixture();
    for name in ["catalog.nope", "nodot", "unlisted-plugin.get", "bad name"] {
        let b = call(&f, json!({"name": name, "arguments": {}})).await;
        assert_eq!(b["error"]["code"], -32602, "{name}");
        assert_eq!(b["error"]["message"], format!("Unknown tool: {name}"));
    }
    // Only the listed plugin's tool reached the registry.
    let invoked: Vec<_> = f
        .calls
        .invoke
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.1.clone())
        .collect();
    assert_eq!(invoked, ["catalog:nope"]);
}

#[tokio::test]
async fn bad_params_are_invalid_params() {
    let f = fixture();
    for (params, needle) in [
        (json!({}), "missing tool name"),
        (json!({"name": 3}), "\"name\" must be a non-empty string"),
        (json!({"name": ""}), "\"name\" must be a non-empty string"),
        (
            json!({"name": "catalog.get-entity", "arguments": [1]}),
            "\"arguments\" of tool \"catalog.get-entity\" must be an object",
        ),
        (
            json!({"name": "catalog.get-entity", "arguments": "x"}),
            "must be an object",
        ),
    ] {
        let b = call(&f, params.clone()).await;
        assert_eq!(b["error"]["code"], -32602, "{params}");
        assert!(
            b["error"]["message"].as_str().unwrap().contains(needle),
            "{params}: {b}"
        );
    }
    assert!(f.calls.invoke.lock().unwrap().is_empty());
}

#[tokio::test]
async fn output_that_is_not_json_is_an_internal_error() {
    let f = fixture_with(
        config(),
        default_actions(),
        vec![("catalog:get-entity", Ok("undefined".into()))],
    );
    let b = call(&f, json!({"name": "catalog.get-entity"})).await;
    assert_eq!(b["error"]["code"], -32603);
}

#[tokio::test]
async fn plain_names_are_resolved_through_the_list() {
    let cfg = config_from(json!({"namespacedToolNames": false}));
    let f = fixture_with(
        cfg,
        default_actions(),
        vec![("scaffolder:run-template", Ok("{}".into()))],
    );
    let b = call(&f, json!({"name": "run-template"})).await;
    assert_eq!(b["result"]["structuredContent"], json!({}));
    assert_eq!(f.calls.list.load(Ordering::SeqCst), 1);
    let b = call(&f, json!({"name": "catalog.get-entity"})).await;
    assert_eq!(b["error"]["code"], -32602);
}

#[tokio::test]
async fn not_found_from_inside_the_action_is_a_tool_error() {
    let f = fixture_with(
        config(),
        default_actions(),
        vec![(
            "catalog:get-entity",
            Err(HostError::new(
                "NotFoundError",
                "no entity component:default/x",
            )),
        )],
    );
    let b = call(&f, json!({"name": "catalog.get-entity"})).await;
    assert_eq!(b["result"]["isError"], true);
    assert_eq!(
        b["result"]["content"][0]["text"],
        "NotFoundError: no entity component:default/x"
    );
}
