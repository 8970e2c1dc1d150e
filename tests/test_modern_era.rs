//! MCP 2026-07-28 beside the legacy revisions: the era of each request, `server/discover`,
//! the frame of modern results, and what legacy requests keep.

mod common;

use common::*;
use serde_json::{json, Value};

fn dual() -> Fixture {
    fixture_with(
        config_from(json!({
            "name": "backstage",
            "instructions": "Prefer read-only tools.",
            "servers": [{"key": "catalog", "name": "catalog-only", "include": [{"id": "catalog:*"}]}],
        })),
        default_actions(),
        vec![
            (
                "catalog:get-entity",
                Ok(r#"[{"kind":"Component"},{"kind":"API"}]"#.into()),
            ),
            ("catalog:delete-entity", Ok("\"gone\"".into())),
        ],
    )
}

#[tokio::test]
async fn discover_names_the_server_its_revisions_and_capabilities() {
    let f = dual();
    let body = modern_request(json!("d-1"), "server/discover", json!({}));
    let r = post_modern(&f.engine, Modern::of("server/discover", None), &body).await;
    assert_eq!(r.status, 200);
    let answer = body_json(&r);
    assert_eq!(answer["id"], "d-1");
    let result = &answer["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(
        result["supportedVersions"],
        json!([
            "2026-07-28",
            "2025-11-25",
            "2025-06-18",
            "2025-03-26",
            "2024-11-05"
        ])
    );
    assert_eq!(
        result["capabilities"],
        json!({"tools": {"listChanged": true}, "logging": {}, "resources": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
    );
    assert_eq!(result["instructions"], "Prefer read-only tools.");
    assert_eq!(result["ttlMs"], 5000);
    assert_eq!(result["cacheScope"], "public");
    let info = &result["_meta"]["io.modelcontextprotocol/serverInfo"];
    assert_eq!(info["name"], "backstage");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));

    let named = Modern {
        server: Some("catalog"),
        ..Modern::of("server/discover", None)
    };
    let r = post_modern(&f.engine, named, &body).await;
    assert_eq!(
        body_json(&r)["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "catalog-only"
    );
}

#[tokio::test]
async fn modern_lists_carry_private_caching_hints_and_the_same_tools() {
    let f = dual();
    let body = modern_request(json!(1), "tools/list", json!({}));
    let modern = body_json(&post_modern(&f.engine, Modern::of("tools/list", None), &body).await);
    let legacy = body_json(&post(&f.engine, &request(1, "tools/list", json!({}))).await);
    assert_eq!(modern["result"]["resultType"], "complete");
    assert_eq!(modern["result"]["ttlMs"], 5000);
    assert_eq!(modern["result"]["cacheScope"], "private");
    assert_eq!(modern["result"]["tools"], legacy["result"]["tools"]);
    let names: Vec<_> = modern["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "catalog.delete-entity",
            "catalog.get-entity",
            "scaffolder.run-template"
        ]
    );
    for key in ["resultType", "ttlMs", "cacheScope", "_meta"] {
        assert!(
            legacy["result"].get(key).is_none(),
            "legacy result has {key}"
        );
    }
}

#[tokio::test]
async fn modern_tool_results_carry_any_json_as_structured_content() {
    let f = dual();
    let call = |name: &str| {
        modern_request(
            json!(2),
            "tools/call",
            json!({"name": name, "arguments": {"q": "x"}}),
        )
    };
    let r = post_modern(
        &f.engine,
        Modern::of("tools/call", Some("catalog.get-entity")),
        &call("catalog.get-entity"),
    )
    .await;
    let result = &body_json(&r)["result"];
    assert_eq!(
        result["structuredContent"],
        json!([{"kind": "Component"}, {"kind": "API"}])
    );
    assert_eq!(result["resultType"], "complete");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "backstage"
    );
    let r = post_modern(
        &f.engine,
        Modern::of("tools/call", Some("catalog.delete-entity")),
        &call("catalog.delete-entity"),
    )
    .await;
    assert_eq!(body_json(&r)["result"]["structuredContent"], "gone");

    let legacy = request(
        2,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let result = &body_json(&post(&f.engine, &legacy).await)["result"];
    assert!(result.get("structuredContent").is_none(), "{result}");
    assert!(result.get("resultType").is_none());
}

#[tokio::test]
async fn the_envelope_is_checked_first_then_the_revision_header_against_it() {
    let f = dual();
    let cases: Vec<(Value, i64, &str)> = vec![
        (
            json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"}),
            -32602,
            "io.modelcontextprotocol/clientCapabilities",
        ),
        (
            json!({"io.modelcontextprotocol/protocolVersion": 20260728, "io.modelcontextprotocol/clientCapabilities": {}}),
            -32602,
            "must be a protocol revision string",
        ),
        (
            json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": []}),
            -32602,
            "must be an object",
        ),
        (
            json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": "me"}),
            -32602,
            "clientInfo",
        ),
        (
            json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/logLevel": "verbose"}),
            -32602,
            "debug, info, notice",
        ),
        (
            json!({"io.modelcontextprotocol/protocolVersion": "1900-01-01", "io.modelcontextprotocol/clientCapabilities": {}}),
            -32020,
            "MCP-Protocol-Version header value \"2025-06-18\" does not match body value \"1900-01-01\"",
        ),
    ];
    for (meta, code, words) in cases {
        let body = json!({"jsonrpc": "2.0", "id": "r-9", "method": "tools/list", "params": {"_meta": meta}}).to_string();
        // The header disagrees too: the envelope is checked first, then the header against it.
        let headers = Modern {
            version: Some("2025-06-18"),
            ..Modern::of("tools/list", None)
        };
        let r = post_modern(&f.engine, headers, &body).await;
        let (status, got, id, message) = rpc_error(&r);
        assert_eq!((status, got, id), (400, code, json!("r-9")), "{meta}");
        assert!(message.contains(words), "{message}");
    }
    let body = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}).to_string();
    let data = &body_json(&post_modern(&f.engine, Modern::of("tools/list", None), &body).await)
        ["error"]["data"];
    assert_eq!(
        data["envelope"]["missing"],
        json!(["io.modelcontextprotocol/clientCapabilities"])
    );
    let body = modern_request(
        json!(5),
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}),
    );
    let agreeing = Modern {
        version: Some("2099-01-01"),
        ..Modern::of("tools/list", None)
    };
    let answer = body_json(&post_modern(&f.engine, agreeing, &body).await);
    assert_eq!(answer["error"]["code"], -32022, "{answer}");
    let data = &answer["error"]["data"];
    assert_eq!(data["requested"], "2099-01-01");
    assert_eq!(data["supported"][0], "2026-07-28");
}

