//! Where usage is kept: the host's store (the plugin's database, table `mcp_actions_usage`),
//! one row per minute and key, added to by every replica.

use std::future::Future;

use super::record::{UsageCounts, UsageKey};
use crate::tasks::{MemoryTaskStore, StoreError};

/// The host keeps usage beside tasks.
pub trait UsageStore: Send + Sync {
    /// Add these counts to the rows of their keys (created when missing), in one transaction.
    fn add_usage(
        &self,
        rows: &[(UsageKey, UsageCounts)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The rows of minutes from `since_ms` on, of `principal` only when given.
    fn read_usage(
        &self,
        since_ms: u64,
        principal: Option<&str>,
    ) -> impl Future<Output = Result<Vec<(UsageKey, UsageCounts)>, StoreError>> + Send;

    /// Delete the rows of minutes before `before_ms`; how many.
    fn sweep_usage(&self, before_ms: u64)
        -> impl Future<Output = Result<usize, StoreError>> + Send;
}

/// Usage in memory beside the tasks (tests, one process).
impl UsageStore for MemoryTaskStore {
    async fn add_usage(&self, rows: &[(UsageKey, UsageCounts)]) -> Result<(), StoreError> {
        let mut usage = self.usage.lock().unwrap_or_else(|e| e.into_inner());
        for (key, counts) in rows {
            usage
                .entry(key.id())
                .or_insert_with(|| (key.clone(), UsageCounts::default()))
                .1
                .add(counts);
        }
        Ok(())
    }

    async fn read_usage(
        &self,
        since_ms: u64,
        principal: Option<&str>,
    ) -> Result<Vec<(UsageKey, UsageCounts)>, StoreError> {
        let usage = self.usage.lock().unwrap_or_else(|e| e.into_inner());
        Ok(usage
            .values()
            .filter(|(k, _)| k.minute_ms >= since_ms && principal.is_none_or(|p| k.principal == p))
            .cloned()
            .collect())
    }

    async fn sweep_usage(&self, before_ms: u64) -> Result<usize, StoreError> {
        let mut usage = self.usage.lock().unwrap_or_else(|e| e.into_inner());
        let before = usage.len();
        usage.retain(|_, (k, _)| k.minute_ms >= before_ms);
        Ok(before - usage.len())
    }
}
