//! The napi surface of MCP tasks: the scheduled sweep, shutdown, and a count; and the usage
//! batch written at shutdown.

use std::sync::Arc;

use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use super::engine::McpEngine;

#[napi]
impl McpEngine {
    /// Delete the tasks whose TTL passed (the shim's scheduled sweep); how many.
    #[napi]
    pub async fn sweep_tasks(&self) -> napi::Result<u32> {
        let engine = Arc::clone(&self.engine);
        engine
            .sweep_tasks()
            .with_subscriber(self.dispatch.clone())
            .await
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(|e| napi::Error::new(napi::Status::GenericFailure, e))
    }

    /// Backend shutdown: every task running here ends `failed` (this instance stops before
    /// it finishes them); how many.
    #[napi]
    pub async fn stop_tasks(&self) -> u32 {
        let engine = Arc::clone(&self.engine);
        let stopped = engine
            .stop_tasks()
            .with_subscriber(self.dispatch.clone())
            .await;
        u32::try_from(stopped).unwrap_or(u32::MAX)
    }

    /// Write the usage recorded since the last batch (every few seconds, and at shutdown).
    #[napi]
    pub async fn flush_usage(&self) {
        let engine = Arc::clone(&self.engine);
        engine
            .flush_usage()
            .with_subscriber(self.dispatch.clone())
            .await;
    }

    /// Tasks running in this instance.
    #[napi(catch_unwind)]
    pub fn tasks_running(&self) -> u32 {
        u32::try_from(self.engine.tasks_running()).unwrap_or(u32::MAX)
    }
}
