//! `McpEngine`, the class the shim holds: the engine over napi callbacks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use napi::threadsafe_function::ThreadsafeFunctionCallMode;

use super::callbacks::{
    records, DeliverFn, InvokeActionFn, ListActionsFn, LogFn, ObservationRecord, StreamEvent,
};
use super::host::JsHost;
use super::log;
use super::task_store::TaskStoreFn;
use super::timers;
use crate::engine::{LegacyPost, Observations, ProgressSink, HELD_KEY, LISTEN_KEY};
use crate::protocol::http::{self, HttpResponse, PostRequest};
use crate::{CallContext, Engine, EngineConfig};

/// Engine settings.
#[napi(object)]
pub struct EngineOptions {
    /// JSON of the configuration the shim read from `mcpActions.*` and
    /// `backend.actions.pluginSources` (see `RawConfig` in `src/config.rs`).
    pub config: String,
    /// Forward engine log events at this level and above: `error`, `warn`, `info` (default)
    /// or `debug`.
    pub log_level: Option<String>,
}

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

/// A complete HTTP answer: write `status`, `headers`, then `body` (when present).
#[napi(object)]
pub struct McpHttpResponse {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Option<String>,
    /// What the request did (POST answers only), to report after sending the answer.
    pub observations: Option<Vec<ObservationRecord>>,
    /// The head of this SSE answer already went out with progress (through `deliver`): write
    /// only the body, then end.
    pub streamed: Option<bool>,
    /// This answer opened a `subscriptions/listen` stream under this key: write the head and
    /// keep the response open (and the request's credentials) until `closeListen`; chunks
    /// and its end come through `deliver` with this key as `session`.
    pub stream: Option<String>,
    /// A tool call of this request became a task that still runs with the request's
    /// credentials: keep them; their release comes through `deliver` when the task ends.
    pub held: Option<bool>,
}

impl From<HttpResponse> for McpHttpResponse {
    fn from(r: HttpResponse) -> Self {
        let (mut stream, mut held) = (None, None);
        let headers = r
            .headers
            .into_iter()
            .filter_map(|(k, v)| {
                if k == LISTEN_KEY {
                    stream = Some(v);
                    None
                } else if k == HELD_KEY {
                    held = Some(true);
                    None
                } else {
                    Some((k.to_owned(), v))
                }
            })
            .collect();
        Self {
            status: r.status,
            headers,
            body: r.body,
            observations: None,
            streamed: None,
            stream,
            held,
        }
    }
}

/// `GET .../sse`: open a legacy session.
#[napi(object)]
pub struct LegacyOpenRequest {
    pub server: Option<String>,
    pub principal: String,
    /// Path of the messages endpoint, e.g. `/api/mcp-actions/v1/sse/messages`.
    pub messages_path: String,
}

/// A POST to `.../sse/messages?sessionId=`.
#[napi(object)]
pub struct LegacyPostRequest {
    pub server: Option<String>,
    pub session_id: Option<String>,
    pub principal: String,
    /// Handle of this POST's credentials: its call runs with them. Released through
    /// `deliver` when `pending` is true, else by the shim at once.
    pub credentials: u32,
    /// The shim's number for this request, echoed in the `deliver` event that finishes it.
    pub ticket: Option<u32>,
    pub content_type: Option<String>,
    pub body: Buffer,
}

/// What the engine may refuse before authentication.
#[napi(object)]
pub struct PrecheckRequest {
    pub origin: Option<String>,
    pub authorization: Option<String>,
    pub server: Option<String>,
    /// The request body, read only when refusing (the refusal names the request's id).
    pub body: Option<Buffer>,
}

/// The id of the request in `body`, for a refusal that names it (`null` when none).
fn request_id(body: Option<&[u8]>) -> serde_json::Value {
    body.and_then(|b| crate::protocol::jsonrpc::parse_body(b).ok())
        .map(|b| b.request_id())
        .unwrap_or(serde_json::Value::Null)
}

/// The answer of `precheck`.
#[napi(object)]
pub struct PrecheckAnswer {
    pub refusal: Option<McpHttpResponse>,
    pub cached: Option<u32>,
    pub release: Vec<u32>,
}

pub(super) fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// GET or DELETE of a stateful Streamable HTTP session.
#[napi(object)]
pub struct SessionRequest {
    pub server: Option<String>,
    pub session_id: Option<String>,
    pub principal: String,
}

