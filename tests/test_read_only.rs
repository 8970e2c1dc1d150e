//! The per-request read-only switch: `X-MCP-Readonly: true`.

mod common;
use common::*;
use serde_json::json;

fn fx() -> Fixture {
    let ok = |s: &str| Ok(s.to_owned());
    fixture_with(
        config(),
        default_actions(),
        vec![
            ("catalog:get-entity", ok("{}")),
            ("catalog:delete-entity", ok("{}")),
        ],
    )
}

#[tokio::test]
async fn only_read_only_tools_are_listed() {
    let f = fx();
    for header in ["true", "TRUE", "1"] {
        let r = post_to(
            &f.engine,
            None,
            Some(header),
            &request(1, "tools/list", json!({})),
        )
        .await;
        let tools = body_json(&r)["result"]["tools"].as_array().unwrap().clone();
        let names: Vec<_> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["catalog.get-entity"], "{header}");
    }
    for header in ["false", "0", ""] {
        let r = post_to(
            &f.engine,
            None,
            Some(header),
            &request(1, "tools/list", json!({})),
        )
        .await;
        assert_eq!(
            body_json(&r)["result"]["tools"].as_array().unwrap().len(),
            3,
            "{header}"
        );
    }
}

#[tokio::test]
async fn other_tools_cannot_be_called() {
    let f = fx();
    let call = |name: &str| request(2, "tools/call", json!({"name": name}));
    let b = body_json(
        &post_to(
            &f.engine,
            None,
            Some("true"),
            &call("catalog.delete-entity"),
        )
        .await,
    );
    assert_eq!(b["error"]["code"], -32602);
    assert_eq!(b["error"]["message"], "Unknown tool: catalog.delete-entity");
    assert!(f.calls.invoke.lock().unwrap().is_empty());
    let b = body_json(&post_to(&f.engine, None, Some("true"), &call("catalog.get-entity")).await);
    assert_eq!(b["result"]["structuredContent"], json!({}));
}

#[tokio::test]
async fn a_value_that_is_not_a_boolean_is_400() {
    let f = fx();
    let r = post_to(
        &f.engine,
        None,
        Some("yes please"),
        &request(1, "ping", json!({})),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("X-MCP-Readonly"));
}
