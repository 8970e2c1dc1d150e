//! Confirmations (`mcpActions.confirm`): a matching call runs only after its caller said yes
//! to exactly this call: through the 2026-07-28 `input_required` answer and its retry,
//! through `elicitation/create` down a 2025 session's stream, or on the page. Bound to the
//! caller, the tool and the arguments, used once; decline and silence leave it not run.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use mcp_actions_backend::engine::{Observations, PageRoute, ProgressSink};
use mcp_actions_backend::{CallContext, Engine, PostRequest};
use serde_json::{json, Value};

const ALICE: &str = "user:default/alice";
const BOB: &str = "user:default/bob";
const TOOL: &str = "catalog.delete-entity";

fn confirming(extra: Value) -> Fixture {
    let mut raw = json!({
        "confirm": [{"name": "deletes", "tool": "catalog.delete-*"}],
        "page": {"appBaseUrl": "https://backstage.example.com/"},
    });
    raw.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    fixture_with(
        config_from(raw),
        default_actions(),
        vec![
            ("catalog:delete-entity", Ok(r#"{"n":2}"#.to_owned())),
            ("catalog:get-entity", Ok(r#"{"n":1}"#.to_owned())),
        ],
    )
}

fn runs(f: &Fixture) -> usize {
    f.calls
        .invoke
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, id, _)| id == "catalog:delete-entity")
        .count()
}

fn ctx_of(principal: &str) -> CallContext {
    CallContext {
        credentials: 1,
        principal: principal.into(),
        request: None,
        trace: None,
    }
}

/// A 2026-07-28 `tools/call` of `TOOL` with `args`, declaring elicitation or not, plus extra params.
async fn modern_call(
    f: &Fixture,
    principal: &str,
    args: Value,
    elicits: bool,
    extra: Value,
) -> Value {
    let mut params = json!({"name": TOOL, "arguments": args});
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    if elicits {
        params["_meta"] =
            json!({"io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}});
    }
    let body = modern_request(json!(1), "tools/call", params);
    let r = post_modern_as(
        &f.engine,
        principal,
        Modern::of("tools/call", Some(TOOL)),
        &body,
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    body_json(&r)["result"].clone()
}

fn error_text(result: &Value) -> String {
    assert_eq!(result["isError"], true, "{result}");
    result["content"][0]["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_2026_client_is_asked_and_its_retry_runs_the_call_once() {
    let f = confirming(json!({}));
    let args = json!({"q": "component:default/payments"});
    let asked = modern_call(&f, ALICE, args.clone(), true, json!({})).await;
    assert_eq!(asked["resultType"], "input_required");
    let request = &asked["inputRequests"]["confirm"];
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["mode"], "form");
    assert_eq!(
        request["params"]["message"],
        "Confirm this call: Title of delete-entity (catalog.delete-entity) with q \"component:default/payments\", as user:default/alice?"
    );
    assert_eq!(
        request["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    let state = asked["requestState"].as_str().unwrap().to_owned();
    assert!(state.starts_with("mcp-actions:confirm:"));
    assert_eq!(runs(&f), 0, "asked, not run");

    let accept = json!({"requestState": state, "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}}});
    // Other arguments, or another caller, with the same state: asked again, not run.
    let other = modern_call(
        &f,
        ALICE,
        json!({"q": "component:default/other"}),
        true,
        accept.clone(),
    )
    .await;
    assert_eq!(other["resultType"], "input_required");
    let bob = modern_call(&f, BOB, args.clone(), true, accept.clone()).await;
    assert_eq!(bob["resultType"], "input_required");
    assert_eq!(runs(&f), 0);

    let ran = modern_call(&f, ALICE, args.clone(), true, accept.clone()).await;
    assert_eq!(ran["structuredContent"], json!({"n": 2}), "{ran}");
    assert_eq!(runs(&f), 1);
    // Used once: the same retry again is a new question.
    let again = modern_call(&f, ALICE, args, true, accept).await;
    assert_eq!(again["resultType"], "input_required");
    assert_ne!(again["requestState"], state);
    assert_eq!(runs(&f), 1);
}

#[tokio::test]
async fn declined_does_not_run_and_says_so() {
    let f = confirming(json!({}));
    let args = json!({"q": "x"});
    let asked = modern_call(&f, ALICE, args.clone(), true, json!({})).await;
    let state = asked["requestState"].clone();
    for action in ["decline", "cancel"] {
        let asked = modern_call(&f, ALICE, args.clone(), true, json!({})).await;
        let answer = json!({"requestState": asked["requestState"], "inputResponses": {"confirm": {"action": action}}});
        let text = error_text(&modern_call(&f, ALICE, args.clone(), true, answer).await);
        assert_eq!(
            text,
            "ConfirmationDeclined: The call was declined and did not run: Title of delete-entity (catalog.delete-entity) with q \"x\", as user:default/alice?"
        );
    }
    // Accept with the box unticked is a no as well.
    let answer = json!({"requestState": state, "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": false}}}});
    assert!(
        error_text(&modern_call(&f, ALICE, args, true, answer).await)
            .starts_with("ConfirmationDeclined")
    );
    assert_eq!(runs(&f), 0);
}

#[tokio::test]
async fn calls_no_rule_matches_run_at_once() {
    let f = confirming(json!({}));
    let body = modern_request(
        json!(1),
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let r = post_modern_as(
        &f.engine,
        ALICE,
        Modern::of("tools/call", Some("catalog.get-entity")),
        &body,
    )
    .await;
    assert_eq!(
        body_json(&r)["result"]["structuredContent"],
        json!({"n": 1})
    );
}

#[tokio::test]
async fn a_client_that_cannot_ask_sends_the_user_to_the_page_then_the_retry_runs() {
    let f = confirming(json!({}));
    let args = json!({"q": "x"});
    let text = error_text(&modern_call(&f, ALICE, args.clone(), false, json!({})).await);
    assert_eq!(
        text,
        "ConfirmationRequired: This call needs your confirmation before it runs: Title of delete-entity (catalog.delete-entity) with q \"x\", as user:default/alice? Your client cannot ask you (it declares no MCP elicitation). Open https://backstage.example.com/mcp-actions and confirm it under Pending confirmations. Then call this tool again with the same arguments; the confirmation is for this call only and lasts 10 minutes."
    );
    let listed = f
        .engine
        .page(PageRoute::Confirmations, &ctx_of(ALICE))
        .await;
    let listed = body_json(&listed);
    assert_eq!(listed["enabled"], true);
    let pending = &listed["confirmations"][0];
    assert_eq!(pending["tool"], TOOL);
    assert_eq!(pending["arguments"], r#"{"q":"x"}"#);
    assert_eq!(pending["rule"], "deletes");
    assert!(pending.get("binding").is_none());
    let id = pending["id"].as_str().unwrap().to_owned();
    // Bob sees none of Alice's and cannot answer it.
    let bobs = body_json(&f.engine.page(PageRoute::Confirmations, &ctx_of(BOB)).await);
    assert_eq!(bobs["confirmations"], json!([]));
    let r = f
        .engine
        .page(PageRoute::Decide(&id, true), &ctx_of(BOB))
        .await;
    assert_eq!(r.status, 404);
    // Not confirmed yet: the retry asks again (a second pending one).
    assert!(
        error_text(&modern_call(&f, ALICE, args.clone(), false, json!({})).await)
            .starts_with("ConfirmationRequired")
    );
    let r = f
        .engine
        .page(PageRoute::Decide(&id, true), &ctx_of(ALICE))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(body_json(&r)["confirmation"]["status"], "confirmed");
    let twice = f
        .engine
        .page(PageRoute::Decide(&id, false), &ctx_of(ALICE))
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(
        body_json(&twice)["error"]["message"],
        "This confirmation cannot be answered: it is already confirmed"
    );
    // Other arguments do not use it; Bob does not; the same call does, once.
    assert!(
        error_text(&modern_call(&f, ALICE, json!({"q": "y"}), false, json!({})).await)
            .starts_with("ConfirmationRequired")
    );
    assert!(
        error_text(&modern_call(&f, BOB, args.clone(), false, json!({})).await)
            .starts_with("ConfirmationRequired")
    );
    assert_eq!(runs(&f), 0);
    let ran = modern_call(&f, ALICE, args.clone(), false, json!({})).await;
    assert_eq!(ran["structuredContent"], json!({"n": 2}));
    assert!(
        error_text(&modern_call(&f, ALICE, args, false, json!({})).await)
            .starts_with("ConfirmationRequired")
    );
    assert_eq!(runs(&f), 1);
}

#[tokio::test]
async fn a_decline_on_the_page_is_what_the_retry_hears_once() {
    let f = confirming(json!({}));
    let args = json!({"q": "x"});
    modern_call(&f, ALICE, args.clone(), false, json!({})).await;
    let listed = body_json(
        &f.engine
            .page(PageRoute::Confirmations, &ctx_of(ALICE))
            .await,
    );
    let id = listed["confirmations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = f
        .engine
        .page(PageRoute::Decide(&id, false), &ctx_of(ALICE))
        .await;
    assert_eq!(body_json(&r)["confirmation"]["status"], "declined");
    let heard = error_text(&modern_call(&f, ALICE, args.clone(), false, json!({})).await);
    assert!(
        heard.starts_with("ConfirmationDeclined: The call was declined and did not run"),
        "{heard}"
    );
    let next = error_text(&modern_call(&f, ALICE, args, false, json!({})).await);
    assert!(next.starts_with("ConfirmationRequired"), "{next}");
    assert_eq!(runs(&f), 0);
}

#[tokio::test]
async fn a_service_principal_that_cannot_ask_is_told_what_it_needs() {
    let f = confirming(json!({}));
    let text =
        error_text(&modern_call(&f, "service:ci", json!({"q": "x"}), false, json!({})).await);
    assert_eq!(
        text,
        "ConfirmationRequired: This call needs a person's confirmation before it runs (Title of delete-entity (catalog.delete-entity) with q \"x\", as service:ci?), and it runs as service:ci, a service principal (a static token) with no Backstage page to confirm on. Use a client that can ask its user (MCP elicitation), or connect as a Backstage user."
    );
}

#[tokio::test]
async fn a_principal_glob_decides_who_is_asked() {
    let f = confirming(json!({"confirm": [{"tool": TOOL, "principal": "user:*"}]}));
    let ran = modern_call(&f, "service:ci", json!({"q": "x"}), false, json!({})).await;
    assert_eq!(ran["structuredContent"], json!({"n": 2}));
    let asked = error_text(&modern_call(&f, ALICE, json!({"q": "x"}), false, json!({})).await);
    assert!(asked.starts_with("ConfirmationRequired"));
}

#[tokio::test]
async fn attributes_match_destructive_tools() {
    let f = confirming(json!({"confirm": [{"destructive": true}]}));
    let asked = error_text(&modern_call(&f, ALICE, json!({"q": "x"}), false, json!({})).await);
    assert!(asked.starts_with("ConfirmationRequired"));
    let body = modern_request(
        json!(1),
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let r = post_modern_as(
        &f.engine,
        ALICE,
        Modern::of("tools/call", Some("catalog.get-entity")),
        &body,
    )
    .await;
    assert_eq!(
        body_json(&r)["result"]["structuredContent"],
        json!({"n": 1})
    );
}

#[test]
fn a_rule_that_cannot_work_is_a_startup_error() {
    let bad = [
        (json!({"confirm": [{"server": "nope"}]}), "mcpActions.confirm[0].server: rule \"confirm[0]\": no server \"nope\" in mcpActions.servers"),
        (json!({"confirm": [{"name": "x", "tool": "a[b"}]}), "mcpActions.confirm[0].tool: rule \"x\": not a valid glob"),
        (json!({"confirmTimeout": 0}), "mcpActions.confirmTimeout"),
    ];
    for (raw, wanted) in bad {
        let e = mcp_actions_backend::EngineConfig::from_json(&raw.to_string()).unwrap_err();
        assert!(e.to_string().contains(wanted), "{e} / {wanted}");
    }
}

/// The stream of a 2025 POST: records what goes down it.
#[derive(Default)]
struct Stream(Mutex<Vec<String>>);

impl ProgressSink for Stream {
    fn send(&self, chunk: String) {
        self.0.lock().unwrap().push(chunk);
    }
}

async fn open_session(engine: &Engine<TestHost>, elicits: bool) -> String {
    let caps = if elicits {
        json!({"elicitation": {}})
    } else {
        json!({})
    };
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": caps, "clientInfo": {"name": "claude-code", "version": "2"}}),
    );
    let r = engine
        .handle_post(
            PostRequest {
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: init.as_bytes(),
                ..PostRequest::default()
            },
            &ctx_of(ALICE),
        )
        .await;
    r.header("mcp-session-id").expect("a session").to_owned()
}

async fn session_post(
    engine: &Engine<TestHost>,
    session: &str,
    body: &str,
    sink: Option<&Stream>,
) -> mcp_actions_backend::HttpResponse {
    engine
        .handle_post_guarded(
            PostRequest {
                session_id: Some(session),
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                protocol_version: Some("2025-11-25"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx_of(ALICE),
            &Observations::default(),
            sink.map(|s| s as &dyn ProgressSink),
        )
        .await
}

/// The client: waits for the `elicitation/create` on `stream`, answers `answer` (if any).
async fn answer_on(
    engine: &Engine<TestHost>,
    session: &str,
    stream: &Stream,
    answer: Option<Value>,
) -> Value {
    let asked = loop {
        if let Some(first) = stream.0.lock().unwrap().first().cloned() {
            break first;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let data = asked
        .strip_prefix("event: message\ndata: ")
        .unwrap()
        .trim_end();
    let request: Value = serde_json::from_str(data).unwrap();
    if let Some(answer) = answer {
        let response = json!({"jsonrpc": "2.0", "id": request["id"], "result": answer}).to_string();
        let r = session_post(engine, session, &response, None).await;
        assert_eq!(r.status, 202);
    }
    request
}

fn sse_result(r: &mcp_actions_backend::HttpResponse) -> Value {
    let body = r.body.as_deref().unwrap();
    let data = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .next_back()
        .unwrap();
    serde_json::from_str::<Value>(data).unwrap()["result"].clone()
}

#[tokio::test]
async fn a_2025_session_that_declared_elicitation_is_asked_down_its_stream() {
    let f = confirming(json!({"sessions": {"stateful": true}}));
    let session = open_session(&f.engine, true).await;
    let call = request(
        2,
        "tools/call",
        json!({"name": TOOL, "arguments": {"q": "x"}}),
    );
    let stream = Stream::default();
    let accept = json!({"action": "accept", "content": {"confirm": true}});
    let (r, asked) = tokio::join!(
        session_post(&f.engine, &session, &call, Some(&stream)),
        answer_on(&f.engine, &session, &stream, Some(accept)),
    );
    assert_eq!(asked["method"], "elicitation/create");
    assert_eq!(asked["params"]["mode"], "form");
    assert!(asked["params"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Confirm this call: Title of delete-entity"));
    assert_eq!(sse_result(&r)["structuredContent"], json!({"n": 2}));
    assert_eq!(runs(&f), 1);

    let stream = Stream::default();
    let decline = json!({"action": "decline"});
    let (r, _) = tokio::join!(
        session_post(&f.engine, &session, &call, Some(&stream)),
        answer_on(&f.engine, &session, &stream, Some(decline)),
    );
    assert!(sse_result(&r)["content"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("ConfirmationDeclined"));
    assert_eq!(runs(&f), 1);
}

#[tokio::test(start_paused = true)]
async fn no_answer_in_time_leaves_it_not_run() {
    let f = confirming(json!({"sessions": {"stateful": true}, "confirmTimeout": 30}));
    let session = open_session(&f.engine, true).await;
    let call = request(
        2,
        "tools/call",
        json!({"name": TOOL, "arguments": {"q": "x"}}),
    );
    let stream = Stream::default();
    let (r, _) = tokio::join!(
        session_post(&f.engine, &session, &call, Some(&stream)),
        answer_on(&f.engine, &session, &stream, None),
    );
    let text = sse_result(&r)["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        text,
        "ConfirmationTimeout: No answer to the confirmation within 30 s: the call did not run. Open https://backstage.example.com/mcp-actions and confirm it under Pending confirmations. Or call this tool again to be asked again."
    );
    assert_eq!(runs(&f), 0);
}

#[tokio::test]
async fn a_2025_session_without_elicitation_gets_the_page() {
    let f = confirming(json!({"sessions": {"stateful": true}}));
    let session = open_session(&f.engine, false).await;
    let call = request(
        2,
        "tools/call",
        json!({"name": TOOL, "arguments": {"q": "x"}}),
    );
    let stream = Stream::default();
    let r = session_post(&f.engine, &session, &call, Some(&stream)).await;
    let body = body_json(&r);
    assert!(body["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("ConfirmationRequired"));
    assert!(stream.0.lock().unwrap().is_empty());
}
