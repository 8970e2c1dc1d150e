//! The per-principal, per-server tool-list cache (`mcpActions.cache.toolListTtl`).

mod common;
use std::sync::atomic::Ordering;

use common::*;
use mcp_actions_backend::{CallContext, PostRequest};
use serde_json::json;

async fn list_as(
    f: &Fixture,
    principal: &str,
    server: Option<&str>,
    read_only: Option<&str>,
) -> usize {
    let r = f
        .engine
        .handle_post(
            PostRequest {
                server,
                read_only,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: request(1, "tools/list", json!({})).as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 1,
                principal: principal.into(),
                request: None,
                trace: None,
            },
        )
        .await;
    body_json(&r)["result"]["tools"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_fresh_list_is_reused_per_principal_server_and_switch() {
    let f = fixture_with(
        config_from(
            json!({"servers": [{"key": "cat", "name": "Catalog", "include": [{"id": "catalog:*"}]}]}),
        ),
        default_actions(),
        vec![],
    );
    let lists = || f.calls.list.load(Ordering::SeqCst);
    assert_eq!(list_as(&f, "user:default/a", None, None).await, 3);
    assert_eq!(list_as(&f, "user:default/a", None, None).await, 3);
    assert_eq!(lists(), 1, "the second list came from the cache");
    assert_eq!(list_as(&f, "user:default/b", None, None).await, 3);
    assert_eq!(lists(), 2, "another principal is another entry");
    assert_eq!(list_as(&f, "user:default/a", Some("cat"), None).await, 2);
    assert_eq!(list_as(&f, "user:default/a", None, Some("true")).await, 1);
    assert_eq!(
        lists(),
        4,
        "each server and the read-only switch have their own entry"
    );
}

#[tokio::test]
async fn ttl_zero_turns_it_off() {
    let f = fixture_with(
        config_from(json!({"toolListTtl": 0})),
        default_actions(),
        vec![],
    );
    list_as(&f, "user:default/a", None, None).await;
    list_as(&f, "user:default/a", None, None).await;
    assert_eq!(f.calls.list.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn entries_expire() {
    let f = fixture_with(
        config_from(json!({"toolListTtl": 0.05})),
        default_actions(),
        vec![],
    );
    list_as(&f, "user:default/a", None, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    list_as(&f, "user:default/a", None, None).await;
    assert_eq!(f.calls.list.load(Ordering::SeqCst), 2);
}
