//! What the engine records for audit events and metrics: one observation per operation.

mod common;
use common::*;
use mcp_actions_backend::engine::{Observation, Observations};
use mcp_actions_backend::{CallContext, PostRequest};
use serde_json::json;

async fn observe(f: &Fixture, body: &str) -> Vec<Observation> {
    let observed = Observations::default();
    f.engine
        .handle_post_observed(
            PostRequest {
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 1,
                principal: "user:default/a".into(),
                request: None,
                trace: None,
            },
            &observed,
        )
        .await;
    observed.take()
}

fn strip(mut o: Vec<Observation>) -> Vec<Observation> {
    for x in &mut o {
        assert!(x.seconds >= 0.0 && x.seconds < 5.0);
        x.seconds = 0.0;
    }
    o
}

#[tokio::test]
async fn each_operation_is_observed_with_its_outcome() {
    let f = fixture();
    let call = |name: &str| {
        request(
            1,
            "tools/call",
            json!({"name": name, "arguments": {"q": "x"}}),
        )
    };
    let obs = strip(observe(&f, &request(1, "tools/list", json!({}))).await);
    assert_eq!(
        obs,
        [Observation {
            method: "tools/list",
            tool: None,
            tool_count: Some(3),
            error_type: None,
            error: None,
            seconds: 0.0,
            confirmation: None,
        }]
    );
    let obs = strip(observe(&f, &call("catalog.get-entity")).await);
    assert_eq!(obs[0].tool.as_deref(), Some("catalog.get-entity"));
    assert_eq!(
        (obs[0].error_type.as_deref(), obs[0].error.as_deref()),
        (None, None)
    );
    let obs = strip(observe(&f, &call("catalog.delete-entity")).await);
    assert_eq!(obs[0].error_type.as_deref(), Some("tool_error"));
    assert_eq!(
        obs[0].error.as_deref(),
        Some("InputError: q must not be empty")
    );
    let obs = strip(observe(&f, &call("scaffolder.run-template")).await);
    assert_eq!(obs[0].error_type.as_deref(), Some("-32603"));
    let obs = strip(observe(&f, &call("catalog.nope")).await);
    assert_eq!(obs[0].error_type.as_deref(), Some("-32602"));
    assert_eq!(obs[0].error.as_deref(), Some("Unknown tool: catalog.nope"));
}

#[tokio::test]
async fn a_batch_is_observed_once_per_operation_and_ping_not_at_all() {
    let f = fixture();
    let body = format!(
        "[{}, {}, {}]",
        request(1, "tools/list", json!({})),
        request(2, "tools/call", json!({"name": "catalog.get-entity"})),
        request(3, "ping", json!({}))
    );
    let mut methods: Vec<_> = observe(&f, &body)
        .await
        .into_iter()
        .map(|o| o.method)
        .collect();
    methods.sort();
    assert_eq!(methods, ["tools/call", "tools/list"]);
}
