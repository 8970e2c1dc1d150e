//! Usage (`mcpActions.usage`): each ended call recorded with how it ended, written to the
//! store in a batch, reported by the page's API (own and everyone's), swept after the
//! retention; off when `enabled: false`.

mod common;

use common::*;
use mcp_actions_backend::engine::{PageRoute, UsageQuery};
use mcp_actions_backend::tasks::MemoryTaskStore;
use mcp_actions_backend::usage::{Outcome, UsageCounts, UsageKey, UsageStore};
use mcp_actions_backend::{CallContext, HostError};
use serde_json::{json, Value};

const ALICE: &str = "user:default/alice";

fn usage_fixture(raw: Value) -> Fixture {
    let mut config = json!({"rateLimits": [{"name": "one-delete", "tool": "catalog.delete-entity", "limit": 1, "window": "30d"}]});
    config
        .as_object_mut()
        .unwrap()
        .extend(raw.as_object().unwrap().clone());
    fixture_with(
        config_from(config),
        default_actions(),
        vec![
            ("catalog:get-entity", Ok(r#"{"n":1}"#.to_owned())),
            ("catalog:delete-entity", Ok(r#"{"n":2}"#.to_owned())),
            (
                "scaffolder:run-template",
                Err(HostError::new("NotAllowedError", "not yours")),
            ),
        ],
    )
}

fn call(id: i64, tool: &str) -> String {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": {"q": "secret-argument"}}),
    )
}

async fn report(f: &Fixture, scope: &str, may_read_all: bool) -> (u16, Value) {
    let query = UsageQuery {
        scope: Some(scope),
        may_read_all,
        ..UsageQuery::default()
    };
    let ctx = CallContext {
        credentials: 7,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    let r = f.engine.page(PageRoute::Usage(query), &ctx).await;
    (r.status, body_json(&r))
}

#[tokio::test]
async fn every_outcome_is_recorded_and_reported_after_the_batch() {
    let f = usage_fixture(json!({}));
    post_as(&f.engine, ALICE, &call(1, "catalog.get-entity")).await;
    post_as(&f.engine, ALICE, &call(2, "catalog.delete-entity")).await;
    post_as(&f.engine, ALICE, &call(3, "catalog.delete-entity")).await; // over the limit
    post_as(&f.engine, ALICE, &call(4, "scaffolder.run-template")).await; // NotAllowedError
    post_as(&f.engine, ALICE, &call(5, "catalog.nope")).await; // unknown tool
    post_as(&f.engine, "service:ci", &call(6, "catalog.get-entity")).await;
    // A read-only connection does not offer a destructive tool.
    post_to(
        &f.engine,
        None,
        Some("true"),
        &call(7, "catalog.delete-entity"),
    )
    .await;

    // Nothing is read before the batch is written.
    assert_eq!(report(&f, "all", true).await.1["totals"]["calls"], 0);
    f.engine.flush_usage().await;
    let (status, all) = report(&f, "all", true).await;
    assert_eq!(status, 200);
    assert_eq!(all["totals"]["calls"], 7);
    assert_eq!(
        all["totals"]["byOutcome"],
        json!({"success": 3, "tool_error": 0, "protocol_error": 1, "rate_limited": 1,
               "read_only": 1, "permission": 1, "secrets_missing": 0, "unconfirmed": 0})
    );
    assert!(!all.to_string().contains("secret-argument"));
    let (_, mine) = report(&f, "mine", false).await;
    assert_eq!(mine["totals"]["calls"], 5);
    assert_eq!(mine["limits"][0]["rule"], "one-delete");
    assert_eq!(mine["limits"][0]["remaining"], 0);
    let (status, refused) = report(&f, "all", false).await;
    assert_eq!(status, 403);
    assert_eq!(refused["error"]["name"], "NotAllowedError");
}

#[tokio::test]
async fn usage_off_records_nothing() {
    let f = usage_fixture(json!({"usage": {"enabled": false}}));
    post_as(&f.engine, ALICE, &call(1, "catalog.get-entity")).await;
    f.engine.flush_usage().await;
    let (_, all) = report(&f, "all", true).await;
    assert_eq!(
        (&all["totals"]["calls"], &all["enabled"]),
        (&json!(0), &json!(false))
    );
}

#[tokio::test]
async fn the_store_adds_batches_and_sweeps_before_the_cutoff() {
    let store = MemoryTaskStore::default();
    let key = |minute_ms| UsageKey {
        minute_ms,
        server: String::new(),
        tool: "a.b".into(),
        principal: ALICE.into(),
        client: String::new(),
        client_version: String::new(),
        outcome: Outcome::Success,
    };
    let counts = UsageCounts {
        calls: 2,
        duration_ms: 10,
        result_bytes: 5,
        buckets: vec![2],
    };
    store
        .add_usage(&[
            (key(60_000), counts.clone()),
            (key(120_000), counts.clone()),
        ])
        .await
        .unwrap();
    store
        .add_usage(&[(key(120_000), counts.clone())])
        .await
        .unwrap();
    let rows = store.read_usage(120_000, Some(ALICE)).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].1.calls, rows[0].1.buckets[0]), (4, 4));
    assert!(store
        .read_usage(0, Some("user:default/bob"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.sweep_usage(120_000).await.unwrap(), 1);
    assert_eq!(store.read_usage(0, None).await.unwrap().len(), 1);
}

#[test]
fn a_retention_that_cannot_work_is_a_startup_error() {
    let raw = json!({"pluginSources": ["catalog"], "usage": {"retentionDays": 0}});
    let e = mcp_actions_backend::EngineConfig::from_json(&raw.to_string()).unwrap_err();
    assert_eq!(e.key, "mcpActions.usage.retentionDays");
}

#[tokio::test]
async fn the_csv_download_keeps_the_scope_and_refuses_a_bad_format() {
    let f = usage_fixture(json!({}));
    post_as(&f.engine, ALICE, &call(1, "catalog.get-entity")).await;
    post_as(&f.engine, "service:ci", &call(2, "catalog.get-entity")).await;
    f.engine.flush_usage().await;
    let ctx = CallContext {
        credentials: 7,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    let download = |scope: &'static str, format: &'static str| {
        let query = UsageQuery {
            scope: Some(scope),
            may_read_all: true,
            format: Some(format),
            ..UsageQuery::default()
        };
        f.engine.page(PageRoute::Usage(query), &ctx)
    };
    let mine = download("mine", "csv").await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        mine.header("content-disposition"),
        Some("attachment; filename=\"mcp-actions-usage-mine-24h.csv\"")
    );
    let text = mine.body.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "minute,server,tool,principal,client,client_version,outcome,calls,duration_ms,avg_ms,result_bytes"
    );
    assert_eq!(lines.len(), 2, "only Alice's own call: {text}");
    assert!(lines[1].contains(",catalog.get-entity,user:default/alice,,,success,1,"));
    assert!(!text.contains("secret-argument"));

    let all = download("all", "csv").await.body.unwrap();
    assert_eq!(all.lines().count(), 3, "{all}");
    assert!(all.contains("service:ci"));

    let bad = download("mine", "xml").await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        body_json(&bad)["error"]["message"],
        "format must be json or csv"
    );
}

#[tokio::test]
async fn the_default_server_is_filtered_as_v1() {
    let f = usage_fixture(json!({}));
    post_as(&f.engine, ALICE, &call(1, "catalog.get-entity")).await;
    f.engine.flush_usage().await;
    let ctx = CallContext {
        credentials: 7,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    for (server, calls) in [("/v1", 1), ("incidents", 0)] {
        let query = UsageQuery {
            server: Some(server),
            ..UsageQuery::default()
        };
        let r = f.engine.page(PageRoute::Usage(query), &ctx).await;
        assert_eq!(body_json(&r)["totals"]["calls"], calls, "server={server}");
    }
}

#[tokio::test]
async fn a_stateful_session_names_the_client_of_its_initialize() {
    let f = usage_fixture(json!({"sessions": {"stateful": true}}));
    let ctx = CallContext {
        credentials: 1,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    let post = |session: Option<String>, body: String| {
        let ctx = ctx.clone();
        let engine = &f.engine;
        async move {
            let req = mcp_actions_backend::PostRequest {
                session_id: session.as_deref(),
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                protocol_version: session.as_ref().map(|_| "2025-11-25"),
                body: body.as_bytes(),
                ..Default::default()
            };
            engine.handle_post(req, &ctx).await
        }
    };
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "claude-code", "version": "2.1.0"}}),
    );
    let opened = post(None, init).await;
    let session = opened
        .header("mcp-session-id")
        .expect("a session")
        .to_owned();
    let r = post(Some(session), call(2, "catalog.get-entity")).await;
    assert_eq!(r.status, 200);
    f.engine.flush_usage().await;
    let (_, body) = report(&f, "mine", false).await;
    let clients: Vec<(String, String, u64)> = body["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
                c["calls"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clients,
        vec![("claude-code".to_owned(), "2.1.0".to_owned(), 1)]
    );
}
