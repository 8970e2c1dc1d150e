//! Calls a person confirms before they run (`mcpActions.confirm`). The first rule that
//! matches a call asks its caller, the way the client can answer:
//! - 2026-07-28, a client that declares elicitation: an `input_required` result with a form
//!   `elicitation/create`; the retry carries the answer and the `requestState` naming the
//!   confirmation;
//! - a 2025 session whose client declared elicitation, on a POST that takes an SSE answer:
//!   `elicitation/create` down that stream, and the client's response to it (a POST of the
//!   same session) decides, within `mcpActions.confirmTimeout`;
//! - any other client: an `isError` result that sends a user to the page (its pending
//!   confirmations, Confirm and Decline), after which the same call runs; a service
//!   principal (a static token) has no page and is told it needs a client that can ask.
//!
//! A confirmation is bound to the caller, the server, the tool and the exact arguments, and
//! used once ([`crate::policy::confirm`]).

use std::collections::HashMap;
use std::sync::Mutex;

use rmcp::model::ErrorData;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::oneshot;
use tracing::{info, warn};

use super::tasks::now_ms;
use super::{Engine, Scope};
use crate::host::{ActionHost, CallContext};
use crate::policy::confirm::{binding, Status, CONFIRMATION_TTL_MS, SHOWN_ARGUMENTS};
use crate::policy::{CallFacts, ConfirmRule, Confirmation};
use crate::protocol::http::sse_message;
use crate::protocol::jsonrpc::{internal_error, to_raw};
use crate::tasks::new_task_id;
use crate::tools::{result, Attributes};

mod page;
mod question;

pub(crate) use question::declares_form_elicitation;
use question::{decision, in_words, requested_schema};

/// `requestState` of the `input_required` answer: this prefix, then the confirmation's id.
const STATE_PREFIX: &str = "mcp-actions:confirm:";
/// The key of the one input request.
const INPUT_KEY: &str = "confirm";
/// The id of the `elicitation/create` request sent down a 2025 stream: this, then the id.
const REQUEST_PREFIX: &str = "mcp-actions-confirm-";

/// What the call does next.
pub(crate) enum ConfirmStep {
    /// Confirmed: run it.
    Run,
    /// Answer this instead (the question, or why the call did not run).
    Answer(Box<RawValue>),
}

/// What a confirmation came to, for the audit event.
pub(crate) type Decided = (String, &'static str);

/// The `elicitation/create` requests sent down 2025 streams and not answered yet, by session
/// and request id.
#[derive(Debug, Default)]
pub(crate) struct AskedNow(Mutex<HashMap<(String, String), oneshot::Sender<Value>>>);

impl AskedNow {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), oneshot::Sender<Value>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Removes an unanswered question when its call ends another way (cancelled, dropped).
struct Forget<'a>(&'a AskedNow, (String, String));

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

impl<H: ActionHost> Engine<H> {
    /// The first `mcpActions.confirm` rule that matches this call, if any.
    pub(super) async fn confirm_rule(
        &self,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Option<&ConfirmRule>, ErrorData> {
        let rules = &self.config.confirm;
        if rules.is_empty() {
            return Ok(None);
        }
        let mut facts = CallFacts {
            principal: &ctx.principal,
            tool,
            server: scope.server_key,
            attributes: None,
        };
        let attributes: Option<Attributes>;
        if rules
            .iter()
            .any(|r| r.matcher.needs_attributes() && r.matcher.matches_call(&facts))
        {
            attributes = self.attributes_of(tool, scope, ctx).await?;
            facts.attributes = attributes.as_ref();
        }
        Ok(rules.iter().find(|r| r.matcher.matches(&facts)))
    }

    /// Whether this call may run now: the caller confirmed it (or does now), or the answer
    /// that asks or says why it did not run. `decided` gets what it came to, for the audit.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn confirmed(
        &self,
        rule: &ConfirmRule,
        tool: &str,
        action_id: &str,
        input: &str,
        params: &Map<String, Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
        failure: &mut Option<String>,
        decided: &mut Option<Decided>,
    ) -> Result<ConfirmStep, ErrorData> {
        let now = now_ms();
        let owner = ctx.principal.as_str();
        let bound = binding(scope.server_key, tool, input);
        let mut note = |d: &'static str| *decided = Some((rule.name.clone(), d));

        // 2026-07-28: the retry that answers the question.
        let state = params.get("requestState").and_then(Value::as_str);
        if let Some(id) = state.and_then(|s| s.strip_prefix(STATE_PREFIX)) {
            let asked = self
                .host
                .load_confirmation(id)
                .await
                .map_err(store_failed)?;
            if let Some(c) = asked.filter(|c| {
                c.binds(owner, &bound) && c.status == Status::Pending && !c.expired(now)
            }) {
                let answer = params
                    .get("inputResponses")
                    .and_then(|r| r.get(INPUT_KEY))
                    .and_then(decision);
                match answer {
                    Some(true) => {
                        if self.settle(&c, Status::Used, now).await? {
                            note("confirmed");
                            return Ok(ConfirmStep::Run);
                        }
                    }
                    Some(false) => {
                        self.settle(&c, Status::Used, now).await?;
                        note("declined");
                        return Ok(self.declined(&c, scope, failure));
                    }
                    None => {
                        return self
                            .ask_confirmation(&c, scope, ctx, failure, &mut note)
                            .await
                    }
                }
            }
        }
        // Answered on the page: this retry runs the call, or hears that it was declined.
        if let Some(c) = self
            .host
            .take_confirmation(owner, &bound, now)
            .await
            .map_err(store_failed)?
        {
            if c.status == Status::Declined {
                note("declined");
                return Ok(self.declined(&c, scope, failure));
            }
            info!(confirmation = %c.id, tool = %tool, principal = %owner, "a confirmed call runs");
            note("confirmed");
            return Ok(ConfirmStep::Run);
        }
        let c = self
            .new_confirmation(rule, tool, action_id, input, &bound, scope, ctx, now)
            .await?;
        self.ask_confirmation(&c, scope, ctx, failure, &mut note)
            .await
    }

