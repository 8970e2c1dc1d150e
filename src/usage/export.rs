//! The usage as CSV, for a spreadsheet or another tool: one line per stored minute of one
//! server, tool, principal, client and outcome, oldest first, with the report's filters.

use std::fmt::Write;

use super::record::{UsageCounts, UsageKey};
use super::report::{Filters, Period};

/// The header line's columns.
pub const COLUMNS: [&str; 11] = [
    "minute",
    "server",
    "tool",
    "principal",
    "client",
    "client_version",
    "outcome",
    "calls",
    "duration_ms",
    "avg_ms",
    "result_bytes",
];

/// One field: quoted when it holds a comma, quote or line break, and kept from being read as
/// a formula by a spreadsheet (a client names itself, so its name can start with `=`).
fn field(out: &mut String, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// The CSV of `rows` in `period` (from `now_ms`) that `filters` keep.
pub fn csv(
    rows: &[(UsageKey, UsageCounts)],
    period: Period,
    filters: &Filters,
    now_ms: u64,
) -> String {
    let since = period.since(now_ms);
    let mut kept: Vec<&(UsageKey, UsageCounts)> = rows
        .iter()
        .filter(|(k, _)| k.minute_ms >= since && filters.keeps(k))
        .collect();
    kept.sort_by(|(a, _), (b, _)| {
        (a.minute_ms, &a.server, &a.tool, &a.principal, &a.client)
            .cmp(&(b.minute_ms, &b.server, &b.tool, &b.principal, &b.client))
            .then(a.outcome.name().cmp(b.outcome.name()))
    });
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for (key, counts) in kept {
        let text = [
            crate::tasks::iso8601(key.minute_ms),
            key.server.clone(),
            key.tool.clone(),
            key.principal.clone(),
            key.client.clone(),
            key.client_version.clone(),
            key.outcome.name().to_owned(),
        ];
        for part in &text {
            field(&mut out, part);
            out.push(',');
        }
        let avg = counts.duration_ms.checked_div(counts.calls).unwrap_or(0);
        let _ = write!(
            out,
            "{},{},{},{}\r\n",
            counts.calls, counts.duration_ms, avg, counts.result_bytes
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Outcome;

    fn key(minute_ms: u64, client: &str, outcome: Outcome) -> UsageKey {
        UsageKey {
            minute_ms,
            server: String::new(),
            tool: "catalog.get-catalog-entity".into(),
            principal: "user:default/jane".into(),
            client: client.into(),
            client_version: "1.0".into(),
            outcome,
        }
    }

    fn counts(calls: u64, duration_ms: u64) -> UsageCounts {
        UsageCounts {
            calls,
            duration_ms,
            result_bytes: 10 * calls,
            buckets: vec![calls],
        }
    }

    #[test]
    fn lines_are_oldest_first_and_quoted_where_needed() {
        let now = 10 * 86_400_000;
        let rows = vec![
            (
                key(now - 60_000, "=HYPERLINK(\"x\")", Outcome::ToolError),
                counts(1, 7),
            ),
            (
                key(now - 120_000, "cursor, beta", Outcome::Success),
                counts(4, 10),
            ),
            (
                key(now - 3 * 86_400_000, "old", Outcome::Success),
                counts(1, 1),
            ),
        ];
        let period = Period::parse("24h").unwrap();
        let text = csv(&rows, period, &Filters::default(), now);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "1970-01-10T23:58:00.000Z,,catalog.get-catalog-entity,user:default/jane,\"cursor, beta\",1.0,success,4,10,2,40"
        );
        assert_eq!(
            lines[2],
            "1970-01-10T23:59:00.000Z,,catalog.get-catalog-entity,user:default/jane,\"'=HYPERLINK(\"\"x\"\")\",1.0,tool_error,1,7,7,10"
        );
        assert_eq!(
            lines.len(),
            4,
            "the row older than the period is left out: {text}"
        );
        assert_eq!(lines[3], "");
    }

    #[test]
    fn filters_apply() {
        let now = 10 * 86_400_000;
        let rows = vec![(key(now - 60_000, "a", Outcome::Success), counts(1, 1))];
        let filters = Filters {
            tool: Some("other".into()),
            ..Filters::default()
        };
        let text = csv(&rows, Period::parse("7d").unwrap(), &filters, now);
        assert_eq!(text, format!("{}\r\n", COLUMNS.join(",")));
    }
}
