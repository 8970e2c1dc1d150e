//! Usage in the engine: each tool call recorded as it ends (how it ended, how long, how
//! large), the batches written to the host's store ([`Engine::flush_usage`], every few seconds
//! and at shutdown), the sweep after `mcpActions.usage.retentionDays`, and the page's report
//! (`GET /ui/v1/usage`): your own for everyone, everyone's for holders of the permission
//! `mcp-actions.usage.read` (the shim asks Backstage's permission framework).

use rmcp::model::ErrorCode;
use serde_json::{json, Value};
use tracing::warn;

use super::tasks::now_ms;
use super::{Engine, Scope, RATE_LIMITED, TOO_MANY_CALLS};
use crate::host::{ActionHost, CallContext};
use crate::policy::limits::window_words;
use crate::protocol::http::HttpResponse;
use crate::protocol::jsonrpc::Outcome as Answer;
use crate::usage::export;
use crate::usage::record::Call;
use crate::usage::report::{report, Filters, Period};
use crate::usage::Outcome;

/// What the page asks of the usage report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageQuery<'a> {
    /// `mine` or `all`.
    pub scope: Option<&'a str>,
    /// `24h` (default), `7d` or `30d`.
    pub period: Option<&'a str>,
    /// A server key, or `/v1` for the default server.
    pub server: Option<&'a str>,
    pub tool: Option<&'a str>,
    pub principal: Option<&'a str>,
    /// Backstage's permission framework allowed the caller `mcp-actions.usage.read`.
    pub may_read_all: bool,
    /// `json` (default, the report) or `csv` (the stored rows, for a download).
    pub format: Option<&'a str>,
}

/// How a call ended, for the usage: from its answer and, for a tool error, its description
/// (`NotAllowedError: ...`).
fn outcome_of(answer: &Answer, failure: Option<&str>, read_only: bool) -> Outcome {
    match (answer, failure) {
        (Err(e), _) if e.code == ErrorCode(RATE_LIMITED) || e.code == ErrorCode(TOO_MANY_CALLS) => {
            Outcome::RateLimited
        }
        (Err(e), _) if read_only && e.message.starts_with("Unknown tool") => Outcome::ReadOnly,
        (Err(_), _) => Outcome::ProtocolError,
        (Ok(_), Some(f)) if f.starts_with("NotAllowedError") => Outcome::Permission,
        (Ok(_), Some(f))
            if f.starts_with("SecretsRequired") || f.starts_with("SecretsUnavailable") =>
        {
            Outcome::SecretsMissing
        }
        (Ok(_), Some(f)) if f.starts_with("Confirmation") => Outcome::Unconfirmed,
        (Ok(_), Some(_)) => Outcome::ToolError,
        (Ok(_), None) => Outcome::Success,
    }
}

impl<H: ActionHost> Engine<H> {
    /// Record one ended tool call.
    pub(super) fn record_usage(
        &self,
        tool: &str,
        answer: &Answer,
        failure: Option<&str>,
        seconds: f64,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) {
        if !self.usage.enabled() {
            return;
        }
        let info = scope.request.client_info.as_ref();
        let text = |key: &str| info.and_then(|i| i.get(key)).and_then(Value::as_str);
        self.usage.record(&Call {
            now_ms: now_ms(),
            server: scope.server_key,
            tool,
            principal: &ctx.principal,
            client: text("name").map(|name| (name, text("version").unwrap_or_default())),
            outcome: outcome_of(answer, failure, scope.read_only),
            duration_ms: seconds * 1000.0,
            result_bytes: answer.as_ref().map_or(0, |raw| raw.get().len() as u64),
        });
    }

    /// Write what this replica recorded since the last batch; a batch the store refuses is
    /// kept for the next. The host calls it every few seconds and at shutdown.
    pub async fn flush_usage(&self) {
        let rows = self.usage.take();
        if rows.is_empty() {
            return;
        }
        if let Err(e) = self.host.add_usage(&rows).await {
            warn!(
                "usage could not be written, it is kept for the next batch: {}",
                e.0
            );
            self.usage.put_back(rows);
        }
    }

    /// Delete usage older than `mcpActions.usage.retentionDays` (the scheduled sweep).
    pub(super) async fn sweep_usage(&self) -> usize {
        let before = now_ms().saturating_sub(self.config.usage.retention.as_millis() as u64);
        match self.host.sweep_usage(before).await {
            Ok(n) => n,
            Err(e) => {
                warn!("old usage could not be swept: {}", e.0);
                0
            }
        }
    }

    /// `GET /ui/v1/usage`: the report for the signed-in caller.
    pub(super) async fn page_usage(
        &self,
        query: &UsageQuery<'_>,
        ctx: &CallContext,
    ) -> HttpResponse {
        let bad = |message: &str| HttpResponse::backstage_error(400, "InputError", message);
        let Some(period) = Period::parse(query.period.unwrap_or("24h")) else {
            return bad("period must be 24h, 7d or 30d");
        };
        let csv = match query.format.unwrap_or("json") {
            "json" => false,
            "csv" => true,
            _ => return bad("format must be json or csv"),
        };
        let everyone = match query.scope.unwrap_or("mine") {
            "mine" => false,
            "all" => true,
            _ => return bad("scope must be mine or all"),
        };
        if everyone && !query.may_read_all {
            return HttpResponse::backstage_error(
                403,
                "NotAllowedError",
                "Seeing everyone's usage needs the permission mcp-actions.usage.read; scope=mine shows your own",
            );
        }
        let now = now_ms();
        let principal = (!everyone).then_some(ctx.principal.as_str());
        let rows = match self.host.read_usage(period.since(now), principal).await {
            Ok(rows) => rows,
            Err(e) => {
                return HttpResponse::backstage_error(503, "ServiceUnavailableError", e.0);
            }
        };
        let filters = Filters {
            // The default server `/v1` has no key; its rows are kept under "".
            server: query
                .server
                .map(|s| if s == "/v1" { "" } else { s }.to_owned()),
            tool: query.tool.map(str::to_owned),
            principal: query.principal.filter(|_| everyone).map(str::to_owned),
        };
        if csv {
            let name = format!(
                "mcp-actions-usage-{}-{}.csv",
                if everyone { "all" } else { "mine" },
                period.name
            );
            return HttpResponse {
                status: 200,
                headers: vec![
                    ("content-type", "text/csv; charset=utf-8".into()),
                    (
                        "content-disposition",
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                body: Some(export::csv(&rows, period, &filters, now)),
            };
        }
        let mut body = report(&rows, period, &filters, now, everyone);
        body["enabled"] = json!(self.config.usage.enabled);
        body["mayReadAll"] = json!(query.may_read_all);
        body["limits"] = self.limits_of(&ctx.principal, now);
        HttpResponse::json(200, body.to_string())
    }

    /// The rate-limit rules that can count the caller, and what they have left (as this
    /// replica last heard from the store; `limit` when it has not counted them yet).
    fn limits_of(&self, principal: &str, now: u64) -> Value {
        let rules = self.limiter.rules().iter().enumerate();
        Value::Array(
            rules
                .filter(|(_, r)| {
                    r.matcher
                        .principal
                        .as_ref()
                        .is_none_or(|g| g.matches(principal))
                })
                .map(|(i, r)| {
                    json!({
                        "rule": r.name,
                        "tool": r.matcher.tool.as_ref().map(|g| g.pattern()),
                        "server": r.matcher.server,
                        "limit": r.limit,
                        "window": window_words(r.window),
                        "remaining": self.limiter.remaining(i, principal, now).unwrap_or(r.limit),
                    })
                })
                .collect(),
        )
    }
}