    /// A new pending confirmation, written before anyone hears of it.
    #[allow(clippy::too_many_arguments)]
    async fn new_confirmation(
        &self,
        rule: &ConfirmRule,
        tool: &str,
        action_id: &str,
        input: &str,
        bound: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
        now: u64,
    ) -> Result<Confirmation, ErrorData> {
        let title = self
            .actions(ctx)
            .await
            .ok()
            .and_then(|list| list.actions.into_iter().find(|a| a.id == action_id))
            .and_then(|a| a.title);
        let words = in_words(input);
        let what = title.clone().unwrap_or_else(|| tool.to_owned());
        let question = if words.is_empty() {
            format!("{what} ({tool}) as {}?", ctx.principal)
        } else {
            format!("{what} ({tool}) with {words}, as {}?", ctx.principal)
        };
        let Some(id) = new_task_id() else {
            return Err(internal_error(
                "Internal error: the system's random source failed",
            ));
        };
        let mut arguments = input.to_owned();
        if arguments.len() > SHOWN_ARGUMENTS {
            let mut cut = SHOWN_ARGUMENTS;
            while !arguments.is_char_boundary(cut) {
                cut -= 1;
            }
            arguments.truncate(cut);
            arguments.push('…');
        }
        let c = Confirmation {
            id,
            owner: ctx.principal.clone(),
            binding: bound.to_owned(),
            server: scope.server_key.unwrap_or_default().to_owned(),
            tool: tool.to_owned(),
            action_id: action_id.to_owned(),
            action_title: title,
            question,
            arguments,
            rule: rule.name.clone(),
            client: scope.request.client_name().map(str::to_owned),
            status: Status::Pending,
            created_ms: now,
            expires_ms: now + CONFIRMATION_TTL_MS,
        };
        self.host
            .create_confirmation(&c)
            .await
            .map_err(store_failed)?;
        info!(confirmation = %c.id, tool = %tool, principal = %ctx.principal, rule = %rule.name,
            "the call needs its caller's confirmation: asked");
        Ok(c)
    }

    /// `c` from pending to `to` (`Used` for the client's own answer, yes or no: the caller
    /// has heard it); `false` when it was answered elsewhere first.
    async fn settle(&self, c: &Confirmation, to: Status, now: u64) -> Result<bool, ErrorData> {
        self.host
            .set_confirmation(&c.id, &c.owner, Status::Pending, to, now)
            .await
            .map_err(store_failed)
    }

