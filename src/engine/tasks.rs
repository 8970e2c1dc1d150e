//! MCP Tasks in the engine: a `tools/call` that becomes a task, the background run that
//! stores its outcome, the heartbeat of the tasks this instance runs, and `tasks/get`,
//! `tasks/cancel` and `tasks/update`. The rules are in `crate::tasks`; the rows are the
//! host's ([`crate::tasks::TaskStore`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rmcp::model::{ErrorCode, ErrorData};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tracing::instrument::WithSubscriber;
use tracing::{debug, error, info, warn};

use super::answers::{answer_of, Answer, Invocation};
use super::inflight::InFlight;
use super::{Engine, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::frame::Frame;
use crate::protocol::jsonrpc::{
    internal_error, invalid_params, params_object, shown, to_raw, Outcome,
};
use crate::tasks::promotion::Promotion;
use crate::tasks::{self, Outcome as TaskOutcome, Task};
use crate::tools::result;

/// Internal header of an answer whose request's credentials a task still uses: the binding
/// strips it and tells the shim to keep them (they come back through `deliver`).
pub const HELD_KEY: &str = "x-mcp-actions-held";

/// JSON-RPC error code of a request that needs a capability the client did not declare.
pub const MISSING_CAPABILITY: i32 = -32021;

/// The tasks this instance runs: how to stop waiting for each.
#[derive(Default, Clone)]
pub(crate) struct Runs(Arc<Mutex<HashMap<String, oneshot::Sender<()>>>>);

impl Runs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stop waiting for task `id`, if it runs here.
    pub(super) fn stop(&self, id: &str) -> bool {
        self.lock().remove(id).is_some_and(|s| s.send(()).is_ok())
    }

    fn ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A task's answer: its fields and the result frame.
#[derive(Serialize)]
struct TaskAnswer<'a> {
    #[serde(flatten)]
    task: Value,
    #[serde(flatten)]
    frame: Frame<'a>,
}

/// The error of a task a caller may not see: unknown, expired, or someone else's.
fn not_found(id: &str) -> ErrorData {
    invalid_params(format!(
        "Failed to retrieve task: no task \"{}\" for this caller (unknown, expired, or created by another principal)",
        shown(id)
    ))
}

fn store_failed(err: tasks::StoreError) -> ErrorData {
    error!(code = "MCP_ACTIONS_TASK_STORE", "{err}");
    internal_error(
        "Internal error: the task store could not be read; the server log has the details",
    )
}

/// The stored outcome of an action's answer (a run that is a task: no progress, no retry).
fn task_outcome(answer: Answer, tool: &str) -> TaskOutcome {
    // The stored result is a `CallToolResult` of the 2026-07-28 era (`resultType` included,
    // as every result of that revision; no `_meta`: the task's answer carries it).
    let frame = Frame {
        result_type: Some("complete"),
        any_structured: true,
        ..Frame::default()
    };
    match answer {
        Answer::Output(output) => {
            TaskOutcome::Completed(result::success(&output, &frame).get().to_owned())
        }
        Answer::ToolError { name, message } => {
            TaskOutcome::Completed(result::tool_error(&name, &message, &frame).get().to_owned())
        }
        Answer::Missing => TaskOutcome::Failed(error_text(invalid_params(format!(
            "Unknown tool: {}",
            shown(tool)
        )))),
        Answer::Fault { error, .. } => TaskOutcome::Failed(error_text(error)),
    }
}

fn error_text(error: ErrorData) -> String {
    serde_json::to_string(&error)
        .unwrap_or_else(|_| json!({ "code": -32603, "message": "Internal error" }).to_string())
}

impl<H: ActionHost> Engine<H> {
    /// Whether (and when) a call of `action_id` in this scope becomes a task: only in the
    /// 2026-07-28 era, with tasks on, for a request that declares the extension.
    pub(crate) fn promotion(&self, action_id: &str, scope: &Scope<'_>) -> Promotion {
        let config = &self.config.tasks;
        if !config.enabled || !scope.request.is_modern() {
            return Promotion::Never;
        }
        let declared = tasks::declared(scope.request.client_capabilities.as_ref());
        config.rules.decide(action_id, declared)
    }

