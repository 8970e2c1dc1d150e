//! What an action's answer means for its tool call, whether the call waits for it or it runs
//! on as a task.

use rmcp::model::ErrorData;
use serde_json::value::RawValue;
use tracing::{debug, error, warn};

use crate::host::{CallContext, HostError};
use crate::protocol::jsonrpc::internal_error;
use crate::tools::result;
use crate::Error;

/// A running action, owned.
pub(crate) type Invocation =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, HostError>> + Send>>;

/// What an action's answer means for its tool call.
pub(crate) enum Answer {
    /// Its output (valid JSON).
    Output(Box<RawValue>),
    /// The registry does not know the action (a renamed tool, or none).
    Missing,
    /// A known Backstage error: an `isError` result the model can read.
    ToolError { name: String, message: String },
    /// Anything else: a JSON-RPC error (the details are in the server log).
    Fault { error: ErrorData, name: String },
}

/// What the answer of `action_id` (called as `tool`) means, logged as the server log needs.
pub(crate) fn answer_of(
    invoked: Result<String, HostError>,
    action_id: &str,
    tool: &str,
    ctx: &CallContext,
) -> Answer {
    match invoked {
        Ok(output) => match RawValue::from_string(output) {
            Ok(output) => Answer::Output(output),
            Err(source) => {
                let err = Error::BadOutput {
                    action_id: action_id.to_owned(),
                    source,
                };
                error!(code = err.code(), "{err}");
                Answer::Fault {
                    error: internal_error(format!(
                        "Internal error: tool \"{tool}\" returned output that is not JSON"
                    )),
                    name: "BadOutput".to_owned(),
                }
            }
        },
        Err(HostError { name, message })
            if name == "NotFoundError"
                && message == format!("Action \"{action_id}\" not found") =>
        {
            Answer::Missing
        }
        Err(HostError { name, message }) if result::is_known_error(&name) => {
            debug!(tool = %tool, error = %name, "tool reported an error");
            Answer::ToolError { name, message }
        }
        Err(HostError { name, message }) => {
            warn!(tool = %tool, action = %action_id, principal = %ctx.principal, error = %name,
                "tool call failed: {message}");
            Answer::Fault {
                error: internal_error(format!(
                    "Internal error: tool \"{tool}\" failed unexpectedly; the server log has the details"
                )),
                name,
            }
        }
    }
}
