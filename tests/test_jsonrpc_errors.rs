//! JSON-RPC framing: every malformed message gets the code the spec names.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn unparsable_body_is_parse_error_with_400() {
    let f = fixture();
    let r = post(&f.engine, "{\"jsonrpc\": \"2.0\", ").await;
    assert_eq!(r.status, 400);
    let body = body_json(&r);
    assert_eq!(body["error"]["code"], -32700);
    assert_eq!(body["id"], json!(null));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Parse error"));
}

#[tokio::test]
async fn empty_body_is_parse_error() {
    let f = fixture();
    let r = post(&f.engine, "  ").await;
    assert_eq!(r.status, 400);
    assert_eq!(body_json(&r)["error"]["code"], -32700);
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("empty"));
}

#[tokio::test]
async fn non_object_and_wrong_version_are_invalid_requests() {
    let f = fixture();
    for (body, id) in [
        ("42", json!(null)),
        (r#"{"jsonrpc":"1.0","id":3,"method":"ping"}"#, json!(3)),
        (r#"{"id":4,"method":"ping"}"#, json!(4)),
        (r#"{"jsonrpc":"2.0","id":5,"method":12}"#, json!(5)),
        (r#"{"jsonrpc":"2.0","id":6}"#, json!(6)),
        (
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
            json!(null),
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"ping","params":3}"#,
            json!(7),
        ),
    ] {
        let r = post(&f.engine, body).await;
        assert_eq!(r.status, 400, "{body}");
        let b = body_json(&r);
        assert_eq!(b["error"]["code"], -32600, "{body}");
        assert_eq!(b["id"], id, "{body}");
    }
}

#[tokio::test]
async fn unknown_method_is_method_not_found() {
    let f = fixture();
    let r = post(&f.engine, &request(1, "prompts/list", json!({}))).await;
    assert_eq!(r.status, 200);
    let b = body_json(&r);
    assert_eq!(b["id"], 1);
    assert_eq!(b["error"]["code"], -32601);
    assert_eq!(b["error"]["message"], "Method not found: prompts/list");
}

#[tokio::test]
async fn notification_and_client_response_get_202_without_body() {
    let f = fixture();
    let r = post(
        &f.engine,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    )
    .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body, None);
    let r = post(&f.engine, r#"{"jsonrpc":"2.0","id":9,"result":{}}"#).await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body, None);
}

#[tokio::test]
async fn batch_answers_each_request_in_order_and_skips_notifications() {
    let f = fixture();
    let body = format!(
        "[{}, {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}}, {}, 17]",
        request(1, "ping", json!({})),
        request(2, "nope", json!({}))
    );
    let r = post(&f.engine, &body).await;
    assert_eq!(r.status, 200);
    let b = body_json(&r);
    let answers = b.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0], json!({"jsonrpc":"2.0","id":1,"result":{}}));
    assert_eq!(answers[1]["error"]["code"], -32601);
    assert_eq!(answers[2]["error"]["code"], -32600);
}

#[tokio::test]
async fn batch_of_notifications_is_202_and_empty_batch_is_invalid() {
    let f = fixture();
    let r = post(
        &f.engine,
        r#"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#,
    )
    .await;
    assert_eq!(r.status, 202);
    let r = post(&f.engine, "[]").await;
    assert_eq!(r.status, 400);
    assert_eq!(body_json(&r)["error"]["code"], -32600);
}

#[tokio::test]
async fn ping_answers_empty_result() {
    let f = fixture();
    let r = post(&f.engine, &request(11, "ping", json!({}))).await;
    assert_eq!(body_json(&r), json!({"jsonrpc":"2.0","id":11,"result":{}}));
}
