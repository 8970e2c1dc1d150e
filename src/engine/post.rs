//! One Streamable HTTP POST, start to end: the HTTP rules, the era of the request and its
//! checks, legacy sessions, then the answer to each message.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use futures_util::future::join_all;
use rmcp::model::{ErrorCode, ErrorData};
use serde_json::Value;
use tokio::sync::oneshot;
use tracing::debug;

use super::cancel::CallKey;
use super::{dispatch, sessions, Engine, Observations, ProgressSink, Scope};
use crate::config::EngineConfig;
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::{self, StandardHeaders};
use crate::protocol::http::{self, Framing, HttpResponse, PostRequest};
use crate::protocol::jsonrpc::{
    self, error_json, invalid_request, parse_body, response_json, Body, BodyError, Incoming,
};
use crate::protocol::version;
use crate::session::Transport;
use crate::tools::search::Discovery;

/// The answer for an unknown `/v1/{key}`.
pub(crate) fn unknown_server(key: &str, config: &EngineConfig) -> HttpResponse {
    let known: Vec<_> = config.servers.keys().map(String::as_str).collect();
    let list = if known.is_empty() {
        "none are configured".to_owned()
    } else {
        format!("configured: {}", known.join(", "))
    };
    HttpResponse::rpc_error(
        404,
        ErrorData::new(
            ErrorCode(-32000),
            format!(
                "Not Found: there is no MCP server \"{}\" (mcpActions.servers; {list})",
                jsonrpc::shown(key)
            ),
            None,
        ),
    )
}

/// `X-MCP-Readonly`: `true`/`1` on, `false`/`0`/absent off, anything else is a 400.
fn read_only_switch(header: Option<&str>) -> Result<bool, HttpResponse> {
    match header.map(|h| h.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(HttpResponse::rpc_error(
            400,
            ErrorData::new(
                ErrorCode::INVALID_REQUEST,
                format!(
                    "Bad Request: X-MCP-Readonly must be \"true\" or \"false\", got \"{other}\""
                ),
                None,
            ),
        )),
    }
}

/// `X-MCP-Tools`: `all` or `search` for this request; absent, the server's own setting.
fn discovery_switch(header: Option<&str>, server: Discovery) -> Result<Discovery, HttpResponse> {
    match header.map(str::trim).filter(|h| !h.is_empty()) {
        None => Ok(server),
        Some(value) => Discovery::parse(value).ok_or_else(|| {
            HttpResponse::rpc_error(
                400,
                ErrorData::new(
                    ErrorCode::INVALID_REQUEST,
                    format!(
                        "Bad Request: X-MCP-Tools must be {}, got \"{}\"",
                        Discovery::NAMES,
                        jsonrpc::shown(value)
                    ),
                    None,
                ),
            )
        }),
    }
}

impl<H: ActionHost> Engine<H> {
    /// A POST, with progress of long calls sent to `progress` (SSE chunks that go out before
    /// the answer, which is then an SSE event too) when the client accepts SSE.
    pub async fn handle_post_streaming(
        &self,
        req: PostRequest<'_>,
        ctx: &CallContext,
        observed: &Observations,
        progress: Option<&dyn ProgressSink>,
    ) -> HttpResponse {
        let parsed = parse_body(req.body);
        // Every refusal names the request it answers, when the body says which.
        let id = parsed.as_ref().map(Body::request_id).unwrap_or(Value::Null);
        let Some(server) = self.config.server(req.server) else {
            return unknown_server(req.server.unwrap_or_default(), &self.config).for_request(&id);
        };
        let framing = match http::precheck(&req) {
            Ok(framing) => framing,
            Err(response) => return response.for_request(&id),
        };
        let body = match parsed {
            Ok(body) => body,
            Err(BodyError::Parse(detail)) => {
                return HttpResponse::rpc_error(400, jsonrpc::parse_error(&detail))
            }
            Err(BodyError::EmptyBatch) => {
                return HttpResponse::rpc_error(
                    400,
                    invalid_request("an empty batch is not a JSON-RPC message"),
                )
            }
        };
        let read_only = match read_only_switch(req.read_only) {
            Ok(on) => on,
            Err(response) => return response.for_request(&id),
        };
        let discovery = match discovery_switch(req.tools, server.tool_discovery) {
            Ok(mode) => mode,
            Err(response) => return response.for_request(&id),
        };
        let headers = StandardHeaders {
            protocol_version: req.protocol_version,
            method: req.method,
            name: req.name,
        };
        let mut request = match context::classify(&body, headers) {
            Ok(request) => request,
            Err(refusal) => {
                debug!(
                    code = refusal.error.code.0,
                    "refused a request: {}", refusal.error.message
                );
                return HttpResponse::json(refusal.status, error_json(&refusal.id, refusal.error));
            }
        };
        let mut session_header = None;
        if request.is_modern() {
            if let Some(response) =
                dispatch::unknown_modern_method(&body, self.config.tasks.enabled)
            {
                return response;
            }
        } else {
            match self.legacy_checks(&req, &body, ctx) {
                Ok(session) => session_header = session,
                Err(response) => return response.for_request(&id),
            }
            // A stateful session remembers what its client declared at `initialize`.
            match (&session_header, req.session_id) {
                (Some(opened), _) if body.initialize_params().is_some() => {
                    self.sessions
                        .set_declared(opened, sessions::declared_of(&body));
                }
                (None, Some(id)) if self.config.sessions.stateful => {
                    if let Some(declared) = self.sessions.declared(id) {
                        request.client_capabilities = declared.capabilities.clone();
                        request.client_info = declared.client_info.clone();
                    }
                }
                _ => {}
            }
        }
        let streamed = AtomicBool::new(false);
        let held = AtomicBool::new(false);
        let limited = std::sync::OnceLock::new();
        let scope = Scope {
            server_key: req.server,
            server,
            read_only,
            discovery,
            observed,
            progress: progress.filter(|_| http::accepts_sse(req.accept)),
            streamed: &streamed,
            held: &held,
            limited: &limited,
            session: req
                .session_id
                .filter(|_| self.config.sessions.stateful && !request.is_modern()),
            frame: self.frame(&request, req.server),
            request: &request,
        };
        if let Body::Single(Incoming::Request { id, method, params }) = &body {
            if method == "subscriptions/listen" && request.is_modern() {
                if !http::accepts_sse(req.accept) {
                    return HttpResponse::json(406, error_json(id, ErrorData::new(
                        ErrorCode(-32000),
                        "Not Acceptable: subscriptions/listen answers with an SSE stream; the Accept header must allow text/event-stream",
                        None,
                    )));
                }
                return self.open_listen(id, params.clone(), &scope, ctx).await;
            }
        }
        let single = matches!(body, Body::Single(_));
        let (status, json) = self.respond(body, &scope, ctx).await;
        let framing = if streamed.load(Ordering::Acquire) {
            Framing::Sse
        } else {
            framing
        };
        let response = match (json, framing) {
            (None, _) => HttpResponse::accepted(),
            (Some(json), Framing::Json) => HttpResponse::json(status, json),
            (Some(json), Framing::Sse) if status == 200 => HttpResponse::sse(json),
            (Some(json), Framing::Sse) => HttpResponse::json(status, json),
        };
        // A single call refused by a rate limit is a `429` with its headers.
        let response = match limited.get() {
            Some(refusal) if single => super::limits::too_many(response, refusal),
            _ => response,
        };
        // A task still runs with this request's credentials: the host keeps them.
        let response = if held.load(Ordering::Acquire) {
            response.with_header(super::HELD_KEY, "1".to_owned())
        } else {
            response
        };
        match session_header {
            Some(id) => response.with_header("mcp-session-id", id),
            None => response,
        }
    }

