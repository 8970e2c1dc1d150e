//! The engine: one POST in, one HTTP answer out. Owns the configuration and the host.

use futures_util::future::join_all;
use rmcp::model::{Implementation, InitializeResult, ServerCapabilities};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tracing::{debug, error, warn};

use crate::host::{ActionHost, CallContext, HostError};
use crate::protocol::http::{self, Framing, HttpResponse, PostRequest};
use crate::protocol::jsonrpc::{
    self, error_json, internal_error, invalid_params, invalid_request, method_not_found,
    params_object, parse_body, response_json, to_raw, Body, BodyError, Incoming, Outcome,
};
use crate::protocol::version;
use crate::tools::mapping::is_valid_tool_name;
use crate::tools::{result, ActionList, ToolNaming, ToolSet};
use crate::Error;

/// The engine's configuration, read once at startup by the shim.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// `serverInfo.name` (`mcpActions.name`, default `backstage`).
    pub name: String,
    /// `serverInfo.version`: the package version.
    pub version: String,
    pub description: Option<String>,
    pub instructions: Option<String>,
    pub naming: ToolNaming,
    /// `backend.actions.pluginSources`: the plugins whose actions are tools. A namespaced
    /// tool name whose plugin is not listed names no tool, without asking the registry.
    pub plugin_sources: Vec<String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            name: "backstage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: None,
            instructions: None,
            naming: ToolNaming::default(),
            plugin_sources: Vec::new(),
        }
    }
}

pub struct Engine<H> {
    config: EngineConfig,
    host: H,
    tools: ToolSet,
}

#[derive(Serialize)]
struct ToolsPage<'a> {
    tools: &'a [rmcp::model::Tool],
}

