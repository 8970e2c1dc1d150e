//! Progress of long calls: a `tools/call` with `_meta.progressToken` gets
//! `notifications/progress` (elapsed time, always increasing) at `mcpActions.progressInterval`
//! until its action answers; the answer is then an SSE event after them.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use mcp_actions_backend::engine::{Observations, ProgressSink};
use mcp_actions_backend::{CallContext, HttpResponse, PostRequest};
use serde_json::{json, Value};

#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl ProgressSink for Collect {
    fn send(&self, chunk: String) {
        self.0.lock().unwrap().push(chunk);
    }
}

fn events(chunks: &[String]) -> Vec<Value> {
    chunks
        .iter()
        .map(|c| {
            let data = c
                .strip_prefix("event: message\ndata: ")
                .and_then(|d| d.strip_suffix("\n\n"))
                .expect("an SSE message event");
            serde_json::from_str(data).unwrap()
        })
        .collect()
}

async fn call_with(f: &Fixture, sink: &Collect, accept: &str, meta: Value) -> HttpResponse {
    let params = json!({"name": "catalog.get-entity", "arguments": {"q": "x"}, "_meta": meta});
    post_with_sink(f, sink, accept, &request(1, "tools/call", params)).await
}

async fn post_with_sink(f: &Fixture, sink: &Collect, accept: &str, body: &str) -> HttpResponse {
    f.engine
        .handle_post_guarded(
            PostRequest {
                accept: Some(accept),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 1,
                principal: "user:default/jane".into(),
                request: Some(1),
                trace: None,
            },
            &Observations::default(),
            Some(sink),
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn a_long_call_reports_elapsed_time_then_answers_as_an_sse_event() {
    let f = slow_fixture(
        config_from(json!({"progressInterval": 1})),
        Duration::from_millis(3500),
    );
    let sink = Collect::default();
    let r = call_with(&f, &sink, ACCEPT, json!({"progressToken": "tok-1"})).await;
    let progress = events(&sink.0.lock().unwrap());
    assert_eq!(progress.len(), 3, "{progress:?}");
    for (i, p) in progress.iter().enumerate() {
        assert_eq!(p["method"], "notifications/progress");
        assert_eq!(p["params"]["progressToken"], "tok-1");
        assert_eq!(p["params"]["progress"], json!((i + 1) as f64));
        assert_eq!(
            p["params"]["message"],
            format!(
                "tool \"catalog.get-entity\" has been running for {} s",
                i + 1
            )
        );
    }
    // The answer follows as an SSE event on the same response.
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let answer = &events(&[r.body.clone().unwrap()])[0];
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["structuredContent"], json!({"n": 1}));
}

#[tokio::test(start_paused = true)]
async fn integer_tokens_work_and_a_quick_call_sends_no_progress() {
    let f = slow_fixture(
        config_from(json!({"progressInterval": 1})),
        Duration::from_millis(1500),
    );
    let sink = Collect::default();
    call_with(&f, &sink, ACCEPT, json!({"progressToken": 7})).await;
    assert_eq!(
        events(&sink.0.lock().unwrap())[0]["params"]["progressToken"],
        7
    );

    let f = slow_fixture(
        config_from(json!({"progressInterval": 1})),
        Duration::from_millis(500),
    );
    let sink = Collect::default();
    let r = call_with(&f, &sink, ACCEPT, json!({"progressToken": 7})).await;
    assert!(sink.0.lock().unwrap().is_empty());
    // No progress went out: the cheapest framing the client accepts.
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test(start_paused = true)]
async fn no_progress_without_a_token_or_for_a_client_that_takes_only_json() {
    let f = slow_fixture(
        config_from(json!({"progressInterval": 1})),
        Duration::from_secs(3),
    );
    let sink = Collect::default();
    call_with(&f, &sink, ACCEPT, json!({})).await;
    call_with(
        &f,
        &sink,
        ACCEPT,
        json!({"progressToken": {"not": "a token"}}),
    )
    .await;
    let r = call_with(&f, &sink, "application/json", json!({"progressToken": "t"})).await;
    assert!(sink.0.lock().unwrap().is_empty());
    assert_eq!(
        body_json(&r)["result"]["structuredContent"],
        json!({"n": 1})
    );
}

#[tokio::test(start_paused = true)]
async fn progress_stops_at_the_call_timeout() {
    let f = slow_fixture(
        config_from(json!({"progressInterval": 1, "toolCallTimeout": 2})),
        Duration::from_secs(60),
    );
    let sink = Collect::default();
    let r = call_with(&f, &sink, ACCEPT, json!({"progressToken": "t"})).await;
    assert_eq!(events(&sink.0.lock().unwrap()).len(), 1);
    let answer = &events(&[r.body.clone().unwrap()])[0];
    assert_eq!(answer["result"]["isError"], true);
}

#[tokio::test(start_paused = true)]
async fn call_tool_in_search_mode_reports_progress_of_the_tool_it_calls() {
    let f = slow_fixture(
        config_from(json!({"progressInterval": 1, "toolDiscovery": "search"})),
        Duration::from_millis(2500),
    );
    let sink = Collect::default();
    let body = request(
        1,
        "tools/call",
        json!({"name": "call_tool", "arguments": {"name": "catalog.get-entity", "arguments": {"q": "x"}}, "_meta": {"progressToken": "tok-9"}}),
    );
    let r = post_with_sink(&f, &sink, ACCEPT, &body).await;
    let progress = events(&sink.0.lock().unwrap());
    assert_eq!(progress.len(), 2, "{progress:?}");
    assert_eq!(progress[0]["params"]["progressToken"], "tok-9");
    assert_eq!(
        progress[1]["params"]["message"],
        "tool \"catalog.get-entity\" has been running for 2 s"
    );
    assert!(r.body.unwrap().contains("\"structuredContent\":{\"n\":1}"));
}
