//! Result budgets in the engine: a call's output over its server's budget is kept in the
//! store and answered as an `isError` result with a link; `resources/read` of the link gives
//! the whole back to the principal whose call produced it, page by page, on any replica.

use rmcp::model::{ErrorCode, ErrorData};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tracing::{error, info};

use super::tasks::now_ms;
use super::{Engine, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::frame::{CacheHints, Frame};
use crate::protocol::jsonrpc::{internal_error, invalid_params, params_object, to_raw, Outcome};
use crate::tasks::{new_task_id, result_for, StoredResult};
use crate::tools::budget::{self, OversizedAnswer};
use crate::tools::result;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceText<'a> {
    uri: &'a str,
    mime_type: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct ReadResult<'a> {
    contents: [ResourceText<'a>; 1],
    /// 2026-07-28: a kept result is the caller's own (private); it does not change.
    #[serde(flatten)]
    cache: Option<CacheHints>,
    #[serde(flatten)]
    frame: Frame<'a>,
}

/// `resources/read` of an MCP Apps view: the same for every caller.
#[derive(Serialize)]
struct ViewResult<'a> {
    contents: [Value; 1],
    #[serde(flatten)]
    cache: Option<CacheHints>,
    #[serde(flatten)]
    frame: Frame<'a>,
}

impl<H: ActionHost> Engine<H> {
    /// The answer to a call whose action returned `output`: the result itself when it fits
    /// the server's budget, else the oversized answer (the whole kept for the caller).
    pub(super) async fn within_budget(
        &self,
        output: &RawValue,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Box<RawValue> {
        let max_chars = scope.server.max_result_chars;
        let text = output.get();
        let Some(total_chars) = budget::over_budget(text, max_chars) else {
            return result::success(output, &scope.frame);
        };
        let ttl = self.config.result_ttl;
        let kept = match new_task_id() {
            None => None,
            Some(id) => {
                let now = now_ms();
                let stored = StoredResult {
                    id,
                    owner: ctx.principal.clone(),
                    text: text.to_owned(),
                    page_chars: max_chars as u64,
                    created_ms: now,
                    expires_ms: now.saturating_add(ttl.as_millis() as u64),
                };
                match self.host.put_result(&stored).await {
                    Ok(()) => Some(stored.id),
                    Err(err) => {
                        error!(code = "MCP_ACTIONS_TASK_STORE", tool = %tool,
                            "an oversized result could not be kept: {err}");
                        None
                    }
                }
            }
        };
        info!(tool = %tool, principal = %ctx.principal, chars = total_chars, budget = max_chars,
            kept = kept.is_some(), "a tool result was over the budget");
        OversizedAnswer {
            tool,
            text,
            total_chars,
            max_chars,
            stored: kept.as_deref().map(|id| (id, ttl.as_secs())),
        }
        .to_result(&scope.frame)
    }

    /// `resources/read`: a page of a result kept for this caller.
    pub(super) async fn read_resource(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let params = params_object(params)?;
        let Some(Value::String(uri)) = params.get("uri") else {
            return Err(invalid_params(
                "Invalid params: \"uri\" must be the URI of a resource, e.g. a tool result's resource_link",
            ));
        };
        let not_found = || {
            // 2026-07-28 answers a missing resource with -32602; earlier revisions with -32002.
            let code = if scope.request.is_modern() {
                ErrorCode::INVALID_PARAMS
            } else {
                ErrorCode(-32002)
            };
            ErrorData::new(code, "Resource not found", Some(json!({ "uri": uri })))
        };
        if uri.starts_with("ui://") {
            let view = self.config.apps.view(uri).ok_or_else(not_found)?;
            return to_raw(&ViewResult {
                contents: [view.contents()],
                cache: scope.frame.public_cache(),
                frame: scope.frame,
            });
        }
        let Some((id, page)) = budget::parse_result_uri(uri) else {
            return Err(not_found());
        };
        let stored = result_for(&*self.host, &ctx.principal, id, now_ms())
            .await
            .map_err(|err| {
                error!(code = "MCP_ACTIONS_TASK_STORE", "a kept result could not be read: {err}");
                internal_error("Internal error: the result store could not be read; the server log has the details")
            })?
            .ok_or_else(not_found)?;
        let text =
            budget::page(&stored.text, stored.page_chars as usize, page).ok_or_else(not_found)?;
        to_raw(&ReadResult {
            contents: [ResourceText {
                uri,
                mime_type: "application/json",
                text,
            }],
            cache: scope.frame.private_cache(),
            frame: scope.frame,
        })
    }

    /// `resources/list`: results are reached through their links only; the MCP Apps views
    /// are listed for a client that gets them. No templates.
    pub(super) fn list_resources(&self, scope: &Scope<'_>, key: &'static str) -> Outcome {
        let mut map = serde_json::Map::new();
        let views = if key == "resources" && crate::apps::shown(scope.request) {
            json!(self.config.apps.views())
        } else {
            json!([])
        };
        map.insert(key.to_owned(), views);
        for part in [
            serde_json::to_value(scope.frame.private_cache()),
            serde_json::to_value(scope.frame),
        ] {
            if let Ok(Value::Object(part)) = part {
                map.extend(part);
            }
        }
        to_raw(&map)
    }
}
