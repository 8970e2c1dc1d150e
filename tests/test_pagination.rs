//! `tools/list` pagination: deterministic order, opaque cursors, invalid cursors refused.

mod common;
use common::*;
use serde_json::{json, Value};

fn many(n: usize) -> Value {
    let actions: Vec<Value> = (0..n)
        .rev()
        .map(|i| action("catalog", &format!("a{i:03}"), true))
        .collect();
    json!({ "actions": actions })
}

#[tokio::test]
async fn a_full_walk_visits_every_tool_once_in_order() {
    let f = fixture_with(config_from(json!({"toolsPageSize": 7})), many(30), vec![]);
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let b = body_json(&post(&f.engine, &request(1, "tools/list", params)).await);
        let result = &b["result"];
        pages += 1;
        seen.extend(
            result["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned()),
        );
        match result.get("nextCursor").and_then(Value::as_str) {
            Some(c) => {
                assert!(
                    c.parse::<u64>().is_err(),
                    "cursor is opaque, not the offset: {c}"
                );
                cursor = Some(c.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let expected: Vec<String> = (0..30).map(|i| format!("catalog.a{i:03}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_default_page_holds_a_typical_registry() {
    let f = fixture_with(config(), many(300), vec![]);
    let b = body_json(&post(&f.engine, &request(1, "tools/list", json!({}))).await);
    assert_eq!(b["result"]["tools"].as_array().unwrap().len(), 300);
    assert!(b["result"].get("nextCursor").is_none());
}

#[tokio::test]
async fn an_invalid_cursor_is_invalid_params() {
    let f = fixture();
    for cursor in [
        json!("garbage"),
        json!("00"),
        json!(12),
        json!("6d63702d616374696f6e732f706167653a"),
    ] {
        let b = body_json(
            &post(
                &f.engine,
                &request(1, "tools/list", json!({"cursor": cursor})),
            )
            .await,
        );
        assert_eq!(b["error"]["code"], -32602, "{cursor}");
    }
}
