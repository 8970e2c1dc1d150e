//! The usage report the page's API answers: totals, a time series stacked by outcome, and
//! the top tools, principals and clients of a period, from the stored rows.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::record::{Outcome, UsageCounts, UsageKey};

/// `24h`, `7d` or `30d`: how far back, and how wide each point of the series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub name: &'static str,
    pub span_ms: u64,
    pub step_ms: u64,
}

impl Period {
    pub const ALL: [Period; 3] = [
        Period {
            name: "24h",
            span_ms: 86_400_000,
            step_ms: 3_600_000,
        },
        Period {
            name: "7d",
            span_ms: 7 * 86_400_000,
            step_ms: 6 * 3_600_000,
        },
        Period {
            name: "30d",
            span_ms: 30 * 86_400_000,
            step_ms: 86_400_000,
        },
    ];

    pub fn parse(name: &str) -> Option<Period> {
        Self::ALL.into_iter().find(|p| p.name == name)
    }

    /// The first minute of the period's first point, for `now_ms`.
    pub fn since(&self, now_ms: u64) -> u64 {
        let end = now_ms - now_ms % self.step_ms + self.step_ms;
        end.saturating_sub(self.span_ms)
    }
}

/// Which rows a report keeps.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub server: Option<String>,
    pub tool: Option<String>,
    pub principal: Option<String>,
}

impl Filters {
    pub fn keeps(&self, key: &UsageKey) -> bool {
        self.server.as_deref().is_none_or(|s| key.server == s)
            && self.tool.as_deref().is_none_or(|t| key.tool == t)
            && self.principal.as_deref().is_none_or(|p| key.principal == p)
    }
}

#[derive(Default)]
struct Tally {
    all: UsageCounts,
    by_outcome: BTreeMap<&'static str, u64>,
    last_ms: u64,
}

impl Tally {
    fn add(&mut self, key: &UsageKey, counts: &UsageCounts) {
        self.all.add(counts);
        *self.by_outcome.entry(key.outcome.name()).or_default() += counts.calls;
        self.last_ms = self.last_ms.max(key.minute_ms);
    }

    fn errors(&self) -> u64 {
        [Outcome::ToolError, Outcome::ProtocolError]
            .iter()
            .map(|o| self.by_outcome.get(o.name()).copied().unwrap_or(0))
            .sum()
    }

    fn json(&self) -> Map<String, Value> {
        let by_outcome: Map<String, Value> = Outcome::ALL
            .iter()
            .map(|o| {
                (
                    o.name().to_owned(),
                    json!(self.by_outcome.get(o.name()).copied().unwrap_or(0)),
                )
            })
            .collect();
        let calls = self.all.calls;
        let mut out = Map::new();
        out.insert("calls".into(), json!(calls));
        out.insert("byOutcome".into(), Value::Object(by_outcome));
        out.insert(
            "errorRate".into(),
            json!(if calls == 0 {
                0.0
            } else {
                self.errors() as f64 / calls as f64
            }),
        );
        out.insert("p95Ms".into(), json!(self.all.percentile_ms(0.95)));
        out.insert(
            "avgMs".into(),
            json!(self.all.duration_ms.checked_div(calls).unwrap_or(0)),
        );
        out.insert("resultBytes".into(), json!(self.all.result_bytes));
        out
    }
}

fn top<K: Ord>(groups: BTreeMap<K, Tally>, name: impl Fn(&K, &mut Map<String, Value>)) -> Value {
    let mut rows: Vec<(K, Tally)> = groups.into_iter().collect();
    rows.sort_by_key(|(_, t)| std::cmp::Reverse(t.all.calls));
    Value::Array(
        rows.into_iter()
            .take(50)
            .map(|(k, t)| {
                let mut row = t.json();
                name(&k, &mut row);
                row.insert("lastSeen".into(), json!(crate::tasks::iso8601(t.last_ms)));
                Value::Object(row)
            })
            .collect(),
    )
}

