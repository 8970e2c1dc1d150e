//! Tool calls of actions that need secrets (`schema.secrets`): the tool's description note,
//! and what each era's client is answered — `input_required` (2026-07-28 with URL
//! elicitation), error -32042 (a stateful 2025-11-25 session that declared it), else a
//! `SecretsRequired` tool error — then the retry that runs with the owner's secrets, once.
//! The page's API, expiry and the key: `tests/test_secrets_pages.rs`.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use mcp_actions_backend::secrets::elicitation::{ElicitationStore, Status};
use mcp_actions_backend::tasks::MemoryTaskStore;
use mcp_actions_backend::{CallContext, Engine, HttpResponse, PostRequest};
use serde_json::{json, Value};

const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
const SECRET: &str = "s3cr3t-VALUE-42";
const ALICE: &str = "user:default/alice";
const BOB: &str = "user:default/bob";
const TOOL: &str = "scaffolder.deploy";
const ACTION: &str = "scaffolder:deploy";
const PAGE: &str = "https://backstage.example.com/mcp-actions/secrets/";

struct Setup {
    f: Fixture,
    store: Arc<MemoryTaskStore>,
    /// What the user is told about how long the link works.
    minutes: u64,
}

fn secrets_schema() -> Value {
    json!({"type": "object", "properties": {"token": {"type": "string", "description": "Deploy token"}}, "required": ["token"]})
}

/// A host whose `scaffolder:deploy` needs a token, with its task store at hand.
fn setup(raw: Value) -> Setup {
    let mut deploy = action("scaffolder", "deploy", false);
    deploy["schema"]["secrets"] = secrets_schema();
    let actions = Arc::new(Mutex::new(
        json!({"actions": [action("catalog", "get-entity", true), deploy]}),
    ));
    let calls = Arc::new(Calls::default());
    let store = Arc::new(MemoryTaskStore::default());
    let outcome = (ACTION.to_owned(), Ok(r#"{"n":42}"#.to_owned()));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::new([outcome].into_iter().collect()),
        list_error: None,
        calls: calls.clone(),
        invoke_delay: None,
        delays: Arc::default(),
        panic_on: None,
        tasks: store.clone(),
    };
    let engine = Engine::new(config_from(raw), host);
    let minutes = engine.config().secrets.ttl.as_secs() / 60;
    Setup {
        minutes,
        f: Fixture {
            engine,
            calls,
            actions,
        },
        store,
    }
}

/// Secrets on (the key, the app's base URL with a trailing slash), plus `extra`.
fn keyed(extra: Value) -> Setup {
    let mut raw = json!({
        "secrets": {"encryptionKey": KEY},
        "page": {"appBaseUrl": "https://backstage.example.com/"},
    });
    raw.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    setup(raw)
}

/// The body of an answer, which never holds the secret's value.
fn clean(r: &HttpResponse) -> Value {
    let body = r.body.as_deref().unwrap_or_default();
    assert!(!body.contains(SECRET), "the secret leaked: {body}");
    body_json(r)
}

/// A 2026-07-28 `tools/call` of the tool as `principal`; `url`: it declares URL elicitation.
async fn call(s: &Setup, principal: &str, url: bool, extra: Value) -> Value {
    let mut params = json!({"name": TOOL, "arguments": {"q": "x"}});
    if url {
        params["_meta"] =
            json!({"io.modelcontextprotocol/clientCapabilities": {"elicitation": {"url": {}}}});
    }
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let body = modern_request(json!(1), "tools/call", params);
    let r = post_modern_as(
        &s.f.engine,
        principal,
        Modern::of("tools/call", Some(TOOL)),
        &body,
    )
    .await;
    assert_eq!(r.status, 200);
    clean(&r)["result"].clone()
}

/// The retry of an `input_required` answer.
fn retry(state: &str) -> Value {
    json!({"requestState": state, "inputResponses": {"secrets": {"action": "accept"}}})
}

async fn view(s: &Setup, id: &str, principal: &str) -> (u16, Value) {
    let r = s.f.engine.elicitation_view(id, principal).await;
    (r.status, clean(&r))
}

async fn submit(s: &Setup, id: &str, principal: &str, body: Value) -> (u16, Value) {
    let r =
        s.f.engine
            .submit_secrets(id, principal, body.to_string().as_bytes())
            .await;
    (r.status, clean(&r))
}

/// The owner gives the right secrets on the page.
async fn give(s: &Setup, id: &str, principal: &str) {
    let (status, page) = view(s, id, principal).await;
    assert_eq!(status, 200, "{page}");
    let body = json!({"csrfToken": page["csrfToken"], "secrets": {"token": SECRET}});
    assert_eq!(
        submit(s, id, principal, body).await,
        (200, json!({"ok": true}))
    );
}

/// What the user is told, for elicitation `id`.
fn message(s: &Setup, id: &str) -> String {
    let minutes = s.minutes;
    format!("Tool \"{TOOL}\" needs secrets (token) that must not pass through this conversation. Open {PAGE}{id} and enter them in Backstage; the link is yours only and works for {minutes} minutes.")
}

/// The id of the elicitation a `SecretsRequired` result links to (its text is checked whole).
fn secrets_required(s: &Setup, result: &Value) -> String {
    assert_eq!(result["isError"], true, "{result}");
    let text = result["content"][0]["text"].as_str().unwrap();
    let at = text.find(PAGE).expect("the page's URL") + PAGE.len();
    let id: String = text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(id.len(), 32, "{text}");
    let expected = format!(
        "SecretsRequired: {} Then call this tool again with the same arguments.",
        message(s, &id)
    );
    assert_eq!(text, expected);
    id
}

/// The elicitation an `input_required` result names (its whole shape is checked).
fn input_required(s: &Setup, result: &Value) -> String {
    assert_eq!(result["resultType"], "input_required", "{result}");
    let state = result["requestState"].as_str().unwrap();
    let id = state
        .strip_prefix("mcp-actions:elicitation:")
        .expect(state)
        .to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(
        result["inputRequests"],
        json!({"secrets": {"method": "elicitation/create", "params": {"mode": "url", "message": message(s, &id), "url": format!("{PAGE}{id}")}}})
    );
    assert!(result.get("isError").is_none() && result.get("content").is_none());
    id
}

/// The action ran (once in all) and its last invoke carried the submitted token.
fn ran_with_secret(f: &Fixture, runs: usize) {
    let last = f.calls.secrets.lock().unwrap().last().cloned().flatten();
    let given: Value = serde_json::from_str(&last.expect("secrets in the last invoke")).unwrap();
    assert_eq!(given, json!({"token": SECRET}));
    assert_eq!(f.calls.invoke.lock().unwrap().len(), runs);
}

fn ran_output(result: &Value) {
    assert_eq!(result["structuredContent"], json!({"n": 42}), "{result}");
    assert_eq!(result["resultType"], "complete");
    assert!(result.get("isError").is_none_or(|e| e == false));
}

#[tokio::test]
async fn the_description_names_the_secrets_never_as_arguments() {
    let s = keyed(json!({}));
    let body = request(1, "tools/list", json!({}));
    let tools = body_json(&post(&s.f.engine, &body).await)["result"]["tools"].clone();
    let deploy = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == TOOL)
        .unwrap();
    assert_eq!(
        deploy["description"],
        "Does deploy Needs secrets: token (Deploy token). The user gives them on a Backstage page this tool links to when called; never pass them as arguments."
    );
    assert!(deploy["inputSchema"]["properties"].get("token").is_none());
    let other = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "catalog.get-entity");
    assert_eq!(other.unwrap()["description"], "Does get-entity");
}

