//! What happened while answering a request, for the host's audit events and metrics. The
//! engine records; the host reports, after the answer is sent, in one batch per request.

use std::sync::Mutex;
use std::time::Instant;

/// One MCP operation a request performed.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// `tools/list` or `tools/call`.
    pub method: &'static str,
    /// The tool of a `tools/call`.
    pub tool: Option<String>,
    /// The tools a `tools/list` returned.
    pub tool_count: Option<usize>,
    /// `None`: success. `tool_error`: the tool ran and answered `isError: true`.
    pub error_type: Option<String>,
    /// What went wrong, for the audit event (`Name: message`).
    pub error: Option<String>,
    pub seconds: f64,
    /// A `mcpActions.confirm` rule asked about this call: its name, and `asked` (the client
    /// was asked and answers on the retry), `required` (the answer sends the user to the
    /// page), `confirmed`, `declined` or `timed_out`.
    pub confirmation: Option<(String, &'static str)>,
}

/// The observations of one request (batches run concurrently, hence the lock).
#[derive(Debug, Default)]
pub struct Observations(Mutex<Vec<Observation>>);

impl Observations {
    pub fn push(&self, observation: Observation) {
        if let Ok(mut list) = self.0.lock() {
            list.push(observation);
        }
    }

    pub fn take(&self) -> Vec<Observation> {
        self.0
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

/// Times one operation; `finish` records it.
pub(crate) struct Timer {
    started: Instant,
}

impl Timer {
    pub(crate) fn start() -> Self {
        Self {
            started: Instant::now(),
        }
    }

    pub(crate) fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}
