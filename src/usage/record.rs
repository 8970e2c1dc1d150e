//! Every tool call, as names and numbers: per minute, server, tool, principal, client and
//! outcome, how many calls, how long they took (a sum and a histogram for percentiles) and
//! how large their results were. Never arguments, results or secrets. Aggregated in memory
//! per replica; [`UsageRecorder::take`] hands the rows over for the host to add to the
//! plugin's database in batches.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Upper bounds (ms) of the duration histogram's buckets; the last bucket is everything over.
pub const BUCKETS_MS: [u64; 13] = [
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
];

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Success,
    /// The action ran and reported an error (`isError`).
    ToolError,
    /// A JSON-RPC error: bad params, unknown tool, an internal failure.
    ProtocolError,
    /// Refused by `mcpActions.rateLimits` or the calls-in-flight limit.
    RateLimited,
    /// Not offered on a read-only connection (`X-MCP-Readonly`).
    ReadOnly,
    /// Backstage's permission framework refused the caller (`NotAllowedError`).
    Permission,
    /// The action needs secrets the caller has not given yet.
    SecretsMissing,
    /// `mcpActions.confirm` asked its caller, who declined, did not answer in time, or has
    /// not answered yet (the call did not run).
    Unconfirmed,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Success,
        Outcome::ToolError,
        Outcome::ProtocolError,
        Outcome::RateLimited,
        Outcome::ReadOnly,
        Outcome::Permission,
        Outcome::SecretsMissing,
        Outcome::Unconfirmed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::ToolError => "tool_error",
            Outcome::ProtocolError => "protocol_error",
            Outcome::RateLimited => "rate_limited",
            Outcome::ReadOnly => "read_only",
            Outcome::Permission => "permission",
            Outcome::SecretsMissing => "secrets_missing",
            Outcome::Unconfirmed => "unconfirmed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// One call, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub now_ms: u64,
    /// The named server (`None`: the default `/v1`).
    pub server: Option<&'a str>,
    pub tool: &'a str,
    pub principal: &'a str,
    /// `clientInfo.name` and `.version`, when the client said them.
    pub client: Option<(&'a str, &'a str)>,
    pub outcome: Outcome,
    pub duration_ms: f64,
    pub result_bytes: u64,
}

/// One minute of one server, tool, principal, client and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UsageKey {
    pub minute_ms: u64,
    /// `""` for the default server.
    pub server: String,
    pub tool: String,
    pub principal: String,
    /// `""` when the client did not say.
    pub client: String,
    pub client_version: String,
    pub outcome: Outcome,
}

impl UsageKey {
    /// A stable id of the key (the store's primary key): SHA-256 of its parts.
    pub fn id(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.minute_ms.to_string().as_str(),
            &self.server,
            &self.tool,
            &self.principal,
            &self.client,
            &self.client_version,
            self.outcome.name(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The numbers of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageCounts {
    pub calls: u64,
    pub duration_ms: u64,
    pub result_bytes: u64,
    /// Calls per duration bucket ([`BUCKETS_MS`], then one for longer).
    pub buckets: Vec<u64>,
}

impl UsageCounts {
    pub fn add(&mut self, other: &UsageCounts) {
        self.calls += other.calls;
        self.duration_ms += other.duration_ms;
        self.result_bytes += other.result_bytes;
        if self.buckets.len() < other.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            *mine += theirs;
        }
    }

    /// The duration under which `share` (0..=1) of the calls finished, as the upper bound of
    /// its bucket (`None`: no calls, or beyond the last bound).
    pub fn percentile_ms(&self, share: f64) -> Option<u64> {
        let total: u64 = self.buckets.iter().sum();
        if total == 0 {
            return None;
        }
        let wanted = (share * total as f64).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= wanted.max(1) {
                return BUCKETS_MS.get(i).copied();
            }
        }
        None
    }
}

/// This replica's calls since the last batch.
#[derive(Debug, Default)]
pub struct UsageRecorder {
    enabled: bool,
    pending: Mutex<HashMap<UsageKey, UsageCounts>>,
}

impl UsageRecorder {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            pending: Mutex::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn record(&self, call: &Call<'_>) {
        if !self.enabled {
            return;
        }
        let (client, client_version) = call.client.unwrap_or(("", ""));
        let key = UsageKey {
            minute_ms: call.now_ms - call.now_ms % 60_000,
            server: call.server.unwrap_or_default().to_owned(),
            tool: call.tool.to_owned(),
            principal: call.principal.to_owned(),
            client: client.to_owned(),
            client_version: client_version.to_owned(),
            outcome: call.outcome,
        };
        let duration = call.duration_ms.max(0.0);
        let bucket = BUCKETS_MS
            .iter()
            .position(|bound| duration <= *bound as f64)
            .unwrap_or(BUCKETS_MS.len());
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let counts = pending.entry(key).or_insert_with(|| UsageCounts {
            buckets: vec![0; BUCKETS_MS.len() + 1],
            ..UsageCounts::default()
        });
        counts.calls += 1;
        counts.duration_ms += duration.round() as u64;
        counts.result_bytes += call.result_bytes;
        counts.buckets[bucket] += 1;
    }

