//! A panic inside the engine never unwinds into the host: the request gets a `500` with a
//! JSON-RPC error, a log line is written, and the engine keeps serving.

mod common;

use common::*;
use mcp_actions_backend::engine::Observations;
use mcp_actions_backend::PostRequest;
use serde_json::json;

async fn guarded(f: &Fixture, body: &str) -> mcp_actions_backend::HttpResponse {
    f.engine
        .handle_post_guarded(
            PostRequest {
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx(),
            &Observations::default(),
            None,
        )
        .await
}

#[tokio::test]
async fn a_panic_is_a_500_with_a_json_rpc_error_and_the_engine_goes_on() {
    let f = panicking_fixture("scaffolder:run-template");
    let boom = request(
        1,
        "tools/call",
        json!({"name": "scaffolder.run-template", "arguments": {"q": "x"}}),
    );
    let r = guarded(&f, &boom).await;
    assert_eq!(r.status, 500);
    assert_eq!(
        body_json(&r),
        json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {
                "code": -32603,
                "message": "Internal error: the MCP engine failed; the server log has the details"
            }
        })
    );
    // The same engine answers the next request, and the panicked call is not counted.
    let ok = request(
        2,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let r = guarded(&f, &ok).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        body_json(&r)["result"]["structuredContent"],
        json!({"n": 1})
    );
    assert_eq!(f.engine.calls_in_flight(), 0);
}
