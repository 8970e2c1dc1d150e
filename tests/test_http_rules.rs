//! HTTP rules of the Streamable HTTP transport: status codes, headers, framing.

mod common;
use common::*;
use mcp_actions_backend::protocol::http::{
    choose_framing, method_not_allowed, unauthorized, unreadable_body, Framing,
};
use serde_json::json;

#[tokio::test]
async fn accept_that_allows_neither_json_nor_sse_is_406() {
    let f = fixture();
    let ping = request(1, "ping", json!({}));
    let r = post_with(
        &f.engine,
        &ping,
        Some("text/html"),
        Some("application/json"),
        None,
    )
    .await;
    assert_eq!(r.status, 406);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Not Acceptable"));
}

#[tokio::test]
async fn non_json_content_type_is_415() {
    let f = fixture();
    let ping = request(1, "ping", json!({}));
    for ct in [
        Some("text/plain"),
        None,
        Some("application/x-www-form-urlencoded"),
    ] {
        let r = post_with(&f.engine, &ping, Some(ACCEPT), ct, None).await;
        assert_eq!(r.status, 415, "{ct:?}");
        assert!(body_json(&r)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("application/json"));
    }
    let r = post_with(
        &f.engine,
        &ping,
        Some(ACCEPT),
        Some("Application/JSON; charset=utf-8"),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn unsupported_protocol_version_header_is_400() {
    let f = fixture();
    let ping = request(1, "ping", json!({}));
    let r = post_with(
        &f.engine,
        &ping,
        Some(ACCEPT),
        Some("application/json"),
        Some("1999-01-01"),
    )
    .await;
    assert_eq!(r.status, 400);
    let b = body_json(&r);
    assert!(b["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1999-01-01"));
    assert_eq!(
        b["error"]["data"]["supported"],
        json!(["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])
    );
    for v in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let r = post_with(
            &f.engine,
            &ping,
            Some(ACCEPT),
            Some("application/json"),
            Some(v),
        )
        .await;
        assert_eq!(r.status, 200, "{v}");
    }
}

#[tokio::test]
async fn initialize_is_not_refused_for_its_protocol_header() {
    let f = fixture();
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2099-01-01", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}),
    );
    let r = post_with(
        &f.engine,
        &init,
        Some(ACCEPT),
        Some("application/json"),
        Some("2099-01-01"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(body_json(&r)["result"]["protocolVersion"], "2025-11-25");
}

#[tokio::test]
async fn json_is_preferred_and_sse_is_used_when_only_sse_is_accepted() {
    assert_eq!(
        choose_framing(Some("application/json, text/event-stream")),
        Some(Framing::Json)
    );
    assert_eq!(choose_framing(None), Some(Framing::Json));
    assert_eq!(choose_framing(Some("*/*")), Some(Framing::Json));
    assert_eq!(
        choose_framing(Some("text/event-stream")),
        Some(Framing::Sse)
    );
    assert_eq!(
        choose_framing(Some("application/json;q=0, text/event-stream")),
        Some(Framing::Sse)
    );
    assert_eq!(choose_framing(Some("image/png")), None);

    let f = fixture();
    let r = post_with(
        &f.engine,
        &request(1, "ping", json!({})),
        Some("text/event-stream"),
        Some("application/json"),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(
        r.body.as_deref(),
        Some("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n")
    );
}

#[test]
fn get_and_delete_are_405_with_allow_post() {
    for method in ["GET", "DELETE", "PUT"] {
        let r = method_not_allowed(method);
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("POST"));
        let b = body_json(&r);
        assert_eq!(b["jsonrpc"], "2.0");
        assert_eq!(b["error"]["code"], -32000);
        assert!(b["error"]["message"].as_str().unwrap().contains(method));
    }
}

#[test]
fn unauthorized_carries_a_bearer_challenge() {
    let r = unauthorized(None, None);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = unauthorized(Some("the access token expired"), None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\", error_description=\"the access token expired\"")
    );
    assert_eq!(body_json(&r)["error"]["code"], -32001);
    let r = unauthorized(
        None,
        Some("https://b.example/.well-known/oauth-protected-resource/api/mcp-actions/v1"),
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer resource_metadata=\"https://b.example/.well-known/oauth-protected-resource/api/mcp-actions/v1\"")
    );
}

#[test]
fn unreadable_body_keeps_413_and_maps_others_to_400() {
    assert_eq!(unreadable_body(413, "request entity too large").status, 413);
    assert_eq!(unreadable_body(500, "boom").status, 400);
    assert_eq!(
        body_json(&unreadable_body(415, "x"))["error"]["code"],
        -32600
    );
}
