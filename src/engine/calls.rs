//! `tools/call`: find the action a tool stands for, run it with the caller's credentials
//! within the limits (calls per principal, timeout), report progress, and let the client
//! cancel it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rmcp::model::ErrorData;
use serde_json::Value;
use tracing::{debug, warn};

use super::answers::{answer_of, Answer, Invocation};
use super::cancel::{CallKey, Cancelled};
use super::confirm::{ConfirmStep, Decided};
use super::observe::Timer;
use super::secrets::{needs_secrets, SecretsStep};
use super::{progress, Engine, Observation, ProgressSink, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::LogLevel;
use crate::protocol::jsonrpc::{self, invalid_params, params_object, Outcome};
use crate::tasks::promotion::Promotion;
use crate::tools::mapping::is_valid_tool_name;
use crate::tools::result;

impl<H: ActionHost> Engine<H> {
    /// The action a tool name stands for in this scope, found through the action list.
    async fn lookup(
        &self,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Option<String>, ErrorData> {
        Ok(self
            .scoped_tools(scope, ctx)
            .await?
            .iter()
            .find(|t| t.tool.name == tool)
            .map(|t| t.action_id.clone()))
    }

    /// The action id a namespaced tool name stands for when the name and the server's rules
    /// settle it without the action list. `Err(())`: the name cannot be a tool at all.
    fn direct(&self, tool: &str, scope: &Scope<'_>) -> Result<Option<String>, ()> {
        let Some(id) = self.config.naming.action_id(tool) else {
            return if self.config.naming.namespaced {
                Err(())
            } else {
                Ok(None)
            };
        };
        let plugin = id.split(':').next().unwrap_or_default();
        if !self.config.plugin_sources.iter().any(|p| p == plugin) {
            // Every tool name starts with its plugin: no plugin, no tool.
            return Err(());
        }
        Ok((scope.server.filter.allows_id(&id, scope.read_only) == Some(true)).then_some(id))
    }

    /// `tools/call`: of a tool, or in search mode, of one of the three that stand in for
    /// the catalog.
    pub(crate) async fn call_tool(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        match self.meta_call_of(&params, scope) {
            Some(meta) => self.meta_call(meta, params, scope, ctx).await,
            None => self.call_tool_observed(params, scope, ctx).await,
        }
    }

    /// `tools/call` of a tool, recorded for the audit log and the metrics.
    pub(super) async fn call_tool_observed(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let timer = Timer::start();
        let tool = params
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut failure = None;
        let mut decided = None;
        let outcome = self
            .call_tool_inner(params, scope, ctx, &mut failure, &mut decided)
            .await;
        let seconds = timer.seconds();
        if let Some(tool) = tool.as_deref() {
            self.record_usage(tool, &outcome, failure.as_deref(), seconds, scope, ctx);
        }
        let (error_type, error) = match (&outcome, failure) {
            (Err(e), _) => (Some(e.code.0.to_string()), Some(e.message.to_string())),
            (Ok(_), Some(description)) => (Some("tool_error".to_owned()), Some(description)),
            (Ok(_), None) => (None, None),
        };
        scope.observed.push(Observation {
            method: "tools/call",
            tool,
            tool_count: None,
            error_type,
            error,
            seconds,
            confirmation: decided,
        });
        outcome
    }

    /// Wait for `invoke` as long as the call timeout allows, sending progress to `sink` at
    /// the progress interval. `Err(())`: the timeout passed first.
    async fn with_progress<T>(
        &self,
        invoke: impl std::future::Future<Output = T> + Unpin,
        token: &Value,
        sink: &dyn ProgressSink,
        streamed: &AtomicBool,
        tool: &str,
    ) -> Result<T, ()> {
        let started = tokio::time::Instant::now();
        let interval = self.config.progress_interval;
        let deadline = tokio::time::sleep(self.config.tool_call_timeout);
        let mut ticks = tokio::time::interval_at(started + interval, interval);
        let mut invoke = invoke;
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                outcome = &mut invoke => return Ok(outcome),
                _ = &mut deadline => return Err(()),
                _ = ticks.tick() => {
                    streamed.store(true, Ordering::Release);
                    sink.send(progress::progress_event(token, started.elapsed(), tool));
                }
            }
        }
    }

    /// `notifications/cancelled`: stop the caller's running call with that request id. On a
    /// stateless server several clients of one principal may use the same id: then only a
    /// call that is the only one with it is cancelled.
    pub(crate) fn cancel(&self, params: Option<Value>, scope: &Scope<'_>, ctx: &CallContext) {
        let Some(id) = params
            .as_ref()
            .and_then(|p| p.get("requestId"))
            .filter(|id| id.is_string() || id.is_number())
        else {
            debug!("notifications/cancelled without a usable requestId: ignored");
            return;
        };
        match self
            .cancellable
            .cancel(&CallKey::new(ctx, scope.session, id))
        {
            Cancelled::Done => debug!(principal = %ctx.principal, "cancelling a tool call"),
            Cancelled::Ambiguous(n) => warn!(principal = %ctx.principal, calls = n,
                "notifications/cancelled names a request id that {n} running calls of this caller share: none cancelled"),
            Cancelled::NotRunning => {
                debug!("notifications/cancelled for a call that is not running: ignored")
            }
        }
    }

    async fn call_tool_inner(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
        failure: &mut Option<String>,
        decided: &mut Option<Decided>,
    ) -> Outcome {
        let mut params = params_object(params)?;
        let name = match params.remove("name") {
            Some(Value::String(name)) if !name.is_empty() => name,
            Some(_) => {
                return Err(invalid_params(
                    "Invalid params: \"name\" must be a non-empty string",
                ))
            }
            None => {
                return Err(invalid_params(
                    "Invalid params: missing tool name (\"name\")",
                ))
            }
        };
        let input = match params.remove("arguments") {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(args @ Value::Object(_)) => args.to_string(),
            Some(_) => {
                return Err(invalid_params(format!(
                    "Invalid params: \"arguments\" of tool \"{}\" must be an object",
                    jsonrpc::shown(&name)
                )))
            }
        };
        let unknown = || invalid_params(format!("Unknown tool: {}", jsonrpc::shown(&name)));
        if !is_valid_tool_name(&name) {
            return Err(unknown());
        }
        let progress_token = progress::progress_token(&params);
        // 2026-07-28: the retry of an `input_required` answer echoes its state.
        let request_state = params
            .get("requestState")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut secrets: Option<String> = None;
        let direct = self.direct(&name, scope).map_err(|()| unknown())?;
        let mut looked_up = direct.is_none();
        let mut action_id = match direct {
            Some(id) => id,
            None => self.lookup(&name, scope, ctx).await?.ok_or_else(unknown)?,
        };
        self.within_rate_limits(&name, scope, ctx).await?;
        if let Some(rule) = self.confirm_rule(&name, scope, ctx).await? {
            let step = self
                .confirmed(
                    rule, &name, &action_id, &input, &params, scope, ctx, failure, decided,
                )
                .await?;
            if let ConfirmStep::Answer(answer) = step {
                return Ok(answer);
            }
        }
        let running = self.admit_call(&ctx.principal)?;
        // Trace context from `_meta` travels with the call for the host's span.
        let traced;
        let ctx = match &scope.request.trace {
            Some(trace) => {
                traced = CallContext {
                    trace: Some(trace.clone()),
                    ..ctx.clone()
                };
                &traced
            }
            None => ctx,
        };
        let mut running = Some(running);
        loop {
            scope.log(LogLevel::Debug, || {
                format!("calling action {action_id} for tool {name}")
            });
            let timeout = self.config.tool_call_timeout;
            let mut invocation = self.invocation(ctx, &action_id, &name, &input, secrets.clone());
            let mut promotion = self.promotion(&action_id, scope);
            if promotion == Promotion::Now
                && secrets.is_none()
                && self.needs_secrets_first(&action_id, ctx).await
            {
                // A task from the start would run without the user's secrets: ask first
                // (the registry refuses at once), and become a task on the retry.
                promotion = Promotion::Never;
            }
            let wait = async {
                match (&progress_token, scope.progress) {
                    (Some(token), Some(sink)) => {
                        self.with_progress(&mut invocation, token, sink, scope.streamed, &name)
                            .await
                    }
                    _ => tokio::time::timeout(timeout, &mut invocation)
                        .await
                        .map_err(|_| ()),
                }
            };
            let delay = match promotion {
                Promotion::Never => None,
                Promotion::Now => Some(std::time::Duration::ZERO),
                Promotion::After(delay) => Some(delay),
            };
            let invoked = match delay {
                None => wait.await,
                Some(delay) => {
                    // `always` (no delay): a task before the action starts.
                    let answered = if delay.is_zero() {
                        drop(wait);
                        None
                    } else {
                        tokio::select! {
                            biased;
                            invoked = wait => Some(invoked),
                            _ = tokio::time::sleep(delay) => None,
                        }
                    };
                    match answered {
                        Some(invoked) => invoked,
                        None => {
                            let run = running.take().expect("a call is promoted once");
                            match self
                                .promote(invocation, run, ctx, &name, &action_id, scope)
                                .await
                            {
                                Ok(answer) => return Ok(answer),
                                Err((back, run)) => {
                                    // No task (the store failed): wait as for any call.
                                    running = Some(run);
                                    invocation = back;
                                    let remaining = timeout.saturating_sub(delay);
                                    tokio::time::timeout(remaining, &mut invocation)
                                        .await
                                        .map_err(|_| ())
                                }
                            }
                        }
                    }
                }
            };
            let Ok(invoked) = invoked else {
                warn!(tool = %name, action = %action_id, principal = %ctx.principal,
                    "tool call timed out after {} s", timeout.as_secs_f64());
                let message = format!(
                    "the action did not finish within {} seconds (mcpActions.toolCallTimeout); it may still complete on the server",
                    timeout.as_secs_f64()
                );
                scope.log(LogLevel::Error, || {
                    format!("tool {name} timed out: {message}")
                });
                *failure = Some(format!("TimeoutError: {message}"));
                return Ok(result::tool_error("TimeoutError", &message, &scope.frame));
            };
            match answer_of(invoked, &action_id, &name, ctx) {
                Answer::Output(output) => {
                    scope.log(LogLevel::Debug, || {
                        format!(
                            "action {action_id} finished: {} bytes of output",
                            output.get().len()
                        )
                    });
                    return Ok(self.within_budget(&output, &name, scope, ctx).await);
                }
                Answer::Missing => {
                    if looked_up {
                        return Err(unknown());
                    }
                    // The name is not its natural action's: a renamed tool, or none.
                    looked_up = true;
                    action_id = self.lookup(&name, scope, ctx).await?.ok_or_else(unknown)?;
                }
                Answer::ToolError {
                    name: err_name,
                    message,
                } if secrets.is_none() && needs_secrets(&err_name, &message, &action_id) => {
                    match self
                        .secrets_step(&name, &action_id, request_state.as_deref(), scope, ctx)
                        .await?
                    {
                        SecretsStep::Retry(given) => secrets = Some(given),
                        SecretsStep::Answer(answer) => {
                            *failure = Some(
                                "SecretsRequired: the user was asked for the tool's secrets"
                                    .to_owned(),
                            );
                            return Ok(answer);
                        }
                    }
                }
                Answer::ToolError {
                    name: err_name,
                    message,
                } => {
                    scope.log(LogLevel::Warning, || {
                        format!("tool {name} reported {err_name}: {message}")
                    });
                    *failure = Some(format!("{err_name}: {message}"));
                    return Ok(result::tool_error(&err_name, &message, &scope.frame));
                }
                Answer::Fault {
                    error,
                    name: err_name,
                } => {
                    scope.log(LogLevel::Error, || {
                        format!("tool {name} failed unexpectedly ({err_name})")
                    });
                    return Err(error);
                }
            }
        }
    }

    /// The action's run, owned, so that a call that becomes a task can take it along.
    fn invocation(
        &self,
        ctx: &CallContext,
        action_id: &str,
        tool: &str,
        input: &str,
        secrets: Option<String>,
    ) -> Invocation {
        let host = Arc::clone(&self.host);
        let (ctx, action_id, tool, input) = (
            ctx.clone(),
            action_id.to_owned(),
            tool.to_owned(),
            input.to_owned(),
        );
        Box::pin(async move {
            host.invoke_action(&ctx, &action_id, &tool, input, secrets)
                .await
        })
    }
}
