//! Streamable HTTP POSTs: the request, its progress down its own response, and the answers
//! a POST route gives without dispatch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use super::callbacks::{records, send, DeliverFn, StreamEvent};
use super::engine::{McpEngine, McpHttpResponse};
use crate::engine::{Observations, ProgressSink};
use crate::protocol::http::{self, PostRequest};
use crate::CallContext;

/// One Streamable HTTP POST, as the shim received it.
#[napi(object)]
pub struct McpPostRequest {
    /// Handle of the caller's credentials in the shim's table.
    pub credentials: u32,
    /// `user:default/jane`, `service:external:ci`, from the credentials Backstage accepted:
    /// the owner of any session this request opens, and the name in logs.
    pub principal: String,
    /// `/v1/{server}`; absent for `/v1`.
    pub server: Option<String>,
    /// The `X-MCP-Readonly` header.
    pub read_only: Option<String>,
    /// The `X-MCP-Tools` header (`all` or `search`).
    pub tools: Option<String>,
    /// The `Mcp-Session-Id` header.
    pub session_id: Option<String>,
    /// The shim's number for this request, handed back in `invokeAction`.
    pub ticket: Option<u32>,
    pub accept: Option<String>,
    pub content_type: Option<String>,
    pub protocol_version: Option<String>,
    /// The `Mcp-Method` header (2026-07-28).
    pub mcp_method: Option<String>,
    /// The `Mcp-Name` header (2026-07-28).
    pub mcp_name: Option<String>,
    /// The raw request body.
    pub body: Buffer,
}

/// Progress of a POST's long call, down its own (SSE) response.
struct PostProgress {
    deliver: Arc<DeliverFn>,
    ticket: u32,
    started: AtomicBool,
}

impl ProgressSink for PostProgress {
    fn send(&self, chunk: String) {
        self.started.store(true, Ordering::Release);
        send(
            &self.deliver,
            StreamEvent {
                response_of: Some(self.ticket),
                ..StreamEvent::chunk(String::new(), Some(chunk))
            },
        );
    }
}

#[napi]
impl McpEngine {
    /// Answer a Streamable HTTP POST. Never rejects: every failure is an HTTP answer.
    #[napi]
    pub async fn handle_post(&self, request: McpPostRequest) -> McpHttpResponse {
        let engine = Arc::clone(&self.engine);
        let ctx = CallContext {
            credentials: request.credentials,
            principal: request.principal,
            request: request.ticket,
            trace: None,
        };
        let req = PostRequest {
            server: request.server.as_deref(),
            read_only: request.read_only.as_deref(),
            tools: request.tools.as_deref(),
            session_id: request.session_id.as_deref(),
            accept: request.accept.as_deref(),
            content_type: request.content_type.as_deref(),
            protocol_version: request.protocol_version.as_deref(),
            method: request.mcp_method.as_deref(),
            name: request.mcp_name.as_deref(),
            body: &request.body,
        };
        let observed = Observations::default();
        let progress = request.ticket.map(|ticket| PostProgress {
            deliver: Arc::clone(&self.deliver),
            ticket,
            started: AtomicBool::new(false),
        });
        let response = engine
            .handle_post_guarded(
                req,
                &ctx,
                &observed,
                progress.as_ref().map(|p| p as &dyn ProgressSink),
            )
            .with_subscriber(self.dispatch.clone())
            .await;
        let response: McpHttpResponse = response.into();
        McpHttpResponse {
            observations: records(&observed),
            streamed: progress
                .filter(|_| response.stream.is_none())
                .map(|p| p.started.load(Ordering::Acquire)),
            ..response
        }
    }

    /// The answer to any method other than POST on `/v1` or `/v1/{server}`.
    #[napi(catch_unwind)]
    pub fn method_not_allowed(&self, method: String, server: Option<String>) -> McpHttpResponse {
        self.engine
            .method_not_allowed(&method, server.as_deref())
            .into()
    }

    #[napi(catch_unwind)]
    pub fn unreadable_body(&self, status: u16, message: String) -> McpHttpResponse {
        http::unreadable_body(status, &message).into()
    }

    /// `500` for a failure in the shim itself.
    #[napi(catch_unwind)]
    pub fn internal_error(&self) -> McpHttpResponse {
        http::internal_failure().into()
    }

    /// The client of the POST with this ticket went away: stop working on it (its
    /// `handlePost` resolves at once, with status 499). `false` when it is not running.
    #[napi(catch_unwind)]
    pub fn abandon(&self, ticket: u32) -> bool {
        self.engine.abandon(ticket)
    }
}
