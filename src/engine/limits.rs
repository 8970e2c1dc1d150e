//! `mcpActions.rateLimits` on a `tools/call`: admitted from this replica's lease, or refused
//! with the rate-limit error of the MCP draft (SEP-3304): JSON-RPC `-32023` with
//! `data.retryAfterMs`, `limit` and `remaining`, and on a single request over HTTP `429` with
//! `Retry-After` and `RateLimit-*` headers. The action does not run. Leases are claimed from
//! the host's store when a call finds none (one claim at a time, shared by the calls that wait
//! for it) and given back when idle ([`Engine::release_idle_rate_leases`]).

use rmcp::model::{ErrorCode, ErrorData};
use serde_json::json;
use tracing::{debug, warn};

use super::tasks::now_ms;
use super::{Engine, Scope};
use crate::host::{ActionHost, CallContext};
use crate::policy::limits::{window_words, Admission};
use crate::policy::{CallFacts, Refusal};
use crate::protocol::http::HttpResponse;
use crate::tools::Attributes;

/// JSON-RPC error code of a call refused by a rate limit (SEP-3304).
pub const RATE_LIMITED: i32 = -32023;

/// Claims one call may make before it gives up on a busy count.
const CLAIMS_PER_CALL: usize = 8;

impl<H: ActionHost> Engine<H> {
    /// Admit a call of `tool` under the rate limits, or its refusal (noted in `scope` for the
    /// HTTP answer).
    /// The attributes of the action behind `tool`, as its annotations say (policies that
    /// match on attributes).
    pub(super) async fn attributes_of(
        &self,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Option<Attributes>, ErrorData> {
        let tools = self.scoped_tools(scope, ctx).await?;
        Ok(tools.iter().find(|t| t.tool.name == tool).map(|t| {
            let a = t.tool.annotations.clone().unwrap_or_default();
            Attributes {
                destructive: a.destructive_hint,
                idempotent: a.idempotent_hint,
                read_only: a.read_only_hint,
            }
        }))
    }

    pub(super) async fn within_rate_limits(
        &self,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<(), ErrorData> {
        if self.limiter.is_empty() {
            return Ok(());
        }
        let mut facts = CallFacts {
            principal: &ctx.principal,
            tool,
            server: scope.server_key,
            attributes: None,
        };
        let attributes: Option<Attributes>;
        if self.limiter.needs_attributes(&facts) {
            attributes = self.attributes_of(tool, scope, ctx).await?;
            facts.attributes = attributes.as_ref();
        }
        let mut decided = self.limiter.admit(&facts, now_ms());
        if decided == Admission::Claim {
            let _one_claim = self.limiter.claiming.lock().await;
            for _ in 0..CLAIMS_PER_CALL {
                decided = self.limiter.admit(&facts, now_ms());
                if decided != Admission::Claim {
                    break;
                }
                if !self.claim_rates().await {
                    // The limits fail open while the database does not answer.
                    decided = Admission::Admitted;
                    break;
                }
            }
        }
        match decided {
            Admission::Admitted => Ok(()),
            Admission::Claim => Err(refused(
                scope,
                Refusal {
                    rule: String::new(),
                    limit: 0,
                    window: std::time::Duration::ZERO,
                    remaining: 0,
                    retry_after_ms: 250,
                },
                "Rate limit busy: this caller's count is being shared between replicas; retry shortly".to_owned(),
            )),
            Admission::Refused(refusal) => {
                debug!(principal = %ctx.principal, tool, rule = %refusal.rule,
                    "tool call refused: rate limit");
                let message = format!(
                    "Rate limit exceeded: rule \"{}\" allows {} calls per {} for each caller (mcpActions.rateLimits); retry in {}",
                    refusal.rule,
                    refusal.limit,
                    window_words(refusal.window),
                    seconds_words(refusal.retry_after_ms),
                );
                Err(refused(scope, refusal, message))
            }
        }
    }

    /// One claim for every count a call waits on; `false` when the store failed.
    async fn claim_rates(&self) -> bool {
        let now = now_ms();
        let batch = self.limiter.claim_batch(now);
        if batch.is_empty() {
            return true;
        }
        match self.host.claim_rates(&batch).await {
            Ok(answer) => {
                self.limiter.settle(&batch, Some(&answer), now);
                true
            }
            Err(e) => {
                warn!("the rate-limit counts could not be shared, calls are admitted until they are: {}", e.0);
                self.limiter.settle(&batch, None, now);
                false
            }
        }
    }

    /// Give back the leases this replica has not used for a second, so that other replicas
    /// can grant them. The host runs it about once a second while rate limits are set.
    pub async fn release_idle_rate_leases(&self) {
        if self.limiter.is_empty() {
            return;
        }
        let _one_claim = self.limiter.claiming.lock().await;
        let now = now_ms();
        let batch = self.limiter.idle_batch(now);
        if batch.is_empty() {
            return;
        }
        match self.host.claim_rates(&batch).await {
            Ok(answer) => self.limiter.settle(&batch, Some(&answer), now),
            Err(e) => warn!("unused rate-limit leases could not be given back: {}", e.0),
        }
    }

    /// Whether any rate limit is configured (the host then runs the release above).
    pub fn has_rate_limits(&self) -> bool {
        !self.limiter.is_empty()
    }
}

/// The `-32023` error, with the refusal noted for the HTTP answer.
fn refused(scope: &Scope<'_>, refusal: Refusal, message: String) -> ErrorData {
    let mut data = json!({
        "retryAfterMs": refusal.retry_after_ms,
        "limit": refusal.limit,
        "remaining": refusal.remaining,
    });
    if !refusal.rule.is_empty() {
        data["rule"] = json!(refusal.rule);
        data["window"] = json!(window_words(refusal.window));
    }
    let _ = scope.limited.set(refusal);
    ErrorData::new(ErrorCode(RATE_LIMITED), message, Some(data))
}

/// `42 s`, `1 s`, `3 min 20 s`.
fn seconds_words(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// A single request's answer refused by a rate limit: `429` with `Retry-After` (seconds,
/// rounded up) and `RateLimit-Limit` / `RateLimit-Remaining`.
pub(super) fn too_many(response: HttpResponse, refusal: &Refusal) -> HttpResponse {
    let mut response = HttpResponse {
        status: 429,
        ..response
    }
    .with_header(
        "retry-after",
        refusal.retry_after_ms.div_ceil(1000).max(1).to_string(),
    );
    if refusal.limit > 0 {
        response = response
            .with_header("ratelimit-limit", refusal.limit.to_string())
            .with_header("ratelimit-remaining", refusal.remaining.to_string());
    }
    response
}