#[tokio::test]
async fn a_revision_header_that_disagrees_with_the_body_is_a_mismatch_not_unsupported() {
    let f = dual();
    // The header names the revision we serve, the body one we do not: header and body disagree.
    let body = json!({"jsonrpc": "2.0", "id": "m-1", "method": "tools/call", "params": {
        "name": "catalog.get-entity", "arguments": {"q": "x"},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "v999.0.0", "io.modelcontextprotocol/clientCapabilities": {}},
    }})
    .to_string();
    let r = post_modern(
        &f.engine,
        Modern::of("tools/call", Some("catalog.get-entity")),
        &body,
    )
    .await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!((status, code, id), (400, -32020, json!("m-1")));
    assert_eq!(
        message,
        "Header mismatch: MCP-Protocol-Version header value \"2026-07-28\" does not match body value \"v999.0.0\""
    );
    assert!(body_json(&r)["error"].get("data").is_none());

    // No header at all is a mismatch too, whatever the body names.
    let missing = Modern {
        version: None,
        ..Modern::of("tools/call", Some("catalog.get-entity"))
    };
    let (status, code, _, message) = rpc_error(&post_modern(&f.engine, missing, &body).await);
    assert_eq!((status, code), (400, -32020));
    assert!(
        message.contains("MCP-Protocol-Version header is missing"),
        "{message}"
    );

    // Header and body agree on a revision we do not serve: unsupported, with both lists.
    let agreeing = Modern {
        version: Some("v999.0.0"),
        ..Modern::of("tools/call", Some("catalog.get-entity"))
    };
    let r = post_modern(&f.engine, agreeing, &body).await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!((status, code, id), (400, -32022, json!("m-1")));
    assert!(
        message.starts_with("Unsupported protocol version \"v999.0.0\""),
        "{message}"
    );
    let data = &body_json(&r)["error"]["data"];
    assert_eq!(data["requested"], "v999.0.0");
    assert_eq!(
        data["supported"],
        json!([
            "2026-07-28",
            "2025-11-25",
            "2025-06-18",
            "2025-03-26",
            "2024-11-05"
        ])
    );
}

