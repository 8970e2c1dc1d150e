//! The engine: one POST in, one HTTP answer out. Owns the configuration, the host and the
//! session table.

mod cancel;
mod observe;
mod progress;
mod sessions;

use cancel::{CallKey, Cancelled};
use observe::Timer;
pub use observe::{Observation, Observations};
pub use progress::ProgressSink;

pub use sessions::{LegacyAccepted, LegacyOpened, LegacyPost};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use std::panic::AssertUnwindSafe;

use futures_util::future::join_all;
use futures_util::FutureExt;
use rmcp::model::{ErrorCode, ErrorData, Implementation, InitializeResult, ServerCapabilities};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tracing::{debug, error, warn};

use crate::auth::{CredentialsCache, Lookup};
use crate::config::{EngineConfig, ServerConfig};
use crate::host::{ActionHost, CallContext, HostError};
use crate::protocol::http::{self, Framing, HttpResponse, PostRequest};
use crate::protocol::jsonrpc::{
    self, error_json, internal_error, invalid_params, invalid_request, method_not_found,
    params_object, parse_body, response_json, to_raw, Body, BodyError, Incoming, Outcome,
};
use crate::protocol::version;
use crate::session::{SessionTable, Transport};
use crate::tools::cache::ToolListCache;
use crate::tools::mapping::{is_valid_tool_name, NamedTool};
use crate::tools::{page, result, ActionList, Filter, ToolSet};
use crate::Error;

/// JSON-RPC error code (implementation-defined server error) of a tool call refused because
/// its caller has too many running.
pub const TOO_MANY_CALLS: i32 = -32029;

pub struct Engine<H> {
    config: EngineConfig,
    host: H,
    tools: ToolSet,
    sessions: SessionTable,
    credentials: CredentialsCache,
    tool_lists: ToolListCache,
    /// Tool calls running per principal (`mcpActions.limits.maxConcurrentCallsPerPrincipal`).
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
    /// Requests that can be abandoned, by host ticket.
    pending: Mutex<HashMap<u32, oneshot::Sender<()>>>,
    /// Running tool calls a client may cancel, by caller and request id.
    cancellable: cancel::Cancellable,
}

/// Status of the answer to an abandoned request (nobody reads it: the client is gone).
pub const ABANDONED: u16 = 499;

/// A request's entry in the abandon table, removed however the request ends.
struct Pending<'a> {
    table: &'a Mutex<HashMap<u32, oneshot::Sender<()>>>,
    ticket: u32,
}

impl<'a> Pending<'a> {
    fn register(
        table: &'a Mutex<HashMap<u32, oneshot::Sender<()>>>,
        ticket: u32,
        abandon: oneshot::Sender<()>,
    ) -> Self {
        table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(ticket, abandon);
        Self { table, ticket }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.ticket);
    }
}

/// One running tool call of a principal; the count goes down when it is dropped (the call
/// finished, timed out, or its request went away).
struct InFlight {
    table: Arc<Mutex<HashMap<String, usize>>>,
    principal: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = table.get_mut(&self.principal) {
            *n -= 1;
            if *n == 0 {
                table.remove(&self.principal);
            }
        }
    }
}

/// What the engine decided before Backstage looks at a caller.
#[derive(Debug, Default)]
pub struct Admission {
    /// Refused: send this (`403` origin, `401` JWT that cannot be valid).
    pub refusal: Option<HttpResponse>,
    /// Backstage already accepted this token: the handle of its credentials.
    pub cached: Option<u32>,
    /// Handles the cache let go of, for the host to release.
    pub release: Vec<u32>,
}

/// What one request is served as: which server, and whether the read-only switch is on.
pub(crate) struct Scope<'a> {
    server_key: Option<&'a str>,
    server: &'a ServerConfig,
    read_only: bool,
    observed: &'a Observations,
    /// Where progress of long calls goes, when the client can take it.
    progress: Option<&'a dyn ProgressSink>,
    /// Set once progress went out (the answer must then be an SSE event).
    streamed: &'a AtomicBool,
    /// The session the request belongs to, if any.
    session: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolsPage<'a> {
    tools: Vec<&'a rmcp::model::Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

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

