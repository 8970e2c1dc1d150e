//! Tasks kept by the shim (the plugin's database through Backstage's `DatabaseService`),
//! reached through one callback: `(request: TaskStoreRequest) => Promise<TaskStoreReply>`.
//! The engine decides what is written and when; the shim only reads and writes rows.

use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;

use super::host::JsHost;
use crate::tasks::{Outcome, StoreError, StoredResult, Task, TaskStore};

/// One row of the tasks table. Times are milliseconds since the Unix epoch.
#[napi(object)]
pub struct TaskRow {
    pub task_id: String,
    /// The principal that created the task: the only one who may read or cancel it.
    pub owner: String,
    /// `working`, `completed`, `failed` or `cancelled`.
    pub status: String,
    pub status_message: Option<String>,
    pub created_ms: f64,
    pub updated_ms: f64,
    pub ttl_ms: f64,
    /// `createdMs + ttlMs`: the sweep deletes rows whose time this is.
    pub expires_ms: f64,
    pub poll_interval_ms: f64,
    pub heartbeat_ms: f64,
    /// JSON text of the result (completed) or of the JSON-RPC error (failed).
    pub payload: Option<String>,
    /// The tool the call was made to.
    pub tool: Option<String>,
}

/// One row of the results table: a tool result over its call's budget, kept for its owner.
#[napi(object)]
pub struct ResultRow {
    pub result_id: String,
    pub owner: String,
    /// The whole result (JSON text).
    pub text: String,
    pub page_chars: f64,
    pub created_ms: f64,
    /// The sweep deletes rows whose time this is; reads after it find nothing.
    pub expires_ms: f64,
}

/// What the engine asks of the store.
#[napi(object)]
pub struct TaskStoreRequest {
    /// `create` (`task`), `load` (`taskId`), `finish` (`taskId`, `status`, `statusMessage`,
    /// `payload`: only a working row changes), `heartbeat` (`taskIds`: refresh those still
    /// working, answer `ended` with the others) or `sweep` (delete rows expired at `nowMs`,
    /// answer `count`; expired results go too), `putResult` (`result`) or `loadResult`
    /// (`resultId`), or `list` (`owner`, `limit`: the owner's newest tasks not expired at
    /// `nowMs`, newest first, answer `tasks`, payloads left out).
    pub op: String,
    pub now_ms: f64,
    pub task: Option<TaskRow>,
    pub task_id: Option<String>,
    pub task_ids: Option<Vec<String>>,
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub payload: Option<String>,
    pub result: Option<ResultRow>,
    pub result_id: Option<String>,
    pub owner: Option<String>,
    pub limit: Option<u32>,
    /// `createElicitation`: the row.
    pub elicitation: Option<super::elicitation_store::ElicitationRow>,
    /// `loadElicitation`, `submitElicitation` (with `sealed`), `takeElicitation`.
    pub elicitation_id: Option<String>,
    /// `submitElicitation`: the sealed secrets (base64 AES-256-GCM; never the values).
    pub sealed: Option<String>,
    /// `findElicitation` (with `owner`): the newest submitted one for this action.
    pub action_id: Option<String>,
}

/// The store's answer.
#[napi(object)]
pub struct TaskStoreReply {
    /// `load`: the row, when there is one.
    pub task: Option<TaskRow>,
    /// `finish`: whether the row changed.
    pub changed: Option<bool>,
    /// `sweep`: rows deleted.
    pub count: Option<u32>,
    /// `heartbeat`: ids that are no longer working (or gone).
    pub ended: Option<Vec<String>>,
    /// `loadResult`: the row, when there is one.
    pub result: Option<ResultRow>,
    /// `list`: the rows.
    pub tasks: Option<Vec<TaskRow>>,
    /// `loadElicitation`, `takeElicitation` (the row as it was): the row, when there is one.
    pub elicitation: Option<super::elicitation_store::ElicitationRow>,
    /// `findElicitation`: its id, when there is one.
    pub elicitation_id: Option<String>,
}

/// `(request: TaskStoreRequest) => Promise<TaskStoreReply>`
pub type TaskStoreFn = ThreadsafeFunction<
    TaskStoreRequest,
    Promise<TaskStoreReply>,
    TaskStoreRequest,
    Status,
    false,
    true,
>;

pub(super) fn request(op: &str, now_ms: u64) -> TaskStoreRequest {
    TaskStoreRequest {
        op: op.to_owned(),
        now_ms: now_ms as f64,
        task: None,
        task_id: None,
        task_ids: None,
        status: None,
        status_message: None,
        payload: None,
        result: None,
        result_id: None,
        owner: None,
        limit: None,
        elicitation: None,
        elicitation_id: None,
        sealed: None,
        action_id: None,
    }
}

