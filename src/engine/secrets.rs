//! Tool calls of actions that need secrets (`schema.secrets`). The registry refuses such a
//! call without them; the engine then takes the secrets the caller submitted for this
//! action on the Backstage page, or starts an elicitation (bound to the caller and the
//! action) and answers the way the client can act on:
//! - a 2026-07-28 client that declares URL elicitation: an `input_required` result whose
//!   `requestState` names the elicitation; the client retries with it;
//! - a 2025-11-25 client whose session recorded URL elicitation: error `-32042` with the
//!   elicitation's id, URL and message;
//! - any other client (and every stateless legacy request, which carries no record of what
//!   its client declared): an `isError` result with the URL, asking to call again.
//!
//! Never does a secret value go into a log line, an answer or an error.

use rmcp::model::{ErrorCode, ErrorData};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tracing::{error, info, warn};

use super::tasks::now_ms;
use super::{Engine, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::jsonrpc::{internal_error, to_raw};
use crate::secrets::elicitation::{Elicitation, Status};
use crate::secrets::{self, SealingKey};
use crate::tasks::new_task_id;
use crate::tools::result;

/// JSON-RPC code of the 2025-11-25 URL elicitation required error.
pub const URL_ELICITATION_REQUIRED: i32 = -32042;

/// `requestState` of an `input_required` answer: this prefix, then the elicitation's id.
const STATE_PREFIX: &str = "mcp-actions:elicitation:";

/// The key of the one input request of an `input_required` answer.
const INPUT_KEY: &str = "secrets";

/// Most elicitations remembered per instance for the completion notification.
const ASKED_IN_MAX: usize = 10_000;

/// Elicitations started in a session here, by id, with their session.
#[derive(Debug, Default)]
pub(crate) struct AskedIn(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl AskedIn {
    fn remember(&self, elicitation: &str, session: &str) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= ASKED_IN_MAX {
            // The notification is a courtesy (the client retries anyway): start over.
            all.clear();
        }
        all.insert(elicitation.to_owned(), session.to_owned());
    }

    fn take(&self, elicitation: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(elicitation)
    }
}

/// What a call that needs secrets does next.
pub(crate) enum SecretsStep {
    /// Call again, with these secrets (JSON text).
    Retry(String),
    /// Answer this (the result the client acts on).
    Answer(Box<RawValue>),
}

/// Whether the registry refused `action_id` for want of secrets.
pub(crate) fn needs_secrets(error_name: &str, message: &str, action_id: &str) -> bool {
    error_name == "InputError"
        && message == format!("Action \"{action_id}\" requires secrets but none were provided")
}

/// Whether the client declared URL-mode elicitation (`elicitation: { url: {} }`).
fn declares_url_elicitation(capabilities: Option<&Value>) -> bool {
    capabilities
        .and_then(|c| c.get("elicitation"))
        .and_then(|e| e.get("url"))
        .is_some_and(Value::is_object)
}

#[derive(Serialize)]
struct InputRequired<'a> {
    #[serde(rename = "resultType")]
    result_type: &'static str,
    #[serde(rename = "inputRequests")]
    input_requests: Value,
    #[serde(rename = "requestState")]
    request_state: String,
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    meta: Option<&'a RawValue>,
}

impl<H: ActionHost> Engine<H> {
    /// Whether `action_id` declares secrets (from the caller's action list): asked only of
    /// calls that would become a task before the registry answers (`tasks.always`).
    pub(crate) async fn needs_secrets_first(&self, action_id: &str, ctx: &CallContext) -> bool {
        self.actions(ctx).await.is_ok_and(|list| {
            list.actions
                .iter()
                .any(|a| a.id == action_id && a.schema.secrets.object().is_some())
        })
    }

