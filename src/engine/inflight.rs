//! The per-principal limit on running tool calls
//! (`mcpActions.limits.maxConcurrentCallsPerPrincipal`): a call holds its slot until it is
//! dropped, including a call that became a task and runs on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rmcp::model::{ErrorCode, ErrorData};
use tracing::warn;

use super::Engine;
use crate::host::ActionHost;

/// JSON-RPC error code (implementation-defined server error) of a tool call refused because
/// its caller has too many running.
pub const TOO_MANY_CALLS: i32 = -32029;

/// One running tool call of a principal; the count goes down when it is dropped (the call
/// finished, timed out, or its request went away).
pub(crate) struct InFlight {
    table: Arc<Mutex<HashMap<String, usize>>>,
    principal: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = table.get_mut(&self.principal) {
            *n -= 1;
            if *n == 0 {
                table.remove(&self.principal);
            }
        }
    }
}

impl<H: ActionHost> Engine<H> {
    /// Count one more running call for `principal`, or refuse it when it has as many running
    /// as `mcpActions.limits.maxConcurrentCallsPerPrincipal` allows.
    pub(super) fn admit_call(&self, principal: &str) -> Result<InFlight, ErrorData> {
        let limit = self.config.max_calls_per_principal;
        let mut table = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let running = table.entry(principal.to_owned()).or_insert(0);
        if limit > 0 && *running >= limit {
            if *running == 0 {
                table.remove(principal);
            }
            warn!(principal = %principal, limit, "tool call refused: too many calls in flight");
            return Err(ErrorData::new(
                ErrorCode(TOO_MANY_CALLS),
                format!(
                    "Too many tool calls in flight for this caller: {limit} are running (mcpActions.limits.maxConcurrentCallsPerPrincipal); retry when one has finished"
                ),
                Some(serde_json::json!({ "retryAfterSeconds": 1, "limit": limit })),
            ));
        }
        *running += 1;
        Ok(InFlight {
            table: Arc::clone(&self.in_flight),
            principal: principal.to_owned(),
        })
    }

    /// Tool calls running now, for all principals.
    pub fn calls_in_flight(&self) -> usize {
        let table = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        table.values().sum()
    }
}
