//! The engine: one POST in, one HTTP answer out. Owns the configuration, the host and the
//! session table.

mod answers;
mod calls;
mod cancel;
mod confirm;
mod dispatch;
mod elicitations;
mod inflight;
mod limits;
mod listen;
mod lists;
mod observe;
mod page;
mod post;
mod progress;
mod results;
mod search;
mod secrets;
mod sessions;
mod tasks;
mod usage;

pub use inflight::TOO_MANY_CALLS;
pub use limits::RATE_LIMITED;
pub use listen::{ListenCheck, LISTEN_KEY};
pub use observe::{Observation, Observations};
pub use page::{PageRoute, PAGE_TASKS};
pub use progress::ProgressSink;
pub use secrets::URL_ELICITATION_REQUIRED;
pub use tasks::{HELD_KEY, MISSING_CAPABILITY};
pub use usage::UsageQuery;

pub use sessions::{LegacyAccepted, LegacyOpened, LegacyPost};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use serde_json::value::RawValue;
use tokio::sync::oneshot;
use tracing::{debug, error, warn};

use crate::auth::{CredentialsCache, Lookup};
use crate::config::{EngineConfig, ServerConfig};
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::{LogLevel, RequestContext};
use crate::protocol::frame::Frame;
use crate::protocol::http::{self, HttpResponse, PostRequest};
use crate::protocol::jsonrpc::internal_error;
use crate::session::SessionTable;
use crate::tools::cache::ToolListCache;
use crate::tools::search::{Discovery, SearchIndexes};
use crate::tools::ToolSet;

pub(crate) use post::unknown_server;

pub struct Engine<H> {
    config: EngineConfig,
    host: Arc<H>,
    tools: ToolSet,
    sessions: SessionTable,
    credentials: CredentialsCache,
    tool_lists: ToolListCache,
    /// Tool calls since the last batch written to the store (`mcpActions.usage`).
    usage: crate::usage::UsageRecorder,
    /// `mcpActions.rateLimits`, with this replica's leases of the deployment's counts.
    limiter: crate::policy::RateLimiter,
    /// Tool calls running per principal (`mcpActions.limits.maxConcurrentCallsPerPrincipal`).
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
    /// Requests that can be abandoned, by host ticket.
    pending: Mutex<HashMap<u32, oneshot::Sender<()>>>,
    /// Running tool calls a client may cancel, by caller and request id.
    cancellable: cancel::Cancellable,
    /// `_meta` of modern results, per server (`None`: the default server).
    server_info: Vec<(Option<String>, Box<RawValue>)>,
    /// Open `subscriptions/listen` streams.
    listeners: listen::Listeners,
    /// Tasks running in this instance.
    runs: tasks::Runs,
    /// BM25 indexes of the tool lists search mode searches.
    search_indexes: SearchIndexes,
    /// Elicitations started in a session of this instance, by id: the session to tell
    /// (`notifications/elicitation/complete`) when the user submits.
    asked_in: secrets::AskedIn,
    /// Confirmations asked down 2025 streams, waiting for the client's response.
    asked_now: confirm::AskedNow,
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
    /// All tools, or the three of search mode (`X-MCP-Tools`, else the server's setting).
    discovery: Discovery,
    observed: &'a Observations,
    /// Where progress of long calls goes, when the client can take it.
    progress: Option<&'a dyn ProgressSink>,
    /// Set once progress went out (the answer must then be an SSE event).
    streamed: &'a AtomicBool,
    /// Set when a call became a task that still uses the request's credentials.
    held: &'a AtomicBool,
    /// Set when a rate limit refused a call (a single request's answer is then `429`).
    limited: &'a std::sync::OnceLock<crate::policy::Refusal>,
    /// The session the request belongs to, if any.
    session: Option<&'a str>,
    /// What the request said about itself (era, version, client, log level, trace).
    request: &'a RequestContext,
    /// The era-dependent members of its results.
    frame: Frame<'a>,
}

impl Scope<'_> {
    /// Tell the client about its request, when it asked for log events at `level` or below
    /// (`_meta["io.modelcontextprotocol/logLevel"]`) and takes an SSE answer. Never anything
    /// secret: tool names, action ids, counts, error names and messages.
    pub(crate) fn log(&self, level: LogLevel, message: impl FnOnce() -> String) {
        let (Some(wanted), Some(sink)) = (self.request.log_level, self.progress) else {
            return;
        };
        if level >= wanted {
            self.streamed.store(true, Ordering::Release);
            sink.send(progress::log_event(level, &message()));
        }
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
            limiter: crate::policy::RateLimiter::new(config.rate_limits.clone()),
            usage: crate::usage::UsageRecorder::new(config.usage.enabled),
            in_flight: Arc::default(),
            pending: Mutex::default(),
            cancellable: cancel::Cancellable::default(),
            listeners: listen::Listeners::default(),
            runs: tasks::Runs::default(),
            search_indexes: SearchIndexes::default(),
            asked_in: secrets::AskedIn::default(),
            asked_now: confirm::AskedNow::default(),
            server_info: std::iter::once(None)
                .chain(config.servers.keys().cloned().map(Some))
                .filter_map(|key| {
                    let server = config.server(key.as_deref())?;
                    Some((key, dispatch::server_info_meta(server, &config.version)))
                })
                .collect(),
            tools: ToolSet::new(config.schemas),
            config,
            host: Arc::new(host),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The era-dependent members of the results of `request` on server `key`.
    pub(crate) fn frame(&self, request: &RequestContext, key: Option<&str>) -> Frame<'_> {
        if !request.is_modern() {
            return Frame::default();
        }
        Frame {
            result_type: Some("complete"),
            meta: self
                .server_info
                .iter()
                .find(|(k, _)| k.as_deref() == key)
                .map(|(_, meta)| &**meta),
            ttl_ms: Some(self.config.tool_list_ttl.as_millis() as u64),
            any_structured: true,
        }
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
}