    /// The registry refused the call of `tool` (action `action_id`) for want of secrets:
    /// the secrets the caller submitted for it, or the answer that sends the user to the page.
    pub(crate) async fn secrets_step(
        &self,
        tool: &str,
        action_id: &str,
        request_state: Option<&str>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<SecretsStep, ErrorData> {
        let now = now_ms();
        let Some(key) = &self.config.secrets.key else {
            let message = format!(
                "tool \"{tool}\" needs secrets, and this Backstage takes none: the platform team turns this on with mcpActions.secrets.encryptionKey"
            );
            return Ok(SecretsStep::Answer(result::tool_error(
                "SecretsUnavailable",
                &message,
                &scope.frame,
            )));
        };
        let named = request_state.and_then(|s| s.strip_prefix(STATE_PREFIX));
        let candidate = match named {
            Some(id) => Some(id.to_owned()),
            None => self
                .host
                .find_submitted(&ctx.principal, action_id, now)
                .await
                .map_err(|e| store_failed(&e.0))?,
        };
        if let Some(id) = candidate {
            match self.take(key, &id, action_id, ctx, now).await? {
                Taken::Secrets(secrets) => return Ok(SecretsStep::Retry(secrets)),
                Taken::Waiting(elicitation) => {
                    // The retry came before the user submitted: the same question again.
                    return self.ask(&elicitation, scope).map(SecretsStep::Answer);
                }
                Taken::Nothing => {}
            }
        }
        let elicitation = self.start(tool, action_id, scope, ctx, now).await?;
        // A 2025-11-25 session whose client takes URL elicitation hears when it is done.
        if let Some(session) = scope
            .session
            .filter(|_| declares_url_elicitation(scope.request.client_capabilities.as_ref()))
        {
            self.asked_in.remember(&elicitation.id, session);
        }
        info!(elicitation = %elicitation.id, tool = %tool, principal = %ctx.principal,
            "the call needs secrets: the user was asked for them");
        self.ask(&elicitation, scope).map(SecretsStep::Answer)
    }

    /// The secrets of elicitation `id`, when it is the caller's, for this action, submitted
    /// and unexpired (then it is used up), or the elicitation still waiting for its user.
    async fn take(
        &self,
        key: &SealingKey,
        id: &str,
        action_id: &str,
        ctx: &CallContext,
        now: u64,
    ) -> Result<Taken, ErrorData> {
        let Some(found) = self
            .host
            .load_elicitation(id)
            .await
            .map_err(|e| store_failed(&e.0))?
        else {
            return Ok(Taken::Nothing);
        };
        if found.owner != ctx.principal || found.action_id != action_id || found.expired(now) {
            return Ok(Taken::Nothing);
        }
        match found.status {
            Status::Pending => Ok(Taken::Waiting(Box::new(found))),
            Status::Used => Ok(Taken::Nothing),
            Status::Submitted => {
                let Some(taken) = self
                    .host
                    .take_elicitation(id, now)
                    .await
                    .map_err(|e| store_failed(&e.0))?
                else {
                    // Another call of the same caller took them first.
                    return Ok(Taken::Nothing);
                };
                match taken
                    .sealed
                    .as_deref()
                    .and_then(|s| key.open(s, &taken.binding()))
                {
                    Some(secrets) => Ok(Taken::Secrets(secrets)),
                    None => {
                        error!(elicitation = %id, "submitted secrets could not be opened (another mcpActions.secrets.encryptionKey?): the user is asked again");
                        Ok(Taken::Nothing)
                    }
                }
            }
        }
    }

    /// A new elicitation for this call, written before the client hears of it.
    async fn start(
        &self,
        tool: &str,
        action_id: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
        now: u64,
    ) -> Result<Elicitation, ErrorData> {
        let actions = self.actions(ctx).await?;
        let action = actions.actions.iter().find(|a| a.id == action_id);
        let schema = action
            .and_then(|a| a.schema.secrets.object())
            .map(|s| Value::Object((**s).clone()))
            .unwrap_or_else(|| json!({ "type": "object", "properties": {} }));
        let (Some(id), Some(csrf_token)) = (new_task_id(), new_task_id()) else {
            return Err(internal_error(
                "Internal error: the system's random source failed",
            ));
        };
        let elicitation = Elicitation {
            id,
            owner: ctx.principal.clone(),
            action_id: action_id.to_owned(),
            tool: tool.to_owned(),
            action_title: action.and_then(|a| a.title.clone()),
            action_description: action.and_then(|a| a.description.clone()),
            secrets_schema: schema.to_string(),
            client: scope.request.client_name().map(str::to_owned),
            csrf_token,
            status: Status::Pending,
            sealed: None,
            created_ms: now,
            expires_ms: now.saturating_add(self.config.secrets.ttl.as_millis() as u64),
        };
        self.host
            .create_elicitation(&elicitation)
            .await
            .map_err(|e| store_failed(&e.0))?;
        Ok(elicitation)
    }

    /// The page where the user gives the secrets of `elicitation`.
    fn secrets_url(&self, elicitation: &Elicitation) -> String {
        format!(
            "{}/mcp-actions/secrets/{}",
            self.config.secrets.app_base_url, elicitation.id
        )
    }

    /// What the caller is told to do: a user opens the page; a service principal (a static
    /// token) has no page session, so it is given the API's two requests with the same
    /// token (never the token itself), and the OAuth login when this Backstage offers one.
    fn secrets_message(&self, elicitation: &Elicitation, names: &[String], url: &str) -> String {
        let tool = &elicitation.tool;
        let listed = names.join(", ");
        let lasting = lasting(self.config.secrets.ttl);
        if !elicitation.owner.starts_with("service:") {
            return format!(
                "Tool \"{tool}\" needs secrets ({listed}) that must not pass through this conversation. Open {url} and enter them in Backstage; the link is yours only and works for {lasting}."
            );
        }
        let api = format!(
            "{}/v1/elicitations/{}",
            self.config.page.base_url, elicitation.id
        );
        let fields: Vec<String> = names.iter().map(|n| format!("\"{n}\":\"<{n}>\"")).collect();
        let login = if self.config.oauth.is_some() {
            " Or connect the client as a Backstage user (its OAuth login, no token header): then the page takes them."
        } else {
            ""
        };
        format!(
            "Tool \"{tool}\" needs secrets ({listed}) that must not pass through this conversation. This call runs as {owner}, a service principal (a static token) with no Backstage page session, so the page cannot take them: give them through the plugin's API with the same token, within {lasting}. First `curl -s -H \"Authorization: Bearer $BACKSTAGE_MCP_TOKEN\" {api}` answers the request and its csrfToken; then `curl -s -X POST -H \"Authorization: Bearer $BACKSTAGE_MCP_TOKEN\" -H \"Content-Type: application/json\" -d '{{\"csrfToken\":\"<csrfToken>\",\"secrets\":{{{}}}}}' {api}/secrets` answers {{\"ok\":true}}.{login}",
            fields.join(","),
            owner = elicitation.owner,
        )
    }

    /// The answer that sends the user to the page, in the form this client can act on.
    fn ask(
        &self,
        elicitation: &Elicitation,
        scope: &Scope<'_>,
    ) -> Result<Box<RawValue>, ErrorData> {
        let url = self.secrets_url(elicitation);
        let names: Vec<String> = serde_json::from_str::<Value>(&elicitation.secrets_schema)
            .ok()
            .and_then(|s| s.as_object().map(secrets::declared))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _, _)| name)
            .collect();
        let message = self.secrets_message(elicitation, &names, &url);
        let capabilities = scope.request.client_capabilities.as_ref();
        if declares_url_elicitation(capabilities) {
            if scope.request.is_modern() {
                return to_raw(&InputRequired {
                    result_type: "input_required",
                    input_requests: json!({
                        INPUT_KEY: { "method": "elicitation/create", "params": { "mode": "url", "message": message, "url": url } }
                    }),
                    request_state: format!("{STATE_PREFIX}{}", elicitation.id),
                    meta: scope.frame.meta,
                });
            }
            return Err(ErrorData::new(
                ErrorCode(URL_ELICITATION_REQUIRED),
                "This request requires more information: the user gives this tool's secrets in Backstage",
                Some(json!({ "elicitations": [{ "mode": "url", "elicitationId": elicitation.id, "url": url, "message": message }] })),
            ));
        }
        let text = format!("{message} Then call this tool again with the same arguments.");
        Ok(result::tool_error("SecretsRequired", &text, &scope.frame))
    }
}

