//! Every JavaScript callback the engine calls, with the values that cross.
//!
//! Form per the toolchain notes: `CalleeHandled = false` (plain `(arg) => ...` callbacks),
//! `Weak = true` (the process can exit), called with `call_async_catch` and the returned
//! Promise awaited, so a JS throw is an `Err`, never a fatal exception.

use std::collections::HashMap;

use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;

/// What `listActions` / `invokeAction` resolve to: `json` on success (the action list, or an
/// action's output), or for `invokeAction` the registry's answer `{ "output": ... }` as it
/// came (`response`, so the output is not parsed and serialized again in JavaScript);
/// otherwise the error's Backstage `name` and `message` (`ResponseError` causes unwrapped).
#[napi(object)]
pub struct HostOutcome {
    pub json: Option<String>,
    pub response: Option<String>,
    pub error_name: Option<String>,
    pub error_message: Option<String>,
}

/// The argument of `invokeAction`.
#[napi(object)]
pub struct InvokeRequest {
    /// Handle of the caller's credentials in the shim's table.
    pub credentials: u32,
    pub action_id: String,
    /// The tool name the client called.
    pub tool_name: String,
    /// The shim's number for the HTTP request behind the call.
    pub ticket: Option<u32>,
    /// JSON text of the arguments object.
    pub input: String,
    /// W3C trace context from the request's `params._meta` (2026-07-28), for the call's
    /// span when the HTTP request carried none.
    pub traceparent: Option<String>,
    pub tracestate: Option<String>,
    pub baggage: Option<String>,
    /// JSON text of the secrets the user submitted for this call: invoke with the
    /// registry's v2 route (`{ input, secrets }`). Never log it.
    pub secrets: Option<String>,
}

/// One log line for the Backstage logger.
#[napi(object)]
pub struct LogRecord {
    /// `error`, `warn`, `info` or `debug`.
    pub level: String,
    pub message: String,
    pub fields: HashMap<String, String>,
}

/// `(credentials: number) => Promise<HostOutcome>`
pub type ListActionsFn = ThreadsafeFunction<u32, Promise<HostOutcome>, u32, Status, false, true>;

/// `(request: InvokeRequest) => Promise<HostOutcome>`
pub type InvokeActionFn =
    ThreadsafeFunction<InvokeRequest, Promise<HostOutcome>, InvokeRequest, Status, false, true>;

/// `(record: LogRecord) => void`, called without waiting.
pub type LogFn = ThreadsafeFunction<LogRecord, (), LogRecord, Status, false, true>;

/// Something for an open SSE response: a chunk to write, the end of the stream, and/or a
/// credentials handle the shim can release now (its call has finished), with the
/// observations of that call and the shim's ticket for the request that made it.
#[napi(object)]
pub struct StreamEvent {
    pub session: String,
    pub chunk: Option<String>,
    pub end: bool,
    pub release: Option<u32>,
    pub ticket: Option<u32>,
    pub observations: Option<Vec<ObservationRecord>>,
    /// `chunk` belongs to the still-running POST with this ticket (progress of a long call,
    /// before its answer), not to a session's stream: start its SSE response if need be.
    pub response_of: Option<u32>,
}

impl StreamEvent {
    /// Only: release a credentials handle.
    pub fn release(handle: u32) -> Self {
        Self {
            session: String::new(),
            chunk: None,
            end: false,
            release: Some(handle),
            ..Self::chunk(String::new(), None)
        }
    }

    /// End a session's stream.
    pub fn end(session: String) -> Self {
        Self {
            end: true,
            ..Self::chunk(session, None)
        }
    }

    /// Write a chunk to a session's stream.
    pub fn chunk(session: String, chunk: Option<String>) -> Self {
        Self {
            session,
            chunk,
            end: false,
            release: None,
            ticket: None,
            observations: None,
            response_of: None,
        }
    }
}

/// One MCP operation a request performed, for audit events and metrics.
#[napi(object)]
pub struct ObservationRecord {
    /// `tools/list` or `tools/call`.
    pub method: String,
    pub tool: Option<String>,
    pub tool_count: Option<u32>,
    /// Unset on success; `tool_error` for an `isError` result; else the JSON-RPC error code.
    pub error_type: Option<String>,
    /// `Name: message` of a tool error, or the JSON-RPC error message.
    pub error: Option<String>,
    pub seconds: f64,
    /// `tools/call` a `mcpActions.confirm` rule asked about: the rule's name.
    pub confirmation_rule: Option<String>,
    /// ... and what it came to: `asked`, `required`, `confirmed`, `declined` or `timed_out`.
    pub confirmation: Option<String>,
}

impl From<crate::engine::Observation> for ObservationRecord {
    fn from(o: crate::engine::Observation) -> Self {
        Self {
            method: o.method.to_owned(),
            tool: o.tool,
            tool_count: o.tool_count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            error_type: o.error_type,
            error: o.error,
            seconds: o.seconds,
            confirmation_rule: o.confirmation.as_ref().map(|(rule, _)| rule.clone()),
            confirmation: o.confirmation.map(|(_, what)| what.to_owned()),
        }
    }
}

/// The observations of a request, `None` when there were none.
pub fn records(observed: &crate::engine::Observations) -> Option<Vec<ObservationRecord>> {
    let list = observed.take();
    (!list.is_empty()).then(|| list.into_iter().map(Into::into).collect())
}

/// `(event: StreamEvent) => void`, called without waiting.
pub type DeliverFn = ThreadsafeFunction<StreamEvent, (), StreamEvent, Status, false, true>;

/// Hands `event` to the shim's deliver callback without waiting.
pub(super) fn send(deliver: &DeliverFn, event: StreamEvent) {
    deliver.call(
        event,
        napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking,
    );
}
