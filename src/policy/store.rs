//! Where the deployment's rate counts are kept: the host's store (the plugin's database, table
//! `mcp_actions_rate_counts`), so every replica grants from the same count.

use std::future::Future;

use super::limits::RateCount;
use crate::tasks::StoreError;

/// The host keeps rate counts beside tasks.
pub trait RateStore: Send + Sync {
    /// For each row, in one transaction: take back `release`, then grant up to `want`
    /// without passing `limit`. Answers each row with `granted` and the new `count`.
    fn claim_rates(
        &self,
        batch: &[RateCount],
    ) -> impl Future<Output = Result<Vec<RateCount>, StoreError>> + Send;
}

/// The rule of a claim, on one row's count: what every store applies.
pub fn claim(count: u64, row: &RateCount) -> (u64, u64) {
    let kept = count.saturating_sub(row.release);
    let granted = row.want.min(row.limit.saturating_sub(kept));
    (granted, kept + granted)
}

/// Counts in memory beside the tasks (tests, one process).
impl RateStore for crate::tasks::MemoryTaskStore {
    async fn claim_rates(&self, batch: &[RateCount]) -> Result<Vec<RateCount>, StoreError> {
        let mut counts = self.rate_counts.lock().unwrap_or_else(|e| e.into_inner());
        Ok(batch
            .iter()
            .map(|row| {
                let key = (row.rule.clone(), row.principal.clone(), row.window_start_ms);
                let count = counts.entry(key).or_default();
                let (granted, total) = claim(*count, row);
                *count = total;
                RateCount {
                    granted,
                    count: total,
                    ..row.clone()
                }
            })
            .collect())
    }
}