/// An answer that may open a stream (`sessionId` set: keep the response open for it).
#[napi(object)]
pub struct StreamAnswer {
    pub response: McpHttpResponse,
    pub session_id: Option<String>,
}

/// The answer to a legacy POST. `pending`: the message is being processed and its
/// credentials handle will come back through `deliver`.
#[napi(object)]
pub struct LegacyPostAnswer {
    pub response: McpHttpResponse,
    pub pending: bool,
}

/// The last words of a listen stream at shutdown.
#[napi(object)]
pub struct ListenClose {
    pub stream: String,
    pub chunk: String,
}

/// The MCP engine of one plugin instance.
#[napi]
pub struct McpEngine {
    engine: Arc<Engine<JsHost>>,
    dispatch: tracing::Dispatch,
    deliver: Arc<DeliverFn>,
    stopped: Arc<AtomicBool>,
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

/// Progress of a legacy message's long call, down its session's stream.
struct SessionProgress {
    deliver: Arc<DeliverFn>,
    session: String,
}

impl ProgressSink for SessionProgress {
    fn send(&self, chunk: String) {
        send(
            &self.deliver,
            StreamEvent::chunk(self.session.clone(), Some(chunk)),
        );
    }
}

pub(super) fn send(deliver: &DeliverFn, event: StreamEvent) {
    deliver.call(event, ThreadsafeFunctionCallMode::NonBlocking);
}

fn parse_level(level: Option<&str>) -> tracing::Level {
    match level {
        Some("error") => tracing::Level::ERROR,
        Some("warn") => tracing::Level::WARN,
        Some("debug") => tracing::Level::DEBUG,
        _ => tracing::Level::INFO,
    }
}

#[napi]
impl McpEngine {
    /// Validates the configuration: a bad value throws an error that names its key.
    #[napi(constructor)]
    pub fn new(
        options: EngineOptions,
        #[napi(ts_arg_type = "(credentials: number) => Promise<HostOutcome>")]
        list_actions: ListActionsFn,
        #[napi(ts_arg_type = "(request: InvokeRequest) => Promise<HostOutcome>")]
        invoke_action: InvokeActionFn,
        #[napi(ts_arg_type = "(record: LogRecord) => void")] log: LogFn,
        #[napi(ts_arg_type = "(event: StreamEvent) => void")] deliver: DeliverFn,
        #[napi(
            ts_arg_type = "((request: TaskStoreRequest) => Promise<TaskStoreReply>) | undefined | null"
        )]
        task_store: Option<TaskStoreFn>,
    ) -> napi::Result<Self> {
        let config = EngineConfig::from_json(&options.config)
            .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
        let deliver = Arc::new(deliver);
        let host = JsHost {
            list_actions,
            invoke_action,
            task_store,
            deliver: Arc::clone(&deliver),
        };
        let engine = Arc::new(Engine::new(config, host));
        let dispatch = log::dispatch(log, parse_level(options.log_level.as_deref()));
        let stopped = Arc::new(AtomicBool::new(false));
        napi::bindgen_prelude::spawn(
            timers::beat_tasks(Arc::downgrade(&engine), stopped.clone())
                .with_subscriber(dispatch.clone()),
        );
        napi::bindgen_prelude::spawn(
            timers::sweep_sessions(Arc::downgrade(&engine), deliver.clone(), stopped.clone())
                .with_subscriber(dispatch.clone()),
        );
        napi::bindgen_prelude::spawn(
            timers::watch_listens(Arc::downgrade(&engine), deliver.clone(), stopped.clone())
                .with_subscriber(dispatch.clone()),
        );
        Ok(Self {
            engine,
            dispatch,
            deliver,
            stopped,
        })
    }

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

    /// The 401 challenge, for a request Backstage's `httpAuth` did not accept.
    #[napi(catch_unwind)]
    pub fn unauthorized(
        &self,
        had_token: bool,
        server: Option<String>,
        body: Option<Buffer>,
    ) -> McpHttpResponse {
        let rejection = had_token.then_some("the access token is invalid or expired");
        self.engine
            .unauthorized(rejection, server.as_deref())
            .for_request(&request_id(body.as_deref()))
            .into()
    }

    /// Before authentication: a refusal (`403` origin, `401` JWT that cannot be valid), or
    /// the cached credentials handle of a token Backstage already accepted, plus handles the
    /// cache let go of (release them).
    #[napi(catch_unwind)]
    pub fn precheck(&self, request: PrecheckRequest) -> PrecheckAnswer {
        let admission = tracing::dispatcher::with_default(&self.dispatch, || {
            self.engine.precheck(
                request.origin.as_deref(),
                request.authorization.as_deref(),
                request.server.as_deref(),
                now_seconds(),
            )
        });
        let body = request.body.as_deref();
        PrecheckAnswer {
            refusal: admission
                .refusal
                .map(|r| r.for_request(&request_id(body)).into()),
            cached: admission.cached,
            release: admission.release,
        }
    }

    /// Backstage accepted this `Authorization` with the credentials behind `handle` (the
    /// shim has retained one reference for the cache). Returns the handles to release.
    #[napi(catch_unwind)]
    pub fn remember_credentials(&self, authorization: Option<String>, handle: u32) -> Vec<u32> {
        self.engine
            .remember_credentials(authorization.as_deref(), handle, now_seconds())
    }

    /// A downstream `401` for `handle`: true when the cache held it (release its reference).
    #[napi(catch_unwind)]
    pub fn forget_credentials(&self, handle: u32) -> bool {
        self.engine.forget_credentials(handle)
    }

    /// Credentials the cache holds.
    #[napi(catch_unwind)]
    pub fn cached_credentials(&self) -> u32 {
        u32::try_from(self.engine.cached_credentials()).unwrap_or(u32::MAX)
    }

    /// RFC 9728 metadata of `/v1` (no `server`) or `/v1/{server}`; `404` when unknown or
    /// when OAuth is not offered.
    #[napi(catch_unwind)]
    pub fn protected_resource_metadata(&self, server: Option<String>) -> McpHttpResponse {
        self.engine
            .protected_resource_metadata(server.as_deref())
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

    /// `GET .../sse`: open a legacy session. With `sessionId` set, write the head, keep the
    /// response open under that id, and end it when `deliver` says so.
    #[napi(catch_unwind)]
    pub fn open_legacy(&self, request: LegacyOpenRequest) -> StreamAnswer {
        tracing::dispatcher::with_default(&self.dispatch, || {
            match self.engine.open_legacy(
                request.server.as_deref(),
                &request.principal,
                &request.messages_path,
            ) {
                Ok(opened) => StreamAnswer {
                    response: opened.head.into(),
                    session_id: Some(opened.session_id),
                },
                Err(response) => StreamAnswer {
                    response: response.into(),
                    session_id: None,
                },
            }
        })
    }

    /// `POST .../sse/messages`: answer `202` (or a refusal) at once; the result goes down
    /// the session's stream through `deliver`, which also releases the handle.
    #[napi(catch_unwind)]
    pub fn legacy_post(&self, request: LegacyPostRequest) -> LegacyPostAnswer {
        let accepted = tracing::dispatcher::with_default(&self.dispatch, || {
            self.engine.accept_legacy(
                LegacyPost {
                    server: request.server.as_deref(),
                    session_id: request.session_id.as_deref(),
                    content_type: request.content_type.as_deref(),
                    body: &request.body,
                },
                &request.principal,
            )
        });
        let accepted = match accepted {
            Ok(accepted) => accepted,
            Err(response) => {
                return LegacyPostAnswer {
                    response: response.into(),
                    pending: false,
                }
            }
        };
        let engine = Arc::clone(&self.engine);
        let deliver = Arc::clone(&self.deliver);
        let ctx = CallContext {
            credentials: request.credentials,
            principal: request.principal,
            request: request.ticket,
            trace: None,
        };
        let server = request.server;
        let ticket = request.ticket;
        let session = accepted.session_id;
        napi::bindgen_prelude::spawn(
            async move {
                let observed = Observations::default();
                let progress = SessionProgress {
                    deliver: Arc::clone(&deliver),
                    session: session.clone(),
                };
                let chunk = engine
                    .process_legacy_guarded(
                        server.as_deref(),
                        Some(&session),
                        accepted.body,
                        &ctx,
                        &observed,
                        Some(&progress),
                    )
                    .await;
                send(
                    &deliver,
                    StreamEvent {
                        session,
                        chunk,
                        end: false,
                        release: Some(ctx.credentials),
                        ticket,
                        observations: records(&observed),
                        response_of: None,
                    },
                );
            }
            .with_subscriber(self.dispatch.clone()),
        );
        LegacyPostAnswer {
            response: HttpResponse {
                status: 202,
                headers: vec![("content-type", "text/plain".into())],
                body: Some("Accepted".into()),
            }
            .into(),
            pending: true,
        }
    }

    /// A `subscriptions/listen` stream's response closed: forget it. `false` when it was
    /// not open (the server already ended it).
    #[napi(catch_unwind)]
    pub fn close_listen(&self, key: String) -> bool {
        self.engine.close_listen(&key).is_some()
    }

    /// Backend shutdown: the final result of every listen stream (write it, then end the
    /// stream), by key.
    #[napi(catch_unwind)]
    pub fn close_all_listens(&self) -> Vec<ListenClose> {
        self.engine
            .close_all_listens()
            .into_iter()
            .map(|(stream, chunk, _)| ListenClose { stream, chunk })
            .collect()
    }

    /// The legacy stream's response closed: end its session.
    #[napi(catch_unwind)]
    pub fn close_legacy(&self, session_id: String) -> bool {
        self.engine.close_legacy(&session_id)
    }

    /// `GET /v1[/{server}]`: the server-to-client stream of a stateful session.
    #[napi(catch_unwind)]
    pub fn open_stream(&self, request: SessionRequest) -> StreamAnswer {
        match self.engine.open_stream(
            request.server.as_deref(),
            request.session_id.as_deref(),
            &request.principal,
        ) {
            Ok(head) => StreamAnswer {
                response: head.into(),
                session_id: request.session_id,
            },
            Err(response) => StreamAnswer {
                response: response.into(),
                session_id: None,
            },
        }
    }

    /// The GET stream of a stateful session closed; the session lives on.
    #[napi(catch_unwind)]
    pub fn close_stream(&self, session_id: String) {
        self.engine.close_stream(&session_id);
    }

    /// `DELETE /v1[/{server}]`: end a stateful session (`204`); the shim then ends its
    /// stream if one is open.
    #[napi(catch_unwind)]
    pub fn delete_session(&self, request: SessionRequest) -> McpHttpResponse {
        self.engine
            .delete_session(
                request.server.as_deref(),
                request.session_id.as_deref(),
                &request.principal,
            )
            .into()
    }

    /// The client of the POST with this ticket went away: stop working on it (its
    /// `handlePost` resolves at once, with status 499). `false` when it is not running.
    #[napi(catch_unwind)]
    pub fn abandon(&self, ticket: u32) -> bool {
        self.engine.abandon(ticket)
    }

    /// Tool calls running now (all callers).
    #[napi(catch_unwind)]
    pub fn calls_in_flight(&self) -> u32 {
        u32::try_from(self.engine.calls_in_flight()).unwrap_or(u32::MAX)
    }

    /// Delete the tasks whose TTL passed (the shim's scheduled sweep); how many.
    #[napi]
    pub async fn sweep_tasks(&self) -> napi::Result<u32> {
        let engine = Arc::clone(&self.engine);
        engine
            .sweep_tasks()
            .with_subscriber(self.dispatch.clone())
            .await
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(|e| napi::Error::new(napi::Status::GenericFailure, e))
    }

    /// Backend shutdown: every task running here ends `failed` (this instance stops before
    /// it finishes them); how many.
    #[napi]
    pub async fn stop_tasks(&self) -> u32 {
        let engine = Arc::clone(&self.engine);
        let stopped = engine
            .stop_tasks()
            .with_subscriber(self.dispatch.clone())
            .await;
        u32::try_from(stopped).unwrap_or(u32::MAX)
    }

    /// Tasks running in this instance.
    #[napi(catch_unwind)]
    pub fn tasks_running(&self) -> u32 {
        u32::try_from(self.engine.tasks_running()).unwrap_or(u32::MAX)
    }

    /// Open sessions of both transports.
    #[napi(catch_unwind)]
    pub fn session_count(&self) -> u32 {
        u32::try_from(self.engine.session_count()).unwrap_or(u32::MAX)
    }

    /// Backend shutdown: stop the timers and end every session; returns their ids. Cached
    /// credentials are released through `deliver`.
    #[napi(catch_unwind)]
    pub fn shutdown(&self) -> Vec<String> {
        self.stopped.store(true, Ordering::Relaxed);
        for handle in self.engine.clear_credentials() {
            send(&self.deliver, StreamEvent::release(handle));
        }
        self.engine.close_all_sessions()
    }
}
