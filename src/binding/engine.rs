//! `McpEngine`, the class the shim holds: the engine over napi callbacks.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use super::callbacks::{HostOutcome, InvokeActionFn, InvokeRequest, ListActionsFn, LogFn};
use super::log;
use crate::protocol::http::{self, HttpResponse, PostRequest};
use crate::protocol::jsonrpc::internal_error;
use crate::{ActionHost, CallContext, Engine, EngineConfig, HostError};

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
    /// `user:default/jane`, `service:external:ci`: for logs, never for decisions.
    pub principal: String,
    /// `/v1/{server}`; absent for `/v1`.
    pub server: Option<String>,
    /// The `X-MCP-Readonly` header.
    pub read_only: Option<String>,
    pub accept: Option<String>,
    pub content_type: Option<String>,
    pub protocol_version: Option<String>,
    /// The raw request body.
    pub body: Buffer,
}

/// A complete HTTP answer: write `status`, `headers`, then `body` (when present).
#[napi(object)]
pub struct McpHttpResponse {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Option<String>,
}

impl From<HttpResponse> for McpHttpResponse {
    fn from(r: HttpResponse) -> Self {
        Self {
            status: r.status,
            headers: r
                .headers
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            body: r.body,
        }
    }
}

/// The host over the shim's callbacks.
pub struct JsHost {
    list_actions: ListActionsFn,
    invoke_action: InvokeActionFn,
}

fn host_failure(operation: &'static str) -> impl Fn(napi::Error) -> HostError {
    move |err| {
        let err = crate::Error::Host {
            operation,
            message: err.reason.clone(),
        };
        tracing::error!(code = err.code(), "{err}");
        HostError::new("HostFailure", err.to_string())
    }
}

fn outcome(result: HostOutcome) -> Result<String, HostError> {
    match result {
        HostOutcome {
            json: Some(json), ..
        } => Ok(json),
        HostOutcome {
            error_name,
            error_message,
            ..
        } => Err(HostError::new(
            error_name.unwrap_or_else(|| "Error".into()),
            error_message.unwrap_or_default(),
        )),
    }
}

impl ActionHost for JsHost {
    async fn list_actions(&self, ctx: &CallContext) -> Result<String, HostError> {
        let fail = host_failure("listActions");
        let promise = self
            .list_actions
            .call_async_catch(ctx.credentials)
            .await
            .map_err(&fail)?;
        outcome(promise.await.map_err(&fail)?)
    }

    async fn invoke_action(
        &self,
        ctx: &CallContext,
        action_id: &str,
        input: String,
    ) -> Result<String, HostError> {
        let fail = host_failure("invokeAction");
        let promise = self
            .invoke_action
            .call_async_catch(InvokeRequest {
                credentials: ctx.credentials,
                action_id: action_id.to_owned(),
                input,
            })
            .await
            .map_err(&fail)?;
        outcome(promise.await.map_err(&fail)?)
    }
}

/// The MCP engine of one plugin instance.
#[napi]
pub struct McpEngine {
    engine: Arc<Engine<JsHost>>,
    dispatch: tracing::Dispatch,
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
    ) -> napi::Result<Self> {
        let config = EngineConfig::from_json(&options.config)
            .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
        let host = JsHost {
            list_actions,
            invoke_action,
        };
        Ok(Self {
            engine: Arc::new(Engine::new(config, host)),
            dispatch: log::dispatch(log, parse_level(options.log_level.as_deref())),
        })
    }

    /// Answer a Streamable HTTP POST. Never rejects: every failure is an HTTP answer.
    #[napi]
    pub async fn handle_post(&self, request: McpPostRequest) -> McpHttpResponse {
        let engine = Arc::clone(&self.engine);
        let ctx = CallContext {
            credentials: request.credentials,
            principal: request.principal,
        };
        let req = PostRequest {
            server: request.server.as_deref(),
            read_only: request.read_only.as_deref(),
            accept: request.accept.as_deref(),
            content_type: request.content_type.as_deref(),
            protocol_version: request.protocol_version.as_deref(),
            body: &request.body,
        };
        let answer = AssertUnwindSafe(engine.handle_post(req, &ctx))
            .catch_unwind()
            .with_subscriber(self.dispatch.clone())
            .await;
        match answer {
            Ok(response) => response.into(),
            Err(_) => {
                tracing::dispatcher::with_default(&self.dispatch, || {
                    tracing::error!(principal = %ctx.principal, "the MCP engine panicked while answering a request");
                });
                HttpResponse::rpc_error(
                    500,
                    internal_error(
                        "Internal error: the MCP engine failed; the server log has the details",
                    ),
                )
                .into()
            }
        }
    }

    /// The answer to any method other than POST on `/v1` or `/v1/{server}`.
    #[napi]
    pub fn method_not_allowed(&self, method: String, server: Option<String>) -> McpHttpResponse {
        self.engine
            .method_not_allowed(&method, server.as_deref())
            .into()
    }

    /// The 401 challenge, for a request Backstage's `httpAuth` did not accept.
    #[napi]
    pub fn unauthorized(&self, had_token: bool) -> McpHttpResponse {
        http::unauthorized(had_token).into()
    }

    /// The answer to a body the HTTP layer could not read (`status` from the body parser).
    #[napi]
    pub fn unreadable_body(&self, status: u16, message: String) -> McpHttpResponse {
        http::unreadable_body(status, &message).into()
    }

    /// `500` for a failure in the shim itself.
    #[napi]
    pub fn internal_error(&self) -> McpHttpResponse {
        http::internal_failure().into()
    }
}