#[tokio::test]
async fn url_elicitation_asks_then_the_retry_runs_once_with_the_secrets() {
    let s = keyed(json!({}));
    let id = input_required(&s, &call(&s, ALICE, true, json!({})).await);
    let state = format!("mcp-actions:elicitation:{id}");
    // A retry before the user submitted: the same question.
    assert_eq!(
        input_required(&s, &call(&s, ALICE, true, retry(&state)).await),
        id
    );

    let (status, page) = view(&s, &id, ALICE).await;
    assert_eq!(status, 200);
    assert_eq!(page["elicitationId"], id.as_str());
    assert_eq!(
        page["action"],
        json!({"id": ACTION, "title": "Title of deploy", "description": "Does deploy"})
    );
    assert_eq!(page["tool"], TOOL);
    assert_eq!(page["client"], "test-client");
    assert_eq!(page["secretsSchema"], secrets_schema());
    let csrf = page["csrfToken"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 32);

    assert_eq!(view(&s, &id, BOB).await.0, 403);
    let wrong = json!({"csrfToken": "0".repeat(32), "secrets": {"token": SECRET}});
    assert_eq!(submit(&s, &id, ALICE, wrong).await.0, 400);
    let empty = json!({"csrfToken": csrf, "secrets": {}});
    let (status, missing) = submit(&s, &id, ALICE, empty).await;
    assert_eq!(
        (status, missing["error"]["message"].as_str()),
        (
            400,
            Some("Invalid secrets: the secret \"token\" is required")
        )
    );
    let typed = json!({"csrfToken": csrf, "secrets": {"token": 42}});
    assert_eq!(submit(&s, &id, ALICE, typed).await.0, 400);
    assert_eq!(s.f.calls.invoke.lock().unwrap().len(), 0);
    let right = json!({"csrfToken": csrf, "secrets": {"token": SECRET}});
    assert_eq!(
        submit(&s, &id, ALICE, right.clone()).await,
        (200, json!({"ok": true}))
    );
    assert_eq!(view(&s, &id, ALICE).await.0, 409);
    let sealed = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!(sealed.status, Status::Submitted);
    assert!(!sealed.sealed.unwrap().contains(SECRET));

    ran_output(&call(&s, ALICE, true, retry(&state)).await);
    ran_with_secret(&s.f, 1);
    let used = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!((used.status, used.sealed), (Status::Used, None));

    // Used once: the same state again asks anew.
    let again = input_required(&s, &call(&s, ALICE, true, retry(&state)).await);
    assert_ne!(again, id);
    assert_eq!(s.f.calls.invoke.lock().unwrap().len(), 1);
    let (status, conflict) = submit(&s, &id, ALICE, right).await;
    assert_eq!(
        (status, conflict["error"]["name"].as_str()),
        (409, Some("ConflictError"))
    );
}

