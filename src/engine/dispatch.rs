//! Method name → handler, for both eras. Each era has its own set of methods; the handlers
//! behind them are shared and get what differs (the result frame) from the request context.

use rmcp::model::{ErrorData, Implementation, InitializeResult, ServerCapabilities};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Engine, Scope};
use crate::config::ServerConfig;
use crate::host::{ActionHost, CallContext};
use crate::protocol::frame::{CacheHints, Frame};
use crate::protocol::http::HttpResponse;
use crate::protocol::jsonrpc::{
    error_json, method_not_found, params_object, to_raw, Body, Incoming, Outcome,
};
use crate::protocol::version;

/// Methods of 2026-07-28 this server answers.
pub(crate) const MODERN_METHODS: [&str; 7] = [
    "server/discover",
    "tools/list",
    "tools/call",
    "subscriptions/listen",
    "resources/list",
    "resources/templates/list",
    "resources/read",
];

/// Methods of the tasks extension (when `mcpActions.tasks.enabled`).
pub(crate) const TASK_METHODS: [&str; 3] = ["tasks/get", "tasks/cancel", "tasks/update"];

/// Methods of the legacy revisions this server answers.
const LEGACY_METHODS: [&str; 7] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
];

/// A modern request for a method that does not exist in 2026-07-28 or that this server does
/// not offer: `404` with `-32601`, as the Streamable HTTP transport asks.
pub(crate) fn unknown_modern_method(body: &Body, tasks: bool) -> Option<HttpResponse> {
    let Body::Single(Incoming::Request { id, method, .. }) = body else {
        return None;
    };
    if MODERN_METHODS.contains(&method.as_str())
        || (tasks && TASK_METHODS.contains(&method.as_str()))
    {
        return None;
    }
    let mut error = method_not_found(method);
    if LEGACY_METHODS.contains(&method.as_str()) {
        error.message = format!(
            "{} ({} has no {method}; a request that carries its _meta envelope needs no handshake)",
            error.message,
            version::MODERN
        )
        .into();
    }
    Some(HttpResponse::json(404, error_json(id, error)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiscoverResult<'a> {
    supported_versions: Vec<&'static str>,
    capabilities: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    instructions: Option<&'a str>,
    #[serde(flatten)]
    cache: Option<CacheHints>,
    #[serde(flatten)]
    frame: Frame<'a>,
}

/// `{"io.modelcontextprotocol/serverInfo": {...}}` of one server: the `_meta` of its modern
/// results.
pub(crate) fn server_info_meta(server: &ServerConfig, version: &str) -> Box<RawValue> {
    let mut info = Implementation::new(&server.name, version);
    info.description = server.description.clone();
    let meta = serde_json::json!({ crate::protocol::context::META_SERVER_INFO: info });
    serde_json::value::to_raw_value(&meta).expect("server info always serializes")
}

/// The MCP Apps extension's settings as this server advertises them: the content type of its
/// views.
fn apps_settings() -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert(
        "mimeTypes".into(),
        serde_json::json!([crate::apps::MIME_TYPE]),
    );
    settings
}

impl<H: ActionHost> Engine<H> {
    pub(crate) async fn dispatch(
        &self,
        method: &str,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let modern = scope.request.is_modern();
        match method {
            "tools/list" => self.list_tools(params, scope, ctx).await,
            "tools/call" => self.call_tool(params, scope, ctx).await,
            "server/discover" if modern => self.discover(scope),
            "tasks/get" | "tasks/cancel" | "tasks/update"
                if modern && self.config.tasks.enabled =>
            {
                self.task_method(method, params, scope, ctx).await
            }
            "resources/read" => self.read_resource(params, scope, ctx).await,
            "resources/list" => self.list_resources(scope, "resources"),
            "resources/templates/list" => self.list_resources(scope, "resourceTemplates"),
            "initialize" if !modern => self.initialize(params, scope.server),
            "ping" if !modern => to_raw(&Map::new()),
            _ => Err(method_not_found(method)),
        }
    }

    fn initialize(&self, params: Option<Value>, server: &ServerConfig) -> Outcome {
        let params = params_object(params)?;
        let requested = params.get("protocolVersion").and_then(Value::as_str);
        let negotiated = version::negotiate(requested);
        let mut info = Implementation::new(&server.name, &self.config.version);
        info.description = server.description.clone();
        let mut capabilities = if server.max_result_chars > 0 || !self.config.apps.is_empty() {
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build()
        } else {
            ServerCapabilities::builder().enable_tools().build()
        };
        if !self.config.apps.is_empty() {
            capabilities.extensions = Some(
                [(crate::apps::EXTENSION.to_owned(), apps_settings())]
                    .into_iter()
                    .collect(),
            );
        }
        let mut result = InitializeResult::new(capabilities)
            .with_server_info(info)
            .with_protocol_version(negotiated);
        result.instructions = server.instructions.clone();
        to_raw(&result)
    }

    /// What discover advertises: tools (with list changes), logging, resources (the results
    /// over the server's budget, the MCP Apps views), the tasks extension when tasks are on
    /// and the MCP Apps extension when there are views.
    fn capabilities(&self, server: &ServerConfig) -> Value {
        let apps = !self.config.apps.is_empty();
        let mut capabilities =
            serde_json::json!({ "tools": { "listChanged": true }, "logging": {} });
        if server.max_result_chars > 0 || apps {
            capabilities["resources"] = serde_json::json!({});
        }
        let mut extensions = Map::new();
        if self.config.tasks.enabled {
            extensions.insert(crate::tasks::EXTENSION.into(), serde_json::json!({}));
        }
        if apps {
            extensions.insert(
                crate::apps::EXTENSION.into(),
                Value::Object(apps_settings()),
            );
        }
        if !extensions.is_empty() {
            capabilities["extensions"] = Value::Object(extensions);
        }
        capabilities
    }

    /// `server/discover`: the revisions, capabilities and instructions of this server.
    fn discover(&self, scope: &Scope<'_>) -> Result<Box<RawValue>, ErrorData> {
        to_raw(&DiscoverResult {
            supported_versions: version::all(),
            capabilities: self.capabilities(scope.server),
            instructions: scope.server.instructions.as_deref(),
            cache: scope.frame.public_cache(),
            frame: scope.frame,
        })
    }
}
