//! The session transports: legacy HTTP+SSE (2024-11-05) and the GET stream and DELETE of
//! stateful Streamable HTTP. The host owns the open HTTP responses; the engine decides.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;

use rmcp::model::{ErrorCode, ErrorData};

use super::{unknown_server, Engine, Observations, ProgressSink, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::RequestContext;
use crate::protocol::frame::Frame;
use crate::protocol::http::{self, sse_message, HttpResponse};
use crate::protocol::jsonrpc::{self, invalid_request, parse_body, Body, BodyError};
use crate::session::{Declared, SessionError, Sweep, Transport};

/// What the `initialize` request in `body` declares: the capabilities, and the `clientInfo`
/// the usage names the client by.
pub(super) fn declared_of(body: &Body) -> Declared {
    Declared {
        capabilities: body.initialize_capabilities(),
        client_info: body.initialize_client_info(),
    }
}
use tracing::error;

/// Where a session id travels, for messages: the legacy query parameter or the header.
pub(crate) const QUERY: &str = "the sessionId query parameter";
pub(crate) const HEADER: &str = "the Mcp-Session-Id header";

/// A session refusal as an HTTP answer with a JSON-RPC error body.
pub(crate) fn refusal(err: SessionError, carrier: &str) -> HttpResponse {
    let (status, code, message) = match &err {
        SessionError::Missing => (
            400,
            ErrorCode::INVALID_REQUEST,
            format!("Bad Request: {carrier} is missing; open a session first"),
        ),
        SessionError::NotFound(id) => (
            404,
            ErrorCode(-32001),
            format!(
                "Session not found: {} does not exist or has expired; open a new session",
                jsonrpc::shown(id)
            ),
        ),
        SessionError::WrongOwner { .. } => (
            403,
            ErrorCode(-32000),
            "Forbidden: this session belongs to another principal".to_owned(),
        ),
        SessionError::AtCapacity { max } => (
            503,
            ErrorCode(-32000),
            format!(
                "Service Unavailable: the server holds its maximum of {max} sessions; retry later"
            ),
        ),
        SessionError::PrincipalLimit { max, .. } => (
            429,
            ErrorCode(-32000),
            format!(
                "Too Many Requests: you hold the maximum of {max} open sessions; close one first"
            ),
        ),
        SessionError::StreamAlreadyOpen(_) => (
            409,
            ErrorCode(-32000),
            "Conflict: this session already has an open stream".to_owned(),
        ),
        SessionError::NoRandomness => (
            500,
            ErrorCode::INTERNAL_ERROR,
            "Internal error: no session could be opened; the server log has the details".to_owned(),
        ),
    };
    if matches!(err, SessionError::NoRandomness) {
        tracing::error!("{err}");
    }
    let response = HttpResponse::rpc_error(status, ErrorData::new(code, message, None));
    match status {
        503 | 429 => response.with_header("retry-after", "30"),
        _ => response,
    }
}

/// A legacy session that was opened: its id and the head of its stream.
#[derive(Debug)]
pub struct LegacyOpened {
    pub session_id: String,
    pub head: HttpResponse,
}

/// A legacy message that was accepted (`202`) and still has to be processed.
#[derive(Debug)]
pub struct LegacyAccepted {
    pub session_id: String,
    pub body: Body,
}

/// One legacy POST, as the host received it.
#[derive(Debug, Clone, Copy, Default)]
pub struct LegacyPost<'a> {
    pub server: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

fn legacy_disabled() -> HttpResponse {
    HttpResponse::rpc_error(
        404,
        ErrorData::new(
            ErrorCode(-32000),
            "Not Found: the legacy SSE transport is turned off (mcpActions.sessions.legacySse); use Streamable HTTP at this URL without /sse",
            None,
        ),
    )
}

impl<H: ActionHost> Engine<H> {
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// `GET .../sse`: open a legacy session. `messages_path` is the path of the messages
    /// endpoint (`/api/mcp-actions/v1/sse/messages`); the first event names it.
    pub fn open_legacy(
        &self,
        server: Option<&str>,
        owner: &str,
        messages_path: &str,
    ) -> Result<LegacyOpened, HttpResponse> {
        if self.config.server(server).is_none() {
            return Err(unknown_server(server.unwrap_or_default(), &self.config));
        }
        if !self.config.sessions.legacy_sse {
            return Err(legacy_disabled());
        }
        let id = self
            .sessions
            .open(Transport::LegacySse, owner, server, false, Instant::now())
            .map_err(|e| refusal(e, QUERY))?;
        tracing::debug!(session = %id, principal = %owner, "legacy SSE session opened");
        let endpoint = format!("event: endpoint\ndata: {messages_path}?sessionId={id}\n\n");
        Ok(LegacyOpened {
            session_id: id,
            head: HttpResponse::stream_head(Some(endpoint)),
        })
    }

    /// `POST .../sse/messages?sessionId=`: check everything a person can get wrong, then
    /// accept. The answer goes down the session's stream (see [`Engine::process_legacy`]).
    pub fn accept_legacy(
        &self,
        req: LegacyPost<'_>,
        owner: &str,
    ) -> Result<LegacyAccepted, HttpResponse> {
        let parsed = parse_body(req.body);
        // A refusal names the request it answers, when the body says which.
        let id = parsed
            .as_ref()
            .map(jsonrpc::Body::request_id)
            .unwrap_or(serde_json::Value::Null);
        if self.config.server(req.server).is_none() {
            return Err(
                unknown_server(req.server.unwrap_or_default(), &self.config).for_request(&id)
            );
        }
        if !self.config.sessions.legacy_sse {
            return Err(legacy_disabled().for_request(&id));
        }
        self.sessions
            .touch(
                req.session_id,
                Transport::LegacySse,
                owner,
                req.server,
                Instant::now(),
            )
            .map_err(|e| refusal(e, QUERY).for_request(&id))?;
        if !http::is_json_content_type(req.content_type) {
            return Err(http::unsupported_media_type(req.content_type).for_request(&id));
        }
        let body = match parsed {
            Ok(body) => body,
            Err(BodyError::Parse(detail)) => {
                return Err(HttpResponse::rpc_error(400, jsonrpc::parse_error(&detail)))
            }
            Err(BodyError::EmptyBatch) => {
                return Err(HttpResponse::rpc_error(
                    400,
                    invalid_request("an empty batch is not a JSON-RPC message"),
                ))
            }
        };
        Ok(LegacyAccepted {
            session_id: req.session_id.unwrap_or_default().to_owned(),
            body,
        })
    }

    /// Answer an accepted legacy message: the SSE chunk for its stream, if it needs one.
    /// [`Engine::process_legacy`], with a panic anywhere in it logged and answered with
    /// nothing (the session stays usable) instead of unwinding into the host.
    pub async fn process_legacy_guarded(
        &self,
        server: Option<&str>,
        session: Option<&str>,
        body: Body,
        ctx: &CallContext,
        observed: &Observations,
        progress: Option<&dyn ProgressSink>,
    ) -> Option<String> {
        AssertUnwindSafe(self.process_legacy(server, session, body, ctx, observed, progress))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                error!(principal = %ctx.principal, "the MCP engine panicked while answering a message");
                None
            })
    }

    pub async fn process_legacy(
        &self,
        server: Option<&str>,
        session: Option<&str>,
        body: Body,
        ctx: &CallContext,
        observed: &Observations,
        progress: Option<&dyn ProgressSink>,
    ) -> Option<String> {
        let req_server = server;
        let server = self.config.server(server)?;
        let streamed = std::sync::atomic::AtomicBool::new(false);
        // Legacy calls never become tasks.
        let held = std::sync::atomic::AtomicBool::new(false);
        // The session remembers what its client declared at `initialize`.
        let mut request = RequestContext::legacy(None);
        if let Some(id) = session {
            if body.initialize_params().is_some() {
                self.sessions.set_declared(id, declared_of(&body));
            }
            if let Some(declared) = self.sessions.declared(id) {
                request.client_capabilities = declared.capabilities.clone();
                request.client_info = declared.client_info.clone();
            }
        }
        let limited = std::sync::OnceLock::new();
        let scope = Scope {
            server_key: req_server,
            server,
            read_only: false,
            discovery: server.tool_discovery,
            observed,
            progress,
            streamed: &streamed,
            held: &held,
            limited: &limited,
            session,
            request: &request,
            frame: Frame::default(),
        };
        let (_, json) = self.respond(body, &scope, ctx).await;
        json.map(|j| sse_message(&j))
    }

    /// The legacy stream closed: the session ends with it.
    pub fn close_legacy(&self, session_id: &str) -> bool {
        let closed = self.sessions.close(session_id).is_some();
        if closed {
            tracing::debug!(session = %session_id, "legacy SSE session closed");
        }
        closed
    }

    /// `GET /v1[/{key}]`: the server-to-client stream of a stateful session (405 when
    /// stateless). On success, the head of the stream, with a priming event when the
    /// session's revision asks for one.
    pub fn open_stream(
        &self,
        server: Option<&str>,
        session_id: Option<&str>,
        owner: &str,
    ) -> Result<HttpResponse, HttpResponse> {
        if self.config.server(server).is_none() {
            return Err(unknown_server(server.unwrap_or_default(), &self.config));
        }
        if !self.config.sessions.stateful {
            return Err(http::method_not_allowed("GET"));
        }
        let now = Instant::now();
        self.sessions
            .touch(session_id, Transport::Streamable, owner, server, now)
            .map_err(|e| refusal(e, HEADER))?;
        let id = session_id.unwrap_or_default();
        let primes = self
            .sessions
            .open_stream(id, now)
            .map_err(|e| refusal(e, HEADER))?;
        let first = primes.then(|| "id: 0\nretry: 3000\ndata: \n\n".to_owned());
        Ok(HttpResponse::stream_head(first))
    }

    /// The GET stream of a stateful session closed; the session lives on.
    pub fn close_stream(&self, session_id: &str) {
        self.sessions.close_stream(session_id);
    }

    /// `DELETE /v1[/{key}]`: end a stateful session (405 when stateless).
    pub fn delete_session(
        &self,
        server: Option<&str>,
        session_id: Option<&str>,
        owner: &str,
    ) -> HttpResponse {
        if self.config.server(server).is_none() {
            return unknown_server(server.unwrap_or_default(), &self.config);
        }
        if !self.config.sessions.stateful {
            return http::method_not_allowed("DELETE");
        }
        if let Err(e) = self.sessions.touch(
            session_id,
            Transport::Streamable,
            owner,
            server,
            Instant::now(),
        ) {
            return refusal(e, HEADER);
        }
        self.sessions.close(session_id.unwrap_or_default());
        HttpResponse {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Expire idle sessions and list the streams to keep alive.
    pub fn sweep(&self) -> Sweep {
        self.sessions.sweep(Instant::now())
    }

    /// End every session (backend shutdown); returns their ids.
    pub fn close_all_sessions(&self) -> Vec<String> {
        self.sessions
            .close_all()
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }
}
