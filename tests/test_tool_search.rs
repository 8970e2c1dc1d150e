//! Tool search (`mcpActions.toolDiscovery: search`, `X-MCP-Tools`): three tools stand in for
//! the catalog; what they find, describe and call is the caller's own view, and `call_tool`
//! answers exactly what a direct `tools/call` answers.

mod common;

use std::time::Duration;

use common::*;
use mcp_actions_backend::tools::action::ActionList;
use mcp_actions_backend::tools::mapping::NamedTool;
use mcp_actions_backend::tools::search::{rank, summary};
use mcp_actions_backend::tools::{Filter, ToolSet};
use mcp_actions_backend::{Engine, EngineConfig, HostError};
use serde_json::{json, Value};

const META: [&str; 3] = ["search_tools", "describe_tools", "call_tool"];

fn described(plugin: &str, name: &str, read_only: bool, description: &str) -> Value {
    let mut a = action(plugin, name, read_only);
    a["description"] = json!(description);
    a
}

fn actions() -> Value {
    json!({"actions": [
        described("catalog", "get-entity", true, "Get a catalog entity by its reference. Returns the entity."),
        described("catalog", "delete-entity", false, "Delete a catalog entity. It is gone for good."),
        described("scaffolder", "run-template", false, "Run a software template to create a new component."),
        described("testing", "echo", true, "Answers with the message it was given."),
        described("testing", "slow", true, "Takes its time."),
    ]})
}

