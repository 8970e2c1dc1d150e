//! The plugin's state as the shim keeps it (tasks, oversized results, requests for secrets),
//! reached through one callback: `(request: TaskStoreRequest) => Promise<TaskStoreReply>`.
//! Here are the callback's request, its reply and its rows; each kind of row has its own
//! module (`task_store`, `elicitation_store`) that says what is written and when.

use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;

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
    pub elicitation: Option<ElicitationRow>,
    /// `loadElicitation`, `submitElicitation` (with `sealed`), `takeElicitation`.
    pub elicitation_id: Option<String>,
    /// `submitElicitation`: the sealed secrets (base64 AES-256-GCM; never the values).
    pub sealed: Option<String>,
    /// `findElicitation` (with `owner`): the newest submitted one for this action.
    pub action_id: Option<String>,
    /// `claimRates`: per row, give back `release`, then grant up to `want` without passing
    /// `limit`, in one transaction; answer each row with `granted` and `count`.
    pub rate_counts: Option<Vec<RateCountRow>>,
    /// `addUsage`: add each row's numbers to the stored row of its id (created when
    /// missing). `readUsage` (`nowMs`: the first minute, `owner`: only that principal's).
    /// `sweepUsage`: delete rows of minutes before `nowMs`, answer `count`.
    pub usage: Option<Vec<UsageRow>>,
    /// `createConfirmation`: the row.
    pub confirmation: Option<ConfirmationRow>,
    /// `loadConfirmation`, `setConfirmation` (with `owner`, `fromStatus`, `status`).
    pub confirmation_id: Option<String>,
    /// `setConfirmation`: the status it must have to change.
    pub from_status: Option<String>,
    /// `takeConfirmation` (with `owner`): the newest one with this binding answered on the
    /// page (confirmed or declined), marked used, answered as it was.
    pub binding: Option<String>,
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
    pub elicitation: Option<ElicitationRow>,
    /// `findElicitation`: its id, when there is one.
    pub elicitation_id: Option<String>,
    /// `claimRates`: the rows, answered.
    pub rate_counts: Option<Vec<RateCountRow>>,
    /// `readUsage`: the rows.
    pub usage: Option<Vec<UsageRow>>,
    /// `loadConfirmation`, `takeConfirmation` (the row as it was): the row, when there is one.
    pub confirmation: Option<ConfirmationRow>,
    /// `pendingConfirmations` (with `owner`): the rows, newest first.
    pub confirmations: Option<Vec<ConfirmationRow>>,
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
        rate_counts: None,
        usage: None,
        confirmation: None,
        confirmation_id: None,
        from_status: None,
        binding: None,
    }
}

/// One row of `mcp_actions_confirmations`. Times are milliseconds since the Unix epoch.
#[napi(object)]
pub struct ConfirmationRow {
    pub confirmation_id: String,
    /// The caller who was asked: the only one who may answer, and whose call may use it.
    pub owner: String,
    /// SHA-256 of the server, tool and exact arguments.
    pub binding: String,
    /// `""`: the default server.
    pub server: String,
    pub tool: String,
    pub action_id: String,
    pub action_title: Option<String>,
    pub question: String,
    /// The arguments' JSON text, shown to the owner (at most 4 KiB).
    pub arguments: String,
    pub rule: String,
    pub client: Option<String>,
    /// `pending`, `confirmed`, `declined` or `used`.
    pub status: String,
    pub created_ms: f64,
    pub expires_ms: f64,
}

/// One row of `mcp_elicitations`. Times are milliseconds since the Unix epoch.
#[napi(object)]
pub struct ElicitationRow {
    pub elicitation_id: String,
    /// The principal whose call started it: the only one who may see it and submit.
    pub owner: String,
    pub action_id: String,
    pub tool: String,
    pub action_title: Option<String>,
    pub action_description: Option<String>,
    /// JSON text of the action's secrets schema.
    pub secrets_schema: String,
    pub client: Option<String>,
    pub csrf_token: String,
    /// `pending`, `submitted` or `used`.
    pub status: String,
    /// The submitted secrets, sealed (base64 AES-256-GCM); never the values.
    pub sealed: Option<String>,
    pub created_ms: f64,
    pub expires_ms: f64,
}

/// One count of `mcp_actions_rate_counts`: a rule's calls of one caller in one window.
#[napi(object)]
pub struct RateCountRow {
    pub rule: String,
    pub principal: String,
    pub window_start_ms: f64,
    /// The window's end: the sweep deletes rows whose time this is.
    pub expires_ms: f64,
    pub limit: f64,
    pub release: f64,
    pub want: f64,
    pub granted: f64,
    pub count: f64,
}

/// One row of `mcp_actions_usage`: one minute of one server, tool, principal, client and
/// outcome. Names and numbers only.
#[napi(object)]
pub struct UsageRow {
    /// SHA-256 of the key's parts (the primary key).
    pub id: String,
    pub minute_ms: f64,
    /// `""`: the default server.
    pub server: String,
    pub tool: String,
    pub principal: String,
    pub client: String,
    pub client_version: String,
    /// `success`, `tool_error`, `protocol_error`, `rate_limited`, `read_only`, `permission`
    /// `secrets_missing` or `unconfirmed`.
    pub outcome: String,
    pub calls: f64,
    pub duration_ms: f64,
    pub result_bytes: f64,
    /// Calls per duration bucket (upper bounds 5, 10, 25, ... 60000 ms, then longer).
    pub buckets: Vec<f64>,
}