    /// The rules of the legacy era: the `MCP-Protocol-Version` header after `initialize`, and
    /// in stateful mode the session (opened by `initialize`, required after it).
    fn legacy_checks(
        &self,
        req: &PostRequest<'_>,
        body: &Body,
        ctx: &CallContext,
    ) -> Result<Option<String>, HttpResponse> {
        let handshake = initialize_version(body);
        // The header names the revision negotiated earlier; an `initialize` comes before that.
        if handshake.is_none() {
            http::check_protocol_header(req.protocol_version)?;
        }
        if !self.config.sessions.stateful {
            return Ok(None);
        }
        match handshake {
            Some(negotiated) => {
                let primes = negotiated.as_str() >= "2025-11-25";
                self.sessions
                    .open(
                        Transport::Streamable,
                        &ctx.principal,
                        req.server,
                        primes,
                        Instant::now(),
                    )
                    .map(Some)
                    .map_err(|err| sessions::refusal(err, sessions::HEADER))
            }
            None => self
                .sessions
                .touch(
                    req.session_id,
                    Transport::Streamable,
                    &ctx.principal,
                    req.server,
                    Instant::now(),
                )
                .map(|()| None)
                .map_err(|err| sessions::refusal(err, sessions::HEADER)),
        }
    }

    /// The status and JSON text answering a parsed body (`None`: nothing to answer).
    pub(crate) async fn respond(
        &self,
        body: Body,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> (u16, Option<String>) {
        match body {
            Body::Single(Incoming::Invalid { id, reason }) => {
                (400, Some(error_json(&id, invalid_request(reason))))
            }
            Body::Single(message) => (200, self.answer(message, scope, ctx).await),
            Body::Batch(messages) => {
                let answers =
                    join_all(messages.into_iter().map(|m| self.answer(m, scope, ctx))).await;
                let answers: Vec<String> = answers.into_iter().flatten().collect();
                if answers.is_empty() {
                    (200, None)
                } else {
                    (200, Some(format!("[{}]", answers.join(","))))
                }
            }
        }
    }

    /// The JSON text answering one message, or `None` for notifications and responses.
    async fn answer(
        &self,
        message: Incoming,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Option<String> {
        match message {
            Incoming::Request { id, method, params } if method == "tools/call" => {
                // A call can be cancelled (`notifications/cancelled`): then no answer at all.
                let (cancel, cancelled) = oneshot::channel();
                let key = CallKey::new(ctx, scope.session, &id);
                let _entry = self.cancellable.register(key, cancel);
                tokio::select! {
                    outcome = self.dispatch(&method, params, scope, ctx) => {
                        Some(response_json(&id, &outcome))
                    }
                    Ok(()) = cancelled => {
                        debug!(principal = %ctx.principal, "tool call cancelled by its client");
                        None
                    }
                }
            }
            Incoming::Request { id, method, params } => {
                let outcome = self.dispatch(&method, params, scope, ctx).await;
                Some(response_json(&id, &outcome))
            }
            Incoming::Invalid { id, reason } => Some(error_json(&id, invalid_request(reason))),
            Incoming::Notification { method, params } => {
                debug!(%method, "notification received");
                if method == "notifications/cancelled" {
                    self.cancel(params, scope, ctx);
                }
                None
            }
            Incoming::Response { id, answer } => {
                if let Some(session) = scope.session {
                    self.answered(session, &id, answer);
                }
                None
            }
        }
    }
}

/// The revision an `initialize` in this body negotiates, if the body holds one.
fn initialize_version(body: &Body) -> Option<rmcp::model::ProtocolVersion> {
    let params = body.initialize_params()?;
    Some(version::negotiate(
        params.get("protocolVersion").and_then(Value::as_str),
    ))
}
