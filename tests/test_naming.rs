//! Tool names: separators, MCP's character set, collisions, and calls by every kind of name.

mod common;
use common::*;
use serde_json::{json, Value};

async fn names(f: &Fixture) -> Vec<String> {
    let b = body_json(&post(&f.engine, &request(1, "tools/list", json!({}))).await);
    b["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn call(f: &Fixture, name: &str) -> Value {
    body_json(&post(&f.engine, &request(2, "tools/call", json!({"name": name}))).await)
}

#[tokio::test]
async fn each_separator_names_and_calls_tools() {
    for (sep, name) in [
        (".", "catalog.get-entity"),
        ("_", "catalog_get-entity"),
        ("__", "catalog__get-entity"),
    ] {
        let f = fixture_with(
            config_from(json!({"toolNameSeparator": sep})),
            default_actions(),
            vec![("catalog:get-entity", Ok("{}".into()))],
        );
        assert!(names(&f).await.contains(&name.to_owned()), "{sep}");
        assert_eq!(
            call(&f, name).await["result"]["structuredContent"],
            json!({}),
            "{sep}"
        );
        assert_eq!(
            f.calls.list.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{sep}: only the tools/list listed"
        );
    }
}

#[tokio::test]
async fn a_bad_separator_is_a_config_error() {
    let err =
        mcp_actions_backend::EngineConfig::from_json(r#"{"toolNameSeparator": "-"}"#).unwrap_err();
    assert_eq!(err.key, "mcpActions.toolNameSeparator");
    assert!(err.to_string().contains("\"-\""));
}

#[tokio::test]
async fn names_outside_the_mcp_charset_are_sanitized_and_cut_at_128() {
    let long = "x".repeat(200);
    let actions = json!({"actions": [action("catalog", "get entity:now", true), action("catalog", &long, true)]});
    let f = fixture_with(
        config(),
        actions,
        vec![("catalog:get entity:now", Ok(r#"{"ok":1}"#.into()))],
    );
    let names = names(&f).await;
    assert_eq!(names[0], "catalog.get_entity_now");
    assert_eq!(names[1].len(), 128);
    // A sanitized name is found through the list.
    assert_eq!(
        call(&f, "catalog.get_entity_now").await["result"]["structuredContent"],
        json!({"ok": 1})
    );
}

#[tokio::test]
async fn collisions_resolve_deterministically_and_every_name_calls_its_action() {
    // `get entity` sanitizes to the natural name of `get_entity`, which keeps it.
    let actions = json!({"actions": [action("catalog", "get entity", true), action("catalog", "get_entity", true)]});
    let f = fixture_with(
        config(),
        actions,
        vec![
            ("catalog:get entity", Ok(r#"{"which":"spaced"}"#.into())),
            ("catalog:get_entity", Ok(r#"{"which":"natural"}"#.into())),
        ],
    );
    assert_eq!(
        names(&f).await,
        ["catalog.get_entity", "catalog.get_entity_2"]
    );
    assert_eq!(
        call(&f, "catalog.get_entity").await["result"]["structuredContent"],
        json!({"which": "natural"})
    );
    assert_eq!(
        call(&f, "catalog.get_entity_2").await["result"]["structuredContent"],
        json!({"which": "spaced"})
    );

    // Without namespacing, two plugins' `get` collide: the lower action id keeps the name.
    let actions =
        json!({"actions": [action("scaffolder", "get", true), action("catalog", "get", true)]});
    let f = fixture_with(
        config_from(json!({"namespacedToolNames": false})),
        actions,
        vec![
            ("catalog:get", Ok(r#"{"p":"catalog"}"#.into())),
            ("scaffolder:get", Ok(r#"{"p":"scaffolder"}"#.into())),
        ],
    );
    assert_eq!(names(&f).await, ["get", "get_2"]);
    assert_eq!(
        call(&f, "get").await["result"]["structuredContent"],
        json!({"p": "catalog"})
    );
    assert_eq!(
        call(&f, "get_2").await["result"]["structuredContent"],
        json!({"p": "scaffolder"})
    );
}