    /// Everything recorded since the last call, for the store.
    pub fn take(&self) -> Vec<(UsageKey, UsageCounts)> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *pending).into_iter().collect()
    }

    /// A batch the store could not take goes back, to be sent with the next.
    pub fn put_back(&self, rows: Vec<(UsageKey, UsageCounts)>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (key, counts) in rows {
            pending.entry(key).or_default().add(&counts);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(tool: &str, outcome: Outcome, ms: f64, now_ms: u64) -> Call<'_> {
        Call {
            now_ms,
            server: None,
            tool,
            principal: "user:default/jane",
            client: Some(("claude-code", "2.1.0")),
            outcome,
            duration_ms: ms,
            result_bytes: 100,
        }
    }

    #[test]
    fn calls_of_one_minute_and_key_add_up_and_other_keys_stay_apart() {
        let r = UsageRecorder::new(true);
        r.record(&call("a.b", Outcome::Success, 3.0, 60_000));
        r.record(&call("a.b", Outcome::Success, 40.0, 119_999));
        r.record(&call("a.b", Outcome::ToolError, 7.0, 60_000));
        r.record(&call("a.b", Outcome::Success, 1.0, 120_000));
        let mut rows = r.take();
        rows.sort_by_key(|(k, _)| (k.minute_ms, k.outcome.name()));
        assert_eq!(rows.len(), 3);
        let (key, counts) = &rows[0];
        assert_eq!((key.minute_ms, key.outcome), (60_000, Outcome::Success));
        assert_eq!(
            (counts.calls, counts.duration_ms, counts.result_bytes),
            (2, 43, 200)
        );
        assert_eq!((counts.buckets[0], counts.buckets[3]), (1, 1));
        assert_eq!(rows[1].0.outcome, Outcome::ToolError);
        assert_eq!(rows[2].0.minute_ms, 120_000);
        assert!(r.take().is_empty());
    }

    #[test]
    fn nothing_is_kept_when_usage_is_off() {
        let r = UsageRecorder::new(false);
        r.record(&call("a.b", Outcome::Success, 3.0, 60_000));
        assert!(r.take().is_empty());
    }

    #[test]
    fn percentiles_come_from_the_buckets() {
        let mut counts = UsageCounts {
            buckets: vec![0; BUCKETS_MS.len() + 1],
            ..UsageCounts::default()
        };
        counts.buckets[1] = 90; // 5 < d <= 10
        counts.buckets[5] = 9; // 100 < d <= 250
        counts.buckets[BUCKETS_MS.len()] = 1; // over 60 s
        assert_eq!(counts.percentile_ms(0.5), Some(10));
        assert_eq!(counts.percentile_ms(0.95), Some(250));
        assert_eq!(counts.percentile_ms(1.0), None);
        assert_eq!(UsageCounts::default().percentile_ms(0.95), None);
    }

    #[test]
    fn keys_have_stable_distinct_ids_and_outcomes_round_trip() {
        let key = |outcome| UsageKey {
            minute_ms: 60_000,
            server: String::new(),
            tool: "a.b".into(),
            principal: "user:default/jane".into(),
            client: "x".into(),
            client_version: "1".into(),
            outcome,
        };
        assert_eq!(key(Outcome::Success).id(), key(Outcome::Success).id());
        assert_ne!(key(Outcome::Success).id(), key(Outcome::ToolError).id());
        assert_eq!(key(Outcome::Success).id().len(), 64);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.name()), Some(o));
        }
    }
}
