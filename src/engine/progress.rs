//! Progress of long tool calls: while an action runs, a request that carried
//! `_meta.progressToken` gets `notifications/progress` at an interval, the elapsed time as
//! progress (so it always increases), on its SSE response or its session's stream.

use std::time::Duration;

use serde_json::{json, Value};

use crate::protocol::context::LogLevel;
use crate::protocol::http::sse_message;

/// Where progress goes: the SSE response of the request, or its session's stream. The
/// engine hands over SSE-framed chunks, in order, before the answer.
pub trait ProgressSink: Send + Sync {
    fn send(&self, chunk: String);
}

/// The `notifications/progress` event for `token`, `elapsed` into the call of `tool`.
pub fn progress_event(token: &Value, elapsed: Duration, tool: &str) -> String {
    let seconds = (elapsed.as_millis() as f64) / 1000.0;
    sse_message(
        &json!({
            "jsonrpc": "2.0",
            "method": "notifications/progress",
            "params": {
                "progressToken": token,
                "progress": seconds,
                "message": format!("tool \"{tool}\" has been running for {} s", elapsed.as_secs()),
            }
        })
        .to_string(),
    )
}

/// A `notifications/message` event: a log event about the request, for a client that asked
/// for them with `_meta["io.modelcontextprotocol/logLevel"]`.
pub fn log_event(level: LogLevel, message: &str) -> String {
    sse_message(
        &json!({
            "jsonrpc": "2.0",
            "method": "notifications/message",
            "params": {
                "level": level.name(),
                "logger": "mcp-actions",
                "data": { "message": message },
            }
        })
        .to_string(),
    )
}

/// A progress token as MCP allows it: a string or an integer.
pub fn progress_token(params: &serde_json::Map<String, Value>) -> Option<Value> {
    match params.get("_meta")?.get("progressToken")? {
        token @ Value::String(_) => Some(token.clone()),
        token @ Value::Number(n) if n.is_i64() || n.is_u64() => Some(token.clone()),
        _ => None,
    }
}
