//! Where tasks are kept: a host capability, like listing and invoking actions. The engine
//! says what to store and when; the host says where (the shim: the plugin's database through
//! Backstage's `DatabaseService`). [`MemoryTaskStore`] keeps them in this process.
//!
//! The rules every store keeps: a task is readable once `create` returned; `finish` changes
//! only a working task (terminal states never change, whichever replica finishes first);
//! reads by anyone but the owner, of an unknown id or of an expired task look the same.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use super::{Outcome, Task};

/// A tool result over its call's budget, kept whole for its owner (`resources/read`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    /// 128 random bits, hex: the last part of its `mcp-actions://results/{id}` URI.
    pub id: String,
    /// The principal whose call produced it: the only one who may read it.
    pub owner: String,
    /// The result's text (the action's output, JSON).
    pub text: String,
    /// Characters per page of `resources/read`.
    pub page_chars: u64,
    pub created_ms: u64,
    pub expires_ms: u64,
}

/// A store that could not be reached or refused a write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the task store failed: {0}")]
pub struct StoreError(pub String);

pub trait TaskStore: Send + Sync {
    /// Write a new task durably: when this returns `Ok`, every replica can read it.
    fn create(&self, task: &Task) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load(&self, id: &str) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;

    /// End a working task (compare-and-set on `working`). `false`: it was already terminal
    /// or is unknown; nothing changed.
    fn finish(
        &self,
        id: &str,
        outcome: Outcome,
        now_ms: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The instance running these tasks is alive at `now_ms`: refresh the heartbeat of those
    /// still working. Returns the ids that are no longer working (cancelled through another
    /// replica, or gone): their runner stops waiting for them.
    fn heartbeat(
        &self,
        ids: &[String],
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Delete tasks and results whose TTL passed; how many.
    fn sweep(&self, now_ms: u64) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Keep an oversized result: when this returns `Ok`, every replica can read it.
    fn put_result(
        &self,
        result: &StoredResult,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load_result(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<StoredResult>, StoreError>> + Send;

    /// The newest tasks of `owner` not expired at `now_ms`, at most `limit`, newest first,
    /// as stored (the caller applies [`Task::observed`]).
    fn list(
        &self,
        owner: &str,
        now_ms: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Task>, StoreError>> + Send;
}

/// The stored result `id` as `owner` may read it at `now_ms`: `None` for an unknown id, an
/// expired result, or someone else's (the same answer, so ids cannot be probed).
pub async fn result_for<S: TaskStore>(
    store: &S,
    owner: &str,
    id: &str,
    now_ms: u64,
) -> Result<Option<StoredResult>, StoreError> {
    Ok(store
        .load_result(id)
        .await?
        .filter(|r| r.owner == owner && now_ms < r.expires_ms))
}

/// The task `id` as its `owner` may see it at `now_ms`: `None` for an unknown id, an expired
/// task, or someone else's (the same answer, so ids cannot be probed).
pub async fn read_for<S: TaskStore>(
    store: &S,
    owner: &str,
    id: &str,
    now_ms: u64,
    heartbeat_limit_ms: u64,
) -> Result<Option<Task>, StoreError> {
    let Some(stored) = store
        .load(id)
        .await?
        .filter(|t| t.owner == owner && !t.expired(now_ms))
    else {
        return Ok(None);
    };
    let seen = stored.observed(now_ms, heartbeat_limit_ms);
    if seen.status != stored.status {
        // Its instance is gone: write that down, so that the task reads `failed` from now on
        // even if a late runner turns up (terminal states never change).
        if !store.finish(id, Outcome::lost(), now_ms).await? {
            return Ok(store
                .load(id)
                .await?
                .map(|t| t.observed(now_ms, heartbeat_limit_ms)));
        }
    }
    Ok(Some(seen))
}

/// The tasks `owner` may see at `now_ms`, newest first, as a reader sees them (a working
/// task whose instance is gone reads `failed`).
pub async fn list_for<S: TaskStore>(
    store: &S,
    owner: &str,
    now_ms: u64,
    heartbeat_limit_ms: u64,
    limit: usize,
) -> Result<Vec<Task>, StoreError> {
    Ok(store
        .list(owner, now_ms, limit)
        .await?
        .into_iter()
        .filter(|t| t.owner == owner && !t.expired(now_ms))
        .map(|t| t.observed(now_ms, heartbeat_limit_ms))
        .collect())
}

/// `tasks/cancel` from `owner`: a working task reads `cancelled` from now on, on every
/// replica; the one running it stops waiting when it next looks. `None`: not a task this
/// caller may see. `Some(false)`: it had already ended (acknowledged all the same).
pub async fn cancel_for<S: TaskStore>(
    store: &S,
    owner: &str,
    id: &str,
    now_ms: u64,
) -> Result<Option<bool>, StoreError> {
    match store.load(id).await? {
        Some(t) if t.owner == owner && !t.expired(now_ms) => {
            Ok(Some(store.finish(id, Outcome::Cancelled, now_ms).await?))
        }
        _ => Ok(None),
    }
}

/// Tasks in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryTaskStore {
    tasks: Mutex<HashMap<String, Task>>,
    results: Mutex<HashMap<String, StoredResult>>,
    /// Elicitations of secrets (`crate::secrets::elicitation`), kept beside the tasks.
    pub(crate) elicitations: Mutex<HashMap<String, crate::secrets::elicitation::Elicitation>>,
    /// Rate counts (`crate::policy::store`) by rule, principal and window start.
    pub(crate) rate_counts: Mutex<HashMap<(String, String, u64), u64>>,
    /// Usage rows (`crate::usage::store`) by key id.
    pub(crate) usage: Mutex<HashMap<String, UsageRow>>,
    /// Confirmations (`crate::policy::confirm`) by id.
    pub(crate) confirmations: Mutex<HashMap<String, crate::policy::Confirmation>>,
}

type UsageRow = (
    crate::usage::record::UsageKey,
    crate::usage::record::UsageCounts,
);

impl MemoryTaskStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Task>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl TaskStore for MemoryTaskStore {
    async fn create(&self, task: &Task) -> Result<(), StoreError> {
        let mut tasks = self.lock();
        if tasks.contains_key(&task.id) {
            return Err(StoreError(format!("task {} already exists", task.id)));
        }
        tasks.insert(task.id.clone(), task.clone());
        Ok(())
    }

    async fn load(&self, id: &str) -> Result<Option<Task>, StoreError> {
        Ok(self.lock().get(id).cloned())
    }

    async fn finish(&self, id: &str, outcome: Outcome, now_ms: u64) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .get_mut(id)
            .is_some_and(|t| t.finish(outcome, now_ms)))
    }

    async fn heartbeat(&self, ids: &[String], now_ms: u64) -> Result<Vec<String>, StoreError> {
        let mut tasks = self.lock();
        let mut ended = Vec::new();
        for id in ids {
            match tasks.get_mut(id) {
                Some(t) if !t.status.is_terminal() => t.heartbeat_ms = t.heartbeat_ms.max(now_ms),
                _ => ended.push(id.clone()),
            }
        }
        Ok(ended)
    }

    async fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        let mut tasks = self.lock();
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        let before = tasks.len() + results.len();
        tasks.retain(|_, t| !t.expired(now_ms));
        results.retain(|_, r| now_ms < r.expires_ms);
        let mut elicitations = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        let asked = elicitations.len();
        elicitations.retain(|_, e| !e.expired(now_ms));
        Ok(before - tasks.len() - results.len() + asked - elicitations.len())
    }

    async fn put_result(&self, result: &StoredResult) -> Result<(), StoreError> {
        self.results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(result.id.clone(), result.clone());
        Ok(())
    }

    async fn load_result(&self, id: &str) -> Result<Option<StoredResult>, StoreError> {
        Ok(self
            .results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned())
    }

    async fn list(&self, owner: &str, now_ms: u64, limit: usize) -> Result<Vec<Task>, StoreError> {
        let mut mine: Vec<Task> = self
            .lock()
            .values()
            .filter(|t| t.owner == owner && !t.expired(now_ms))
            .cloned()
            .collect();
        mine.sort_by(|a, b| {
            b.created_ms
                .cmp(&a.created_ms)
                .then_with(|| a.id.cmp(&b.id))
        });
        mine.truncate(limit);
        Ok(mine)
    }
}
