//! Tasks through the engine (2026-07-28 + `io.modelcontextprotocol/tasks`): which calls become
//! tasks, what `tasks/get`, `tasks/cancel` and `tasks/update` answer, ownership, expiry, the
//! result limit, heartbeats and shutdown. The store is the in-memory one.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use mcp_actions_backend::engine::HELD_KEY;
use mcp_actions_backend::tasks::{Task, TaskStore, LOST};
use mcp_actions_backend::{Engine, HostError, HttpResponse};
use serde_json::{json, Value};

const JANE: &str = "user:default/jane";
const JOHN: &str = "user:default/john";

/// A fixture whose actions answer after these delays (ms), with tasks configured by `tasks`.
fn tasks_fixture(tasks: Value, delays: &[(&str, u64)]) -> (Fixture, TestHost) {
    let calls = Arc::new(Calls::default());
    let actions = Arc::new(Mutex::new(default_actions()));
    let big = format!(r#"{{"blob":"{}"}}"#, "x".repeat(2000));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::new(
            [
                ("catalog:get-entity", Ok(r#"{"n":1}"#.to_owned())),
                (
                    "catalog:delete-entity",
                    Err(HostError::new("InputError", "q must not be empty")),
                ),
                ("scaffolder:run-template", Ok(big)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        ),
        list_error: None,
        calls: calls.clone(),
        invoke_delay: None,
        delays: Arc::new(
            delays
                .iter()
                .map(|(id, ms)| (id.to_string(), Duration::from_millis(*ms)))
                .collect::<HashMap<_, _>>(),
        ),
        panic_on: None,
        tasks: Arc::default(),
    };
    let config = config_from(json!({ "tasks": tasks }));
    let fixture = Fixture {
        engine: Engine::new(config, host.clone()),
        calls,
        actions,
    };
    (fixture, host)
}

fn declaring() -> Value {
    json!({ "io.modelcontextprotocol/clientCapabilities": { "extensions": { "io.modelcontextprotocol/tasks": {} } } })
}

/// POST a 2026-07-28 request as `principal`; `name` is the `Mcp-Name` header.
async fn post_task(
    engine: &Engine<TestHost>,
    principal: &str,
    method: &str,
    name: &str,
    mut params: Value,
    declare: bool,
) -> HttpResponse {
    if declare {
        params["_meta"] = declaring();
    }
    let body = modern_request(json!(1), method, params);
    post_modern_as(engine, principal, Modern::of(method, Some(name)), &body).await
}

async fn call(engine: &Engine<TestHost>, tool: &str, declare: bool) -> HttpResponse {
    let params = json!({ "name": tool, "arguments": { "q": "x" } });
    post_task(engine, JANE, "tools/call", tool, params, declare).await
}

/// `tasks/get`, `tasks/cancel` or `tasks/update` of task `id`, as a declaring client sends it.
async fn task_rpc(
    engine: &Engine<TestHost>,
    principal: &str,
    method: &str,
    id: &str,
) -> HttpResponse {
    post_task(engine, principal, method, id, json!({ "taskId": id }), true).await
}

async fn get(engine: &Engine<TestHost>, principal: &str, id: &str) -> HttpResponse {
    task_rpc(engine, principal, "tasks/get", id).await
}

/// Poll `tasks/get` until the task leaves `working` (or 3 s pass).
async fn settle(engine: &Engine<TestHost>, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let task = body_json(&get(engine, JANE, id).await)["result"].clone();
        if task["status"] != "working" || Instant::now() > deadline {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn task_id(response: &HttpResponse) -> String {
    let result = &body_json(response)["result"];
    assert_eq!(result["resultType"], "task", "{result}");
    result["taskId"].as_str().expect("a taskId").to_owned()
}

#[tokio::test]
async fn discover_advertises_the_extension_unless_tasks_are_off() {
    for (tasks, advertised) in [(json!({}), true), (json!({ "enabled": false }), false)] {
        let (f, _) = tasks_fixture(tasks, &[]);
        let response = post_task(&f.engine, JANE, "server/discover", "", json!({}), false).await;
        let capabilities = &body_json(&response)["result"]["capabilities"];
        assert_eq!(
            capabilities["extensions"]["io.modelcontextprotocol/tasks"].is_object(),
            advertised,
            "{capabilities}"
        );
    }
}

#[tokio::test]
async fn a_slow_call_becomes_a_task_and_polls_to_its_result() {
    let (f, host) = tasks_fixture(
        json!({ "promoteAfterSeconds": 0.05 }),
        &[("catalog:get-entity", 300)],
    );
    let started = Instant::now();
    let response = call(&f.engine, "catalog.get-entity", true).await;
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(response.status, 200);
    assert_eq!(response.header(HELD_KEY), Some("1"));
    let created = body_json(&response)["result"].clone();
    assert_eq!(created["status"], "working");
    assert_eq!(created["ttlMs"], 3_600_000);
    assert_eq!(created["pollIntervalMs"], 2000);
    assert_eq!(created["statusMessage"], "The action is running.");
    assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));
    let id = task_id(&response);
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    // Durable before the answer: the row is there.
    assert_eq!(host.tasks.load(&id).await.unwrap().unwrap().owner, JANE);

    let done = settle(&f.engine, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["result"]["content"][0]["text"], r#"{"n":1}"#);
    assert_eq!(done["result"]["structuredContent"], json!({ "n": 1 }));
    assert_eq!(done["result"]["resultType"], "complete");
    assert!(done["result"].get("_meta").is_none());
    assert_eq!(f.engine.tasks_running(), 0);
    assert_eq!(*f.calls.released.lock().unwrap(), vec![7]);
    assert_eq!(f.engine.calls_in_flight(), 0);
}

#[tokio::test]
async fn calls_stay_plain_when_fast_undeclared_legacy_or_tasks_are_off() {
    let (f, host) = tasks_fixture(
        json!({ "promoteAfterSeconds": 0.05 }),
        &[("catalog:get-entity", 150)],
    );
    // Declared, but the action answers within the delay.
    let fast = call(&f.engine, "catalog.delete-entity", true).await;
    assert_eq!(body_json(&fast)["result"]["isError"], true);
    // Not declared: the call waits, as every call did before tasks.
    let plain = call(&f.engine, "catalog.get-entity", false).await;
    let result = &body_json(&plain)["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["structuredContent"], json!({ "n": 1 }));
    assert_eq!(plain.header(HELD_KEY), None);
    // Legacy era: no envelope, no task.
    let legacy = post(
        &f.engine,
        &request(
            1,
            "tools/call",
            json!({ "name": "catalog.get-entity", "arguments": {} }),
        ),
    )
    .await;
    assert_eq!(
        body_json(&legacy)["result"]["structuredContent"],
        json!({ "n": 1 })
    );
    assert!(host.tasks.is_empty());

    let (off, host) = tasks_fixture(
        json!({ "enabled": false, "promoteAfterSeconds": 0.05 }),
        &[("catalog:get-entity", 150)],
    );
    let plain = call(&off.engine, "catalog.get-entity", true).await;
    assert_eq!(
        body_json(&plain)["result"]["structuredContent"],
        json!({ "n": 1 })
    );
    assert!(host.tasks.is_empty());
    let get = get(&off.engine, JANE, "abc").await;
    assert_eq!(rpc_error(&get).0, 404);
    assert_eq!(rpc_error(&get).1, -32601);
}

#[tokio::test]
async fn always_globs_become_tasks_at_once() {
    let (f, _) = tasks_fixture(
        json!({ "always": ["catalog:delete-*"], "promoteAfterSeconds": 60 }),
        &[("catalog:delete-entity", 200)],
    );
    let started = Instant::now();
    let response = call(&f.engine, "catalog.delete-entity", true).await;
    assert!(started.elapsed() < Duration::from_millis(150));
    let id = task_id(&response);
    // A known Backstage error completes the task with an isError result.
    let done = settle(&f.engine, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["result"]["isError"], true);
    assert_eq!(
        done["result"]["content"][0]["text"],
        "InputError: q must not be empty"
    );
}

#[tokio::test]
async fn a_fault_fails_the_task_with_the_json_rpc_error() {
    let (f, _) = tasks_fixture(json!({ "always": ["catalog:*"] }), &[]);
    *f.actions.lock().unwrap() = json!({"actions": [action("catalog", "broken", true)]});
    let response = call(&f.engine, "catalog.broken", true).await;
    let id = task_id(&response);
    let done = settle(&f.engine, &id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["error"]["code"], -32602);
    assert_eq!(done["error"]["message"], "Unknown tool: catalog.broken");
    assert!(done.get("result").is_none());
}

#[tokio::test]
async fn a_result_over_the_limit_fails_naming_it() {
    let (f, _) = tasks_fixture(
        json!({ "always": ["scaffolder:*"], "maxResultBytes": 1024 }),
        &[],
    );
    let id = task_id(&call(&f.engine, "scaffolder.run-template", true).await);
    let done = settle(&f.engine, &id).await;
    assert_eq!(done["status"], "failed");
    let message = done["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("over the limit of 1024 bytes (mcpActions.tasks.maxResultBytes)"),
        "{message}"
    );
}

#[tokio::test]
async fn cancel_stops_waiting_and_the_task_reads_cancelled() {
    let (f, _) = tasks_fixture(
        json!({ "always": ["catalog:*"] }),
        &[("catalog:get-entity", 5_000)],
    );
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    assert_eq!(f.engine.tasks_running(), 1);
    assert_eq!(f.engine.calls_in_flight(), 1);
    let ack = task_rpc(&f.engine, JANE, "tasks/cancel", &id).await;
    assert_eq!(ack.status, 200);
    let result = &body_json(&ack)["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result.as_object().unwrap().len(), 2, "{result}"); // resultType, _meta
    let task = body_json(&get(&f.engine, JANE, &id).await)["result"].clone();
    assert_eq!(task["status"], "cancelled");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(f.engine.tasks_running(), 0);
    assert_eq!(f.engine.calls_in_flight(), 0);
    assert_eq!(*f.calls.released.lock().unwrap(), vec![7]);
    // Terminal states never change: a second cancel is acknowledged, nothing moves.
    let again = task_rpc(&f.engine, JANE, "tasks/cancel", &id).await;
    assert_eq!(body_json(&again)["result"]["resultType"], "complete");
}

#[tokio::test]
async fn another_principal_gets_the_answer_of_an_unknown_id() {
    let (f, _) = tasks_fixture(json!({ "always": ["catalog:*"] }), &[]);
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    settle(&f.engine, &id).await;
    let unknown = "0".repeat(32);
    for method in ["tasks/get", "tasks/cancel", "tasks/update"] {
        let theirs = task_rpc(&f.engine, JOHN, method, &id).await;
        let nothing = task_rpc(&f.engine, JOHN, method, &unknown).await;
        let (status, code, rid, message) = rpc_error(&theirs);
        assert_eq!((status, code, rid), (200, -32602, json!(1)), "{method}");
        assert_eq!(
            message.replace(&id, "ID"),
            rpc_error(&nothing).3.replace(&unknown, "ID")
        );
        assert!(
            message.contains("unknown, expired, or created by another principal"),
            "{message}"
        );
    }
    // Still there for its owner.
    assert_eq!(
        body_json(&get(&f.engine, JANE, &id).await)["result"]["status"],
        "completed"
    );
}

#[tokio::test]
async fn task_methods_check_routing_capability_params_and_update() {
    let (f, _) = tasks_fixture(json!({ "always": ["catalog:*"] }), &[]);
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    // Mcp-Name must be the taskId.
    let wrong = post_task(
        &f.engine,
        JANE,
        "tasks/get",
        "other",
        json!({ "taskId": id }),
        true,
    )
    .await;
    assert_eq!(rpc_error(&wrong).0, 400);
    assert_eq!(rpc_error(&wrong).1, -32020);
    // A client that does not declare the extension.
    let undeclared = post_task(
        &f.engine,
        JANE,
        "tasks/get",
        &id,
        json!({ "taskId": id }),
        false,
    )
    .await;
    let body = body_json(&undeclared);
    assert_eq!(body["error"]["code"], -32021);
    assert_eq!(
        body["error"]["data"]["requiredCapabilities"]["extensions"]
            ["io.modelcontextprotocol/tasks"],
        json!({})
    );
    // No taskId.
    let missing = post_task(&f.engine, JANE, "tasks/get", "", json!({}), true).await;
    assert_eq!(rpc_error(&missing).1, -32602);
    assert_eq!(rpc_error(&missing).3, "Invalid params: missing \"taskId\"");
    // tasks/update: actions take no input.
    let update = post_task(
        &f.engine,
        JANE,
        "tasks/update",
        &id,
        json!({ "taskId": id, "inputResponses": {} }),
        true,
    )
    .await;
    let (status, code, _, message) = rpc_error(&update);
    assert_eq!((status, code), (200, -32602));
    assert!(
        message.contains("Backstage actions take no input"),
        "{message}"
    );
}

#[tokio::test]
async fn expired_tasks_read_as_unknown_and_are_swept() {
    let (f, host) = tasks_fixture(json!({ "always": ["catalog:*"], "ttlSeconds": 1 }), &[]);
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    assert_eq!(settle(&f.engine, &id).await["ttlMs"], 1000);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(rpc_error(&get(&f.engine, JANE, &id).await).1, -32602);
    assert_eq!(host.tasks.len(), 1);
    assert_eq!(f.engine.sweep_tasks().await, Ok(1));
    assert!(host.tasks.is_empty());
}

#[tokio::test]
async fn a_task_whose_instance_stopped_reads_failed_and_stays_failed() {
    let (f, host) = tasks_fixture(json!({ "heartbeatSeconds": 0.1 }), &[]);
    // A row another replica wrote, then went silent.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut task = Task::new("a".repeat(32), JANE, now - 1000, 60_000, 1000);
    task.heartbeat_ms = now - 1000;
    host.tasks.create(&task).await.unwrap();
    let seen = body_json(&get(&f.engine, JANE, &task.id).await)["result"].clone();
    assert_eq!(seen["status"], "failed");
    assert_eq!(seen["statusMessage"], LOST);
    assert_eq!(seen["error"]["code"], -32603);
    // Written down: a late finish of the lost run changes nothing.
    let stored = host.tasks.load(&task.id).await.unwrap().unwrap();
    assert_eq!(stored.status.name(), "failed");
}

#[tokio::test]
async fn the_heartbeat_keeps_tasks_alive_and_notices_cancels_from_elsewhere() {
    let (f, host) = tasks_fixture(
        json!({ "always": ["catalog:*"], "heartbeatSeconds": 0.1 }),
        &[("catalog:get-entity", 5_000)],
    );
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    let before = host.tasks.load(&id).await.unwrap().unwrap().heartbeat_ms;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(f.engine.beat_tasks().await, 1);
    assert!(host.tasks.load(&id).await.unwrap().unwrap().heartbeat_ms > before);
    // Still working after more than three heartbeats of silence would have allowed.
    assert_eq!(
        body_json(&get(&f.engine, JANE, &id).await)["result"]["status"],
        "working"
    );
    // Another replica cancels it in the shared store.
    host.tasks
        .finish(&id, mcp_actions_backend::tasks::Outcome::Cancelled, 0)
        .await
        .unwrap();
    assert_eq!(f.engine.beat_tasks().await, 0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(f.engine.calls_in_flight(), 0);
}

#[tokio::test]
async fn shutdown_fails_the_tasks_running_here() {
    let (f, _) = tasks_fixture(
        json!({ "always": ["catalog:*"] }),
        &[("catalog:get-entity", 5_000)],
    );
    let id = task_id(&call(&f.engine, "catalog.get-entity", true).await);
    assert_eq!(f.engine.stop_tasks().await, 1);
    let task = body_json(&get(&f.engine, JANE, &id).await)["result"].clone();
    assert_eq!(task["status"], "failed");
    assert_eq!(task["error"]["message"], format!("Internal error: {LOST}"));
}