#[tokio::test]
async fn without_url_elicitation_the_link_comes_as_a_tool_error() {
    let s = keyed(json!({}));
    let id = secrets_required(&s, &call(&s, ALICE, false, json!({})).await);
    // Form elicitation alone is no URL elicitation.
    let form = json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}}});
    let other = secrets_required(&s, &call(&s, ALICE, false, form).await);
    assert_ne!(other, id);
    give(&s, &id, ALICE).await;
    // A plain retry: the submitted elicitation of this caller and action.
    ran_output(&call(&s, ALICE, false, json!({})).await);
    ran_with_secret(&s.f, 1);
    let next = secrets_required(&s, &call(&s, ALICE, false, json!({})).await);
    assert!(next != id && next != other);
}

#[tokio::test]
async fn another_principal_never_gets_the_owners_secrets() {
    let s = keyed(json!({}));
    let id = input_required(&s, &call(&s, ALICE, true, json!({})).await);
    give(&s, &id, ALICE).await;
    let state = format!("mcp-actions:elicitation:{id}");
    // Bob names Alice's elicitation, or none: he is asked for his own.
    let bobs = input_required(&s, &call(&s, BOB, true, retry(&state)).await);
    assert_ne!(bobs, id);
    let plain = secrets_required(&s, &call(&s, BOB, false, json!({})).await);
    assert!(plain != id && plain != bobs);
    assert_eq!(
        s.store
            .load_elicitation(&bobs)
            .await
            .unwrap()
            .unwrap()
            .owner,
        BOB
    );
    assert!(s
        .f
        .calls
        .secrets
        .lock()
        .unwrap()
        .iter()
        .all(Option::is_none));
    assert_eq!(view(&s, &bobs, ALICE).await.0, 403);
    // Alice's secrets are still hers to use.
    ran_output(&call(&s, ALICE, true, retry(&state)).await);
    ran_with_secret(&s.f, 1);
}

/// A 2025-11-25 POST as `principal`, in `session` when given.
async fn legacy(s: &Setup, session: Option<&str>, principal: &str, body: &str) -> HttpResponse {
    let req = PostRequest {
        session_id: session,
        accept: Some(ACCEPT),
        content_type: Some("application/json"),
        protocol_version: session.map(|_| "2025-11-25"),
        body: body.as_bytes(),
        ..PostRequest::default()
    };
    let ctx = CallContext {
        credentials: 1,
        principal: principal.into(),
        request: None,
        trace: None,
    };
    s.f.engine.handle_post(req, &ctx).await
}

fn init(capabilities: Value) -> String {
    let params = json!({"protocolVersion": "2025-11-25", "capabilities": capabilities,
        "clientInfo": {"name": "legacy-client", "version": "1"}});
    request(1, "initialize", params)
}

fn legacy_call() -> String {
    request(
        2,
        "tools/call",
        json!({"name": TOOL, "arguments": {"q": "x"}}),
    )
}

fn legacy_output() -> Value {
    json!({"content": [{"type": "text", "text": "{\"n\":42}"}], "structuredContent": {"n": 42}})
}

