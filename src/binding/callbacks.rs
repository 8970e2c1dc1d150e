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

/// What `listActions` / `invokeAction` resolve to: `json` on success, otherwise the error's
/// Backstage `name` and `message` (the shim unwraps `ResponseError` causes first).
#[napi(object)]
pub struct HostOutcome {
    pub json: Option<String>,
    pub error_name: Option<String>,
    pub error_message: Option<String>,
}

/// The argument of `invokeAction`.
#[napi(object)]
pub struct InvokeRequest {
    /// Handle of the caller's credentials in the shim's table.
    pub credentials: u32,
    pub action_id: String,
    /// JSON text of the arguments object.
    pub input: String,
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
/// credentials handle the shim can release now (its call has finished).
#[napi(object)]
pub struct StreamEvent {
    pub session: String,
    pub chunk: Option<String>,
    pub end: bool,
    pub release: Option<u32>,
}

/// `(event: StreamEvent) => void`, called without waiting.
pub type DeliverFn = ThreadsafeFunction<StreamEvent, (), StreamEvent, Status, false, true>;
