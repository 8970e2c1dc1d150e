//! Rate limits per caller (`mcpActions.rateLimits`): the `-32023` refusal of the rate-limit
//! draft (SEP-3304) with its data, `429` and headers on a single request in both eras, the
//! error down the stream of a legacy SSE session, every matching rule counting, attribute
//! rules, and the rules' configuration errors. The counting itself: `src/policy/limits.rs`.

mod common;

use common::*;
use mcp_actions_backend::engine::LegacyPost;
use mcp_actions_backend::{CallContext, EngineConfig, HttpResponse};
use serde_json::{json, Value};

const ALICE: &str = "user:default/alice";
const BOB: &str = "user:default/bob";

fn limited(rules: Value) -> Fixture {
    fixture_with(
        config_from(json!({ "rateLimits": rules, "servers": [{"key": "ops", "name": "ops"}] })),
        default_actions(),
        vec![
            ("catalog:get-entity", Ok(r#"{"n":1}"#.to_owned())),
            ("catalog:delete-entity", Ok(r#"{"n":2}"#.to_owned())),
        ],
    )
}

fn get_entity(id: i64) -> String {
    request(
        id,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    )
}

fn header<'a>(r: &'a HttpResponse, name: &str) -> Option<&'a str> {
    r.header(name)
}

#[tokio::test]
async fn over_its_limit_a_caller_gets_429_and_minus_32023_with_the_drafts_data() {
    // Windows are fixed (aligned to the epoch): long ones, so that no boundary passes mid-test.
    let f = limited(json!([{"name": "per-caller", "limit": 2, "window": "1d"}]));
    for id in 1..=2 {
        let ok = post_as(&f.engine, ALICE, &get_entity(id)).await;
        assert_eq!(ok.status, 200);
        assert_eq!(
            body_json(&ok)["result"]["structuredContent"],
            json!({"n": 1})
        );
        assert_eq!(header(&ok, "retry-after"), None);
    }
    let refused = post_as(&f.engine, ALICE, &get_entity(3)).await;
    assert_eq!(refused.status, 429);
    let body = body_json(&refused);
    assert_eq!(body["id"], 3);
    assert_eq!(body["error"]["code"], -32023);
    let data = &body["error"]["data"];
    let wait = data["retryAfterMs"].as_u64().unwrap();
    assert!((1..=86_400_000).contains(&wait), "{data}");
    assert_eq!(
        (
            &data["limit"],
            &data["remaining"],
            &data["rule"],
            &data["window"]
        ),
        (&json!(2), &json!(0), &json!("per-caller"), &json!("1d"))
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Rate limit exceeded: rule \"per-caller\" allows 2 calls per 1d for each caller (mcpActions.rateLimits); retry in "),
        "{message}"
    );
    let retry: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert_eq!(retry, wait.div_ceil(1000));
    assert_eq!(header(&refused, "ratelimit-limit"), Some("2"));
    assert_eq!(header(&refused, "ratelimit-remaining"), Some("0"));
    // The action ran twice, not three times; another caller has a budget of its own.
    assert_eq!(f.calls.invoke.lock().unwrap().len(), 2);
    assert_eq!(post_as(&f.engine, BOB, &get_entity(4)).await.status, 200);
}

#[tokio::test]
async fn a_2026_07_28_call_is_refused_the_same_way() {
    let f = limited(json!([{"name": "one", "principal": "user:*", "limit": 1, "window": "1h"}]));
    let call = |id: i64| {
        modern_request(
            json!(id),
            "tools/call",
            json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
        )
    };
    let headers = Modern::of("tools/call", Some("catalog.get-entity"));
    let first = post_modern_as(&f.engine, ALICE, headers, &call(1)).await;
    assert_eq!(first.status, 200);
    let refused = post_modern_as(&f.engine, ALICE, headers, &call(2)).await;
    let (status, code, id, _) = rpc_error(&refused);
    assert_eq!((status, code, id), (429, -32023, json!(2)));
    assert_eq!(header(&refused, "ratelimit-limit"), Some("1"));
    // A service is not matched by `user:*`.
    let service = post_modern_as(&f.engine, "service:ci", headers, &call(3)).await;
    assert_eq!(service.status, 200);
}

#[tokio::test]
async fn every_matching_rule_counts_and_attribute_rules_see_the_actions_attributes() {
    let f = limited(json!([
        {"name": "all", "limit": 3, "window": "1d"},
        // As the shim hands it over: `attributes.destructive` flattened.
        {"name": "destructive", "destructive": true, "limit": 1, "window": "1d"},
    ]));
    let delete = |id: i64| {
        request(
            id,
            "tools/call",
            json!({"name": "catalog.delete-entity", "arguments": {"q": "x"}}),
        )
    };
    assert_eq!(post_as(&f.engine, ALICE, &delete(1)).await.status, 200);
    let second = post_as(&f.engine, ALICE, &delete(2)).await;
    assert_eq!(second.status, 429);
    let data = &body_json(&second)["error"]["data"];
    assert_eq!(
        (&data["rule"], &data["window"]),
        (&json!("destructive"), &json!("1d"))
    );
    // Read-only calls are under "all" only, which counted the delete: two more, then 429.
    let third = post_as(&f.engine, ALICE, &get_entity(3)).await;
    assert_eq!(third.status, 200, "{:?}", third.body);
    assert_eq!(post_as(&f.engine, ALICE, &get_entity(4)).await.status, 200);
    let fourth = post_as(&f.engine, ALICE, &get_entity(5)).await;
    assert_eq!(body_json(&fourth)["error"]["data"]["rule"], "all");
}

#[tokio::test]
async fn a_rule_for_one_server_leaves_the_others_alone() {
    let f = limited(json!([{"name": "ops", "server": "ops", "limit": 1, "window": "1d"}]));
    for id in 1..=3 {
        assert_eq!(post_as(&f.engine, ALICE, &get_entity(id)).await.status, 200);
    }
    let on_ops = |id: i64| post_to(&f.engine, Some("ops"), None, get_entity(id).leak());
    assert_eq!(on_ops(4).await.status, 200);
    assert_eq!(on_ops(5).await.status, 429);
}

#[tokio::test]
async fn in_a_batch_the_refusal_is_one_answer_among_the_others() {
    let f = limited(json!([{"name": "one", "limit": 1, "window": "1d"}]));
    let batch = format!("[{},{}]", get_entity(1), get_entity(2));
    let r = post_as(&f.engine, ALICE, &batch).await;
    assert_eq!(r.status, 200);
    let answers = body_json(&r);
    let codes: Vec<Value> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["error"]["code"].clone())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == json!(-32023)).count(),
        1,
        "{answers}"
    );
}

