//! Sessions: ownership, clear failures, limits, idle expiry, stateful Streamable HTTP.

mod common;
use std::time::{Duration, Instant};

use common::*;
use mcp_actions_backend::engine::LegacyPost;
use mcp_actions_backend::session::{Limits, SessionError, SessionTable, Transport};
use mcp_actions_backend::{CallContext, PostRequest};
use serde_json::{json, Value};

const ALICE: &str = "user:default/alice";
const BOB: &str = "user:default/bob";

fn legacy_post<'a>(session: Option<&'a str>, body: &'a str) -> LegacyPost<'a> {
    LegacyPost {
        server: None,
        session_id: session,
        content_type: Some("application/json"),
        body: body.as_bytes(),
    }
}

fn status_and_body(r: &mcp_actions_backend::HttpResponse) -> (u16, Value) {
    (r.status, body_json(r))
}

#[tokio::test]
async fn legacy_session_opens_with_an_endpoint_event_and_answers_down_the_stream() {
    let f = fixture();
    let opened = f
        .engine
        .open_legacy(None, ALICE, "/api/mcp-actions/v1/sse/messages")
        .unwrap();
    let id = opened.session_id.clone();
    assert_eq!(id.len(), 40);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(opened.head.status, 200);
    assert_eq!(
        opened.head.header("content-type"),
        Some("text/event-stream")
    );
    assert_eq!(
        opened.head.body.as_deref(),
        Some(
            format!("event: endpoint\ndata: /api/mcp-actions/v1/sse/messages?sessionId={id}\n\n")
                .as_str()
        )
    );
    let ping = request(3, "ping", json!({}));
    let accepted = f
        .engine
        .accept_legacy(legacy_post(Some(&id), &ping), ALICE)
        .unwrap();
    let ctx = CallContext {
        credentials: 1,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    let chunk = f
        .engine
        .process_legacy(None, None, accepted.body, &ctx, &Default::default(), None)
        .await
        .unwrap();
    assert_eq!(
        chunk,
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n"
    );
    assert_eq!(f.engine.session_count(), 1);
    assert!(f.engine.close_legacy(&id));
    assert_eq!(f.engine.session_count(), 0);
}

#[tokio::test]
async fn ids_are_unique() {
    let f = fixture();
    let mut ids = std::collections::HashSet::new();
    for _ in 0..50 {
        ids.insert(f.engine.open_legacy(None, ALICE, "/m").unwrap().session_id);
    }
    assert_eq!(ids.len(), 50);
}

#[tokio::test]
async fn another_principal_is_refused_with_403() {
    let f = fixture();
    let id = f.engine.open_legacy(None, ALICE, "/m").unwrap().session_id;
    let err = f
        .engine
        .accept_legacy(legacy_post(Some(&id), &request(1, "ping", json!({}))), BOB)
        .unwrap_err();
    let (status, body) = status_and_body(&err);
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Forbidden: this session belongs to another principal"
    );
}

#[tokio::test]
async fn unknown_and_missing_sessions_are_404_and_400() {
    let f = fixture();
    let ping = request(1, "ping", json!({}));
    let (status, body) = status_and_body(
        &f.engine
            .accept_legacy(legacy_post(None, &ping), ALICE)
            .unwrap_err(),
    );
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("sessionId"));
    for bad in ["0123456789abcdef0123456789abcdef01234567", "nope", ""] {
        let (status, body) = status_and_body(
            &f.engine
                .accept_legacy(legacy_post(Some(bad), &ping), ALICE)
                .unwrap_err(),
        );
        assert_eq!(status, if bad.is_empty() { 400 } else { 404 }, "{bad:?}");
        // The refusal names the request it answers (a message that reached the wrong replica).
        assert_eq!(body["id"], 1, "{bad:?}");
    }
    // A session is only known on the server it was opened on.
    let id = f.engine.open_legacy(None, ALICE, "/m").unwrap().session_id;
    let other = LegacyPost {
        server: Some("nope"),
        ..legacy_post(Some(&id), &ping)
    };
    assert_eq!(
        f.engine.accept_legacy(other, ALICE).unwrap_err().status,
        404
    );
}