    /// Make a running call a task: write its row (durably, before answering), then let the
    /// action run on in the background and store its outcome. The answer is the
    /// `CreateTaskResult`. When no task can be written, the call comes back to be waited
    /// for as usual.
    pub(crate) async fn promote(
        &self,
        invocation: Invocation,
        running: InFlight,
        ctx: &CallContext,
        tool: &str,
        action_id: &str,
        scope: &Scope<'_>,
    ) -> Result<Box<serde_json::value::RawValue>, (Invocation, InFlight)> {
        let config = &self.config.tasks;
        let Some(id) = tasks::new_task_id() else {
            error!("no task: the system's random source failed");
            return Err((invocation, running));
        };
        let task = Task::new(
            id.clone(),
            &ctx.principal,
            now_ms(),
            config.ttl.as_millis() as u64,
            config.poll_interval.as_millis() as u64,
        )
        .with_tool(tool);
        if let Err(err) = self.host.create(&task).await {
            error!(code = "MCP_ACTIONS_TASK_STORE", tool = %tool,
                "the call goes on without a task: {err}");
            return Err((invocation, running));
        }
        let answer = match to_raw(&TaskAnswer {
            task: task.to_json(),
            frame: Frame {
                result_type: Some("task"),
                ..scope.frame
            },
        }) {
            Ok(answer) => answer,
            Err(_) => return Err((invocation, running)),
        };
        info!(task = %id, tool = %tool, principal = %ctx.principal, "tool call became a task");
        scope.held.store(true, std::sync::atomic::Ordering::Release);
        let (stop, stopped) = oneshot::channel();
        self.runs.lock().insert(id.clone(), stop);
        let run = Run {
            host: Arc::clone(&self.host),
            runs: self.runs.clone(),
            id,
            tool: tool.to_owned(),
            action_id: action_id.to_owned(),
            ctx: ctx.clone(),
            max_result_bytes: config.max_result_bytes,
            lifetime: config.ttl,
        };
        tokio::spawn(
            run.go(invocation, running, stopped)
                .with_current_subscriber(),
        );
        Ok(answer)
    }

    /// Refresh the heartbeat of the tasks this instance runs, and stop waiting for those that
    /// ended elsewhere (cancelled through another replica). Returns how many run here.
    pub async fn beat_tasks(&self) -> usize {
        let ids = self.runs.ids();
        if ids.is_empty() {
            return 0;
        }
        match self.host.heartbeat(&ids, now_ms()).await {
            Ok(ended) => {
                for id in ended {
                    if self.runs.stop(&id) {
                        debug!(task = %id, "the task ended elsewhere: no longer waiting for it");
                    }
                }
            }
            Err(err) => warn!(
                code = "MCP_ACTIONS_TASK_STORE",
                "task heartbeat failed: {err}"
            ),
        }
        self.runs.ids().len()
    }

    /// Delete the tasks whose TTL passed; how many (the host's scheduler calls it).
    pub async fn sweep_tasks(&self) -> Result<usize, String> {
        let swept = self.host.sweep(now_ms()).await.map_err(|e| e.to_string())?;
        Ok(swept + self.sweep_usage().await)
    }

    /// Shutdown: stop waiting for the tasks running here and mark them failed at once (no
    /// reader has to wait for their heartbeat to go stale); how many.
    pub async fn stop_tasks(&self) -> usize {
        let ids = self.runs.ids();
        for id in &ids {
            self.runs.stop(id);
            if let Err(err) = self.host.finish(id, TaskOutcome::lost(), now_ms()).await {
                warn!(code = "MCP_ACTIONS_TASK_STORE", task = %id, "{err}");
            }
        }
        if !ids.is_empty() {
            warn!(tasks = ids.len(), "shutdown: tasks running here end failed");
        }
        ids.len()
    }

    /// Tasks running in this instance.
    pub fn tasks_running(&self) -> usize {
        self.runs.ids().len()
    }