    /// Ask the caller about `c` in the way its client can answer.
    async fn ask_confirmation(
        &self,
        c: &Confirmation,
        scope: &Scope<'_>,
        ctx: &CallContext,
        failure: &mut Option<String>,
        note: &mut impl FnMut(&'static str),
    ) -> Result<ConfirmStep, ErrorData> {
        let capabilities = scope.request.client_capabilities.as_ref();
        let message = format!("Confirm this call: {}", c.question);
        if declares_form_elicitation(capabilities) {
            if scope.request.is_modern() {
                note("asked");
                *failure = Some(format!(
                    "ConfirmationAsked: the client was asked to confirm {}",
                    c.tool
                ));
                let answer = json!({
                    "resultType": "input_required",
                    "inputRequests": { INPUT_KEY: { "method": "elicitation/create", "params": {
                        "mode": "form", "message": message, "requestedSchema": requested_schema()
                    } } },
                    "requestState": format!("{STATE_PREFIX}{}", c.id),
                });
                return to_raw(&answer).map(ConfirmStep::Answer);
            }
            if let (Some(session), Some(sink)) = (scope.session, scope.progress) {
                let request_id = format!("{REQUEST_PREFIX}{}", c.id);
                let key = (session.to_owned(), request_id.clone());
                let (tx, rx) = oneshot::channel();
                self.asked_now.lock().insert(key.clone(), tx);
                let _forget = Forget(&self.asked_now, key);
                let request = json!({
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "method": "elicitation/create",
                    "params": { "mode": "form", "message": message, "requestedSchema": requested_schema() },
                });
                scope
                    .streamed
                    .store(true, std::sync::atomic::Ordering::Release);
                sink.send(sse_message(&request.to_string()));
                let wait = self.config.confirm_timeout;
                let answered = tokio::time::timeout(wait, rx)
                    .await
                    .ok()
                    .and_then(Result::ok);
                let now = now_ms();
                return match answered.as_ref().and_then(decision) {
                    Some(true) => {
                        if self.settle(c, Status::Used, now).await? {
                            note("confirmed");
                            Ok(ConfirmStep::Run)
                        } else {
                            note("declined");
                            Ok(self.declined(c, scope, failure))
                        }
                    }
                    Some(false) => {
                        self.settle(c, Status::Used, now).await?;
                        note("declined");
                        Ok(self.declined(c, scope, failure))
                    }
                    None => {
                        note("timed_out");
                        let text = format!(
                            "No answer to the confirmation within {} s: the call did not run. {} Or call this tool again to be asked again.",
                            wait.as_secs(),
                            self.on_the_page(ctx)
                        );
                        *failure = Some(format!("ConfirmationTimeout: {text}"));
                        Ok(ConfirmStep::Answer(result::tool_error(
                            "ConfirmationTimeout",
                            &text,
                            &scope.frame,
                        )))
                    }
                };
            }
        }
        note("required");
        let text = if ctx.principal.starts_with("service:") {
            format!(
                "This call needs a person's confirmation before it runs ({}), and it runs as {}, a service principal (a static token) with no Backstage page to confirm on. Use a client that can ask its user (MCP elicitation), or connect as a Backstage user.",
                c.question, ctx.principal
            )
        } else {
            format!(
                "This call needs your confirmation before it runs: {} Your client cannot ask you (it declares no MCP elicitation). {} Then call this tool again with the same arguments; the confirmation is for this call only and lasts {} minutes.",
                c.question,
                self.on_the_page(ctx),
                CONFIRMATION_TTL_MS / 60_000
            )
        };
        *failure = Some(format!("ConfirmationRequired: {text}"));
        Ok(ConfirmStep::Answer(result::tool_error(
            "ConfirmationRequired",
            &text,
            &scope.frame,
        )))
    }

    /// Where a user confirms.
    fn on_the_page(&self, ctx: &CallContext) -> String {
        if ctx.principal.starts_with("service:") {
            return String::new();
        }
        format!(
            "Open {}/mcp-actions and confirm it under Pending confirmations.",
            self.config.secrets.app_base_url
        )
    }

    fn declined(
        &self,
        c: &Confirmation,
        scope: &Scope<'_>,
        failure: &mut Option<String>,
    ) -> ConfirmStep {
        let text = format!("The call was declined and did not run: {}", c.question);
        *failure = Some(format!("ConfirmationDeclined: {text}"));
        ConfirmStep::Answer(result::tool_error(
            "ConfirmationDeclined",
            &text,
            &scope.frame,
        ))
    }

    /// A client's response to an `elicitation/create` this engine sent down the stream of
    /// `session`: handed to the call waiting for it. Responses to anything else are ignored.
    pub(super) fn answered(&self, session: &str, id: &Value, answer: Value) {
        let Some(id) = id.as_str().filter(|id| id.starts_with(REQUEST_PREFIX)) else {
            return;
        };
        if let Some(tx) = self
            .asked_now
            .lock()
            .remove(&(session.to_owned(), id.to_owned()))
        {
            let _ = tx.send(answer);
        }
    }
}

fn store_failed(e: crate::tasks::StoreError) -> ErrorData {
    warn!("the confirmation store failed: {}", e.0);
    internal_error("Internal error: the plugin's database could not keep the confirmation; the server log has the details")
}
