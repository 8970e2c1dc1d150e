//! What a 2026-07-28 request gets on a stream: log events on its own response when it asks
//! for them, and `subscriptions/listen` (acknowledgement, tools/list_changed, limits, end).

mod common;

use std::sync::Mutex;

use common::*;
use mcp_actions_backend::engine::{ListenCheck, Observations, ProgressSink};
use mcp_actions_backend::{CallContext, HttpResponse, PostRequest};
use serde_json::{json, Value};

#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl ProgressSink for Collect {
    fn send(&self, chunk: String) {
        self.0.lock().unwrap().push(chunk);
    }
}

/// The JSON-RPC message of one SSE `message` event.
fn event(chunk: &str) -> Value {
    let data = chunk
        .strip_prefix("event: message\ndata: ")
        .and_then(|d| d.strip_suffix("\n\n"))
        .expect("an SSE message event");
    serde_json::from_str(data).unwrap()
}

async fn post_streaming(
    f: &Fixture,
    headers: Modern<'_>,
    body: &str,
    sink: &Collect,
    ticket: u32,
    principal: &str,
) -> HttpResponse {
    f.engine
        .handle_post_guarded(
            PostRequest {
                server: headers.server,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                protocol_version: headers.version,
                method: headers.method,
                name: headers.name,
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: ticket + 100,
                principal: principal.into(),
                request: Some(ticket),
                trace: None,
            },
            &Observations::default(),
            Some(sink),
        )
        .await
}

fn calling() -> Fixture {
    fixture_with(
        config(),
        default_actions(),
        vec![
            ("catalog:get-entity", Ok(r#"{"n":1}"#.into())),
            (
                "catalog:delete-entity",
                Err(mcp_actions_backend::HostError::new(
                    "InputError",
                    "no such entity",
                )),
            ),
        ],
    )
}

#[tokio::test]
async fn log_events_go_to_a_client_that_asked_for_them_and_never_otherwise() {
    let f = calling();
    let call = |level: Option<&str>, tool: &str| {
        let mut meta = json!({});
        if let Some(level) = level {
            meta["io.modelcontextprotocol/logLevel"] = json!(level);
        }
        modern_request(
            json!(1),
            "tools/call",
            json!({"name": tool, "arguments": {"q": "x"}, "_meta": meta}),
        )
    };
    let headers = |tool| Modern::of("tools/call", Some(tool));

    let sink = Collect::default();
    let tool = "catalog.get-entity";
    let r = post_streaming(
        &f,
        headers(tool),
        &call(Some("debug"), tool),
        &sink,
        1,
        "user:default/jane",
    )
    .await;
    let chunks = sink.0.lock().unwrap().clone();
    let messages: Vec<_> = chunks.iter().map(|c| event(c)).collect();
    assert_eq!(messages.len(), 2, "{chunks:?}");
    assert_eq!(messages[0]["method"], "notifications/message");
    assert_eq!(messages[0]["params"]["level"], "debug");
    assert_eq!(messages[0]["params"]["logger"], "mcp-actions");
    assert_eq!(
        messages[0]["params"]["data"]["message"],
        "calling action catalog:get-entity for tool catalog.get-entity"
    );
    // The answer follows the events on the same stream.
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(
        event(r.body.as_deref().unwrap())["result"]["structuredContent"],
        json!({"n": 1})
    );

    // At warning, only the tool's failure is told.
    let sink = Collect::default();
    let tool = "catalog.delete-entity";
    post_streaming(
        &f,
        headers(tool),
        &call(Some("warning"), tool),
        &sink,
        2,
        "user:default/jane",
    )
    .await;
    let chunks = sink.0.lock().unwrap().clone();
    assert_eq!(chunks.len(), 1, "{chunks:?}");
    assert_eq!(event(&chunks[0])["params"]["level"], "warning");
    assert_eq!(
        event(&chunks[0])["params"]["data"]["message"],
        "tool catalog.delete-entity reported InputError: no such entity"
    );

    // Without the key: nothing but the answer, as JSON.
    let sink = Collect::default();
    let r = post_streaming(
        &f,
        headers(tool),
        &call(None, tool),
        &sink,
        3,
        "user:default/jane",
    )
    .await;
    assert!(sink.0.lock().unwrap().is_empty());
    assert_eq!(r.header("content-type"), Some("application/json"));
}

fn listen_body(id: Value, filter: Value) -> String {
    modern_request(id, "subscriptions/listen", json!({"notifications": filter}))
}

async fn listen(
    f: &Fixture,
    id: Value,
    filter: Value,
    ticket: u32,
    principal: &str,
) -> HttpResponse {
    let sink = Collect::default();
    let headers = Modern::of("subscriptions/listen", None);
    post_streaming(
        f,
        headers,
        &listen_body(id, filter),
        &sink,
        ticket,
        principal,
    )
    .await
}

fn uncached() -> Fixture {
    fixture_with(
        config_from(json!({"toolListTtl": 0, "sessions": {"maxSessionsPerPrincipal": 2}})),
        default_actions(),
        vec![],
    )
}

#[tokio::test]
async fn listen_acknowledges_what_it_honours_with_the_request_id_as_subscription_id() {
    let f = uncached();
    let filter = json!({"toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["file:///x"]});
    let r = listen(&f, json!("listen:0"), filter, 1, "user:default/jane").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("x-mcp-actions-listen"), Some("listen-1"));
    let ack = event(r.body.as_deref().unwrap());
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["notifications"],
        json!({"toolsListChanged": true})
    );
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "listen:0"
    );
    // A numeric id stays a number.
    let r = listen(&f, json!(12), json!({}), 2, "user:default/jane").await;
    let ack = event(r.body.as_deref().unwrap());
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        12
    );
    assert_eq!(ack["params"]["notifications"], json!({}));
    assert_eq!(f.engine.listener_keys().len(), 2);
}