fn fx_with(raw: Value) -> Fixture {
    let ok = |s: &str| Ok(s.to_owned());
    let mut raw = raw;
    raw["pluginSources"] = json!(["catalog", "scaffolder", "testing"]);
    fixture_with(
        config_from(raw),
        actions(),
        vec![
            ("catalog:get-entity", ok(r#"{"n":1}"#)),
            (
                "catalog:delete-entity",
                Err(HostError::new("InputError", "q must not be empty")),
            ),
            ("testing:echo", ok(r#"{"n":2}"#)),
        ],
    )
}

fn fx() -> Fixture {
    fx_with(json!({}))
}

async fn search_post(engine: &Engine<TestHost>, body: &str) -> Value {
    body_json(&post_tools(engine, Some("search"), None, None, body).await)
}

fn names(list: &Value) -> Vec<String> {
    list["result"]["tools"]
        .as_array()
        .expect("a tool list")
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

fn meta_call(id: i64, tool: &str, arguments: Value) -> String {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

#[tokio::test]
async fn search_mode_lists_exactly_the_three_tools() {
    let f = fx();
    let list = request(1, "tools/list", json!({}));
    assert_eq!(names(&search_post(&f.engine, &list).await), META);
    assert_eq!(names(&search_post(&f.engine, &list).await), META);
    // `all` (and no header) is the catalog itself.
    let all = body_json(&post_tools(&f.engine, Some("all"), None, None, &list).await);
    assert_eq!(names(&all).len(), 5);
    assert_eq!(
        names(&body_json(&post(&f.engine, &list).await)),
        names(&all)
    );

    // The config key, globally and per server; the header overrides either.
    let f = fx_with(json!({
        "toolDiscovery": "search",
        "servers": [{"key": "ops", "name": "ops", "toolDiscovery": "all"}],
    }));
    assert_eq!(names(&body_json(&post(&f.engine, &list).await)), META);
    let ops = body_json(&post_tools(&f.engine, None, None, Some("ops"), &list).await);
    assert_eq!(names(&ops).len(), 5);
    let forced = body_json(&post_tools(&f.engine, Some("ALL"), None, None, &list).await);
    assert_eq!(names(&forced).len(), 5);
}

#[tokio::test]
async fn a_bad_header_or_config_value_names_what_is_allowed() {
    let f = fx();
    let r = post_tools(
        &f.engine,
        Some("some"),
        None,
        None,
        &request(7, "tools/list", json!({})),
    )
    .await;
    let (status, code, id, message) = rpc_error(&r);
    assert_eq!((status, code, id), (400, -32600, json!(7)));
    assert_eq!(
        message,
        "Bad Request: X-MCP-Tools must be \"all\" or \"search\", got \"some\""
    );

    let bad = |raw: Value| EngineConfig::from_json(&raw.to_string()).unwrap_err();
    let e = bad(json!({"toolDiscovery": "lazy"}));
    assert_eq!(e.key, "mcpActions.toolDiscovery");
    assert_eq!(e.message, "must be \"all\" or \"search\", got \"lazy\"");
    let e = bad(json!({"servers": [{"key": "ops", "name": "ops", "toolDiscovery": 1}]}));
    assert_eq!(e.key, "mcpActions");
    let e = bad(json!({"servers": [{"key": "ops", "name": "ops", "toolDiscovery": "x"}]}));
    assert_eq!(e.key, "mcpActions.servers.ops.toolDiscovery");
}

#[tokio::test]
async fn search_tools_ranks_by_relevance_with_summaries() {
    let f = fx();
    let answer = search_post(
        &f.engine,
        &meta_call(2, "search_tools", json!({"query": "echo"})),
    )
    .await;
    let result = &answer["result"];
    assert_eq!(result.get("isError"), None, "{answer}");
    let found = &result["structuredContent"];
    assert_eq!(found["total"], 1);
    assert_eq!(
        found["tools"],
        json!([{
            "name": "testing.echo",
            "title": "Title of echo",
            "summary": "Answers with the message it was given.",
            "annotations": {"title": "Title of echo", "readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false},
        }])
    );
    assert_eq!(
        serde_json::from_str::<Value>(result["content"][0]["text"].as_str().unwrap()).unwrap(),
        *found
    );

    let answer = search_post(
        &f.engine,
        &meta_call(
            3,
            "search_tools",
            json!({"query": "delete a catalog entity"}),
        ),
    )
    .await;
    let found = &answer["result"]["structuredContent"];
    assert_eq!(
        found["tools"][0]["name"], "catalog.delete-entity",
        "{found}"
    );
    assert_eq!(found["tools"][1]["name"], "catalog.get-entity", "{found}");
    assert_eq!(found["tools"][0]["summary"], "Delete a catalog entity.");

    let limited = search_post(
        &f.engine,
        &meta_call(
            4,
            "search_tools",
            json!({"query": "catalog entity", "limit": 1}),
        ),
    )
    .await;
    let limited = &limited["result"]["structuredContent"];
    assert_eq!(limited["tools"].as_array().unwrap().len(), 1);
    assert_eq!(limited["total"], 2);

    let nothing = search_post(
        &f.engine,
        &meta_call(5, "search_tools", json!({"query": "kubernetes"})),
    )
    .await;
    assert_eq!(
        nothing["result"]["structuredContent"],
        json!({"tools": [], "total": 0})
    );
}

#[tokio::test]
async fn arguments_the_meta_tools_cannot_take_are_tool_errors_the_model_can_fix() {
    let f = fx();
    for (arguments, message) in [
        (
            json!({}),
            "InputError: search_tools needs \"query\": a few words saying what the tool should do",
        ),
        (
            json!({"query": "  "}),
            "InputError: search_tools needs \"query\"",
        ),
        (
            json!({"query": "x", "limit": 0}),
            "InputError: \"limit\" must be a whole number from 1 to 50, got 0",
        ),
        (
            json!({"query": "x", "limit": 51}),
            "InputError: \"limit\" must be a whole number from 1 to 50, got 51",
        ),
    ] {
        let answer = search_post(&f.engine, &meta_call(1, "search_tools", arguments)).await;
        assert_eq!(answer["result"]["isError"], true, "{answer}");
        let text = answer["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with(message), "{text}");
    }
    for arguments in [
        json!({}),
        json!({"names": []}),
        json!({"names": [1]}),
        json!({"names": vec!["a"; 21]}),
    ] {
        let answer = search_post(&f.engine, &meta_call(1, "describe_tools", arguments)).await;
        assert_eq!(
            answer["result"]["content"][0]["text"],
            "InputError: describe_tools needs \"names\": from 1 to 20 tool names, as search_tools gives them"
        );
    }
    let answer = search_post(
        &f.engine,
        &meta_call(9, "call_tool", json!({"arguments": {}})),
    )
    .await;
    assert_eq!(answer["id"], 9);
    assert_eq!(answer["error"]["code"], -32602);
    assert_eq!(
        answer["error"]["message"],
        "Invalid params: call_tool needs \"name\", the name of a tool search_tools found"
    );
    let answer = search_post(
        &f.engine,
        &meta_call(
            10,
            "call_tool",
            json!({"name": "testing.echo", "arguments": {}, "extra": 1}),
        ),
    )
    .await;
    assert_eq!(
        answer["error"]["message"],
        "Invalid params: call_tool takes \"name\" and \"arguments\", not \"extra\""
    );
}

#[tokio::test]
async fn describe_tools_gives_the_definitions_all_mode_lists() {
    let f = fx();
    let all = body_json(&post(&f.engine, &request(1, "tools/list", json!({}))).await);
    let echo = all["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "testing.echo")
        .unwrap()
        .clone();
    let answer = search_post(
        &f.engine,
        &meta_call(
            2,
            "describe_tools",
            json!({"names": ["testing.echo", "nope.nothing"]}),
        ),
    )
    .await;
    assert_eq!(
        answer["result"]["structuredContent"],
        json!({"tools": [echo], "unknown": ["nope.nothing"]})
    );
}

#[tokio::test]
async fn call_tool_answers_what_a_direct_call_answers() {
    let f = fx();
    for (name, arguments) in [
        ("testing.echo", json!({"q": "x"})),
        ("catalog.delete-entity", json!({"q": ""})),
        ("nope.nothing", json!({})),
        ("catalog.nothing", json!({})),
        ("call_tool", json!({})),
    ] {
        let direct = body_json(
            &post(
                &f.engine,
                &request(
                    5,
                    "tools/call",
                    json!({"name": name, "arguments": arguments}),
                ),
            )
            .await,
        );
        let through = search_post(
            &f.engine,
            &meta_call(
                5,
                "call_tool",
                json!({"name": name, "arguments": arguments}),
            ),
        )
        .await;
        assert_eq!(through, direct, "{name}");
    }
    // A direct call of a real tool still works in search mode.
    let direct = search_post(
        &f.engine,
        &request(
            6,
            "tools/call",
            json!({"name": "testing.echo", "arguments": {}}),
        ),
    )
    .await;
    assert_eq!(direct["result"]["structuredContent"], json!({"n": 2}));
    // Outside search mode the three are not tools.
    let outside = body_json(
        &post(
            &f.engine,
            &meta_call(7, "search_tools", json!({"query": "x"})),
        )
        .await,
    );
    assert_eq!(outside["error"]["message"], "Unknown tool: search_tools");
    let invoked: Vec<String> = f
        .calls
        .invoke
        .lock()
        .unwrap()
        .iter()
        .map(|(_, id, _)| id.clone())
        .collect();
    assert_eq!(
        invoked,
        // `catalog.nothing` is tried as its natural action id (the registry says no), both ways.
        [
            "testing:echo",
            "testing:echo",
            "catalog:delete-entity",
            "catalog:delete-entity",
            "catalog:nothing",
            "catalog:nothing",
            "testing:echo"
        ]
    );
}

#[tokio::test]
async fn call_tool_times_out_as_a_direct_call_does() {
    let f = slow_fixture(
        config_from(json!({"toolCallTimeout": 1})),
        Duration::from_secs(3),
    );
    let body = |tool: &str, arguments: Value| {
        request(
            1,
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
    };
    let started = std::time::Instant::now();
    let direct = body_json(&post(&f.engine, &body("catalog.get-entity", json!({"q": "x"}))).await);
    let through = search_post(
        &f.engine,
        &body(
            "call_tool",
            json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
        ),
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(2900));
    assert_eq!(through, direct);
    assert_eq!(
        through["result"]["content"][0]["text"],
        "TimeoutError: the action did not finish within 1 seconds (mcpActions.toolCallTimeout); it may still complete on the server"
    );
}

#[tokio::test]
async fn what_the_caller_cannot_see_is_never_found_described_or_called() {
    let f = fx_with(
        json!({"servers": [{"key": "read", "name": "read", "include": [{"readOnly": true}]}]}),
    );
    let on = |server: Option<&'static str>, read_only: Option<&'static str>| (server, read_only);
    for (server, read_only) in [on(Some("read"), None), on(None, Some("true"))] {
        let post_here = |body: String| {
            let engine = &f.engine;
            async move { body_json(&post_tools(engine, Some("search"), read_only, server, &body).await) }
        };
        let found = post_here(meta_call(
            1,
            "search_tools",
            json!({"query": "delete catalog entity"}),
        ))
        .await;
        let found: Vec<_> = found["result"]["structuredContent"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(found, ["catalog.get-entity"], "{server:?} {read_only:?}");
        let described = post_here(meta_call(
            2,
            "describe_tools",
            json!({"names": ["catalog.delete-entity"]}),
        ))
        .await;
        assert_eq!(
            described["result"]["structuredContent"],
            json!({"tools": [], "unknown": ["catalog.delete-entity"]})
        );
        let called = post_here(meta_call(
            3,
            "call_tool",
            json!({"name": "catalog.delete-entity", "arguments": {}}),
        ))
        .await;
        assert_eq!(called["error"]["code"], -32602);
        assert_eq!(
            called["error"]["message"],
            "Unknown tool: catalog.delete-entity"
        );
        // call_tool says what it can reach: only read-only tools here.
        let list = post_here(request(4, "tools/list", json!({}))).await;
        let call = &list["result"]["tools"][2];
        assert_eq!(call["name"], "call_tool");
        assert_eq!(call["annotations"]["readOnlyHint"], true);
        assert_eq!(call["annotations"]["destructiveHint"], false);
    }
    assert!(f
        .calls
        .invoke
        .lock()
        .unwrap()
        .iter()
        .all(|(_, id, _)| id != "catalog:delete-entity"));
}

#[tokio::test]
async fn the_three_tools_say_what_they_do() {
    let f = fx();
    let list = search_post(&f.engine, &request(1, "tools/list", json!({}))).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    for looking in &tools[..2] {
        let a = &looking["annotations"];
        assert_eq!(
            (&a["readOnlyHint"], &a["destructiveHint"]),
            (&json!(true), &json!(false)),
            "{looking}"
        );
        assert_eq!(looking["inputSchema"]["type"], "object");
    }
    assert!(tools[0]["description"]
        .as_str()
        .unwrap()
        .contains("(5 tools are available)"));
    assert_eq!(
        tools[0]["outputSchema"]["required"],
        json!(["tools", "total"])
    );
    let call = &tools[2]["annotations"];
    assert_eq!(call["readOnlyHint"], false);
    assert_eq!(call["destructiveHint"], true);
    assert_eq!(call["idempotentHint"], false);
    assert_eq!(
        tools[2]["inputSchema"]["required"],
        json!(["name", "arguments"])
    );
}

#[tokio::test]
async fn search_mode_works_in_the_2026_era_too() {
    let f = fx();
    let headers = Modern {
        tools: Some("search"),
        ..Modern::of("tools/list", None)
    };
    let list = body_json(
        &post_modern(
            &f.engine,
            headers,
            &modern_request(json!(1), "tools/list", json!({})),
        )
        .await,
    );
    assert_eq!(names(&list), META);
    let headers = Modern {
        tools: Some("search"),
        ..Modern::of("tools/call", Some("call_tool"))
    };
    let body = modern_request(
        json!(2),
        "tools/call",
        json!({"name": "call_tool", "arguments": {"name": "testing.echo", "arguments": {}}}),
    );
    let result = &body_json(&post_modern(&f.engine, headers, &body).await)["result"];
    assert_eq!(result["structuredContent"], json!({"n": 2}));
    assert_eq!(result["resultType"], "complete");
}

fn tools_of(actions: Value) -> Vec<NamedTool> {
    let list = ActionList::parse(&actions.to_string()).unwrap();
    let config = config();
    ToolSet::default().build(&list, config.naming, &Filter::default(), false)
}

#[test]
fn equal_scores_rank_in_name_order_every_time() {
    let tools = tools_of(json!({"actions": [
        described("b", "list-widgets", true, "Lists widgets."),
        described("a", "list-widgets", true, "Lists widgets."),
        described("c", "list-widgets", true, "Lists widgets."),
        described("d", "other", true, "Something else."),
    ]}));
    let order = |q: &str| -> Vec<String> {
        rank(&tools, q)
            .iter()
            .map(|t| t.tool.name.to_string())
            .collect()
    };
    let first = order("widgets");
    assert_eq!(
        first,
        ["a.list-widgets", "b.list-widgets", "c.list-widgets"]
    );
    for _ in 0..5 {
        assert_eq!(order("widgets"), first);
    }
    assert!(order("").is_empty());
    assert!(rank(&[], "widgets").is_empty());
}

#[test]
fn a_summary_is_the_first_sentence_cut_to_about_200_characters() {
    assert_eq!(summary("Get an entity. Then more."), "Get an entity.");
    assert_eq!(
        summary("Version 1.2 of the thing is here. Yes"),
        "Version 1.2 of the thing is here."
    );
    assert_eq!(summary("  No   full stop\nat all  "), "No full stop at all");
    assert_eq!(summary(""), "");
    let long = "word ".repeat(100);
    let cut = summary(&long);
    assert!(cut.ends_with('…'), "{cut}");
    assert!(cut.chars().count() <= 201, "{}", cut.chars().count());
    assert!(!cut.contains("  "));
}

#[test]
fn a_tool_list_keeps_its_search_index_until_it_is_rebuilt() {
    use mcp_actions_backend::tools::search::SearchIndexes;
    let indexes = SearchIndexes::default();
    let list = std::sync::Arc::new(tools_of(actions()));
    let first = indexes.of(&list);
    assert!(std::sync::Arc::ptr_eq(&first, &indexes.of(&list)));
    assert_eq!(first.rank(&list, "echo")[0].tool.name, "testing.echo");
    let rebuilt = std::sync::Arc::new(tools_of(actions()));
    assert!(!std::sync::Arc::ptr_eq(&first, &indexes.of(&rebuilt)));
    drop(list);
    let _ = indexes.of(&std::sync::Arc::new(tools_of(actions())));
    assert!(
        indexes.len() <= 2,
        "indexes of dropped lists go: {}",
        indexes.len()
    );
}

#[tokio::test]
async fn call_tool_becomes_a_task_as_a_direct_call_does() {
    let f = slow_fixture(
        config_from(json!({"tasks": {"always": ["catalog:get-*"]}})),
        Duration::from_millis(50),
    );
    let declaring = json!({"io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}});
    let call = |name: &str, arguments: Value| {
        let mut params = json!({"name": name, "arguments": arguments});
        params["_meta"] = declaring.clone();
        modern_request(json!(1), "tools/call", params)
    };
    let through = Modern {
        tools: Some("search"),
        ..Modern::of("tools/call", Some("call_tool"))
    };
    let body = call(
        "call_tool",
        json!({"name": "catalog.get-entity", "arguments": {"q": "x"}}),
    );
    let task = body_json(&post_modern(&f.engine, through, &body).await);
    assert_eq!(task["result"]["resultType"], "task", "{task}");
    assert_eq!(task["result"]["status"], "working");
    let direct = body_json(
        &post_modern(
            &f.engine,
            Modern::of("tools/call", Some("catalog.get-entity")),
            &call("catalog.get-entity", json!({"q": "x"})),
        )
        .await,
    );
    assert_eq!(direct["result"]["resultType"], "task");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v["result"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&task), keys(&direct));
}
