//! `initialize`: protocol revision negotiation and server identity.

mod common;
use common::*;
use serde_json::json;

fn init(version: &str) -> String {
    request(
        1,
        "initialize",
        json!({
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1.0.0"}
        }),
    )
}

#[tokio::test]
async fn each_supported_revision_is_echoed() {
    let f = fixture();
    for v in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let r = post(&f.engine, &init(v)).await;
        assert_eq!(r.status, 200);
        assert_eq!(body_json(&r)["result"]["protocolVersion"], v);
    }
}

#[tokio::test]
async fn unknown_revision_is_answered_with_the_latest() {
    let f = fixture();
    for v in ["2023-01-01", "2026-07-28", "banana"] {
        let r = post(&f.engine, &init(v)).await;
        assert_eq!(
            body_json(&r)["result"]["protocolVersion"],
            "2025-11-25",
            "{v}"
        );
    }
}

#[tokio::test]
async fn result_names_the_server_and_its_tools_capability() {
    let cfg = config_from(json!({
        "name": "acme-backstage",
        "version": "9.9.9",
        "description": "Acme's Backstage",
        "instructions": "Use catalog tools first.",
    }));
    let f = fixture_with(cfg, default_actions(), vec![]);
    let b = body_json(&post(&f.engine, &init("2025-06-18")).await);
    assert_eq!(
        b["result"]["serverInfo"],
        json!({"name": "acme-backstage", "version": "9.9.9", "description": "Acme's Backstage"})
    );
    assert_eq!(b["result"]["instructions"], "Use catalog tools first.");
    // Resources: the results over the budget (mcpActions.results.maxChars, on by default).
    assert_eq!(
        b["result"]["capabilities"],
        json!({"tools": {}, "resources": {}})
    );
    let off = fixture_with(
        config_from(json!({"results": {"maxChars": 0}})),
        default_actions(),
        vec![],
    );
    let b = body_json(&post(&off.engine, &init("2025-06-18")).await);
    assert_eq!(b["result"]["capabilities"], json!({"tools": {}}));
}

#[tokio::test]
async fn defaults_name_backstage_without_instructions() {
    let f = fixture();
    let b = body_json(&post(&f.engine, &init("2025-06-18")).await);
    assert_eq!(b["result"]["serverInfo"]["name"], "backstage");
    assert!(b["result"].get("instructions").is_none());
}

#[tokio::test]
async fn params_that_are_not_an_object_are_invalid_params() {
    let f = fixture();
    let r = post(
        &f.engine,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":[1]}"#,
    )
    .await;
    assert_eq!(body_json(&r)["error"]["code"], -32602);
}
