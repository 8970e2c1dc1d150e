//! Usage kept by the shim (table `mcp_actions_usage`), through the same store callback as
//! tasks: the engine decides what is added, read and swept.

use super::host::JsHost;
use super::store::{request, UsageRow};
use crate::tasks::StoreError;
use crate::usage::{Outcome, UsageCounts, UsageKey, UsageStore};

fn row((key, counts): &(UsageKey, UsageCounts)) -> UsageRow {
    UsageRow {
        id: key.id(),
        minute_ms: key.minute_ms as f64,
        server: key.server.clone(),
        tool: key.tool.clone(),
        principal: key.principal.clone(),
        client: key.client.clone(),
        client_version: key.client_version.clone(),
        outcome: key.outcome.name().to_owned(),
        calls: counts.calls as f64,
        duration_ms: counts.duration_ms as f64,
        result_bytes: counts.result_bytes as f64,
        buckets: counts.buckets.iter().map(|n| *n as f64).collect(),
    }
}

fn usage(r: UsageRow) -> Option<(UsageKey, UsageCounts)> {
    let key = UsageKey {
        minute_ms: r.minute_ms as u64,
        server: r.server,
        tool: r.tool,
        principal: r.principal,
        client: r.client,
        client_version: r.client_version,
        outcome: Outcome::parse(&r.outcome)?,
    };
    let counts = UsageCounts {
        calls: r.calls as u64,
        duration_ms: r.duration_ms as u64,
        result_bytes: r.result_bytes as u64,
        buckets: r.buckets.iter().map(|n| *n as u64).collect(),
    };
    Some((key, counts))
}

impl UsageStore for JsHost {
    async fn add_usage(&self, rows: &[(UsageKey, UsageCounts)]) -> Result<(), StoreError> {
        let mut req = request("addUsage", 0);
        req.usage = Some(rows.iter().map(row).collect());
        self.store(req).await.map(|_| ())
    }

    async fn read_usage(
        &self,
        since_ms: u64,
        principal: Option<&str>,
    ) -> Result<Vec<(UsageKey, UsageCounts)>, StoreError> {
        let mut req = request("readUsage", since_ms);
        req.owner = principal.map(str::to_owned);
        let rows = self.store(req).await?.usage.unwrap_or_default();
        Ok(rows.into_iter().filter_map(usage).collect())
    }

    async fn sweep_usage(&self, before_ms: u64) -> Result<usize, StoreError> {
        let reply = self.store(request("sweepUsage", before_ms)).await?;
        Ok(reply.count.unwrap_or(0) as usize)
    }
}