#[tokio::test]
async fn bad_bodies_on_a_legacy_session_get_precise_answers() {
    let f = fixture();
    let id = f.engine.open_legacy(None, ALICE, "/m").unwrap().session_id;
    let r = f
        .engine
        .accept_legacy(legacy_post(Some(&id), "{nope"), ALICE)
        .unwrap_err();
    assert_eq!(
        (r.status, body_json(&r)["error"]["code"].clone()),
        (400, json!(-32700))
    );
    let text = LegacyPost {
        content_type: Some("text/plain"),
        ..legacy_post(Some(&id), "{}")
    };
    assert_eq!(f.engine.accept_legacy(text, ALICE).unwrap_err().status, 415);
}

#[test]
fn limits_global_and_per_principal() {
    let limits = Limits {
        max_sessions: 3,
        max_per_principal: 2,
        ..Limits::default()
    };
    let table = SessionTable::new(limits);
    let now = Instant::now();
    table
        .open(Transport::LegacySse, ALICE, None, false, now)
        .unwrap();
    table
        .open(Transport::LegacySse, ALICE, None, false, now)
        .unwrap();
    assert!(matches!(
        table.open(Transport::LegacySse, ALICE, None, false, now),
        Err(SessionError::PrincipalLimit { max: 2, .. })
    ));
    let bob = table
        .open(Transport::Streamable, BOB, None, false, now)
        .unwrap();
    assert_eq!(
        table.open(Transport::LegacySse, "user:default/carol", None, false, now),
        Err(SessionError::AtCapacity { max: 3 })
    );
    table.close(&bob);
    table
        .open(Transport::LegacySse, "user:default/carol", None, false, now)
        .unwrap();
}

#[tokio::test]
async fn limit_refusals_are_503_and_429_with_json_rpc_bodies() {
    let cfg = config_from(json!({"sessions": {"maxSessions": 2, "maxSessionsPerPrincipal": 1}}));
    let f = fixture_with(cfg, default_actions(), vec![]);
    f.engine.open_legacy(None, ALICE, "/m").unwrap();
    let r = f.engine.open_legacy(None, ALICE, "/m").unwrap_err();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Too Many Requests"));
    f.engine.open_legacy(None, BOB, "/m").unwrap();
    let r = f
        .engine
        .open_legacy(None, "user:default/carol", "/m")
        .unwrap_err();
    assert_eq!(r.status, 503);
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Service Unavailable"));
}