impl<H: ActionHost> Engine<H> {
    /// The user submitted the secrets of `elicitation`: the session that asked, if it is one
    /// of this instance, and the `notifications/elicitation/complete` to send down its
    /// stream (2025-11-25; an SSE message).
    pub fn elicitation_completed(&self, elicitation: &str) -> Option<(String, String)> {
        let session = self.asked_in.take(elicitation)?;
        let notification = json!({
            "jsonrpc": "2.0",
            "method": "notifications/elicitation/complete",
            "params": { "elicitationId": elicitation },
        });
        Some((
            session,
            crate::protocol::http::sse_message(&notification.to_string()),
        ))
    }
}

enum Taken {
    Secrets(String),
    Waiting(Box<Elicitation>),
    Nothing,
}

/// `5 minutes`, `1 minute`, `30 seconds`.
fn lasting(ttl: std::time::Duration) -> String {
    let seconds = ttl.as_secs();
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} second{}", if s == 1 { "" } else { "s" }),
        (m, 0) => format!("{m} minute{}", if m == 1 { "" } else { "s" }),
        _ => format!("{seconds} seconds"),
    }
}

fn store_failed(detail: &str) -> ErrorData {
    warn!("the elicitation store failed: {detail}");
    internal_error("Internal error: the plugin's database could not keep the request for secrets; the server log has the details")
}