#[tokio::test]
async fn standard_headers_must_repeat_the_body() {
    let f = dual();
    let call = modern_request(
        json!(3),
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let cases = [
        (
            Modern {
                version: None,
                ..Modern::of("tools/call", Some("catalog.get-entity"))
            },
            "MCP-Protocol-Version header is missing",
        ),
        (
            Modern {
                version: Some("2025-11-25"),
                ..Modern::of("tools/call", Some("catalog.get-entity"))
            },
            "MCP-Protocol-Version header value \"2025-11-25\"",
        ),
        (
            Modern::of("tools/list", Some("catalog.get-entity")),
            "Mcp-Method header value \"tools/list\" does not match body value \"tools/call\"",
        ),
        (
            Modern {
                method: None,
                ..Modern::of("tools/call", Some("catalog.get-entity"))
            },
            "Mcp-Method header is missing",
        ),
        (Modern::of("tools/call", None), "Mcp-Name header is missing"),
        (
            Modern::of("tools/call", Some("catalog.delete-entity")),
            "Mcp-Name header value \"catalog.delete-entity\"",
        ),
        (
            Modern::of(
                "tools/call",
                Some("=?base64?Y2F0YWxvZy5kZWxldGUtZW50aXR5?="),
            ),
            "does not match",
        ),
        (
            Modern::of("tools/call", Some("=?base64?%%%?=")),
            "not valid Base64",
        ),
    ];
    for (headers, words) in cases {
        let (status, code, id, message) = rpc_error(&post_modern(&f.engine, headers, &call).await);
        assert_eq!((status, code, id), (400, -32020, json!(3)), "{message}");
        assert!(message.contains(words), "{message}");
    }
    // Whitespace around values is ignored; the Base64 sentinel is decoded.
    for name in [
        "  catalog.get-entity\t",
        "=?base64?Y2F0YWxvZy5nZXQtZW50aXR5?=",
    ] {
        let headers = Modern {
            method: Some(" tools/call "),
            ..Modern::of("tools/call", Some(name))
        };
        let r = post_modern(&f.engine, headers, &call).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(body_json(&r)["result"]["isError"], Value::Null);
    }
}

#[tokio::test]
async fn a_modern_header_without_an_envelope_is_refused() {
    let f = dual();
    let headers = Modern::of("tools/list", None);
    let r = post_modern(&f.engine, headers, &request(6, "tools/list", json!({}))).await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!((status, code, id), (400, -32602, json!(6)));
    assert!(message.contains("missing the required _meta key(s): io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities"), "{message}");
    let init = request(
        7,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}),
    );
    let (status, code, id, _) =
        rpc_error(&post_modern(&f.engine, Modern::of("initialize", None), &init).await);
    assert_eq!((status, code, id), (400, -32020, json!(7)));
}