/// The report of `rows` (already of the period and, for `mine`, of the caller).
pub fn report(
    rows: &[(UsageKey, UsageCounts)],
    period: Period,
    filters: &Filters,
    now_ms: u64,
    everyone: bool,
) -> Value {
    let since = period.since(now_ms);
    let mut total = Tally::default();
    let mut series: BTreeMap<u64, Tally> = BTreeMap::new();
    let mut tools: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut principals: BTreeMap<String, Tally> = BTreeMap::new();
    let mut clients: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for (key, counts) in rows
        .iter()
        .filter(|(k, _)| k.minute_ms >= since && filters.keeps(k))
    {
        total.add(key, counts);
        let point = key.minute_ms - (key.minute_ms - since) % period.step_ms;
        series.entry(point).or_default().add(key, counts);
        tools
            .entry((key.server.clone(), key.tool.clone()))
            .or_default()
            .add(key, counts);
        principals
            .entry(key.principal.clone())
            .or_default()
            .add(key, counts);
        clients
            .entry((key.client.clone(), key.client_version.clone()))
            .or_default()
            .add(key, counts);
    }
    let points: Vec<Value> = (0..period.span_ms / period.step_ms)
        .map(|i| {
            let start = since + i * period.step_ms;
            let mut row = series.remove(&start).unwrap_or_default().json();
            row.insert("start".into(), json!(crate::tasks::iso8601(start)));
            Value::Object(row)
        })
        .collect();
    let mut out = json!({
        "scope": if everyone { "all" } else { "mine" },
        "period": period.name,
        "since": crate::tasks::iso8601(since),
        "stepMs": period.step_ms,
        "totals": Value::Object(total.json()),
        "series": points,
        "tools": top(tools, |(server, tool), row| {
            row.insert("tool".into(), json!(tool));
            row.insert("server".into(), json!(if server.is_empty() { None } else { Some(server) }));
        }),
        "clients": top(clients, |(client, version), row| {
            row.insert("client".into(), json!(if client.is_empty() { "(not given)" } else { client }));
            row.insert("version".into(), json!(version));
        }),
    });
    if everyone {
        out["principals"] = top(principals, |principal, row| {
            row.insert("principal".into(), json!(principal));
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        minute_ms: u64,
        tool: &str,
        principal: &str,
        outcome: Outcome,
        calls: u64,
    ) -> (UsageKey, UsageCounts) {
        let mut buckets = vec![0; super::super::record::BUCKETS_MS.len() + 1];
        buckets[2] = calls;
        (
            UsageKey {
                minute_ms,
                server: String::new(),
                tool: tool.into(),
                principal: principal.into(),
                client: "claude-code".into(),
                client_version: "2.1.0".into(),
                outcome,
            },
            UsageCounts {
                calls,
                duration_ms: 20 * calls,
                result_bytes: 10 * calls,
                buckets,
            },
        )
    }

    #[test]
    fn totals_series_and_tops_add_up() {
        let now = 10 * 86_400_000 + 5 * 3_600_000 + 123;
        let day = Period::parse("24h").unwrap();
        let since = day.since(now);
        let rows = vec![
            row(since, "a.x", "user:default/jane", Outcome::Success, 5),
            row(
                since + 3_600_000,
                "a.x",
                "user:default/jane",
                Outcome::ToolError,
                1,
            ),
            row(
                since + 3_660_000,
                "b.y",
                "service:ci",
                Outcome::RateLimited,
                4,
            ),
            row(
                since - 60_000,
                "a.x",
                "user:default/jane",
                Outcome::Success,
                100,
            ),
        ];
        let r = report(&rows, day, &Filters::default(), now, true);
        assert_eq!(r["totals"]["calls"], 10);
        assert_eq!(r["totals"]["byOutcome"]["rate_limited"], 4);
        assert_eq!(r["totals"]["errorRate"], 0.1);
        assert_eq!(r["series"].as_array().unwrap().len(), 24);
        assert_eq!(r["series"][0]["calls"], 5);
        assert_eq!(r["series"][1]["calls"], 5);
        assert_eq!(r["tools"][0]["tool"], "a.x");
        assert_eq!(r["tools"][0]["calls"], 6);
        assert_eq!(r["tools"][0]["p95Ms"], 25);
        assert_eq!(r["principals"][0]["principal"], "user:default/jane");
        assert_eq!(r["clients"][0]["client"], "claude-code");
        let mine = report(
            &rows,
            day,
            &Filters {
                tool: Some("b.y".into()),
                ..Filters::default()
            },
            now,
            false,
        );
        assert_eq!(mine["totals"]["calls"], 4);
        assert!(mine.get("principals").is_none());
        assert_eq!(Period::parse("1y"), None);
    }
}
