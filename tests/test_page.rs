//! The frontend page's JSON API (`Engine::page`): servers, tools, the caller's own tasks and
//! cancelling them, with the same lists and owner-only rules MCP uses.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use mcp_actions_backend::engine::{PageRoute, PAGE_TASKS};
use mcp_actions_backend::tasks::{iso8601, Outcome, Status, Task, TaskStore, LOST};
use mcp_actions_backend::{CallContext, Engine, HostError};
use serde_json::{json, Value};

const JANE: &str = "user:default/jane";
const JOHN: &str = "user:default/john";
const BASE: &str = "https://backstage.example.com/api/mcp-actions";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The shim's configuration with two named servers, merged with `extra`.
fn raw(extra: Value) -> Value {
    let mut raw = json!({
        "name": "My Backstage",
        "description": "Everything",
        "page": { "baseUrl": format!("{BASE}/"), "staticTokens": true },
        "servers": [
            {"key": "writers", "name": "Writers", "include": [{"readOnly": false}]},
            {"key": "catalog-read", "name": "Catalog reader", "description": "reads",
             "include": [{"id": "catalog:get-*"}]},
        ],
    });
    for (k, v) in extra.as_object().unwrap() {
        raw[k] = v.clone();
    }
    raw
}

/// An engine over the default actions, and its host (to reach the task store).
fn engine_with(
    raw: Value,
    list_error: Option<HostError>,
    invoke_delay: Option<Duration>,
) -> (Engine<TestHost>, TestHost) {
    let outcome = Ok(r#"{"n":1}"#.to_owned());
    let host = TestHost {
        actions: Arc::new(Mutex::new(default_actions())),
        outcomes: Arc::new(HashMap::from([("catalog:get-entity".to_owned(), outcome)])),
        list_error,
        calls: Arc::default(),
        invoke_delay,
        delays: Arc::default(),
        panic_on: None,
        tasks: Arc::default(),
    };
    (Engine::new(config_from(raw), host.clone()), host)
}

fn engine(raw: Value) -> (Engine<TestHost>, TestHost) {
    engine_with(raw, None, None)
}

/// One page route as `principal`: (status, body). Every answer is JSON; every error body
/// carries its own status.
async fn page(engine: &Engine<TestHost>, route: PageRoute<'_>, principal: &str) -> (u16, Value) {
    let ctx = CallContext {
        credentials: 7,
        principal: principal.into(),
        request: None,
        trace: None,
    };
    let response = engine.page(route, &ctx).await;
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = body_json(&response);
    if response.status != 200 {
        assert_eq!(body["response"]["statusCode"], response.status, "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    (response.status, body)
}

fn names(tools: &Value) -> Vec<&str> {
    let tools = tools.as_array().expect("a tool array");
    tools.iter().map(|t| t["name"].as_str().unwrap()).collect()
}

/// A task of `owner` in the store, created `age_ms` ago by a call to `tool`.
async fn stored(host: &TestHost, id: &str, owner: &str, age_ms: u64, tool: &str) -> Task {
    let task = Task::new(id.to_owned(), owner, now() - age_ms, 3_600_000, 2_000).with_tool(tool);
    host.tasks.create(&task).await.unwrap();
    task
}

/// The error of a page answer: (name, message).
fn error_of(body: &Value) -> (&str, &str) {
    let name = body["error"]["name"].as_str().expect("an error name");
    (name, body["error"]["message"].as_str().unwrap())
}

fn task_ids(body: &Value) -> Vec<&str> {
    let tasks = body["tasks"].as_array().expect("a task array");
    tasks
        .iter()
        .map(|t| t["taskId"].as_str().unwrap())
        .collect()
}

async fn status_of(host: &TestHost, id: &str) -> Status {
    host.tasks.load(id).await.unwrap().unwrap().status
}

/// A 2026-07-28 `tools/call` of `catalog.get-entity` by Jane that becomes a task: its id.
async fn start_task(engine: &Engine<TestHost>) -> String {
    let meta = json!({ "io.modelcontextprotocol/clientCapabilities":
        { "extensions": { "io.modelcontextprotocol/tasks": {} } } });
    let params = json!({ "name": "catalog.get-entity", "arguments": { "q": "x" }, "_meta": meta });
    let body = modern_request(json!(1), "tools/call", params);
    let headers = Modern::of("tools/call", Some("catalog.get-entity"));
    let answer = body_json(&post_modern_as(engine, JANE, headers, &body).await);
    answer["result"]["taskId"].as_str().expect("a task").into()
}

#[tokio::test]
async fn servers_describe_every_endpoint_with_its_tool_count() {
    let (engine, _) = engine(raw(json!({})));
    let (status, body) = page(&engine, PageRoute::Servers, JANE).await;
    assert_eq!(status, 200);
    assert_eq!(body["baseUrl"], BASE, "the trailing slash is removed");
    assert_eq!(body["protocolVersions"][0], "2026-07-28");
    assert_eq!(
        body["auth"],
        json!({ "oauth": false, "staticTokens": true })
    );
    assert_eq!(body["tasks"], json!({ "enabled": true }));
    let transports = json!(["streamable-http", "sse"]);
    assert_eq!(
        body["servers"],
        json!([
            {"key": null, "name": "My Backstage", "description": "Everything",
             "url": format!("{BASE}/v1"), "toolDiscovery": "all", "transports": transports,
             "toolCount": 3, "error": null},
            {"key": "catalog-read", "name": "Catalog reader", "description": "reads",
             "url": format!("{BASE}/v1/catalog-read"), "toolDiscovery": "all",
             "transports": transports, "toolCount": 1, "error": null},
            {"key": "writers", "name": "Writers", "description": null,
             "url": format!("{BASE}/v1/writers"), "toolDiscovery": "all",
             "transports": transports, "toolCount": 2, "error": null},
        ])
    );
}

#[tokio::test]
async fn servers_follow_oauth_sse_static_tokens_and_tasks_config() {
    let (engine, host) = engine(raw(json!({
        "oauth": { "mcpBaseUrl": format!("{BASE}/v1"), "authBaseUrl": "https://backstage.example.com/api/auth" },
        "sessions": { "legacySse": false },
        "page": { "baseUrl": BASE },
        "tasks": { "enabled": false },
        "toolDiscovery": "search",
    })));
    let (status, body) = page(&engine, PageRoute::Servers, JANE).await;
    assert_eq!(status, 200);
    assert_eq!(body["baseUrl"], BASE);
    assert_eq!(
        body["auth"],
        json!({ "oauth": true, "staticTokens": false })
    );
    assert_eq!(body["tasks"], json!({ "enabled": false }));
    let servers = body["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 3);
    for server in servers {
        assert_eq!(server["transports"], json!(["streamable-http"]), "{server}");
        assert_eq!(server["toolDiscovery"], "search", "{server}");
    }
    assert_eq!(servers[0]["url"], format!("{BASE}/v1"));
    // With tasks off, the page lists none, even those in the store.
    stored(&host, "a1", JANE, 1_000, "x").await;
    let (status, body) = page(&engine, PageRoute::Tasks, JANE).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "enabled": false, "tasks": [] }));
}

#[tokio::test]
async fn a_failing_action_list_is_named_per_server_and_tools_answer_502() {
    let error = HostError::new("NotAllowedError", "nope");
    let (engine, _) = engine_with(raw(json!({})), Some(error), None);
    let message = "Could not list actions: NotAllowedError: nope";
    let (status, body) = page(&engine, PageRoute::Servers, JANE).await;
    assert_eq!(status, 200);
    let servers = body["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 3);
    for server in servers {
        assert_eq!(server["toolCount"], Value::Null, "{server}");
        assert_eq!(server["error"], message, "{server}");
    }
    for key in [None, Some("catalog-read")] {
        let (status, body) = page(&engine, PageRoute::Tools(key), JANE).await;
        assert_eq!(status, 502, "{body}");
        assert_eq!(error_of(&body), ("ServiceUnavailableError", message));
    }
}

#[tokio::test]
async fn tools_list_what_each_server_offers_through_mcp() {
    let (engine, _) = engine(raw(json!({})));
    let (status, body) = page(&engine, PageRoute::Tools(None), JANE).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["server"],
        json!({ "key": null, "name": "My Backstage", "url": format!("{BASE}/v1") })
    );
    assert_eq!(
        names(&body["tools"]),
        [
            "catalog.delete-entity",
            "catalog.get-entity",
            "scaffolder.run-template"
        ]
    );
    let get = &body["tools"][1];
    assert_eq!(get["inputSchema"]["type"], "object");
    assert_eq!(get["inputSchema"]["required"], json!(["q"]));
    assert_eq!(get["annotations"]["readOnlyHint"], true, "{get}");
    assert_eq!(body["tools"][0]["annotations"]["destructiveHint"], true);

    let (status, body) = page(&engine, PageRoute::Tools(Some("catalog-read")), JANE).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["server"],
        json!({ "key": "catalog-read", "name": "Catalog reader",
                "url": format!("{BASE}/v1/catalog-read") })
    );
    assert_eq!(names(&body["tools"]), ["catalog.get-entity"]);
    // The same tools MCP's tools/list gives on that server.
    let list = request(1, "tools/list", json!({}));
    let listed = body_json(&post_to(&engine, Some("catalog-read"), None, &list).await);
    assert_eq!(names(&listed["result"]["tools"]), names(&body["tools"]));

    let (status, body) = page(&engine, PageRoute::Tools(Some("writers")), JANE).await;
    assert_eq!(status, 200);
    assert_eq!(
        names(&body["tools"]),
        ["catalog.delete-entity", "scaffolder.run-template"]
    );

    let (status, body) = page(&engine, PageRoute::Tools(Some("nope")), JANE).await;
    assert_eq!(status, 404);
    let (name, message) = error_of(&body);
    assert_eq!(name, "NotFoundError");
    assert!(message.contains("\"nope\""), "{message}");
}

