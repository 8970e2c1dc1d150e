//! The page's side of confirmations: the caller's pending ones (`GET /ui/v1/confirmations`)
//! and their answer (`POST /ui/v1/confirmations/{id}/confirm|decline`).

use serde_json::{json, Value};
use tracing::{info, warn};

use super::super::tasks::now_ms;
use super::super::Engine;
use crate::host::{ActionHost, CallContext};
use crate::policy::confirm::Status;
use crate::policy::Confirmation;
use crate::protocol::http::HttpResponse;

impl<H: ActionHost> Engine<H> {
    /// `GET /ui/v1/confirmations`: the caller's pending confirmations, newest first.
    pub(in crate::engine) async fn page_confirmations(&self, ctx: &CallContext) -> HttpResponse {
        match self
            .host
            .pending_confirmations(&ctx.principal, now_ms())
            .await
        {
            Ok(list) => {
                let rows: Vec<Value> = list.iter().map(confirmation_json).collect();
                HttpResponse::json(
                    200,
                    json!({ "enabled": !self.config.confirm.is_empty(), "confirmations": rows })
                        .to_string(),
                )
            }
            Err(e) => {
                warn!("the confirmation store failed: {}", e.0);
                HttpResponse::backstage_error(
                    503,
                    "ServiceUnavailableError",
                    "The plugin's database could not list your confirmations; try again",
                )
            }
        }
    }

    /// `POST /ui/v1/confirmations/{id}/confirm|decline`: the owner's answer. Someone else's
    /// and unknown ones are the same `404`; one answered or expired is a `409`.
    pub(in crate::engine) async fn page_decide(
        &self,
        id: &str,
        yes: bool,
        ctx: &CallContext,
    ) -> HttpResponse {
        let now = now_ms();
        let not_found = || {
            HttpResponse::backstage_error(
                404,
                "NotFoundError",
                format!(
                    "No confirmation {} of yours",
                    crate::protocol::jsonrpc::shown(id)
                ),
            )
        };
        let found = match self.host.load_confirmation(id).await {
            Ok(Some(c)) if c.owner == ctx.principal => c,
            Ok(_) => return not_found(),
            Err(e) => {
                warn!("the confirmation store failed: {}", e.0);
                return HttpResponse::backstage_error(
                    503,
                    "ServiceUnavailableError",
                    "The plugin's database could not keep your answer; try again",
                );
            }
        };
        let to = if yes {
            Status::Confirmed
        } else {
            Status::Declined
        };
        match self
            .host
            .set_confirmation(id, &ctx.principal, Status::Pending, to, now)
            .await
        {
            Ok(true) => {
                info!(confirmation = %id, tool = %found.tool, principal = %ctx.principal,
                    "confirmation {} on the page", to.name());
                let mut c = found;
                c.status = to;
                HttpResponse::json(
                    200,
                    json!({ "confirmation": confirmation_json(&c) }).to_string(),
                )
            }
            Ok(false) => {
                let why = if found.expired(now) {
                    "it expired".to_owned()
                } else {
                    format!("it is already {}", found.status.name())
                };
                HttpResponse::backstage_error(
                    409,
                    "ConflictError",
                    format!("This confirmation cannot be answered: {why}"),
                )
            }
            Err(e) => {
                warn!("the confirmation store failed: {}", e.0);
                HttpResponse::backstage_error(
                    503,
                    "ServiceUnavailableError",
                    "The plugin's database could not keep your answer; try again",
                )
            }
        }
    }
}

/// A confirmation as the page shows it (never its binding).
fn confirmation_json(c: &Confirmation) -> Value {
    json!({
        "id": c.id,
        "tool": c.tool,
        "server": if c.server.is_empty() { None } else { Some(&c.server) },
        "actionTitle": c.action_title,
        "question": c.question,
        "arguments": c.arguments,
        "rule": c.rule,
        "client": c.client,
        "status": c.status.name(),
        "createdAt": crate::tasks::iso8601(c.created_ms),
        "expiresAt": crate::tasks::iso8601(c.expires_ms),
    })
}