    /// `tasks/get`, `tasks/cancel` and `tasks/update`.
    pub(crate) async fn task_method(
        &self,
        method: &str,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        if !tasks::declared(scope.request.client_capabilities.as_ref()) {
            return Err(ErrorData::new(
                ErrorCode(MISSING_CAPABILITY),
                format!(
                    "Missing required client capability: {method} needs the {} extension in _meta[\"io.modelcontextprotocol/clientCapabilities\"].extensions",
                    tasks::EXTENSION
                ),
                Some(json!({ "requiredCapabilities": { "extensions": { tasks::EXTENSION: {} } } })),
            ));
        }
        let params = params_object(params)?;
        let id = match params.get("taskId") {
            Some(Value::String(id)) if !id.is_empty() => id.as_str(),
            Some(_) => {
                return Err(invalid_params(
                    "Invalid params: \"taskId\" must be a non-empty string",
                ))
            }
            None => return Err(invalid_params("Invalid params: missing \"taskId\"")),
        };
        let now = now_ms();
        let limit = self.config.tasks.heartbeat_limit_ms();
        match method {
            "tasks/get" => {
                let task = tasks::read_for(&*self.host, &ctx.principal, id, now, limit)
                    .await
                    .map_err(store_failed)?
                    .ok_or_else(|| not_found(id))?;
                to_raw(&TaskAnswer {
                    task: task.to_json(),
                    frame: scope.frame,
                })
            }
            "tasks/cancel" => {
                let cancelled = tasks::cancel_for(&*self.host, &ctx.principal, id, now)
                    .await
                    .map_err(store_failed)?
                    .ok_or_else(|| not_found(id))?;
                if cancelled {
                    info!(task = %id, principal = %ctx.principal, "task cancelled");
                    self.runs.stop(id);
                }
                to_raw(&scope.frame)
            }
            _ => {
                tasks::read_for(&*self.host, &ctx.principal, id, now, limit)
                    .await
                    .map_err(store_failed)?
                    .ok_or_else(|| not_found(id))?;
                Err(invalid_params(
                    "Invalid params: tasks/update has nothing to update: Backstage actions take no input while they run, so this server never asks for any (no task is ever input_required)",
                ))
            }
        }
    }
}

/// A call that became a task, running on in the background.
struct Run<H> {
    host: Arc<H>,
    runs: Runs,
    id: String,
    tool: String,
    action_id: String,
    ctx: CallContext,
    max_result_bytes: usize,
    lifetime: std::time::Duration,
}

impl<H: ActionHost> Run<H> {
    async fn go(self, invocation: Invocation, running: InFlight, stopped: oneshot::Receiver<()>) {
        let outcome = tokio::select! {
            invoked = invocation => {
                let answer = answer_of(invoked, &self.action_id, &self.tool, &self.ctx);
                Some(task_outcome(answer, &self.tool))
            }
            _ = stopped => None,
            _ = tokio::time::sleep(self.lifetime) => Some(TaskOutcome::Failed(error_text(internal_error(format!(
                "Internal error: the action did not finish within the task's lifetime of {} seconds (mcpActions.tasks.ttlSeconds)",
                self.lifetime.as_secs()
            ))))),
        };
        drop(running);
        self.runs.lock().remove(&self.id);
        if let Some(outcome) = outcome {
            let outcome = tasks::within_limit(outcome, self.max_result_bytes);
            let status = match &outcome {
                TaskOutcome::Completed(_) => "completed",
                TaskOutcome::Failed(_) => "failed",
                TaskOutcome::Cancelled => "cancelled",
            };
            match self.host.finish(&self.id, outcome, now_ms()).await {
                Ok(true) => info!(task = %self.id, tool = %self.tool, status, "task finished"),
                Ok(false) => {
                    debug!(task = %self.id, "task had already ended (cancelled or expired)")
                }
                Err(err) => error!(code = "MCP_ACTIONS_TASK_STORE", task = %self.id,
                    "the outcome of a task could not be stored: {err}"),
            }
        } else {
            debug!(task = %self.id, "stopped waiting for a cancelled task");
        }
        self.host.release_credentials(&self.ctx);
    }
}
