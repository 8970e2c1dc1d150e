//! The secrets page's API (`Engine::elicitation_view`, `Engine::submit_secrets`): only the
//! owner, a valid CSRF token and secrets that fit the schema; expiry; secrets off without a
//! key, and a key that cannot work. The calls' side: `tests/test_secrets.rs`.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use mcp_actions_backend::secrets::elicitation::{Elicitation, ElicitationStore, Status};
use mcp_actions_backend::secrets::SealingKey;
use mcp_actions_backend::tasks::MemoryTaskStore;
use mcp_actions_backend::{Engine, EngineConfig, HttpResponse};
use serde_json::{json, Value};

const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
const SECRET: &str = "s3cr3t-VALUE-42";
const ALICE: &str = "user:default/alice";
const BOB: &str = "user:default/bob";
const TOOL: &str = "scaffolder.deploy";
const ACTION: &str = "scaffolder:deploy";
const STATE: &str = "mcp-actions:elicitation:";

struct Setup {
    f: Fixture,
    store: Arc<MemoryTaskStore>,
}

fn secrets_schema() -> Value {
    json!({"type": "object", "properties": {"token": {"type": "string", "description": "Deploy token"}}, "required": ["token"]})
}

/// A host whose `scaffolder:deploy` needs a token, with its task store at hand.
fn setup(raw: Value) -> Setup {
    let mut deploy = action("scaffolder", "deploy", false);
    deploy["schema"]["secrets"] = secrets_schema();
    let actions = Arc::new(Mutex::new(json!({"actions": [deploy]})));
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
    let f = Fixture {
        engine,
        calls,
        actions,
    };
    Setup { f, store }
}

fn keyed() -> Setup {
    setup(json!({
        "secrets": {"encryptionKey": KEY, "ttlSeconds": 120},
        "page": {"appBaseUrl": "https://backstage.example.com"},
    }))
}

/// The body of an answer, which never holds the secret's value.
fn clean(r: &HttpResponse) -> Value {
    let body = r.body.as_deref().unwrap_or_default();
    assert!(!body.contains(SECRET), "the secret leaked: {body}");
    body_json(r)
}

/// A 2026-07-28 `tools/call` of the tool by Alice, declaring URL elicitation.
async fn call(s: &Setup, extra: Value) -> Value {
    call_as(s, ALICE, extra).await
}

/// The same call by `principal`.
async fn call_as(s: &Setup, principal: &str, extra: Value) -> Value {
    let mut params = json!({"name": TOOL, "arguments": {"q": "x"}, "_meta": {
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"url": {}}}}});
    let params_map = params.as_object_mut().unwrap();
    params_map.extend(extra.as_object().unwrap().clone());
    let body = modern_request(json!(1), "tools/call", params);
    let headers = Modern::of("tools/call", Some(TOOL));
    clean(&post_modern_as(&s.f.engine, principal, headers, &body).await)["result"].clone()
}

/// The elicitation an `input_required` result names.
fn asked(result: &Value) -> String {
    assert_eq!(result["resultType"], "input_required", "{result}");
    let state = result["requestState"].as_str().unwrap();
    state.strip_prefix(STATE).expect(state).to_owned()
}

async fn view(s: &Setup, id: &str, principal: &str) -> (u16, Value) {
    let r = s.f.engine.elicitation_view(id, principal).await;
    (r.status, clean(&r))
}

async fn submit(s: &Setup, id: &str, principal: &str, body: &[u8]) -> (u16, Value) {
    let r = s.f.engine.submit_secrets(id, principal, body).await;
    (r.status, clean(&r))
}

/// A Backstage error body.
fn refused(status: u16, name: &str, message: &str) -> (u16, Value) {
    let body =
        json!({"error": {"name": name, "message": message}, "response": {"statusCode": status}});
    (status, body)
}

fn nothing_ran(s: &Setup) {
    assert!(s
        .f
        .calls
        .secrets
        .lock()
        .unwrap()
        .iter()
        .all(Option::is_none));
    assert_eq!(s.f.calls.invoke.lock().unwrap().len(), 0);
}

