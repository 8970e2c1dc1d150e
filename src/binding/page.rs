//! The frontend page's JSON API (`/api/mcp-actions/ui/v1/...`), answered for the caller
//! Backstage's `httpAuth` accepted.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use napi_derive::napi;
use tracing::error;
use tracing::instrument::WithSubscriber;

use super::callbacks::{send, StreamEvent};
use super::engine::{McpEngine, McpHttpResponse};
use crate::engine::PageRoute;
use crate::protocol::http;
use crate::CallContext;

/// One request of the page's API.
#[napi(object)]
pub struct PageRequest {
    /// `servers`, `tools` (`server`), `tasks`, `cancel` (`taskId`), `usage`,
    /// `confirmations`, `confirm` or `decline` (`taskId`: the confirmation's id).
    pub route: String,
    /// Handle of the caller's credentials in the shim's table.
    pub credentials: u32,
    /// `user:default/jane`: whose tools and tasks these are.
    pub principal: String,
    /// `tools`: the key of `/v1/{key}`; absent for `/v1`.
    pub server: Option<String>,
    /// `cancel`: the task.
    pub task_id: Option<String>,
    /// `usage`: `mine` or `all`.
    pub scope: Option<String>,
    /// `usage`: `24h`, `7d` or `30d`.
    pub period: Option<String>,
    /// `usage`: only this tool / principal (`server` above: only this server).
    pub tool: Option<String>,
    pub filter_principal: Option<String>,
    /// `usage`: Backstage's permission framework allowed `mcp-actions.usage.read`.
    pub may_read_all: Option<bool>,
    /// `usage`: `json` (default) or `csv`.
    pub format: Option<String>,
}

#[napi]
impl McpEngine {
    /// Answer the page's API. Never rejects: every failure is an HTTP answer with a
    /// Backstage error body.
    #[napi]
    pub async fn page(&self, request: PageRequest) -> McpHttpResponse {
        let route = match (request.route.as_str(), request.task_id.as_deref()) {
            ("servers", _) => PageRoute::Servers,
            ("tools", _) => PageRoute::Tools(request.server.as_deref()),
            ("tasks", _) => PageRoute::Tasks,
            ("cancel", Some(id)) => PageRoute::Cancel(id),
            ("confirmations", _) => PageRoute::Confirmations,
            ("confirm", Some(id)) => PageRoute::Decide(id, true),
            ("decline", Some(id)) => PageRoute::Decide(id, false),
            ("usage", _) => PageRoute::Usage(crate::engine::UsageQuery {
                scope: request.scope.as_deref(),
                period: request.period.as_deref(),
                server: request.server.as_deref(),
                tool: request.tool.as_deref(),
                principal: request.filter_principal.as_deref(),
                may_read_all: request.may_read_all.unwrap_or(false),
                format: request.format.as_deref(),
            }),
            _ => return http::internal_failure().into(),
        };
        let ctx = CallContext {
            credentials: request.credentials,
            principal: request.principal.clone(),
            request: None,
            trace: None,
        };
        let engine = Arc::clone(&self.engine);
        let work = AssertUnwindSafe(engine.page(route, &ctx)).catch_unwind();
        match work.with_subscriber(self.dispatch.clone()).await {
            Ok(response) => response.into(),
            Err(_) => {
                error!(principal = %ctx.principal, "the MCP engine panicked while answering the page");
                http::internal_failure().into()
            }
        }
    }
}

/// One request of the secrets page's API.
#[napi(object)]
pub struct ElicitationRequest {
    /// `view` (GET) or `submit` (POST with `body`).
    pub route: String,
    pub elicitation_id: String,
    /// `user:default/jane`, from the credentials Backstage accepted.
    pub principal: String,
    /// The POST body: `{ csrfToken, secrets }` (never logged).
    pub body: Option<napi::bindgen_prelude::Buffer>,
}

#[napi]
impl McpEngine {
    /// Answer the secrets page's API. Never rejects.
    #[napi]
    pub async fn elicitation(&self, request: ElicitationRequest) -> McpHttpResponse {
        let engine = Arc::clone(&self.engine);
        let deliver = Arc::clone(&self.deliver);
        let work = async move {
            match request.route.as_str() {
                "view" => {
                    engine
                        .elicitation_view(&request.elicitation_id, &request.principal)
                        .await
                }
                "submit" => {
                    let body = request.body.as_deref().unwrap_or_default();
                    let answer = engine
                        .submit_secrets(&request.elicitation_id, &request.principal, body)
                        .await;
                    // A session of this instance asked: tell its stream (2025-11-25).
                    if answer.status == 200 {
                        if let Some((session, chunk)) =
                            engine.elicitation_completed(&request.elicitation_id)
                        {
                            send(&deliver, StreamEvent::chunk(session, Some(chunk)));
                        }
                    }
                    answer
                }
                _ => http::internal_failure(),
            }
        };
        match AssertUnwindSafe(work)
            .catch_unwind()
            .with_subscriber(self.dispatch.clone())
            .await
        {
            Ok(response) => response.into(),
            Err(_) => {
                error!("the MCP engine panicked while answering the secrets page");
                http::internal_failure().into()
            }
        }
    }
}