#[tokio::test]
async fn tasks_list_only_the_callers_own_newest_first_without_results() {
    let (engine, host) = engine(raw(json!({})));
    let t = now();
    let first = stored(&host, "a1", JANE, 3_000, "catalog.get-entity").await;
    stored(&host, "a2", JANE, 2_000, "scaffolder.run-template").await;
    let result = r#"{"content":[{"type":"text","text":"done"}]}"#;
    let done = host
        .tasks
        .finish("a2", Outcome::Completed(result.into()), t);
    assert!(done.await.unwrap());
    let mut lost = Task::new("a3".into(), JANE, t - 1_000, 3_600_000, 2_000).with_tool("x");
    lost.heartbeat_ms = t - 40_000; // silent for more than three 10 s heartbeats
    host.tasks.create(&lost).await.unwrap();
    let old = Task::new("a0".into(), JANE, t - 10_000, 5_000, 2_000).with_tool("x");
    host.tasks.create(&old).await.unwrap();
    stored(&host, "b1", JOHN, 500, "catalog.get-entity").await;

    let (status, body) = page(&engine, PageRoute::Tasks, JANE).await;
    assert_eq!(status, 200);
    assert_eq!(body["enabled"], true);
    let tasks = body["tasks"].as_array().unwrap();
    let expected = ["a3", "a2", "a1"];
    assert_eq!(task_ids(&body), expected, "newest first, expired left out");
    assert_eq!(tasks[0]["status"], "failed");
    assert_eq!(tasks[0]["statusMessage"], LOST);
    assert_eq!(tasks[0]["tool"], "x");
    assert_eq!(tasks[1]["status"], "completed");
    assert_eq!(tasks[1]["statusMessage"], "The action finished.");
    assert_eq!(tasks[1]["tool"], "scaffolder.run-template");
    assert_eq!(
        tasks[2],
        json!({
            "taskId": "a1", "tool": "catalog.get-entity", "status": "working",
            "statusMessage": "The action is running.",
            "createdAt": iso8601(first.created_ms), "lastUpdatedAt": iso8601(first.updated_ms),
            "ttlMs": 3_600_000,
        })
    );
    for task in tasks {
        for hidden in ["result", "payload", "error"] {
            assert!(task.get(hidden).is_none(), "{task}");
        }
    }

    let (_, body) = page(&engine, PageRoute::Tasks, JOHN).await;
    assert_eq!(task_ids(&body), ["b1"]);
    let (_, body) = page(&engine, PageRoute::Tasks, "user:default/nobody").await;
    assert_eq!(body, json!({ "enabled": true, "tasks": [] }));
}

