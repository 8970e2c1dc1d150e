//! Result budgets (`mcpActions.results.*`): a result over the budget is an `isError` answer
//! with the first part and a link; the whole is readable by its owner with `resources/read`,
//! page by page, until it expires; anyone else, an unknown link and an expired one get the
//! same answer. Under the budget nothing changes.

mod common;

use common::*;
use mcp_actions_backend::{Engine, HttpResponse};
use serde_json::{json, Value};

const JANE: &str = "user:default/jane";
const JOHN: &str = "user:default/john";

/// `{"items":[...]}` of `n` entries: 2,611 characters for n = 200.
fn big(n: usize) -> String {
    let items: Vec<Value> = (0..n).map(|i| json!(format!("item-{i:05}"))).collect();
    json!({ "items": items }).to_string()
}

fn fx(raw: Value, output: String) -> Fixture {
    fixture_with(
        config_from(raw),
        default_actions(),
        vec![
            ("catalog:get-entity", Ok(output)),
            ("catalog:delete-entity", Ok(r#"{"n":1}"#.to_owned())),
        ],
    )
}

async fn call_as(engine: &Engine<TestHost>, who: &str, tool: &str) -> Value {
    let body = request(
        1,
        "tools/call",
        json!({"name": tool, "arguments": {"q": "x"}}),
    );
    body_json(&post_as(engine, who, &body).await)
}

async fn read_as(engine: &Engine<TestHost>, who: &str, uri: &str) -> Value {
    body_json(
        &post_as(
            engine,
            who,
            &request(2, "resources/read", json!({ "uri": uri })),
        )
        .await,
    )
}

fn link_of(result: &Value) -> String {
    let link = &result["content"][2];
    assert_eq!(link["type"], "resource_link", "{result}");
    link["uri"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_result_over_the_budget_is_an_error_with_its_first_part_and_a_link() {
    let output = big(200);
    assert_eq!(output.chars().count(), 2611);
    let f = fx(json!({"results": {"maxChars": 1000}}), output.clone());
    let answer = call_as(&f.engine, JANE, "catalog.get-entity").await;
    let result = &answer["result"];
    assert_eq!(result["isError"], true);
    assert!(result.get("structuredContent").is_none());
    let uri = link_of(result);
    let id = uri.strip_prefix("mcp-actions://results/").unwrap();
    assert_eq!(id.len(), 32, "{uri}");
    let notice = result["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        notice,
        format!("The result of catalog.get-entity is 2611 characters, over this server's budget of 1000 (mcpActions.results.maxChars). Narrow the call to get less: a filter, a smaller limit, fewer fields, or a more specific query. The whole result is kept for 10 minutes as the resource {uri} (resources/read; 3 pages of up to 1000 characters: {uri}, then ?page=2 up to ?page=3). The first part of the output follows.")
    );
    let preview = result["content"][1]["text"].as_str().unwrap();
    assert!(output.starts_with(preview));
    assert!(notice.chars().count() + preview.chars().count() <= 1000);
    assert_eq!(
        result["content"][2],
        json!({"type": "resource_link", "uri": uri, "name": "Result of catalog.get-entity", "title": "Result of catalog.get-entity", "mimeType": "application/json", "size": 2611})
    );

    // The owner reads it whole, page by page.
    let mut whole = String::new();
    for page in 1..=3 {
        let page_uri = if page == 1 {
            uri.clone()
        } else {
            format!("{uri}?page={page}")
        };
        let read = read_as(&f.engine, JANE, &page_uri).await;
        let contents = &read["result"]["contents"];
        assert_eq!(contents.as_array().unwrap().len(), 1, "{read}");
        assert_eq!(contents[0]["uri"], page_uri);
        assert_eq!(contents[0]["mimeType"], "application/json");
        let text = contents[0]["text"].as_str().unwrap();
        assert_eq!(text.chars().count(), if page < 3 { 1000 } else { 611 });
        whole.push_str(text);
    }
    assert_eq!(whole, output);
}

#[tokio::test]
async fn only_the_owner_reads_it_and_every_other_answer_is_the_same() {
    let f = fx(json!({"results": {"maxChars": 1000}}), big(200));
    let uri = link_of(&call_as(&f.engine, JANE, "catalog.get-entity").await["result"]);
    let not_found = |uri: &str| json!({"jsonrpc": "2.0", "id": 2, "error": {"code": -32002, "message": "Resource not found", "data": {"uri": uri}}});
    assert_eq!(read_as(&f.engine, JOHN, &uri).await, not_found(&uri));
    for other in [
        "mcp-actions://results/0123456789abcdef0123456789abcdef".to_owned(),
        format!("{uri}?page=4"),
        format!("{uri}?page=0"),
        "mcp-actions://results/not-hex".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        assert_eq!(
            read_as(&f.engine, JANE, &other).await,
            not_found(&other),
            "{other}"
        );
    }
    let missing =
        body_json(&post_as(&f.engine, JANE, &request(3, "resources/read", json!({}))).await);
    assert_eq!(missing["error"]["code"], -32602);
    assert_eq!(
        missing["error"]["message"],
        "Invalid params: \"uri\" must be the URI of a resource, e.g. a tool result's resource_link"
    );
}

#[tokio::test]
async fn a_kept_result_expires() {
    let f = fx(
        json!({"results": {"maxChars": 1000, "ttlSeconds": 1}}),
        big(200),
    );
    let result = call_as(&f.engine, JANE, "catalog.get-entity").await;
    let uri = link_of(&result["result"]);
    assert!(result["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("kept for 1 minutes"));
    assert!(read_as(&f.engine, JANE, &uri).await.get("result").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        read_as(&f.engine, JANE, &uri).await["error"]["message"],
        "Resource not found"
    );
}

#[tokio::test]
async fn under_the_budget_nothing_changes_and_zero_turns_it_off() {
    let small = r#"{"n":1}"#.to_owned();
    let f = fx(json!({"results": {"maxChars": 1000}}), small);
    let answer = call_as(&f.engine, JANE, "catalog.get-entity").await;
    assert_eq!(
        answer["result"],
        json!({"content": [{"type": "text", "text": "{\"n\":1}"}], "structuredContent": {"n": 1}})
    );
    let f = fx(json!({"results": {"maxChars": 0}}), big(200));
    let answer = call_as(&f.engine, JANE, "catalog.get-entity").await;
    assert_eq!(
        answer["result"]["structuredContent"]["items"]
            .as_array()
            .unwrap()
            .len(),
        200
    );
    // The default budget (80,000 characters) lets 2,611 through.
    let f = fx(json!({}), big(200));
    assert!(
        call_as(&f.engine, JANE, "catalog.get-entity").await["result"]
            .get("isError")
            .is_none()
    );
}

#[tokio::test]
async fn a_server_has_its_own_budget() {
    let f = fx(
        json!({"results": {"maxChars": 0}, "servers": [{"key": "tight", "name": "tight", "results": {"maxChars": 500}}]}),
        big(200),
    );
    let body = request(
        1,
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let tight = body_json(&post_to(&f.engine, Some("tight"), None, &body).await);
    assert_eq!(tight["result"]["isError"], true);
    let open = body_json(&post(&f.engine, &body).await);
    assert!(open["result"].get("isError").is_none());
    let e = mcp_actions_backend::EngineConfig::from_json(
        &json!({"servers": [{"key": "tight", "name": "tight", "results": {"maxChars": -1}}]})
            .to_string(),
    )
    .unwrap_err();
    assert_eq!(e.key, "mcpActions.servers.tight.results.maxChars");
    let e = mcp_actions_backend::EngineConfig::from_json(
        &json!({"results": {"ttlSeconds": 0}}).to_string(),
    )
    .unwrap_err();
    assert_eq!(e.key, "mcpActions.results.ttlSeconds");
}

#[tokio::test]
async fn resources_list_is_empty_and_2026_answers_with_its_own_code() {
    let f = fx(json!({"results": {"maxChars": 1000}}), big(200));
    let list = body_json(&post(&f.engine, &request(4, "resources/list", json!({}))).await);
    assert_eq!(list["result"], json!({"resources": []}));
    let templates = body_json(
        &post(
            &f.engine,
            &request(5, "resources/templates/list", json!({})),
        )
        .await,
    );
    assert_eq!(templates["result"], json!({"resourceTemplates": []}));

    let body = modern_request(
        json!(6),
        "tools/call",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let answer = body_json(
        &post_modern(
            &f.engine,
            Modern::of("tools/call", Some("catalog.get-entity")),
            &body,
        )
        .await,
    );
    let uri = link_of(&answer["result"]);
    assert_eq!(answer["result"]["resultType"], "complete");
    let read = |uri: String, name: String| {
        let engine = &f.engine;
        async move {
            let body = modern_request(json!(7), "resources/read", json!({ "uri": uri }));
            post_modern(engine, Modern::of("resources/read", Some(&name)), &body).await
        }
    };
    let ok = body_json(&read(uri.clone(), uri.clone()).await);
    assert_eq!(ok["result"]["resultType"], "complete");
    assert_eq!(ok["result"]["cacheScope"], "private");
    assert_eq!(
        ok["result"]["contents"][0]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        1000
    );
    let unknown = "mcp-actions://results/ffffffffffffffffffffffffffffffff".to_owned();
    let r: HttpResponse = read(unknown.clone(), unknown.clone()).await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!(
        (status, code, id, message.as_str()),
        (200, -32602, json!(7), "Resource not found")
    );
    // Mcp-Name must repeat the URI.
    let (status, code, _, _) = rpc_error(&read(uri.clone(), "other".into()).await);
    assert_eq!((status, code), (400, -32020));
}