#[tokio::test]
async fn the_page_takes_only_the_owners_valid_and_fitting_secrets_once() {
    let s = keyed();
    let id = asked(&call(&s, json!({})).await);
    let (status, page) = view(&s, &id, ALICE).await;
    assert_eq!(status, 200);
    let csrf = page["csrfToken"].as_str().unwrap().to_owned();
    let with = |secrets: Value| json!({"csrfToken": csrf, "secrets": secrets}).to_string();
    let other = refused(
        403,
        "NotAllowedError",
        "This request for secrets belongs to another caller: only the user or service whose tool call asked can answer it",
    );
    assert_eq!(view(&s, &id, BOB).await, other);
    assert_eq!(
        submit(&s, &id, BOB, with(json!({"token": SECRET})).as_bytes()).await,
        other
    );
    assert_eq!(
        submit(&s, &id, ALICE, b"token=x").await,
        refused(
            400,
            "InputError",
            "The body must be JSON: { \"csrfToken\": ..., \"secrets\": { ... } }"
        )
    );
    let bad_csrf = refused(
        400,
        "InputError",
        "Invalid CSRF token: reload the page and submit again",
    );
    let wrong = json!({"csrfToken": "0".repeat(32), "secrets": {"token": SECRET}});
    assert_eq!(
        submit(&s, &id, ALICE, wrong.to_string().as_bytes()).await,
        bad_csrf
    );
    let none = json!({"secrets": {"token": SECRET}}).to_string();
    assert_eq!(submit(&s, &id, ALICE, none.as_bytes()).await, bad_csrf);
    for (secrets, reason) in [
        (json!({}), "the secret \"token\" is required"),
        (json!({"token": ""}), "the secret \"token\" is required"),
        (
            json!({"token": 42}),
            "the secret \"token\" must be of type string",
        ),
        (
            json!(SECRET),
            "\"secrets\" must be an object of the declared secrets",
        ),
    ] {
        let message = format!("Invalid secrets: {reason}");
        assert_eq!(
            submit(&s, &id, ALICE, with(secrets).as_bytes()).await,
            refused(400, "InputError", &message)
        );
    }
    let pending = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!((pending.status, pending.sealed), (Status::Pending, None));

    let right = with(json!({"token": SECRET}));
    assert_eq!(
        submit(&s, &id, ALICE, right.as_bytes()).await,
        (200, json!({"ok": true}))
    );
    let sealed = s.store.load_elicitation(&id).await.unwrap().unwrap();
    assert_eq!(sealed.status, Status::Submitted);
    assert!(!sealed.sealed.unwrap().contains(SECRET));
    let again = refused(
        409,
        "ConflictError",
        "The secrets for this request were already provided; call the tool again for a new one",
    );
    assert_eq!(view(&s, &id, ALICE).await, again);
    assert_eq!(submit(&s, &id, ALICE, right.as_bytes()).await, again);
    nothing_ran(&s);
}

#[tokio::test]
async fn a_service_is_told_the_api_and_answers_its_own_request_with_its_token() {
    const CI: &str = "service:ci-bot";
    const OTHER: &str = "service:other-client";
    let base = "https://backstage.example.com/api/mcp-actions";
    let s = setup(json!({
        "secrets": {"encryptionKey": KEY, "ttlSeconds": 120},
        "page": {"appBaseUrl": "https://backstage.example.com", "baseUrl": base},
    }));
    let first = call_as(&s, CI, json!({})).await;
    let id = asked(&first);
    let api = format!("{base}/v1/elicitations/{id}");
    let params = &first["inputRequests"]["secrets"]["params"];
    assert_eq!(params["mode"], "url");
    assert_eq!(
        params["message"].as_str().unwrap(),
        format!(
            "Tool \"{TOOL}\" needs secrets (token) that must not pass through this conversation. This call runs as {CI}, a service principal (a static token) with no Backstage page session, so the page cannot take them: give them through the plugin's API with the same token, within 2 minutes. First `curl -s -H \"Authorization: Bearer $BACKSTAGE_MCP_TOKEN\" {api}` answers the request and its csrfToken; then `curl -s -X POST -H \"Authorization: Bearer $BACKSTAGE_MCP_TOKEN\" -H \"Content-Type: application/json\" -d '{{\"csrfToken\":\"<csrfToken>\",\"secrets\":{{\"token\":\"<token>\"}}}}' {api}/secrets` answers {{\"ok\":true}}."
        )
    );
    // Only the service that asked sees it: not a user, not another service.
    let theirs = refused(
        403,
        "NotAllowedError",
        "This request for secrets belongs to another caller: only the user or service whose tool call asked can answer it",
    );
    assert_eq!(view(&s, &id, ALICE).await, theirs);
    assert_eq!(view(&s, &id, OTHER).await, theirs);
    let (status, page) = view(&s, &id, CI).await;
    assert_eq!(status, 200);
    let body = json!({"csrfToken": page["csrfToken"], "secrets": {"token": SECRET}}).to_string();
    assert_eq!(submit(&s, &id, OTHER, body.as_bytes()).await, theirs);
    assert_eq!(submit(&s, &id, ALICE, body.as_bytes()).await, theirs);
    nothing_ran(&s);
    assert_eq!(
        submit(&s, &id, CI, body.as_bytes()).await,
        (200, json!({"ok": true}))
    );
    // The service's retry runs with the secret, once.
    let retry = json!({"requestState": format!("{STATE}{id}")});
    let done = call_as(&s, CI, retry).await;
    assert_eq!(done["structuredContent"], json!({"n": 42}), "{done}");
    let carried = s.f.calls.secrets.lock().unwrap().clone();
    assert_eq!(
        carried.last().cloned().flatten(),
        Some(json!({"token": SECRET}).to_string())
    );
    // And a service may not answer a user's request.
    let alices = asked(&call(&s, json!({})).await);
    assert_eq!(view(&s, &alices, CI).await, theirs);

    // Where MCP clients can log in, the service is told it may connect as a user instead.
    let with_login = setup(json!({
        "secrets": {"encryptionKey": KEY},
        "page": {"appBaseUrl": "https://backstage.example.com", "baseUrl": base},
        "oauth": {"mcpBaseUrl": base, "authBaseUrl": "https://backstage.example.com/api/auth"},
    }));
    let result = call_as(&with_login, CI, json!({})).await;
    let message = result["inputRequests"]["secrets"]["params"]["message"]
        .as_str()
        .unwrap();
    assert!(message.ends_with("answers {\"ok\":true}. Or connect the client as a Backstage user (its OAuth login, no token header): then the page takes them."), "{message}");
    // A user is still sent to the page.
    let user = call_as(&with_login, ALICE, json!({})).await;
    let message = user["inputRequests"]["secrets"]["params"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("Open https://backstage.example.com/mcp-actions/secrets/"),
        "{message}"
    );
    assert!(!message.contains("curl"), "{message}");
}