#[tokio::test]
async fn a_changed_tool_list_is_announced_once_and_only_to_who_asked() {
    let f = uncached();
    listen(
        &f,
        json!("a"),
        json!({"toolsListChanged": true}),
        1,
        "user:default/jane",
    )
    .await;
    listen(&f, json!("b"), json!({}), 2, "user:default/jane").await;
    assert_eq!(
        f.engine.check_listen("listen-1").await,
        ListenCheck::Unchanged
    );
    f.actions.lock().unwrap()["actions"]
        .as_array_mut()
        .unwrap()
        .push(action("catalog", "query-entities", true));
    let ListenCheck::Changed(chunk) = f.engine.check_listen("listen-1").await else {
        panic!("the change was not announced");
    };
    let note = event(&chunk);
    assert_eq!(note["method"], "notifications/tools/list_changed");
    assert_eq!(
        note["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "a"
    );
    assert_eq!(
        f.engine.check_listen("listen-1").await,
        ListenCheck::Unchanged
    );
    assert_eq!(
        f.engine.check_listen("listen-2").await,
        ListenCheck::Unchanged
    );
}

#[tokio::test]
async fn listen_streams_are_limited_per_principal_and_closed_cleanly() {
    let f = uncached();
    listen(&f, json!(1), json!({}), 1, "user:default/jane").await;
    listen(&f, json!(2), json!({}), 2, "user:default/jane").await;
    let r = listen(&f, json!(3), json!({}), 3, "user:default/jane").await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!((status, code, id), (429, -32000, json!(3)));
    assert!(message.contains("maximum of 2 open streams"), "{message}");
    assert_eq!(
        listen(&f, json!(4), json!({}), 4, "user:default/joe")
            .await
            .status,
        200
    );
    // Closing gives back the credentials handle the stream held.
    assert_eq!(f.engine.close_listen("listen-1"), Some(101));
    assert_eq!(f.engine.close_listen("listen-1"), None);
    let last = f.engine.close_all_listens();
    assert_eq!(last.len(), 2);
    let end = event(&last.iter().find(|(k, _, _)| k == "listen-2").unwrap().1);
    assert_eq!(end["id"], 2);
    assert_eq!(end["result"]["resultType"], "complete");
    assert_eq!(
        end["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        2
    );
    assert!(f.engine.listener_keys().is_empty());
}

#[tokio::test]
async fn a_listen_the_caller_cannot_serve_is_refused_or_ended() {
    let f = uncached();
    // A client that takes no SSE cannot listen.
    let r = post_modern(
        &f.engine,
        Modern::of("subscriptions/listen", None),
        &listen_body(json!(5), json!({})),
    )
    .await;
    assert_eq!(
        r.status, 200,
        "no host ticket, but SSE accepted: {:?}",
        r.body
    );
    let body = listen_body(json!(6), json!({}));
    let r = f
        .engine
        .handle_post(
            PostRequest {
                accept: Some("application/json"),
                content_type: Some("application/json"),
                protocol_version: Some("2026-07-28"),
                method: Some("subscriptions/listen"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx(),
        )
        .await;
    assert_eq!((rpc_error(&r).0, rpc_error(&r).2), (406, json!(6)));
    let r = listen(&f, json!(7), json!("tools"), 7, "user:default/jane").await;
    assert_eq!(rpc_error(&r).1, -32602);
    // When the tool list can no longer be read, the stream ends with its result.
    listen(
        &f,
        json!("z"),
        json!({"toolsListChanged": true}),
        8,
        "user:default/jane",
    )
    .await;
    *f.actions.lock().unwrap() = json!("not an action list");
    let ListenCheck::Ended(chunk) = f.engine.check_listen("listen-8").await else {
        panic!("the stream did not end");
    };
    assert_eq!(event(&chunk)["id"], "z");
    assert!(!f.engine.listener_keys().contains(&"listen-8".to_owned()));
}
