//! Named servers: identity, filters by glob and attributes, hidden tools refused, 404.

mod common;
use std::sync::atomic::Ordering;

use common::*;
use serde_json::{json, Value};

fn actions() -> Value {
    json!({"actions": [
        action("catalog", "get-entity", true),
        action("catalog", "query-entities", true),
        action("catalog", "delete-entity", false),
        action("scaffolder", "run-template", false),
        action("scaffolder", "list-templates", true),
    ]})
}

fn servers() -> Fixture {
    let cfg = config_from(json!({
        "servers": [
            {"key": "catalog-read", "name": "Catalog reader", "description": "reads", "instructions": "only reads",
             "include": [{"id": "catalog:{get,query}-*"}]},
            {"key": "safe", "name": "Safe", "include": [{"readOnly": true}]},
            {"key": "mixed", "name": "Mixed", "include": [{"id": "catalog:*"}, {"id": "scaffolder:*", "readOnly": true}],
             "exclude": [{"id": "catalog:delete-*"}]},
            {"key": "everything", "name": "Everything"}
        ]
    }));
    let ok = |s: &str| Ok(s.to_owned());
    fixture_with(
        cfg,
        actions(),
        vec![
            ("catalog:get-entity", ok(r#"{"n":1}"#)),
            ("catalog:delete-entity", ok(r#"{"deleted":true}"#)),
            ("scaffolder:run-template", ok(r#"{"ran":true}"#)),
        ],
    )
}

async fn names(f: &Fixture, server: Option<&str>) -> Vec<String> {
    let r = post_to(
        &f.engine,
        server,
        None,
        &request(1, "tools/list", json!({})),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    body_json(&r)["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_server_offers_exactly_its_tools() {
    let f = servers();
    assert_eq!(
        names(&f, Some("catalog-read")).await,
        ["catalog.get-entity", "catalog.query-entities"]
    );
    assert_eq!(
        names(&f, Some("safe")).await,
        [
            "catalog.get-entity",
            "catalog.query-entities",
            "scaffolder.list-templates"
        ]
    );
    assert_eq!(
        names(&f, Some("mixed")).await,
        [
            "catalog.get-entity",
            "catalog.query-entities",
            "scaffolder.list-templates"
        ]
    );
    assert_eq!(names(&f, Some("everything")).await.len(), 5);
    assert_eq!(
        names(&f, None).await.len(),
        5,
        "the default server serves every action"
    );
}

#[tokio::test]
async fn a_named_server_has_its_own_identity() {
    let f = servers();
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    );
    let b = body_json(&post_to(&f.engine, Some("catalog-read"), None, &init).await);
    assert_eq!(b["result"]["serverInfo"]["name"], "Catalog reader");
    assert_eq!(b["result"]["serverInfo"]["description"], "reads");
    assert_eq!(b["result"]["instructions"], "only reads");
    let b = body_json(&post_to(&f.engine, None, None, &init).await);
    assert_eq!(b["result"]["serverInfo"]["name"], "backstage");
}

#[tokio::test]
async fn a_hidden_tool_is_refused_like_an_unknown_one() {
    let f = servers();
    let call = |name: &str| request(2, "tools/call", json!({"name": name, "arguments": {}}));
    for (server, tool) in [
        ("catalog-read", "catalog.delete-entity"),
        ("mixed", "catalog.delete-entity"),
        ("safe", "scaffolder.run-template"),
        ("mixed", "scaffolder.run-template"),
    ] {
        let b = body_json(&post_to(&f.engine, Some(server), None, &call(tool)).await);
        assert_eq!(b["error"]["code"], -32602, "{server} {tool}");
        assert_eq!(b["error"]["message"], format!("Unknown tool: {tool}"));
    }
    let invoked = f.calls.invoke.lock().unwrap().clone();
    assert!(invoked.is_empty(), "hidden tools never run: {invoked:?}");
    // Visible ones run; a glob-only server decides without listing.
    let before = f.calls.list.load(Ordering::SeqCst);
    let b = body_json(
        &post_to(
            &f.engine,
            Some("catalog-read"),
            None,
            &call("catalog.get-entity"),
        )
        .await,
    );
    assert_eq!(b["result"]["structuredContent"], json!({"n": 1}));
    assert_eq!(f.calls.list.load(Ordering::SeqCst), before);
    let b = body_json(
        &post_to(
            &f.engine,
            Some("everything"),
            None,
            &call("catalog.delete-entity"),
        )
        .await,
    );
    assert_eq!(b["result"]["structuredContent"], json!({"deleted": true}));
}

#[tokio::test]
async fn an_unknown_server_is_404_with_the_configured_keys() {
    let f = servers();
    let r = post_to(
        &f.engine,
        Some("nope"),
        None,
        &request(1, "ping", json!({})),
    )
    .await;
    assert_eq!(r.status, 404);
    let message = body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("\"nope\""), "{message}");
    assert!(
        message.contains("catalog-read, everything, mixed, safe"),
        "{message}"
    );
    assert_eq!(f.engine.method_not_allowed("GET", Some("nope")).status, 404);
    assert_eq!(f.engine.method_not_allowed("GET", Some("safe")).status, 405);
}