#[tokio::test]
async fn methods_2026_07_28_lacks_are_404_with_method_not_found() {
    let f = dual();
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "prompts/list",
        "tasks/list",
    ] {
        let body = modern_request(json!(method), method, json!({}));
        let (status, code, id, message) =
            rpc_error(&post_modern(&f.engine, Modern::of(method, None), &body).await);
        assert_eq!((status, code, id), (404, -32601, json!(method)));
        assert!(
            message.starts_with(&format!("Method not found: {method}")),
            "{message}"
        );
    }
    // And the legacy era does not know the modern methods.
    let r = post(&f.engine, &request(8, "server/discover", json!({}))).await;
    assert_eq!(body_json(&r)["error"]["code"], -32601);
}

#[tokio::test]
async fn modern_notifications_are_accepted_and_batches_refused() {
    let f = dual();
    let note = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "listen:0", "_meta": envelope()}}).to_string();
    let headers = Modern {
        method: None,
        ..Modern::of("notifications/cancelled", None)
    };
    let r = post_modern(&f.engine, headers, &note).await;
    assert_eq!((r.status, r.body.as_deref()), (202, None));
    let batch = format!("[{}]", modern_request(json!(1), "tools/list", json!({})));
    let (status, code, id, message) =
        rpc_error(&post_modern(&f.engine, Modern::of("tools/list", None), &batch).await);
    assert_eq!((status, code, id), (400, -32600, Value::Null));
    assert!(message.contains("its own POST"), "{message}");
}

#[tokio::test]
async fn modern_requests_need_no_session_even_in_stateful_mode() {
    let f = fixture_with(
        config_from(json!({"sessions": {"stateful": true}})),
        default_actions(),
        vec![],
    );
    let body = modern_request(json!(1), "tools/list", json!({}));
    let headers = Modern {
        session_id: Some("not-a-session"),
        ..Modern::of("tools/list", None)
    };
    let r = post_modern(&f.engine, headers, &body).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.header("mcp-session-id"), None);
    assert_eq!(f.engine.session_count(), 0);
    // A legacy request still needs its session.
    assert_eq!(
        post(&f.engine, &request(1, "tools/list", json!({})))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn refusals_before_dispatch_name_the_request_in_both_eras() {
    let f = dual();
    let r = post_to(
        &f.engine,
        None,
        Some("maybe"),
        &request(41, "tools/list", json!({})),
    )
    .await;
    assert_eq!((rpc_error(&r).0, rpc_error(&r).2), (400, json!(41)));
    let r = post_to(
        &f.engine,
        Some("nope"),
        None,
        &request(42, "tools/list", json!({})),
    )
    .await;
    assert_eq!((rpc_error(&r).0, rpc_error(&r).2), (404, json!(42)));
    let r = post_with(
        &f.engine,
        &request(43, "tools/list", json!({})),
        Some(ACCEPT),
        Some("text/plain"),
        None,
    )
    .await;
    assert_eq!((rpc_error(&r).0, rpc_error(&r).2), (415, json!(43)));
    let r = post_with(
        &f.engine,
        &request(44, "tools/list", json!({})),
        Some(ACCEPT),
        Some("application/json"),
        Some("1999-01-01"),
    )
    .await;
    assert_eq!((rpc_error(&r).0, rpc_error(&r).2), (400, json!(44)));
}

#[tokio::test]
async fn trace_context_in_meta_travels_with_the_call() {
    let f = dual();
    let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let body = modern_request(
        json!(1),
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}, "_meta": {"traceparent": trace, "baggage": "gen_ai.agent.name=it"}}),
    );
    post_modern(
        &f.engine,
        Modern::of("tools/call", Some("catalog.get-entity")),
        &body,
    )
    .await;
    let traces = f.calls.traces.lock().unwrap().clone();
    let got = traces[0].as_ref().expect("a trace context");
    assert_eq!(got.traceparent, trace);
    assert_eq!(got.baggage.as_deref(), Some("gen_ai.agent.name=it"));
    assert_eq!(got.tracestate, None);
}
