//! MCP Tasks (extension `io.modelcontextprotocol/tasks`): the rules, not the storage.
//!
//! A long `tools/call` may be answered with a durable task handle that the client polls.
//! Here: which calls become tasks ([`promotion`]), the state machine and what a reader sees
//! ([`Task`]), who may see a task (its creator only), and the store a host provides
//! ([`TaskStore`]; [`MemoryTaskStore`] for tests and single-process use). Wiring into the
//! engine: `engine/tasks.rs`; the database-backed store: the shim's `plugin/tasks/`.

pub mod promotion;
mod store;
mod time;

pub use store::{
    cancel_for, list_for, read_for, result_for, MemoryTaskStore, StoreError, StoredResult,
    TaskStore,
};
pub use time::iso8601;

use serde_json::{json, Value};

/// Extension id, as clients declare it in `clientCapabilities.extensions`.
pub const EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// Message of a task whose backend instance stopped heart-beating before it finished.
pub const LOST: &str = "the backend instance running this task stopped before it finished";

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Working,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        self != Status::Working
    }
}

/// How a task ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The tool result (JSON text of a `CallToolResult`; `isError: true` results too).
    Completed(String),
    /// A JSON-RPC error (JSON text of its `error` object).
    Failed(String),
    Cancelled,
}

impl Outcome {
    /// The status, status message and payload a task ends with.
    pub fn columns(self) -> (Status, &'static str, Option<String>) {
        match self {
            Outcome::Completed(result) => (Status::Completed, "The action finished.", Some(result)),
            Outcome::Failed(error) if error.contains(LOST) => (Status::Failed, LOST, Some(error)),
            Outcome::Failed(error) => (Status::Failed, "The action failed.", Some(error)),
            Outcome::Cancelled => (Status::Cancelled, "The task was cancelled.", None),
        }
    }

    /// The failure of a task whose instance stopped heart-beating.
    pub fn lost() -> Self {
        let error = json!({ "code": -32603, "message": format!("Internal error: {LOST}") });
        Outcome::Failed(error.to_string())
    }
}

impl Status {
    pub fn parse(name: &str) -> Option<Self> {
        [
            Status::Working,
            Status::Completed,
            Status::Failed,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// One task as stored. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    /// The principal that created it: the only one who may read or cancel it.
    pub owner: String,
    pub status: Status,
    pub status_message: Option<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
    pub ttl_ms: u64,
    pub poll_interval_ms: u64,
    /// Last sign of life of the instance running it.
    pub heartbeat_ms: u64,
    /// JSON text of the result (completed) or of the error (failed).
    pub payload: Option<String>,
    /// The tool the call was made to (for the owner's list of tasks; older rows have none).
    pub tool: Option<String>,
}

impl Task {
    /// A new working task of `owner`, created at `now_ms`.
    pub fn new(id: String, owner: &str, now_ms: u64, ttl_ms: u64, poll_interval_ms: u64) -> Self {
        Self {
            id,
            owner: owner.to_owned(),
            status: Status::Working,
            status_message: Some("The action is running.".to_owned()),
            created_ms: now_ms,
            updated_ms: now_ms,
            ttl_ms,
            poll_interval_ms,
            heartbeat_ms: now_ms,
            payload: None,
            tool: None,
        }
    }

    /// The same task, made by a call to `tool`.
    pub fn with_tool(mut self, tool: &str) -> Self {
        self.tool = Some(tool.to_owned());
        self
    }

    /// Whether the task outlived its TTL at `now_ms` (it then reads as unknown).
    pub fn expired(&self, now_ms: u64) -> bool {
        now_ms >= self.created_ms.saturating_add(self.ttl_ms)
    }

    /// Move to a terminal state. Terminal states never change: `false` when it already was
    /// in one (the task is left as it is).
    pub fn finish(&mut self, outcome: Outcome, now_ms: u64) -> bool {
        if self.status.is_terminal() {
            return false;
        }
        let (status, message, payload) = outcome.columns();
        self.status = status;
        self.status_message = Some(message.to_owned());
        self.payload = payload;
        self.updated_ms = now_ms;
        true
    }

    /// What a reader sees at `now_ms`: a working task whose heartbeat is older than
    /// `heartbeat_limit_ms` reads `failed` (its instance is gone and will never finish it).
    pub fn observed(&self, now_ms: u64, heartbeat_limit_ms: u64) -> Task {
        let mut seen = self.clone();
        if seen.status == Status::Working
            && now_ms.saturating_sub(seen.heartbeat_ms) > heartbeat_limit_ms
        {
            seen.finish(Outcome::lost(), now_ms);
        }
        seen
    }

    /// The task as `tasks/get` returns it (a `DetailedTask`), without the result frame.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "taskId": self.id,
            "status": self.status.name(),
            "createdAt": iso8601(self.created_ms),
            "lastUpdatedAt": iso8601(self.updated_ms),
            "ttlMs": self.ttl_ms,
            "pollIntervalMs": self.poll_interval_ms,
        });
        if let Some(message) = &self.status_message {
            out["statusMessage"] = json!(message);
        }
        let payload = self
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Value>(p).ok());
        match (self.status, payload) {
            (Status::Completed, Some(result)) => out["result"] = result,
            (Status::Failed, Some(error)) => out["error"] = error,
            _ => {}
        }
        out
    }
}

/// `outcome`, unless it is a result larger than `max_bytes`: that is not stored, and the
/// task fails with an error that names the limit.
pub fn within_limit(outcome: Outcome, max_bytes: usize) -> Outcome {
    match outcome {
        Outcome::Completed(result) if result.len() > max_bytes => {
            let error = json!({
                "code": -32603,
                "message": format!(
                    "Internal error: the result of this task is {} bytes, over the limit of {max_bytes} bytes (mcpActions.tasks.maxResultBytes)",
                    result.len()
                ),
            });
            Outcome::Failed(error.to_string())
        }
        other => other,
    }
}

/// A new task id: 128 bits from the OS CSPRNG as 32 lowercase hex characters; `None` when
/// the random source fails (no task is created with a guessable id).
pub fn new_task_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a request's client capabilities declare the tasks extension.
pub fn declared(client_capabilities: Option<&Value>) -> bool {
    client_capabilities
        .and_then(|c| c.get("extensions"))
        .and_then(|e| e.get(EXTENSION))
        .is_some_and(Value::is_object)
}