#[tokio::test]
async fn an_expired_elicitation_is_unknown_and_unused() {
    let s = keyed();
    let key = SealingKey::from_base64(KEY).unwrap();
    let mut e = Elicitation {
        id: "ab".repeat(16),
        owner: ALICE.into(),
        action_id: ACTION.into(),
        tool: TOOL.into(),
        action_title: None,
        action_description: None,
        secrets_schema: secrets_schema().to_string(),
        client: None,
        csrf_token: "cd".repeat(16),
        status: Status::Submitted,
        sealed: None,
        created_ms: 1_000,
        expires_ms: 2_000,
    };
    e.sealed = key.seal(&json!({"token": SECRET}).to_string(), &e.binding());
    s.store.create_elicitation(&e).await.unwrap();
    let gone = refused(
        404,
        "NotFoundError",
        &format!(
            "No request for secrets \"{}\": it is unknown or expired; call the tool again for a new one",
            e.id
        ),
    );
    assert_eq!(view(&s, &e.id, ALICE).await, gone);
    let body = json!({"csrfToken": e.csrf_token, "secrets": {"token": SECRET}}).to_string();
    assert_eq!(submit(&s, &e.id, ALICE, body.as_bytes()).await, gone);
    assert_eq!(view(&s, &"0".repeat(32), ALICE).await.0, 404);

    // Neither the retry naming it nor a plain call uses its secrets.
    let retry = json!({"requestState": format!("{STATE}{}", e.id)});
    let fresh = asked(&call(&s, retry).await);
    assert_ne!(fresh, e.id);
    assert_ne!(asked(&call(&s, json!({})).await), e.id);
    nothing_ran(&s);
    // A new one lives for the configured 120 seconds.
    let new = s.store.load_elicitation(&fresh).await.unwrap().unwrap();
    assert_eq!(new.expires_ms - new.created_ms, 120_000);
    assert_eq!(
        (new.owner.as_str(), new.status, new.sealed),
        (ALICE, Status::Pending, None)
    );
}

#[tokio::test]
async fn without_a_key_secrets_are_unavailable() {
    let s = setup(json!({"page": {"appBaseUrl": "https://backstage.example.com"}}));
    let result = call(&s, json!({})).await;
    assert_eq!(result["isError"], true);
    assert_eq!(
        result["content"][0]["text"],
        format!("SecretsUnavailable: tool \"{TOOL}\" needs secrets, and this Backstage takes none: the platform team turns this on with mcpActions.secrets.encryptionKey")
    );
    assert_eq!(s.f.calls.invoke.lock().unwrap().len(), 0);
    assert_eq!(view(&s, &"0".repeat(32), ALICE).await.0, 404);
}

#[test]
fn a_key_that_is_not_32_bytes_is_a_configuration_error() {
    let of = |secrets: Value| {
        let raw = json!({"pluginSources": ["catalog"], "secrets": secrets});
        EngineConfig::from_json(&raw.to_string()).unwrap_err()
    };
    let short = of(json!({"encryptionKey": "AQEBAQEBAQEBAQEBAQEBAQ=="}));
    assert_eq!(short.key, "mcpActions.secrets.encryptionKey");
    assert_eq!(
        short.to_string(),
        "Invalid configuration at mcpActions.secrets.encryptionKey: must be 32 bytes, base64-encoded; it is 16 bytes (make one with: openssl rand -base64 32)"
    );
    let garbled = of(json!({"encryptionKey": "hunter2-hunter2!"}));
    assert_eq!(garbled.key, "mcpActions.secrets.encryptionKey");
    assert!(!garbled.to_string().contains("hunter2"), "{garbled}");
    let ttl = of(json!({"encryptionKey": KEY, "ttlSeconds": 0}));
    assert_eq!(ttl.key, "mcpActions.secrets.ttlSeconds");
}