impl<H: ActionHost> Engine<H> {
    pub fn new(config: EngineConfig, host: H) -> Self {
        Self {
            config,
            host,
            tools: ToolSet::default(),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Answer one Streamable HTTP POST.
    pub async fn handle_post(&self, req: PostRequest<'_>, ctx: &CallContext) -> HttpResponse {
        let framing = match http::precheck(&req) {
            Ok(framing) => framing,
            Err(response) => return response,
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
        if !body_has_initialize(&body) {
            if let Err(response) = http::check_protocol_header(req.protocol_version) {
                return response;
            }
        }
        let (status, json) = match body {
            Body::Single(Incoming::Invalid { id, reason }) => {
                (400, Some(error_json(&id, invalid_request(reason))))
            }
            Body::Single(message) => (200, self.answer(message, ctx).await),
            Body::Batch(messages) => {
                let answers = join_all(messages.into_iter().map(|m| self.answer(m, ctx))).await;
                let answers: Vec<String> = answers.into_iter().flatten().collect();
                if answers.is_empty() {
                    (200, None)
                } else {
                    (200, Some(format!("[{}]", answers.join(","))))
                }
            }
        };
        match (json, framing) {
            (None, _) => HttpResponse::accepted(),
            (Some(json), Framing::Json) => HttpResponse::json(status, json),
            (Some(json), Framing::Sse) if status == 200 => HttpResponse::sse(json),
            (Some(json), Framing::Sse) => HttpResponse::json(status, json),
        }
    }

    /// The JSON text answering one message, or `None` for notifications and responses.
    async fn answer(&self, message: Incoming, ctx: &CallContext) -> Option<String> {
        match message {
            Incoming::Request { id, method, params } => {
                let outcome = self.dispatch(&method, params, ctx).await;
                Some(response_json(&id, &outcome))
            }
            Incoming::Invalid { id, reason } => Some(error_json(&id, invalid_request(reason))),
            Incoming::Notification { method } => {
                debug!(%method, "notification received");
                None
            }
            Incoming::Response => None,
        }
    }

    async fn dispatch(&self, method: &str, params: Option<Value>, ctx: &CallContext) -> Outcome {
        match method {
            "initialize" => self.initialize(params),
            "ping" => to_raw(&Map::new()),
            "tools/list" => self.list_tools(ctx).await,
            "tools/call" => self.call_tool(params, ctx).await,
            _ => Err(method_not_found(method)),
        }
    }

    fn initialize(&self, params: Option<Value>) -> Outcome {
        let params = params_object(params)?;
        let requested = params.get("protocolVersion").and_then(Value::as_str);
        let negotiated = version::negotiate(requested);
        let mut info = Implementation::new(&self.config.name, &self.config.version);
        info.description = self.config.description.clone();
        let mut result =
            InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
                .with_server_info(info)
                .with_protocol_version(negotiated);
        result.instructions = self.config.instructions.clone();
        to_raw(&result)
    }

    /// The caller's actions, parsed. Host failures become JSON-RPC errors.
    async fn actions(&self, ctx: &CallContext) -> Result<ActionList, rmcp::model::ErrorData> {
        let json = self.host.list_actions(ctx).await.map_err(|e| {
            error!(principal = %ctx.principal, error = %e.name, "listing actions failed: {}", e.message);
            if result::is_known_error(&e.name) {
                internal_error(format!("Could not list actions: {}: {}", e.name, e.message))
            } else {
                internal_error("Internal error: could not list actions; the server log has the details")
            }
        })?;
        ActionList::parse(&json).map_err(|e| {
            error!(code = e.code(), "{e}");
            internal_error("Internal error: could not list actions; the server log has the details")
        })
    }

    async fn list_tools(&self, ctx: &CallContext) -> Outcome {
        let actions = self.actions(ctx).await?;
        let tools = self.tools.build(&actions, self.config.naming);
        to_raw(&ToolsPage { tools: &tools })
    }

    /// The action id a tool name stands for, or `None` when no such tool exists.
    async fn resolve(
        &self,
        tool: &str,
        ctx: &CallContext,
    ) -> Result<Option<String>, rmcp::model::ErrorData> {
        if !is_valid_tool_name(tool) {
            return Ok(None);
        }
        if let Some(id) = self.config.naming.action_id(tool) {
            let plugin = id.split(':').next().unwrap_or_default();
            let known = self.config.plugin_sources.iter().any(|p| p == plugin);
            return Ok(known.then_some(id));
        }
        if self.config.naming.namespaced {
            // A namespaced name without a plugin part names no action.
            return Ok(None);
        }
        let actions = self.actions(ctx).await?;
        Ok(actions
            .actions
            .into_iter()
            .find(|a| self.config.naming.tool_name(a) == tool)
            .map(|a| a.id))
    }

    async fn call_tool(&self, params: Option<Value>, ctx: &CallContext) -> Outcome {
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
                    "Invalid params: \"arguments\" of tool \"{name}\" must be an object"
                )))
            }
        };
        let unknown = || invalid_params(format!("Unknown tool: {name}"));
        let Some(action_id) = self.resolve(&name, ctx).await? else {
            return Err(unknown());
        };
        match self.host.invoke_action(ctx, &action_id, input).await {
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
                Ok(result::success(&output))
            }
            Err(HostError {
                name: err_name,
                message,
            }) => {
                if err_name == "NotFoundError"
                    && message == format!("Action \"{action_id}\" not found")
                {
                    return Err(unknown());
                }
                if result::is_known_error(&err_name) {
                    debug!(tool = %name, error = %err_name, "tool reported an error");
                    return Ok(result::tool_error(&err_name, &message));
                }
                warn!(tool = %name, action = %action_id, principal = %ctx.principal, error = %err_name,
                    "tool call failed: {message}");
                Err(internal_error(format!(
                    "Internal error: tool \"{name}\" failed unexpectedly; the server log has the details"
                )))
            }
        }
    }
}

fn body_has_initialize(body: &Body) -> bool {
    let is_init =
        |m: &Incoming| matches!(m, Incoming::Request { method, .. } if method == "initialize");
    match body {
        Body::Single(m) => is_init(m),
        Body::Batch(ms) => ms.iter().any(is_init),
    }
}
