//! `McpEngine`, the class the shim holds: the engine over napi callbacks. This file has the
//! class, its construction and shutdown, and the answer type every method returns; its
//! methods by concern are in `posts.rs` (Streamable HTTP POSTs), `admission.rs` (credentials
//! and refusals before dispatch), `legacy.rs` (legacy SSE sessions), `streams.rs` (stateful
//! streams and listens) and `tasks.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use super::callbacks::{
    send, DeliverFn, InvokeActionFn, ListActionsFn, LogFn, ObservationRecord, StreamEvent,
};
use super::host::JsHost;
use super::log;
use super::store::TaskStoreFn;
use super::timers;
use crate::engine::{HELD_KEY, LISTEN_KEY};
use crate::protocol::http::HttpResponse;
use crate::{Engine, EngineConfig};

/// Engine settings.
#[napi(object)]
pub struct EngineOptions {
    /// JSON of the configuration the shim read from `mcpActions.*` and
    /// `backend.actions.pluginSources` (see `RawConfig` in `src/config/raw.rs`).
    pub config: String,
    /// Forward engine log events at this level and above: `error`, `warn`, `info` (default)
    /// or `debug`.
    pub log_level: Option<String>,
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

/// The MCP engine of one plugin instance.
#[napi]
pub struct McpEngine {
    pub(super) engine: Arc<Engine<JsHost>>,
    pub(super) dispatch: tracing::Dispatch,
    pub(super) deliver: Arc<DeliverFn>,
    stopped: Arc<AtomicBool>,
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
        if engine.config().usage.enabled {
            napi::bindgen_prelude::spawn(
                timers::flush_usage(Arc::downgrade(&engine), stopped.clone())
                    .with_subscriber(dispatch.clone()),
            );
        }
        if engine.has_rate_limits() {
            napi::bindgen_prelude::spawn(
                timers::release_rate_leases(Arc::downgrade(&engine), stopped.clone())
                    .with_subscriber(dispatch.clone()),
            );
        }
        Ok(Self {
            engine,
            dispatch,
            deliver,
            stopped,
        })
    }

    /// Tool calls running now (all callers).
    #[napi(catch_unwind)]
    pub fn calls_in_flight(&self) -> u32 {
        u32::try_from(self.engine.calls_in_flight()).unwrap_or(u32::MAX)
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
