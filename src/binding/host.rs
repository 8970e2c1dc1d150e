//! The engine's host over the shim's callbacks: listing and invoking actions, keeping tasks,
//! and letting go of credentials a task held.

use std::sync::Arc;

use napi::threadsafe_function::ThreadsafeFunctionCallMode;

use super::callbacks::{
    DeliverFn, HostOutcome, InvokeActionFn, InvokeRequest, ListActionsFn, StreamEvent,
};
use super::store::{TaskStoreFn, TaskStoreReply, TaskStoreRequest};
use crate::tasks::StoreError;
use crate::{ActionHost, CallContext, HostError};

/// The host over the shim's callbacks.
pub struct JsHost {
    pub(super) list_actions: ListActionsFn,
    pub(super) invoke_action: InvokeActionFn,
    /// Without one, no call becomes a task (a store that fails every write).
    pub(super) task_store: Option<TaskStoreFn>,
    pub(super) deliver: Arc<DeliverFn>,
}

fn host_failure(operation: &'static str) -> impl Fn(napi::Error) -> HostError {
    move |err| {
        let err = crate::Error::Host {
            operation,
            message: err.reason.clone(),
        };
        tracing::error!(code = err.code(), "{err}");
        HostError::new("HostFailure", err.to_string())
    }
}

/// The registry's invoke answer, with the output left as text.
#[derive(serde::Deserialize)]
struct InvokeResponse<'a> {
    #[serde(borrow, default)]
    output: Option<&'a serde_json::value::RawValue>,
}

fn outcome(result: HostOutcome) -> Result<String, HostError> {
    match result {
        HostOutcome {
            json: Some(json), ..
        } => Ok(json),
        HostOutcome {
            response: Some(response),
            ..
        } => match serde_json::from_str::<InvokeResponse>(&response) {
            Ok(InvokeResponse { output: Some(raw) }) => Ok(raw.get().to_owned()),
            Ok(InvokeResponse { output: None }) => Ok("null".to_owned()),
            Err(source) => {
                let err = crate::Error::Host {
                    operation: "invokeAction",
                    message: format!("the registry's answer is not JSON: {source}"),
                };
                tracing::error!(code = err.code(), "{err}");
                Err(HostError::new("HostFailure", err.to_string()))
            }
        },
        HostOutcome {
            error_name,
            error_message,
            ..
        } => Err(HostError::new(
            error_name.unwrap_or_else(|| "Error".into()),
            error_message.unwrap_or_default(),
        )),
    }
}

impl ActionHost for JsHost {
    async fn list_actions(&self, ctx: &CallContext) -> Result<String, HostError> {
        let fail = host_failure("listActions");
        let promise = self
            .list_actions
            .call_async_catch(ctx.credentials)
            .await
            .map_err(&fail)?;
        outcome(promise.await.map_err(&fail)?)
    }

    async fn invoke_action(
        &self,
        ctx: &CallContext,
        action_id: &str,
        tool: &str,
        input: String,
        secrets: Option<String>,
    ) -> Result<String, HostError> {
        let fail = host_failure("invokeAction");
        let promise = self
            .invoke_action
            .call_async_catch(InvokeRequest {
                credentials: ctx.credentials,
                action_id: action_id.to_owned(),
                tool_name: tool.to_owned(),
                ticket: ctx.request,
                input,
                traceparent: ctx.trace.as_ref().map(|t| t.traceparent.clone()),
                tracestate: ctx.trace.as_ref().and_then(|t| t.tracestate.clone()),
                baggage: ctx.trace.as_ref().and_then(|t| t.baggage.clone()),
                secrets,
            })
            .await
            .map_err(&fail)?;
        outcome(promise.await.map_err(&fail)?)
    }

    fn release_credentials(&self, ctx: &CallContext) {
        self.deliver.call(
            StreamEvent::release(ctx.credentials),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }
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
