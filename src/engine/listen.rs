//! `subscriptions/listen` (2026-07-28): the modern server-to-client stream. A POST that stays
//! open as an SSE stream; first the acknowledgement with the part of the filter we honour,
//! then `notifications/tools/list_changed` whenever the caller's tool list changes. The host
//! keeps the response open and the caller's credentials alive until the stream closes.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use rmcp::model::{ErrorCode, ErrorData};
use serde_json::{json, Value};
use tracing::debug;

use super::{Engine, Observations, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::{RequestContext, META_SUBSCRIPTION_ID};
use crate::protocol::frame::Frame;
use crate::protocol::http::{sse_message, HttpResponse};
use crate::protocol::jsonrpc::{error_json, invalid_params, params_object};
use crate::session::SessionError;

/// One open `subscriptions/listen` stream.
#[derive(Debug, Clone)]
struct Listener {
    principal: String,
    credentials: u32,
    server_key: Option<String>,
    read_only: bool,
    /// The listen request's id: every message on the stream names it.
    subscription: Value,
    tools_list_changed: bool,
    /// Fingerprint of the tool list the client was last told about.
    seen: u64,
}

/// The open listen streams, by stream key.
#[derive(Default)]
pub(crate) struct Listeners {
    open: Mutex<HashMap<String, Listener>>,
    next: AtomicU64,
}

/// What a look at one listener's tool list found.
#[derive(Debug, PartialEq, Eq)]
pub enum ListenCheck {
    /// Nothing to send.
    Unchanged,
    /// Send this chunk (`notifications/tools/list_changed`).
    Changed(String),
    /// Send this chunk (the final result) and end the stream: the caller can no longer list.
    Ended(String),
}

fn notification(method: &str, subscription: &Value, extra: Option<Value>) -> String {
    let mut params = json!({ "_meta": { META_SUBSCRIPTION_ID: subscription } });
    if let (Some(Value::Object(extra)), Some(params)) = (extra, params.as_object_mut()) {
        params.extend(extra);
    }
    sse_message(&json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string())
}

/// The graceful end of a listen stream: a result for its request.
fn final_result(subscription: &Value) -> String {
    sse_message(
        &json!({
            "jsonrpc": "2.0",
            "id": subscription,
            "result": { "resultType": "complete", "_meta": { META_SUBSCRIPTION_ID: subscription } },
        })
        .to_string(),
    )
}

fn fingerprint(tools: &[crate::tools::mapping::NamedTool]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for tool in tools {
        serde_json::to_string(&tool.tool)
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    hasher.finish()
}

impl<H: ActionHost> Engine<H> {
    /// `subscriptions/listen`: check the filter and the limits, remember the stream, and
    /// answer with the head of an SSE stream whose first event is the acknowledgement.
    pub(crate) async fn open_listen(
        &self,
        id: &Value,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> HttpResponse {
        let refuse =
            |status: u16, error: ErrorData| HttpResponse::json(status, error_json(id, error));
        let params = match params_object(params) {
            Ok(params) => params,
            Err(error) => return refuse(200, error),
        };
        let tools_list_changed = match params.get("notifications") {
            None | Some(Value::Null) => false,
            Some(Value::Object(filter)) => {
                filter.get("toolsListChanged") == Some(&Value::Bool(true))
            }
            Some(_) => return refuse(
                200,
                invalid_params(
                    "Invalid params: \"notifications\" must be an object (a SubscriptionFilter)",
                ),
            ),
        };
        if let Err(err) = self.listen_capacity(&ctx.principal) {
            let (status, message) = match err {
                SessionError::PrincipalLimit { max, .. } => (429, format!("Too Many Requests: you hold the maximum of {max} open streams (mcpActions.sessions.maxSessionsPerPrincipal); close one first")),
                _ => (503, format!("Service Unavailable: the server holds its maximum of {} open streams (mcpActions.sessions.maxSessions); retry later", self.config.sessions.limits.max_sessions)),
            };
            return refuse(status, ErrorData::new(ErrorCode(-32000), message, None))
                .with_header("retry-after", "30");
        }
        let seen = match self.scoped_tools(scope, ctx).await {
            Ok(tools) => fingerprint(&tools),
            Err(error) => return refuse(200, error),
        };
        let key = match ctx.request {
            Some(ticket) => format!("listen-{ticket}"),
            None => format!(
                "listen-local-{}",
                self.listeners.next.fetch_add(1, Ordering::Relaxed)
            ),
        };
        let listener = Listener {
            principal: ctx.principal.clone(),
            credentials: ctx.credentials,
            server_key: scope.server_key.map(str::to_owned),
            read_only: scope.read_only,
            subscription: id.clone(),
            tools_list_changed,
            seen,
        };
        let honoured = if tools_list_changed {
            json!({ "toolsListChanged": true })
        } else {
            json!({})
        };
        let ack = notification(
            "notifications/subscriptions/acknowledged",
            id,
            Some(json!({ "notifications": honoured })),
        );
        debug!(principal = %ctx.principal, stream = %key, "listen stream opened");
        self.listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), listener);
        HttpResponse::stream_head(Some(ack)).with_header(LISTEN_KEY, key)
    }

    fn listen_capacity(&self, principal: &str) -> Result<(), SessionError> {
        let limits = self.config.sessions.limits;
        let open = self
            .listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if open.len() >= limits.max_sessions {
            return Err(SessionError::AtCapacity {
                max: limits.max_sessions,
            });
        }
        let mine = open.values().filter(|l| l.principal == principal).count();
        if mine >= limits.max_per_principal {
            return Err(SessionError::PrincipalLimit {
                principal: principal.to_owned(),
                max: limits.max_per_principal,
            });
        }
        Ok(())
    }

    /// Keys of the open listen streams.
    pub fn listener_keys(&self) -> Vec<String> {
        let open = self
            .listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.keys().cloned().collect()
    }

    /// The stream closed: forget it. Returns the credentials handle it held, for the host to
    /// release.
    pub fn close_listen(&self, key: &str) -> Option<u32> {
        let mut open = self
            .listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.remove(key).map(|l| l.credentials)
    }

    /// Backend shutdown: the final result of every listen stream, by key.
    pub fn close_all_listens(&self) -> Vec<(String, String, u32)> {
        let mut open = self
            .listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.drain()
            .map(|(key, l)| (key, final_result(&l.subscription), l.credentials))
            .collect()
    }

    /// Look at the tool list of one listener (from the tool-list cache while it is fresh):
    /// tell the client when it changed.
    pub async fn check_listen(&self, key: &str) -> ListenCheck {
        let Some(listener) = ({
            let open = self
                .listeners
                .open
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            open.get(key).cloned()
        }) else {
            return ListenCheck::Unchanged;
        };
        if !listener.tools_list_changed {
            return ListenCheck::Unchanged;
        }
        let Some(server) = self.config.server(listener.server_key.as_deref()) else {
            return ListenCheck::Unchanged;
        };
        let (observed, streamed, held, request) = (
            Observations::default(),
            AtomicBool::new(false),
            AtomicBool::new(false),
            RequestContext::legacy(None),
        );
        let limited = std::sync::OnceLock::new();
        let scope = Scope {
            server_key: listener.server_key.as_deref(),
            server,
            read_only: listener.read_only,
            discovery: server.tool_discovery,
            observed: &observed,
            progress: None,
            streamed: &streamed,
            held: &held,
            limited: &limited,
            session: None,
            request: &request,
            frame: Frame::default(),
        };
        let ctx = CallContext {
            credentials: listener.credentials,
            principal: listener.principal.clone(),
            request: None,
            trace: None,
        };
        let seen = match self.scoped_tools(&scope, &ctx).await {
            Ok(tools) => fingerprint(&tools),
            Err(error) => {
                debug!(stream = %key, "listen stream ends: its tool list cannot be read ({})", error.message);
                self.close_listen(key);
                return ListenCheck::Ended(final_result(&listener.subscription));
            }
        };
        let mut open = self
            .listeners
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match open.get_mut(key) {
            Some(l) if l.seen != seen => {
                l.seen = seen;
                debug!(stream = %key, "the caller's tool list changed");
                ListenCheck::Changed(notification(
                    "notifications/tools/list_changed",
                    &l.subscription,
                    None,
                ))
            }
            _ => ListenCheck::Unchanged,
        }
    }
}

/// Header of an engine answer that opened a listen stream: the stream's key. The binding
/// takes it off before the answer goes out.
pub const LISTEN_KEY: &str = "x-mcp-actions-listen";