fn row(task: &Task) -> TaskRow {
    TaskRow {
        task_id: task.id.clone(),
        owner: task.owner.clone(),
        status: task.status.name().to_owned(),
        status_message: task.status_message.clone(),
        created_ms: task.created_ms as f64,
        updated_ms: task.updated_ms as f64,
        ttl_ms: task.ttl_ms as f64,
        expires_ms: task.created_ms.saturating_add(task.ttl_ms) as f64,
        poll_interval_ms: task.poll_interval_ms as f64,
        heartbeat_ms: task.heartbeat_ms as f64,
        payload: task.payload.clone(),
        tool: task.tool.clone(),
    }
}

fn task(row: TaskRow) -> Result<Task, StoreError> {
    let status = crate::tasks::Status::parse(&row.status).ok_or_else(|| {
        StoreError(format!(
            "task {} has an unknown status \"{}\"",
            row.task_id, row.status
        ))
    })?;
    Ok(Task {
        id: row.task_id,
        owner: row.owner,
        status,
        status_message: row.status_message,
        created_ms: row.created_ms as u64,
        updated_ms: row.updated_ms as u64,
        ttl_ms: row.ttl_ms as u64,
        poll_interval_ms: row.poll_interval_ms as u64,
        heartbeat_ms: row.heartbeat_ms as u64,
        payload: row.payload,
        tool: row.tool,
    })
}

impl JsHost {
    pub(super) async fn store(
        &self,
        request: TaskStoreRequest,
    ) -> Result<TaskStoreReply, StoreError> {
        let op = request.op.clone();
        let Some(task_store) = &self.task_store else {
            return Err(StoreError(format!("{op}: the host has no task store")));
        };
        let fail = |err: napi::Error| StoreError(format!("{op}: {}", err.reason));
        let promise = task_store.call_async_catch(request).await.map_err(fail)?;
        promise.await.map_err(fail)
    }
}

impl TaskStore for JsHost {
    async fn create(&self, task: &Task) -> Result<(), StoreError> {
        let mut req = request("create", task.created_ms);
        req.task = Some(row(task));
        self.store(req).await.map(|_| ())
    }

    async fn load(&self, id: &str) -> Result<Option<Task>, StoreError> {
        let mut req = request("load", 0);
        req.task_id = Some(id.to_owned());
        self.store(req).await?.task.map(task).transpose()
    }

    async fn finish(&self, id: &str, outcome: Outcome, now_ms: u64) -> Result<bool, StoreError> {
        let (status, message, payload) = outcome.columns();
        let mut req = request("finish", now_ms);
        req.task_id = Some(id.to_owned());
        req.status = Some(status.name().to_owned());
        req.status_message = Some(message.to_owned());
        req.payload = payload;
        Ok(self.store(req).await?.changed.unwrap_or(false))
    }

    async fn heartbeat(&self, ids: &[String], now_ms: u64) -> Result<Vec<String>, StoreError> {
        let mut req = request("heartbeat", now_ms);
        req.task_ids = Some(ids.to_vec());
        Ok(self.store(req).await?.ended.unwrap_or_default())
    }

    async fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        let reply = self.store(request("sweep", now_ms)).await?;
        Ok(reply.count.unwrap_or(0) as usize)
    }

    async fn put_result(&self, result: &StoredResult) -> Result<(), StoreError> {
        let mut req = request("putResult", result.created_ms);
        req.result = Some(ResultRow {
            result_id: result.id.clone(),
            owner: result.owner.clone(),
            text: result.text.clone(),
            page_chars: result.page_chars as f64,
            created_ms: result.created_ms as f64,
            expires_ms: result.expires_ms as f64,
        });
        self.store(req).await.map(|_| ())
    }

    async fn load_result(&self, id: &str) -> Result<Option<StoredResult>, StoreError> {
        let mut req = request("loadResult", 0);
        req.result_id = Some(id.to_owned());
        Ok(self.store(req).await?.result.map(|row| StoredResult {
            id: row.result_id,
            owner: row.owner,
            text: row.text,
            page_chars: row.page_chars as u64,
            created_ms: row.created_ms as u64,
            expires_ms: row.expires_ms as u64,
        }))
    }

    async fn list(&self, owner: &str, now_ms: u64, limit: usize) -> Result<Vec<Task>, StoreError> {
        let mut req = request("list", now_ms);
        req.owner = Some(owner.to_owned());
        req.limit = Some(u32::try_from(limit).unwrap_or(u32::MAX));
        let rows = self.store(req).await?.tasks.unwrap_or_default();
        rows.into_iter().map(task).collect()
    }
}
