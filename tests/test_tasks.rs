//! MCP Tasks rules (issue 15's first part): promotion, the state machine, ownership, expiry,
//! heartbeat loss and the result limit, against the in-memory store.

use std::time::Duration;

use mcp_actions_backend::tasks::promotion::{Promotion, Rules};
use mcp_actions_backend::tasks::{
    cancel_for, declared, new_task_id, read_for, within_limit, MemoryTaskStore, Outcome, Status,
    Task, TaskStore, LOST,
};
use mcp_actions_backend::tools::glob::Glob;
use serde_json::json;

const JANE: &str = "user:default/jane";
const JOE: &str = "user:default/joe";
const T0: u64 = 1_795_602_600_000; // 2026-11-25T10:30:00.000Z
const HEARTBEAT_LIMIT: u64 = 30_000;

fn task(id: &str) -> Task {
    Task::new(id.to_owned(), JANE, T0, 60_000, 1_000)
}

#[test]
fn only_clients_that_declare_the_extension_get_tasks() {
    let rules = Rules {
        always: vec![Glob::new("scaffolder:*").unwrap()],
        promote_after: Duration::from_secs(5),
    };
    assert_eq!(
        rules.decide("scaffolder:run-template", false),
        Promotion::Never
    );
    assert_eq!(
        rules.decide("scaffolder:run-template", true),
        Promotion::Now
    );
    assert_eq!(
        rules.decide("catalog:get-entity", true),
        Promotion::After(Duration::from_secs(5))
    );
    assert!(declared(Some(
        &json!({"extensions": {"io.modelcontextprotocol/tasks": {}}})
    )));
    assert!(!declared(Some(
        &json!({"extensions": {"io.modelcontextprotocol/tasks": true}})
    )));
    assert!(!declared(Some(&json!({"tasks": {}}))));
    assert!(!declared(None));
}

#[test]
fn terminal_states_never_change() {
    let mut t = task("a");
    assert_eq!(t.status, Status::Working);
    let result = r#"{"content":[{"type":"text","text":"InputError: no"}],"isError":true}"#;
    assert!(t.finish(Outcome::Completed(result.into()), T0 + 5));
    // A tool result with isError: true is a completed task, with that result.
    assert_eq!(t.status, Status::Completed);
    assert!(!t.finish(Outcome::Cancelled, T0 + 6));
    assert!(!t.finish(Outcome::Failed("{}".into()), T0 + 7));
    assert_eq!((t.status, t.updated_ms), (Status::Completed, T0 + 5));
    let shown = t.to_json();
    assert_eq!(shown["result"]["isError"], true);
    assert_eq!(shown["createdAt"], "2026-11-25T10:30:00.000Z");
    assert_eq!(shown["lastUpdatedAt"], "2026-11-25T10:30:00.005Z");
    assert_eq!(shown["ttlMs"], 60_000);
    assert_eq!(shown["pollIntervalMs"], 1_000);
    assert!(shown.get("error").is_none());
}

#[test]
fn a_json_rpc_failure_is_a_failed_task_with_the_error() {
    let mut t = task("b");
    let error = json!({"code": -32603, "message": "Internal error: tool failed"}).to_string();
    t.finish(Outcome::Failed(error), T0 + 1);
    let shown = t.to_json();
    assert_eq!(shown["status"], "failed");
    assert_eq!(shown["error"]["code"], -32603);
    assert!(shown.get("result").is_none());
}

#[test]
fn a_result_over_the_limit_is_not_stored() {
    let small = Outcome::Completed("{\"content\":[]}".into());
    assert_eq!(within_limit(small.clone(), 100), small);
    let Outcome::Failed(error) = within_limit(Outcome::Completed("x".repeat(101)), 100) else {
        panic!("a large result must fail the task");
    };
    let error: serde_json::Value = serde_json::from_str(&error).unwrap();
    assert_eq!(error["code"], -32603);
    assert_eq!(
        error["message"],
        "Internal error: the result of this task is 101 bytes, over the limit of 100 bytes (mcpActions.tasks.maxResultBytes)"
    );
}

#[test]
fn a_task_whose_instance_stopped_reads_failed_with_a_clear_message() {
    let t = task("c");
    let alive = t.observed(T0 + HEARTBEAT_LIMIT, HEARTBEAT_LIMIT);
    assert_eq!(alive.status, Status::Working);
    let lost = t.observed(T0 + HEARTBEAT_LIMIT + 1, HEARTBEAT_LIMIT);
    assert_eq!(lost.status, Status::Failed);
    assert_eq!(lost.status_message.as_deref(), Some(LOST));
    assert_eq!(
        lost.to_json()["error"]["message"],
        format!("Internal error: {LOST}")
    );
    // A finished task is never rewritten by a missing heartbeat.
    let mut done = task("d");
    done.finish(Outcome::Cancelled, T0 + 1);
    assert_eq!(
        done.observed(T0 + 10 * HEARTBEAT_LIMIT, HEARTBEAT_LIMIT)
            .status,
        Status::Cancelled
    );
}

#[tokio::test]
async fn only_the_owner_sees_or_cancels_a_task_and_others_get_unknown() {
    let store = MemoryTaskStore::default();
    store.create(&task("e")).await.unwrap();
    let mine = read_for(&store, JANE, "e", T0 + 1, HEARTBEAT_LIMIT)
        .await
        .unwrap();
    assert_eq!(mine.map(|t| t.status), Some(Status::Working));
    assert_eq!(
        read_for(&store, JOE, "e", T0 + 1, HEARTBEAT_LIMIT)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        read_for(&store, JANE, "nope", T0 + 1, HEARTBEAT_LIMIT)
            .await
            .unwrap(),
        None
    );
    assert_eq!(cancel_for(&store, JOE, "e", T0 + 2).await.unwrap(), None);
    assert_eq!(
        cancel_for(&store, JANE, "e", T0 + 2).await.unwrap(),
        Some(true)
    );
    // Cancelled is terminal: the instance that ran it cannot complete it any more.
    assert!(!store
        .finish("e", Outcome::Completed("{}".into()), T0 + 3)
        .await
        .unwrap());
    let seen = read_for(&store, JANE, "e", T0 + 4, HEARTBEAT_LIMIT)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.status, Status::Cancelled);
    assert_eq!(
        cancel_for(&store, JANE, "e", T0 + 5).await.unwrap(),
        Some(false)
    );
}

#[tokio::test]
async fn tasks_expire_after_their_ttl_and_are_swept() {
    let store = MemoryTaskStore::default();
    store.create(&task("f")).await.unwrap();
    assert!(store.create(&task("f")).await.is_err(), "ids are unique");
    let end = T0 + 60_000;
    assert!(read_for(&store, JANE, "f", end - 1, u64::MAX)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        read_for(&store, JANE, "f", end, u64::MAX).await.unwrap(),
        None
    );
    assert_eq!(store.sweep(end - 1).await.unwrap(), 0);
    assert_eq!(store.sweep(end).await.unwrap(), 1);
    assert!(store.is_empty());
}

#[tokio::test]
async fn heartbeats_keep_a_working_task_alive() {
    let store = MemoryTaskStore::default();
    store.create(&task("g")).await.unwrap();
    store
        .heartbeat(&["g".to_owned()], T0 + 25_000)
        .await
        .unwrap();
    let seen = read_for(&store, JANE, "g", T0 + 50_000, HEARTBEAT_LIMIT)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.status, Status::Working);
}

#[test]
fn task_ids_are_unguessable_and_distinct() {
    let a = new_task_id().unwrap();
    let b = new_task_id().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 32);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
}