#[test]
fn idle_sessions_expire_and_open_streams_get_keep_alives() {
    let limits = Limits {
        idle_timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let table = SessionTable::new(limits);
    let t0 = Instant::now();
    let legacy = table
        .open(Transport::LegacySse, ALICE, None, false, t0)
        .unwrap();
    let stateful = table
        .open(Transport::Streamable, ALICE, None, false, t0)
        .unwrap();
    let busy = table
        .open(Transport::LegacySse, BOB, None, false, t0)
        .unwrap();
    table
        .touch(
            Some(&busy),
            Transport::LegacySse,
            BOB,
            None,
            t0 + Duration::from_secs(50),
        )
        .unwrap();
    let sweep = table.sweep(t0 + Duration::from_secs(30));
    assert!(sweep.expired.is_empty());
    let mut alive = sweep.keep_alive.clone();
    alive.sort();
    let mut expected = vec![legacy.clone(), busy.clone()];
    expected.sort();
    assert_eq!(alive, expected, "only open streams get keep-alives");
    let sweep = table.sweep(t0 + Duration::from_secs(61));
    let mut expired: Vec<_> = sweep.expired.iter().map(|e| e.0.clone()).collect();
    expired.sort();
    let mut expected = vec![legacy, stateful];
    expected.sort();
    assert_eq!(expired, expected);
    assert_eq!(table.len(), 1);
}

fn stateful() -> Fixture {
    fixture_with(
        config_from(json!({"sessions": {"stateful": true}})),
        default_actions(),
        vec![],
    )
}

async fn post_session(
    f: &Fixture,
    session: Option<&str>,
    principal: &str,
    body: &str,
) -> mcp_actions_backend::HttpResponse {
    f.engine
        .handle_post(
            PostRequest {
                session_id: session,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 1,
                principal: principal.into(),
                request: None,
                trace: None,
            },
        )
        .await
}

fn init(version: &str) -> String {
    request(
        1,
        "initialize",
        json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    )
}

#[tokio::test]
async fn stateful_streamable_http_issues_checks_and_ends_sessions() {
    let f = stateful();
    let r = post_session(&f, None, ALICE, &init("2025-11-25")).await;
    assert_eq!(r.status, 200);
    let id = r.header("mcp-session-id").unwrap().to_owned();
    let ping = request(2, "ping", json!({}));
    assert_eq!(post_session(&f, Some(&id), ALICE, &ping).await.status, 200);
    assert_eq!(post_session(&f, None, ALICE, &ping).await.status, 400);
    assert_eq!(
        post_session(
            &f,
            Some("0123456789abcdef0123456789abcdef01234567"),
            ALICE,
            &ping
        )
        .await
        .status,
        404
    );
    assert_eq!(post_session(&f, Some(&id), BOB, &ping).await.status, 403);

    // GET opens the stream with a priming event (2025-11-25), once.
    let head = f.engine.open_stream(None, Some(&id), ALICE).unwrap();
    assert_eq!(head.body.as_deref(), Some("id: 0\nretry: 3000\ndata: \n\n"));
    assert_eq!(
        f.engine
            .open_stream(None, Some(&id), ALICE)
            .unwrap_err()
            .status,
        409
    );
    f.engine.close_stream(&id);
    assert!(f.engine.open_stream(None, Some(&id), ALICE).is_ok());
    assert_eq!(
        f.engine
            .open_stream(None, Some(&id), BOB)
            .unwrap_err()
            .status,
        403
    );
    assert_eq!(
        f.engine.open_stream(None, None, ALICE).unwrap_err().status,
        400
    );

    // DELETE ends it; afterwards the id is unknown.
    assert_eq!(f.engine.delete_session(None, Some(&id), BOB).status, 403);
    assert_eq!(f.engine.delete_session(None, Some(&id), ALICE).status, 204);
    assert_eq!(post_session(&f, Some(&id), ALICE, &ping).await.status, 404);
    assert_eq!(f.engine.session_count(), 0);
}

#[tokio::test]
async fn older_revisions_get_no_priming_event() {
    let f = stateful();
    let r = post_session(&f, None, ALICE, &init("2025-06-18")).await;
    let id = r.header("mcp-session-id").unwrap().to_owned();
    assert_eq!(
        f.engine.open_stream(None, Some(&id), ALICE).unwrap().body,
        None
    );
}

#[tokio::test]
async fn stateless_mode_issues_no_session_and_refuses_get_and_delete() {
    let f = fixture();
    let r = post_session(&f, None, ALICE, &init("2025-11-25")).await;
    assert_eq!(r.header("mcp-session-id"), None);
    assert_eq!(
        f.engine.open_stream(None, None, ALICE).unwrap_err().status,
        405
    );
    assert_eq!(f.engine.delete_session(None, None, ALICE).status, 405);
    assert_eq!(f.engine.session_count(), 0);
}

#[tokio::test]
async fn legacy_transport_can_be_turned_off() {
    let f = fixture_with(
        config_from(json!({"sessions": {"legacySse": false}})),
        default_actions(),
        vec![],
    );
    let r = f.engine.open_legacy(None, ALICE, "/m").unwrap_err();
    assert_eq!(r.status, 404);
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("legacySse"));
}