impl<H: ActionHost> Engine<H> {
    pub fn new(config: EngineConfig, host: H) -> Self {
        Self {
            sessions: SessionTable::new(config.sessions.limits),
            credentials: CredentialsCache::new(
                config.credentials_cache_entries,
                config.opaque_token_ttl,
            ),
            tool_lists: ToolListCache::new(config.tool_list_ttl, 10_000),
            in_flight: Arc::default(),
            pending: Mutex::default(),
            cancellable: cancel::Cancellable::default(),
            config,
            host,
            tools: ToolSet::default(),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// What the engine decides before Backstage looks at the caller: a browser origin that
    /// may not call (`403`), a JWT that is malformed or expired (`401`), or a token Backstage
    /// already accepted (its cached credentials). Otherwise Backstage's `httpAuth` decides.
    pub fn precheck(
        &self,
        origin: Option<&str>,
        authorization: Option<&str>,
        server: Option<&str>,
        now_seconds: u64,
    ) -> Admission {
        if !self.config.origins.allows(origin) {
            warn!(
                origin = origin.unwrap_or_default(),
                "refused a request from an origin that is not allowed"
            );
            return Admission {
                refusal: Some(http::forbidden_origin(origin.unwrap_or_default())),
                ..Admission::default()
            };
        }
        let Some(token) = crate::auth::bearer_token(authorization) else {
            return Admission::default();
        };
        if let Err(rejection) = crate::auth::precheck_token(token, now_seconds) {
            debug!(reason = %rejection, "refused a bearer token before authentication");
            return Admission {
                refusal: Some(self.unauthorized(Some(&rejection.to_string()), server)),
                ..Admission::default()
            };
        }
        match self.credentials.lookup(token, now_seconds) {
            Lookup::Hit(handle) => Admission {
                cached: Some(handle),
                ..Admission::default()
            },
            Lookup::Miss { stale } => Admission {
                release: stale.into_iter().collect(),
                ..Admission::default()
            },
        }
    }

    /// Backstage accepted `authorization`'s token with the credentials behind `handle`:
    /// remember that until the token expires. Returns handles the cache does not keep.
    pub fn remember_credentials(
        &self,
        authorization: Option<&str>,
        handle: u32,
        now_seconds: u64,
    ) -> Vec<u32> {
        match crate::auth::bearer_token(authorization) {
            Some(token) => self.credentials.insert(token, handle, now_seconds),
            None => vec![handle],
        }
    }

    /// A downstream `401` for these credentials: stop reusing them. True when the cache
    /// held the handle (the host then releases the cache's reference).
    pub fn forget_credentials(&self, handle: u32) -> bool {
        self.credentials.forget(handle)
    }

    /// Expired cache entries (their handles), for the periodic sweep.
    pub fn sweep_credentials(&self, now_seconds: u64) -> Vec<u32> {
        self.credentials.sweep(now_seconds)
    }

    /// Every cached handle (shutdown).
    pub fn clear_credentials(&self) -> Vec<u32> {
        self.credentials.clear()
    }

    pub fn cached_credentials(&self) -> usize {
        self.credentials.len()
    }

    /// The `401` for a request Backstage did not accept (or the engine refused early).
    pub fn unauthorized(&self, rejection: Option<&str>, server: Option<&str>) -> HttpResponse {
        let metadata = self
            .config
            .oauth
            .as_ref()
            .filter(|_| self.config.server(server).is_some())
            .map(|o| o.resource_metadata_url(server));
        http::unauthorized(rejection, metadata.as_deref())
    }

    /// RFC 9728 protected-resource metadata of `/v1` or `/v1/{key}`; `404` for an unknown
    /// key or when OAuth is not offered.
    pub fn protected_resource_metadata(&self, server: Option<&str>) -> HttpResponse {
        match (&self.config.oauth, self.config.server(server)) {
            (Some(oauth), Some(_)) => HttpResponse::json(200, oauth.metadata_json(server)),
            _ => HttpResponse {
                status: 404,
                headers: Vec::new(),
                body: None,
            },
        }
    }

    /// The answer to a method other than POST on `/v1` or `/v1/{key}`.
    pub fn method_not_allowed(&self, method: &str, server: Option<&str>) -> HttpResponse {
        match server {
            Some(key) if self.config.server(Some(key)).is_none() => {
                unknown_server(key, &self.config)
            }
            _ => http::method_not_allowed(method),
        }
    }

    /// Answer one Streamable HTTP POST.
    pub async fn handle_post(&self, req: PostRequest<'_>, ctx: &CallContext) -> HttpResponse {
        self.handle_post_observed(req, ctx, &Observations::default())
            .await
    }

    /// Answer one Streamable HTTP POST, recording its operations in `observed`.
    /// [`Engine::handle_post_observed`], with a panic anywhere in it answered `500` with a
    /// JSON-RPC error and logged, instead of unwinding into the host. A request with a host
    /// ticket (`ctx.request`) can be abandoned with [`Engine::abandon`]: its work stops (a
    /// running tool call is no longer waited for) and the answer is [`ABANDONED`].
    pub async fn handle_post_guarded(
        &self,
        req: PostRequest<'_>,
        ctx: &CallContext,
        observed: &Observations,
        progress: Option<&dyn ProgressSink>,
    ) -> HttpResponse {
        let work = AssertUnwindSafe(self.handle_post_streaming(req, ctx, observed, progress))
            .catch_unwind();
        let answer = match ctx.request {
            Some(ticket) => {
                let (abandon, abandoned) = oneshot::channel();
                let _pending = Pending::register(&self.pending, ticket, abandon);
                tokio::select! {
                    answer = work => answer,
                    // A sender dropped without a word (replaced) is no abandonment.
                    Ok(()) = abandoned => {
                        debug!(principal = %ctx.principal, "request abandoned: its client went away");
                        return HttpResponse { status: ABANDONED, headers: Vec::new(), body: None };
                    }
                }
            }
            None => work.await,
        };
        match answer {
            Ok(response) => response,
            Err(_) => {
                error!(principal = %ctx.principal, "the MCP engine panicked while answering a request");
                HttpResponse::rpc_error(
                    500,
                    internal_error(
                        "Internal error: the MCP engine failed; the server log has the details",
                    ),
                )
            }
        }
    }

    /// The client of the request with this host ticket went away: stop working on it.
    /// `false` when no such request is running.
    pub fn abandon(&self, ticket: u32) -> bool {
        let sender = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&ticket);
        sender.is_some_and(|s| s.send(()).is_ok())
    }

    pub async fn handle_post_observed(
        &self,
        req: PostRequest<'_>,
        ctx: &CallContext,
        observed: &Observations,
    ) -> HttpResponse {
        self.handle_post_streaming(req, ctx, observed, None).await
    }

    /// A POST, with progress of long calls sent to `progress` (SSE chunks that go out before
    /// the answer, which is then an SSE event too) when the client accepts SSE.
    pub async fn handle_post_streaming(
        &self,
        req: PostRequest<'_>,
        ctx: &CallContext,
        observed: &Observations,
        progress: Option<&dyn ProgressSink>,
    ) -> HttpResponse {
        let Some(server) = self.config.server(req.server) else {
            return unknown_server(req.server.unwrap_or_default(), &self.config);
        };
        let framing = match http::precheck(&req) {
            Ok(framing) => framing,
            Err(response) => return response,
        };
        let read_only = match read_only_switch(req.read_only) {
            Ok(on) => on,
            Err(response) => return response,
        };
        let streamed = AtomicBool::new(false);
        let scope = Scope {
            server_key: req.server,
            server,
            read_only,
            observed,
            progress: progress.filter(|_| http::accepts_sse(req.accept)),
            streamed: &streamed,
            session: req.session_id.filter(|_| self.config.sessions.stateful),
        };
        let body = match parse_body(req.body) {
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
        // The header names the revision negotiated earlier; an `initialize` comes before that.
        if initialize_version(&body).is_none() {
            if let Err(response) = http::check_protocol_header(req.protocol_version) {
                return response;
            }
        }
        let mut session_header = None;
        if self.config.sessions.stateful {
            match initialize_version(&body) {
                Some(negotiated) => {
                    let primes = negotiated.as_str() >= "2025-11-25";
                    match self.sessions.open(
                        Transport::Streamable,
                        &ctx.principal,
                        req.server,
                        primes,
                        Instant::now(),
                    ) {
                        Ok(id) => session_header = Some(id),
                        Err(err) => return sessions::refusal(err, sessions::HEADER),
                    }
                }
                None => {
                    if let Err(err) = self.sessions.touch(
                        req.session_id,
                        Transport::Streamable,
                        &ctx.principal,
                        req.server,
                        Instant::now(),
                    ) {
                        return sessions::refusal(err, sessions::HEADER);
                    }
                }
            }
        }
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
        match session_header {
            Some(id) => response.with_header("mcp-session-id", id),
            None => response,
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
            Incoming::Response => None,
        }
    }

    async fn dispatch(
        &self,
        method: &str,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        match method {
            "initialize" => self.initialize(params, scope.server),
            "ping" => to_raw(&Map::new()),
            "tools/list" => self.list_tools(params, scope, ctx).await,
            "tools/call" => self.call_tool(params, scope, ctx).await,
            _ => Err(method_not_found(method)),
        }
    }

    fn initialize(&self, params: Option<Value>, server: &ServerConfig) -> Outcome {
        let params = params_object(params)?;
        let requested = params.get("protocolVersion").and_then(Value::as_str);
        let negotiated = version::negotiate(requested);
        let mut info = Implementation::new(&server.name, &self.config.version);
        info.description = server.description.clone();
        let mut result =
            InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
                .with_server_info(info)
                .with_protocol_version(negotiated);
        result.instructions = server.instructions.clone();
        to_raw(&result)
    }

    /// The caller's actions, parsed. Host failures become JSON-RPC errors.
    async fn actions(&self, ctx: &CallContext) -> Result<ActionList, ErrorData> {
        let json = self.host.list_actions(ctx).await.map_err(|e| {
            error!(principal = %ctx.principal, error = %e.name, "listing actions failed: {}", e.message);
            if result::is_known_error(&e.name) {
                internal_error(format!("Could not list actions: {}: {}", e.name, e.message))
            } else {
                internal_error("Internal error: could not list actions; the server log has the details")
            }
        })?;
        let mut list = ActionList::parse(&json).map_err(|e| {
            error!(code = e.code(), "{e}");
            internal_error("Internal error: could not list actions; the server log has the details")
        })?;
        let filter = &self.config.actions_filter;
        if filter != &Filter::default() {
            list.actions.retain(|action| filter.allows(action, false));
        }
        Ok(list)
    }

    /// The tools of this scope, sorted by name (from the tool-list cache when fresh).
    async fn scoped_tools(
        &self,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Arc<Vec<NamedTool>>, ErrorData> {
        let key = (
            ctx.principal.clone(),
            scope.server_key.map(str::to_owned),
            scope.read_only,
        );
        if let Some(tools) = self.tool_lists.get(&key, Instant::now()) {
            return Ok(tools);
        }
        let actions = self.actions(ctx).await?;
        let tools = Arc::new(self.tools.build(
            &actions,
            self.config.naming,
            &scope.server.filter,
            scope.read_only,
        ));
        self.tool_lists
            .insert(key, Arc::clone(&tools), Instant::now());
        Ok(tools)
    }

    async fn list_tools(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let timer = Timer::start();
        let outcome = self.list_page(params, scope, ctx).await;
        scope.observed.push(Observation {
            method: "tools/list",
            tool: None,
            tool_count: outcome.as_ref().ok().map(|(_, n)| *n),
            error_type: outcome.as_ref().err().map(|e| e.code.0.to_string()),
            error: outcome.as_ref().err().map(|e| e.message.to_string()),
            seconds: timer.seconds(),
        });
        outcome.map(|(raw, _)| raw)
    }

    /// One page of tools, and how many it holds.
    async fn list_page(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<(Box<RawValue>, usize), ErrorData> {
        let params = params_object(params)?;
        let offset = match params.get("cursor") {
            None | Some(Value::Null) => 0,
            Some(Value::String(c)) => page::decode_cursor(c).ok_or_else(|| {
                invalid_params("Invalid params: \"cursor\" is not a cursor this server handed out")
            })?,
            Some(_) => {
                return Err(invalid_params(
                    "Invalid params: \"cursor\" must be a string",
                ))
            }
        };
        let tools = self.scoped_tools(scope, ctx).await?;
        let (range, next_cursor) = page::page(tools.len(), offset, self.config.page_size);
        let count = range.len();
        let raw = to_raw(&ToolsPage {
            tools: tools[range].iter().map(|t| &t.tool).collect(),
            next_cursor,
        })?;
        Ok((raw, count))
    }

    /// The action a tool name stands for in this scope, found through the action list.
    async fn lookup(
        &self,
        tool: &str,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Option<String>, ErrorData> {
        Ok(self
            .scoped_tools(scope, ctx)
            .await?
            .iter()
            .find(|t| t.tool.name == tool)
            .map(|t| t.action_id.clone()))
    }

    /// The action id a namespaced tool name stands for when the name and the server's rules
    /// settle it without the action list. `Err(())`: the name cannot be a tool at all.
    fn direct(&self, tool: &str, scope: &Scope<'_>) -> Result<Option<String>, ()> {
        let Some(id) = self.config.naming.action_id(tool) else {
            return if self.config.naming.namespaced {
                Err(())
            } else {
                Ok(None)
            };
        };
        let plugin = id.split(':').next().unwrap_or_default();
        if !self.config.plugin_sources.iter().any(|p| p == plugin) {
            // Every tool name starts with its plugin: no plugin, no tool.
            return Err(());
        }
        Ok((scope.server.filter.allows_id(&id, scope.read_only) == Some(true)).then_some(id))
    }

    async fn call_tool(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let timer = Timer::start();
        let tool = params
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut failure = None;
        let outcome = self.call_tool_inner(params, scope, ctx, &mut failure).await;
        let (error_type, error) = match (&outcome, failure) {
            (Err(e), _) => (Some(e.code.0.to_string()), Some(e.message.to_string())),
            (Ok(_), Some(description)) => (Some("tool_error".to_owned()), Some(description)),
            (Ok(_), None) => (None, None),
        };
        scope.observed.push(Observation {
            method: "tools/call",
            tool,
            tool_count: None,
            error_type,
            error,
            seconds: timer.seconds(),
        });
        outcome
    }

    /// Wait for `invoke` as long as the call timeout allows, sending progress to `sink` at
    /// the progress interval. `Err(())`: the timeout passed first.
    async fn with_progress<T>(
        &self,
        invoke: impl std::future::Future<Output = T>,
        token: &Value,
        sink: &dyn ProgressSink,
        streamed: &AtomicBool,
        tool: &str,
    ) -> Result<T, ()> {
        let started = tokio::time::Instant::now();
        let interval = self.config.progress_interval;
        let deadline = tokio::time::sleep(self.config.tool_call_timeout);
        let mut ticks = tokio::time::interval_at(started + interval, interval);
        tokio::pin!(invoke, deadline);
        loop {
            tokio::select! {
                biased;
                outcome = &mut invoke => return Ok(outcome),
                _ = &mut deadline => return Err(()),
                _ = ticks.tick() => {
                    streamed.store(true, Ordering::Release);
                    sink.send(progress::progress_event(token, started.elapsed(), tool));
                }
            }
        }
    }

    /// `notifications/cancelled`: stop the caller's running call with that request id. On a
    /// stateless server several clients of one principal may use the same id: then only a
    /// call that is the only one with it is cancelled.
    fn cancel(&self, params: Option<Value>, scope: &Scope<'_>, ctx: &CallContext) {
        let Some(id) = params
            .as_ref()
            .and_then(|p| p.get("requestId"))
            .filter(|id| id.is_string() || id.is_number())
        else {
            debug!("notifications/cancelled without a usable requestId: ignored");
            return;
        };
        match self
            .cancellable
            .cancel(&CallKey::new(ctx, scope.session, id))
        {
            Cancelled::Done => debug!(principal = %ctx.principal, "cancelling a tool call"),
            Cancelled::Ambiguous(n) => warn!(principal = %ctx.principal, calls = n,
                "notifications/cancelled names a request id that {n} running calls of this caller share: none cancelled"),
            Cancelled::NotRunning => {
                debug!("notifications/cancelled for a call that is not running: ignored")
            }
        }
    }

    /// Count one more running call for `principal`, or refuse it when it has as many running
    /// as `mcpActions.limits.maxConcurrentCallsPerPrincipal` allows.
    fn admit_call(&self, principal: &str) -> Result<InFlight, ErrorData> {
        let limit = self.config.max_calls_per_principal;
        let mut table = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let running = table.entry(principal.to_owned()).or_insert(0);
        if limit > 0 && *running >= limit {
            if *running == 0 {
                table.remove(principal);
            }
            warn!(principal = %principal, limit, "tool call refused: too many calls in flight");
            return Err(ErrorData::new(
                ErrorCode(TOO_MANY_CALLS),
                format!(
                    "Too many tool calls in flight for this caller: {limit} are running (mcpActions.limits.maxConcurrentCallsPerPrincipal); retry when one has finished"
                ),
                Some(serde_json::json!({ "retryAfterSeconds": 1, "limit": limit })),
            ));
        }
        *running += 1;
        Ok(InFlight {
            table: Arc::clone(&self.in_flight),
            principal: principal.to_owned(),
        })
    }

    /// Tool calls running now, for all principals.
    pub fn calls_in_flight(&self) -> usize {
        let table = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        table.values().sum()
    }

    async fn call_tool_inner(
        &self,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
        failure: &mut Option<String>,
    ) -> Outcome {
        let mut params = params_object(params)?;
        let name = match params.remove("name") {
            Some(Value::String(name)) if !name.is_empty() => name,
            Some(_) => {
                return Err(invalid_params(
                    "Invalid params: \"name\" must be a non-empty string",
                ))
            }
            None => {
                return Err(invalid_params(
                    "Invalid params: missing tool name (\"name\")",
                ))
            }
        };
        let input = match params.remove("arguments") {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(args @ Value::Object(_)) => args.to_string(),
            Some(_) => {
                return Err(invalid_params(format!(
                    "Invalid params: \"arguments\" of tool \"{}\" must be an object",
                    jsonrpc::shown(&name)
                )))
            }
        };
        let unknown = || invalid_params(format!("Unknown tool: {}", jsonrpc::shown(&name)));
        if !is_valid_tool_name(&name) {
            return Err(unknown());
        }
        let progress_token = progress::progress_token(&params);
        let _running = self.admit_call(&ctx.principal)?;
        let direct = self.direct(&name, scope).map_err(|()| unknown())?;
        let mut looked_up = direct.is_none();
        let mut action_id = match direct {
            Some(id) => id,
            None => self.lookup(&name, scope, ctx).await?.ok_or_else(unknown)?,
        };
        loop {
            let timeout = self.config.tool_call_timeout;
            let invoke = self
                .host
                .invoke_action(ctx, &action_id, &name, input.clone());
            let invoked = match (&progress_token, scope.progress) {
                (Some(token), Some(sink)) => {
                    self.with_progress(invoke, token, sink, scope.streamed, &name)
                        .await
                }
                _ => tokio::time::timeout(timeout, invoke).await.map_err(|_| ()),
            };
            let Ok(invoked) = invoked else {
                warn!(tool = %name, action = %action_id, principal = %ctx.principal,
                    "tool call timed out after {} s", timeout.as_secs_f64());
                let message = format!(
                    "the action did not finish within {} seconds (mcpActions.toolCallTimeout); it may still complete on the server",
                    timeout.as_secs_f64()
                );
                *failure = Some(format!("TimeoutError: {message}"));
                return Ok(result::tool_error("TimeoutError", &message));
            };
            match invoked {
                Ok(output) => {
                    let output = RawValue::from_string(output).map_err(|source| {
                        let err = Error::BadOutput {
                            action_id: action_id.clone(),
                            source,
                        };
                        error!(code = err.code(), "{err}");
                        internal_error(format!(
                            "Internal error: tool \"{name}\" returned output that is not JSON"
                        ))
                    })?;
                    return Ok(result::success(&output));
                }
                Err(HostError {
                    name: err_name,
                    message,
                }) => {
                    if err_name == "NotFoundError"
                        && message == format!("Action \"{action_id}\" not found")
                    {
                        if looked_up {
                            return Err(unknown());
                        }
                        // The name is not its natural action's: a renamed tool, or none.
                        looked_up = true;
                        action_id = self.lookup(&name, scope, ctx).await?.ok_or_else(unknown)?;
                        continue;
                    }
                    if result::is_known_error(&err_name) {
                        debug!(tool = %name, error = %err_name, "tool reported an error");
                        *failure = Some(format!("{err_name}: {message}"));
                        return Ok(result::tool_error(&err_name, &message));
                    }
                    warn!(tool = %name, action = %action_id, principal = %ctx.principal, error = %err_name,
                        "tool call failed: {message}");
                    return Err(internal_error(format!(
                        "Internal error: tool \"{name}\" failed unexpectedly; the server log has the details"
                    )));
                }
            }
        }
    }
}

/// The revision an `initialize` in this body negotiates, if the body holds one.
fn initialize_version(body: &Body) -> Option<rmcp::model::ProtocolVersion> {
    let of = |m: &Incoming| match m {
        Incoming::Request { method, params, .. } if method == "initialize" => {
            Some(version::negotiate(
                params
                    .as_ref()
                    .and_then(|p| p.get("protocolVersion"))
                    .and_then(Value::as_str),
            ))
        }
        _ => None,
    };
    match body {
        Body::Single(m) => of(m),
        Body::Batch(ms) => ms.iter().find_map(of),
    }
}
