//! Long and many calls: `mcpActions.toolCallTimeout` ends a call that takes too long with an
//! `isError` result naming the timeout; `mcpActions.limits.maxConcurrentCallsPerPrincipal`
//! refuses a caller's call beyond the limit with a JSON-RPC error and a retry hint.

mod common;

use std::time::Duration;

use common::*;
use futures_util::future::join_all;
use mcp_actions_backend::engine::TOO_MANY_CALLS;
use serde_json::json;

fn call(id: i64) -> String {
    request(
        id,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    )
}

#[tokio::test(start_paused = true)]
async fn a_call_longer_than_the_timeout_is_a_tool_error_naming_it() {
    let f = slow_fixture(
        config_from(json!({"toolCallTimeout": 2})),
        Duration::from_secs(3),
    );
    let r = post(&f.engine, &call(1)).await;
    assert_eq!(r.status, 200);
    let body = body_json(&r);
    assert_eq!(body["result"]["isError"], true);
    assert_eq!(
        body["result"]["content"][0]["text"],
        "TimeoutError: the action did not finish within 2 seconds (mcpActions.toolCallTimeout); it may still complete on the server"
    );
    assert_eq!(f.engine.calls_in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_call_within_the_timeout_answers_normally() {
    let f = slow_fixture(
        config_from(json!({"toolCallTimeout": 2})),
        Duration::from_secs(1),
    );
    let body = body_json(&post(&f.engine, &call(1)).await);
    assert_eq!(body["result"]["structuredContent"], json!({"n": 1}));
}

#[tokio::test(start_paused = true)]
async fn the_default_timeout_is_five_minutes() {
    let f = slow_fixture(config(), Duration::from_secs(299));
    let body = body_json(&post(&f.engine, &call(1)).await);
    assert_eq!(body["result"]["structuredContent"], json!({"n": 1}));
    let f = slow_fixture(config(), Duration::from_secs(301));
    let body = body_json(&post(&f.engine, &call(1)).await);
    assert_eq!(body["result"]["isError"], true);
}

#[tokio::test(start_paused = true)]
async fn calls_beyond_the_per_principal_limit_are_refused_with_a_retry_hint() {
    let f = slow_fixture(
        config_from(json!({"limits": {"maxConcurrentCallsPerPrincipal": 2}})),
        Duration::from_secs(1),
    );
    let bodies: Vec<String> = (1..=3).map(call).collect();
    let other = call(4);
    let mut requests: Vec<_> = bodies
        .iter()
        .map(|b| Box::pin(post_as(&f.engine, "user:default/jane", b)))
        .collect();
    // Another caller is not held back by Jane's calls.
    requests.push(Box::pin(post_as(&f.engine, "user:default/joe", &other)));
    let answers: Vec<_> = join_all(requests).await.iter().map(body_json).collect();

    let refused: Vec<_> = answers
        .iter()
        .filter(|a| a.get("error").is_some())
        .collect();
    assert_eq!(refused.len(), 1, "{answers:?}");
    let error = &refused[0]["error"];
    assert_eq!(error["code"], TOO_MANY_CALLS);
    assert_eq!(
        error["message"],
        "Too many tool calls in flight for this caller: 2 are running (mcpActions.limits.maxConcurrentCallsPerPrincipal); retry when one has finished"
    );
    assert_eq!(error["data"], json!({"retryAfterSeconds": 1, "limit": 2}));
    assert_eq!(refused[0]["id"], 3);
    assert_eq!(answers[3]["result"]["structuredContent"], json!({"n": 1}));
    // The refused call never reached the registry.
    assert_eq!(f.calls.invoke.lock().unwrap().len(), 3);

    // All done: nothing is counted any more, and Jane may call again.
    assert_eq!(f.engine.calls_in_flight(), 0);
    let again = body_json(&post_as(&f.engine, "user:default/jane", &call(5)).await);
    assert_eq!(again["result"]["structuredContent"], json!({"n": 1}));
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_request_goes_away_is_no_longer_counted() {
    let f = slow_fixture(
        config_from(json!({"limits": {"maxConcurrentCallsPerPrincipal": 1}})),
        Duration::from_secs(60),
    );
    let body = call(1);
    let abandoned = tokio::time::timeout(
        Duration::from_secs(1),
        post_as(&f.engine, "user:default/jane", &body),
    )
    .await;
    assert!(abandoned.is_err(), "the call was still running");
    assert_eq!(f.engine.calls_in_flight(), 0);
}

#[test]
fn limits_out_of_range_name_their_key() {
    for (raw, key) in [
        (json!({"toolCallTimeout": 0}), "mcpActions.toolCallTimeout"),
        (
            json!({"progressInterval": 0}),
            "mcpActions.progressInterval",
        ),
        (
            json!({"sourceListTimeout": 301}),
            "mcpActions.sourceListTimeout",
        ),
        (
            json!({"limits": {"maxRequestBodyBytes": 10}}),
            "mcpActions.limits.maxRequestBodyBytes",
        ),
        (
            json!({"limits": {"maxConcurrentCallsPerPrincipal": -1}}),
            "mcpActions.limits.maxConcurrentCallsPerPrincipal",
        ),
    ] {
        let err = mcp_actions_backend::EngineConfig::from_json(&raw.to_string()).unwrap_err();
        assert!(err.to_string().contains(key), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_request_stops_waiting_for_its_call() {
    let f = slow_fixture(config(), Duration::from_secs(60));
    let body = call(1);
    let abandon = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(f.engine.calls_in_flight(), 1);
        assert!(f.engine.abandon(42));
    };
    let started = tokio::time::Instant::now();
    let (answer, ()) = tokio::join!(post_ticketed(&f.engine, 42, &body), abandon);
    assert_eq!(answer.status, mcp_actions_backend::engine::ABANDONED);
    assert!(answer.body.is_none());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(f.engine.calls_in_flight(), 0);
    // Nothing left to abandon.
    assert!(!f.engine.abandon(42));
}

#[tokio::test(start_paused = true)]
async fn two_requests_with_one_ticket_both_answer() {
    let f = slow_fixture(config(), Duration::from_secs(1));
    let body = call(1);
    let (a, b) = tokio::join!(
        post_ticketed(&f.engine, 5, &body),
        post_ticketed(&f.engine, 5, &body)
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(
        body_json(&a)["result"]["structuredContent"],
        json!({"n": 1})
    );
    assert_eq!(
        body_json(&b)["result"]["structuredContent"],
        json!({"n": 1})
    );
}
