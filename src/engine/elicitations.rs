//! The secrets page's API (`/api/mcp-actions/v1/elicitations/{id}`, the names of Backstage's
//! own plugin): what the caller is asked for, and their answer. Only the principal whose
//! call started an elicitation sees it: a signed-in user on the page, or a service (a static
//! token) with that token. What they submit is checked against the action's secrets schema
//! (errors name the field, never the value), sealed, and kept for that one call.

use serde::Deserialize;
use serde_json::{json, Value};
use tracing::info;

use super::tasks::now_ms;
use super::Engine;
use crate::host::ActionHost;
use crate::protocol::http::HttpResponse;
use crate::secrets::elicitation::{Elicitation, Status};
use crate::secrets::{self};
use crate::tasks::iso8601;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Submission {
    csrf_token: Option<String>,
    secrets: Option<Value>,
}

impl<H: ActionHost> Engine<H> {
    /// The elicitation `id` as `principal` may see it, or the refusal.
    async fn visible(&self, id: &str, principal: &str) -> Result<Elicitation, HttpResponse> {
        let unknown = || {
            HttpResponse::backstage_error(
                404,
                "NotFoundError",
                format!("No request for secrets \"{id}\": it is unknown or expired; call the tool again for a new one"),
            )
        };
        if self.config.secrets.key.is_none() {
            return Err(unknown());
        }
        let found = self
            .host
            .load_elicitation(id)
            .await
            .map_err(|e| {
                HttpResponse::backstage_error(503, "ServiceUnavailableError", e.to_string())
            })?
            .filter(|e| !e.expired(now_ms()))
            .ok_or_else(unknown)?;
        if found.owner != principal {
            return Err(HttpResponse::backstage_error(
                403,
                "NotAllowedError",
                "This request for secrets belongs to another caller: only the user or service whose tool call asked can answer it",
            ));
        }
        if found.status != Status::Pending {
            return Err(HttpResponse::backstage_error(
                409,
                "ConflictError",
                "The secrets for this request were already provided; call the tool again for a new one",
            ));
        }
        Ok(found)
    }

    /// `GET .../elicitations/{id}`: what the page shows and the CSRF token it echoes.
    pub async fn elicitation_view(&self, id: &str, principal: &str) -> HttpResponse {
        let e = match self.visible(id, principal).await {
            Ok(e) => e,
            Err(refusal) => return refusal,
        };
        let schema: Value = serde_json::from_str(&e.secrets_schema).unwrap_or(json!({}));
        HttpResponse::json(
            200,
            json!({
                "elicitationId": e.id,
                "action": { "id": e.action_id, "title": e.action_title, "description": e.action_description },
                "tool": e.tool,
                "client": e.client,
                "secretsSchema": schema,
                "csrfToken": e.csrf_token,
                "expiresAt": iso8601(e.expires_ms),
            })
            .to_string(),
        )
    }

    /// `POST .../elicitations/{id}/secrets` with `{ csrfToken, secrets }`.
    pub async fn submit_secrets(&self, id: &str, principal: &str, body: &[u8]) -> HttpResponse {
        let Ok(submission) = serde_json::from_slice::<Submission>(body) else {
            return HttpResponse::backstage_error(
                400,
                "InputError",
                "The body must be JSON: { \"csrfToken\": ..., \"secrets\": { ... } }",
            );
        };
        let e = match self.visible(id, principal).await {
            Ok(e) => e,
            Err(refusal) => return refusal,
        };
        if submission.csrf_token.as_deref() != Some(e.csrf_token.as_str()) {
            return HttpResponse::backstage_error(
                400,
                "InputError",
                "Invalid CSRF token: reload the page and submit again",
            );
        }
        let schema: Value = serde_json::from_str(&e.secrets_schema).unwrap_or(json!({}));
        let secrets = submission.secrets.unwrap_or(Value::Null);
        if let Err(reason) =
            secrets::check(schema.as_object().unwrap_or(&Default::default()), &secrets)
        {
            return HttpResponse::backstage_error(
                400,
                "InputError",
                format!("Invalid secrets: {reason}"),
            );
        }
        let Some(key) = &self.config.secrets.key else {
            return HttpResponse::backstage_error(
                404,
                "NotFoundError",
                "Secrets are off on this Backstage",
            );
        };
        let Some(sealed) = key.seal(&secrets.to_string(), &e.binding()) else {
            return HttpResponse::backstage_error(
                500,
                "Error",
                "The system's random source failed: nothing was stored",
            );
        };
        match self.host.submit_elicitation(id, &sealed, now_ms()).await {
            Ok(true) => {
                info!(elicitation = %id, principal = %principal, action = %e.action_id,
                    "the caller submitted the secrets of a tool call");
                HttpResponse::json(200, json!({ "ok": true }).to_string())
            }
            Ok(false) => HttpResponse::backstage_error(
                409,
                "ConflictError",
                "The secrets for this request were already provided, or it expired; call the tool again for a new one",
            ),
            Err(e) => HttpResponse::backstage_error(503, "ServiceUnavailableError", e.to_string()),
        }
    }
}
