//! The crate's one error type. Each variant carries the context a log line needs.

/// Failures inside the engine. Tool failures are not errors here: they become
/// `isError: true` tool results; these become JSON-RPC errors or log lines.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The JavaScript side failed in a way it did not describe as a Backstage error.
    #[error("host call `{operation}` failed: {message}")]
    Host {
        operation: &'static str,
        message: String,
    },
    /// The action list handed over by the host is not the JSON shape we expect.
    #[error("the action list is not valid: {source}")]
    BadActionList {
        #[source]
        source: serde_json::Error,
    },
    /// An action's output crossed the boundary as something that is not JSON.
    #[error("action `{action_id}` returned output that is not JSON: {source}")]
    BadOutput {
        action_id: String,
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// A stable code the JS side and logs can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Host { .. } => "HOST_FAILURE",
            Error::BadActionList { .. } => "BAD_ACTION_LIST",
            Error::BadOutput { .. } => "BAD_ACTION_OUTPUT",
        }
    }
}