#[tokio::test]
async fn tasks_are_capped_at_the_newest_page_tasks() {
    let (engine, host) = engine(raw(json!({})));
    for i in 0..PAGE_TASKS + 5 {
        let age = 100_000 - i as u64 * 100;
        stored(&host, &format!("t{i:03}"), JANE, age, "x").await;
    }
    let (_, body) = page(&engine, PageRoute::Tasks, JANE).await;
    let tasks = body["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), PAGE_TASKS);
    assert_eq!(tasks[0]["taskId"], format!("t{:03}", PAGE_TASKS + 4));
    assert_eq!(tasks[PAGE_TASKS - 1]["taskId"], "t005");
}

#[tokio::test]
async fn a_call_that_became_a_task_shows_with_its_tool() {
    let (engine, _) = engine(raw(json!({ "tasks": { "always": ["catalog:*"] } })));
    let id = start_task(&engine).await;
    let deadline = Instant::now() + Duration::from_secs(3);
    let task = loop {
        let (_, body) = page(&engine, PageRoute::Tasks, JANE).await;
        let task = body["tasks"][0].clone();
        if task["status"] != "working" || Instant::now() > deadline {
            break task;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(task["taskId"], id.as_str());
    assert_eq!(task["tool"], "catalog.get-entity");
    assert_eq!(task["status"], "completed");
    let (_, body) = page(&engine, PageRoute::Tasks, JOHN).await;
    assert_eq!(body["tasks"], json!([]));
}

#[tokio::test]
async fn only_the_owner_cancels_a_working_task() {
    let (engine, host) = engine(raw(json!({})));
    stored(&host, "w", JANE, 1_000, "catalog.get-entity").await;

    let (status, body) = page(&engine, PageRoute::Cancel("w"), JOHN).await;
    assert_eq!(status, 404);
    assert_eq!(error_of(&body).0, "NotFoundError");
    assert_eq!(status_of(&host, "w").await, Status::Working);

    let (status, body) = page(&engine, PageRoute::Cancel("w"), JANE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["task"]["taskId"], "w");
    assert_eq!(body["task"]["status"], "cancelled");
    assert_eq!(body["task"]["statusMessage"], "The task was cancelled.");
    assert_eq!(body["task"]["tool"], "catalog.get-entity");
    assert!(body["task"].get("result").is_none());
    assert_eq!(status_of(&host, "w").await, Status::Cancelled);

    let (status, body) = page(&engine, PageRoute::Cancel("w"), JANE).await;
    assert_eq!(status, 409);
    let (name, message) = error_of(&body);
    assert_eq!(name, "ConflictError");
    assert!(message.contains("cancelled"), "{message}");

    let (status, body) = page(&engine, PageRoute::Cancel("missing"), JANE).await;
    assert_eq!(status, 404);
    let (name, message) = error_of(&body);
    assert_eq!(name, "NotFoundError");
    assert!(message.contains("\"missing\""), "{message}");
}

#[tokio::test]
async fn a_task_that_already_ended_is_a_conflict() {
    let (engine, host) = engine(raw(json!({})));
    stored(&host, "done", JANE, 1_000, "x").await;
    let done = host
        .tasks
        .finish("done", Outcome::Completed("{}".into()), now());
    assert!(done.await.unwrap());
    let (status, body) = page(&engine, PageRoute::Cancel("done"), JANE).await;
    assert_eq!(status, 409);
    let (name, message) = error_of(&body);
    assert_eq!(name, "ConflictError");
    assert!(message.contains("completed"), "{message}");
    assert_eq!(status_of(&host, "done").await, Status::Completed);

    // A working task whose instance went silent has failed: it cannot be cancelled either.
    let mut lost = Task::new("lost".into(), JANE, now() - 1_000, 3_600_000, 2_000);
    lost.heartbeat_ms = now() - 40_000;
    host.tasks.create(&lost).await.unwrap();
    let (status, body) = page(&engine, PageRoute::Cancel("lost"), JANE).await;
    assert_eq!(status, 409);
    assert_eq!(
        error_of(&body),
        ("ConflictError", "The task already ended: it is failed")
    );
    assert_eq!(status_of(&host, "lost").await, Status::Failed);
}

#[tokio::test]
async fn cancelling_from_the_page_stops_the_run_here() {
    let (engine, host) = engine_with(
        raw(json!({ "tasks": { "always": ["catalog:*"] } })),
        None,
        Some(Duration::from_secs(5)),
    );
    let id = start_task(&engine).await;
    assert_eq!(engine.calls_in_flight(), 1);
    let (status, body) = page(&engine, PageRoute::Cancel(&id), JANE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["task"]["status"], "cancelled");
    assert_eq!(status_of(&host, &id).await, Status::Cancelled);
    let deadline = Instant::now() + Duration::from_secs(1);
    while engine.calls_in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(engine.calls_in_flight(), 0);
}