#[tokio::test]
async fn on_legacy_sse_the_refusal_goes_down_the_sessions_stream() {
    let f = limited(json!([{"name": "one", "limit": 1, "window": "1d"}]));
    let id = f.engine.open_legacy(None, ALICE, "/m").unwrap().session_id;
    let ctx = CallContext {
        credentials: 1,
        principal: ALICE.into(),
        request: None,
        trace: None,
    };
    let mut chunks = Vec::new();
    for n in 1..=2 {
        let body = get_entity(n);
        let post = LegacyPost {
            server: None,
            session_id: Some(&id),
            content_type: Some("application/json"),
            body: body.as_bytes(),
        };
        let accepted = f.engine.accept_legacy(post, ALICE).unwrap();
        let chunk = f
            .engine
            .process_legacy(
                None,
                Some(&id),
                accepted.body,
                &ctx,
                &Default::default(),
                None,
            )
            .await
            .unwrap();
        chunks.push(chunk);
    }
    assert!(
        chunks[0].contains("\"structuredContent\":{\"n\":1}"),
        "{}",
        chunks[0]
    );
    let event = chunks[1].strip_prefix("event: message\ndata: ").unwrap();
    let answer: Value = serde_json::from_str(event.trim()).unwrap();
    assert_eq!(
        (&answer["id"], &answer["error"]["code"]),
        (&json!(2), &json!(-32023))
    );
    assert_eq!(answer["error"]["data"]["limit"], 1);
}

#[test]
fn a_rule_that_cannot_work_is_a_startup_error_naming_it() {
    let error = |rule: Value| {
        let raw = json!({"pluginSources": ["catalog"], "rateLimits": [rule]});
        EngineConfig::from_json(&raw.to_string()).unwrap_err()
    };
    let no_name = error(json!({"limit": 1, "window": "1m"}));
    assert_eq!(no_name.key, "mcpActions.rateLimits[0].name");
    let cases = [
        (json!({"name": "a", "window": "1m"}), "limit", "rule \"a\": is required (calls per window)"),
        (json!({"name": "a", "limit": 0, "window": "1m"}), "limit", "rule \"a\": must be a whole number of calls from 1 to 1000000000, got 0"),
        (json!({"name": "a", "limit": 5, "window": "1w"}), "window", "rule \"a\": must be a number and a unit, like 30s, 1m, 1h or 1d (at most 31d), got \"1w\""),
        (json!({"name": "a", "limit": 5, "window": "1m", "server": "nope"}), "server", "rule \"a\": no server \"nope\" in mcpActions.servers"),
        (json!({"name": "a", "limit": 5, "window": "1m", "tool": "platform.[x"}), "tool", "rule \"a\": not a valid glob: unclosed '[' in \"platform.[x\""),
    ];
    for (rule, key, message) in cases {
        let e = error(rule);
        assert_eq!(e.key, format!("mcpActions.rateLimits[0].{key}"));
        assert_eq!(e.message, message);
    }
    let twice = json!({"pluginSources": ["catalog"], "rateLimits": [
        {"name": "a", "limit": 1, "window": "1m"}, {"name": "a", "limit": 2, "window": "1h"}]});
    let e = EngineConfig::from_json(&twice.to_string()).unwrap_err();
    assert_eq!(
        (e.key.as_str(), e.message.as_str()),
        (
            "mcpActions.rateLimits[1].name",
            "rule \"a\": another rule has this name"
        )
    );
}
