//! Rate counts kept by the shim (table `mcp_actions_rate_counts`), through the same store
//! callback as tasks: the engine decides what is claimed and given back.

use super::host::JsHost;
use super::store::{request, RateCountRow};
use crate::policy::{RateCount, RateStore};
use crate::tasks::StoreError;

fn row(c: &RateCount) -> RateCountRow {
    RateCountRow {
        rule: c.rule.clone(),
        principal: c.principal.clone(),
        window_start_ms: c.window_start_ms as f64,
        expires_ms: c.expires_ms as f64,
        limit: c.limit as f64,
        release: c.release as f64,
        want: c.want as f64,
        granted: c.granted as f64,
        count: c.count as f64,
    }
}

fn count(r: RateCountRow) -> RateCount {
    RateCount {
        rule: r.rule,
        principal: r.principal,
        window_start_ms: r.window_start_ms as u64,
        expires_ms: r.expires_ms as u64,
        limit: r.limit as u64,
        release: r.release as u64,
        want: r.want as u64,
        granted: r.granted as u64,
        count: r.count as u64,
    }
}

impl RateStore for JsHost {
    async fn claim_rates(&self, batch: &[RateCount]) -> Result<Vec<RateCount>, StoreError> {
        let mut req = request("claimRates", 0);
        req.rate_counts = Some(batch.iter().map(row).collect());
        let reply = self.store(req).await?;
        Ok(reply
            .rate_counts
            .unwrap_or_default()
            .into_iter()
            .map(count)
            .collect())
    }
}
