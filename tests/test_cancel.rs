//! `notifications/cancelled`: a client stops one of its running tool calls. The call is no
//! longer waited for, counts no more, and gets no answer.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn call(id: i64) -> String {
    request(
        id,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    )
}

fn cancelled(id: serde_json::Value) -> String {
    json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
           "params": {"requestId": id, "reason": "the user pressed stop"}})
    .to_string()
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_call_stops_at_once_and_gets_no_answer() {
    let f = slow_fixture(config(), Duration::from_secs(60));
    let (body, cancel) = (call(7), cancelled(json!(7)));
    let started = tokio::time::Instant::now();
    let (answer, cancel_answer) =
        tokio::join!(post_as(&f.engine, "user:default/jane", &body), async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert_eq!(f.engine.calls_in_flight(), 1);
            post_as(&f.engine, "user:default/jane", &cancel).await
        });
    assert_eq!(cancel_answer.status, 202);
    assert_eq!(answer.status, 202, "no answer for a cancelled request");
    assert!(answer.body.is_none());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(f.engine.calls_in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn only_the_caller_can_cancel_and_only_by_the_same_id() {
    let f = slow_fixture(config(), Duration::from_secs(3));
    let body = call(7);
    let (answer, ..) = tokio::join!(post_as(&f.engine, "user:default/jane", &body), async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        // Another principal, another id, an id of another type: none of them is Jane's call.
        post_as(&f.engine, "user:default/joe", &cancelled(json!(7))).await;
        post_as(&f.engine, "user:default/jane", &cancelled(json!(8))).await;
        post_as(&f.engine, "user:default/jane", &cancelled(json!("7"))).await;
        post_as(&f.engine, "user:default/jane", &cancelled(json!(null))).await;
    });
    assert_eq!(
        body_json(&answer)["result"]["structuredContent"],
        json!({"n": 1})
    );
}

#[tokio::test(start_paused = true)]
async fn an_id_two_running_calls_share_cancels_neither() {
    let f = slow_fixture(config(), Duration::from_secs(3));
    let body = call(1);
    let (a, b, _) = tokio::join!(
        post_as(&f.engine, "user:default/jane", &body),
        post_as(&f.engine, "user:default/jane", &body),
        async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            post_as(&f.engine, "user:default/jane", &cancelled(json!(1))).await
        }
    );
    for answer in [a, b] {
        assert_eq!(
            body_json(&answer)["result"]["structuredContent"],
            json!({"n": 1})
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_call_in_a_batch_leaves_the_others_answered() {
    let f = slow_fixture(config(), Duration::from_secs(3));
    let batch = format!("[{},{}]", call(1), request(2, "ping", json!({})));
    let (answer, _) = tokio::join!(post_as(&f.engine, "user:default/jane", &batch), async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        post_as(&f.engine, "user:default/jane", &cancelled(json!(1))).await
    });
    assert_eq!(
        body_json(&answer),
        json!([{"jsonrpc": "2.0", "id": 2, "result": {}}])
    );
}