#[tokio::test]
async fn stateless_legacy_calls_get_the_link_as_a_tool_error() {
    let s = keyed(json!({}));
    let declared = json!({"elicitation": {"url": {}}});
    let r = legacy(&s, None, ALICE, &init(declared)).await;
    assert_eq!((r.status, r.header("mcp-session-id")), (200, None));
    // No record of what the client declared: no -32042.
    let r = legacy(&s, None, ALICE, &legacy_call()).await;
    assert_eq!(r.status, 200);
    let id = secrets_required(&s, &clean(&r)["result"]);
    give(&s, &id, ALICE).await;
    let r = legacy(&s, None, ALICE, &legacy_call()).await;
    assert_eq!(clean(&r)["result"], legacy_output());
    ran_with_secret(&s.f, 1);
}

#[tokio::test]
async fn a_stateful_session_that_declared_url_elicitation_gets_32042() {
    let s = keyed(json!({"sessions": {"stateful": true}}));
    let declared = json!({"elicitation": {"url": {}}});
    let opened = legacy(&s, None, ALICE, &init(declared)).await;
    let session = opened
        .header("mcp-session-id")
        .expect("a session")
        .to_owned();
    let r = legacy(&s, Some(&session), ALICE, &legacy_call()).await;
    assert_eq!(r.status, 200);
    let body = clean(&r);
    assert_eq!(body["id"], 2);
    assert_eq!(body["error"]["code"], -32042);
    assert_eq!(
        body["error"]["message"],
        "This request requires more information: the user gives this tool's secrets in Backstage"
    );
    let asked = &body["error"]["data"]["elicitations"];
    let id = asked[0]["elicitationId"].as_str().unwrap().to_owned();
    assert_eq!(
        asked,
        &json!([{"mode": "url", "elicitationId": id, "url": format!("{PAGE}{id}"), "message": message(&s, &id)}])
    );
    let row = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!((row.owner.as_str(), row.status), (ALICE, Status::Pending));

    // A session whose client declared no URL elicitation gets the tool error.
    let plain = legacy(&s, None, ALICE, &init(json!({}))).await;
    let plain = plain.header("mcp-session-id").unwrap().to_owned();
    let r = legacy(&s, Some(&plain), ALICE, &legacy_call()).await;
    let other = secrets_required(&s, &clean(&r)["result"]);
    assert_ne!(other, id);

    // Once the user submitted (the binding asks after a `200`), the session that asked, and
    // only it, once, gets `notifications/elicitation/complete` down its stream.
    give(&s, &id, ALICE).await;
    let (told, chunk) =
        s.f.engine
            .elicitation_completed(&id)
            .expect("the session is told");
    assert_eq!(told, session);
    assert_eq!(
        chunk,
        format!("event: message\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/elicitation/complete\",\"params\":{{\"elicitationId\":\"{id}\"}}}}\n\n")
    );
    assert_eq!(s.f.engine.elicitation_completed(&id), None);
    assert_eq!(s.f.engine.elicitation_completed(&other), None);
    let r = legacy(&s, Some(&session), ALICE, &legacy_call()).await;
    assert_eq!(clean(&r)["result"], legacy_output());
    ran_with_secret(&s.f, 1);
    let used = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!(used.status, Status::Used);
}

#[tokio::test]
async fn an_always_task_asks_for_the_secrets_first_and_becomes_a_task_on_the_retry() {
    let s = keyed(json!({"tasks": {"always": [ACTION]}}));
    let meta = json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": {
        "elicitation": {"url": {}},
        "extensions": {"io.modelcontextprotocol/tasks": {}},
    }}});
    // Not a task that would run without them: the question first.
    let first = call(&s, ALICE, false, meta.clone()).await;
    let id = input_required(&s, &first);
    give(&s, &id, ALICE).await;
    let mut again = meta.clone();
    again.as_object_mut().unwrap().extend(
        retry(&format!("mcp-actions:elicitation:{id}"))
            .as_object()
            .unwrap()
            .clone(),
    );
    let task = call(&s, ALICE, false, again).await;
    assert_eq!(task["resultType"], "task", "{task}");
    let task_id = task["taskId"].as_str().unwrap().to_owned();
    // The task runs with the secrets and completes with the action's output.
    for _ in 0..100 {
        let row = mcp_actions_backend::tasks::TaskStore::load(&*s.store, &task_id)
            .await
            .unwrap()
            .unwrap();
        if row.status != mcp_actions_backend::tasks::Status::Working {
            assert_eq!(row.status, mcp_actions_backend::tasks::Status::Completed);
            assert!(row.payload.unwrap().contains("42"));
            ran_with_secret(&s.f, 1);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the task never finished");
}
