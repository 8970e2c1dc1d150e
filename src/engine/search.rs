//! Search mode in the engine: `tools/list` answers the three tools, and a `tools/call` of one
//! of them searches, describes or calls within the caller's own tool list (the same list
//! `tools/list` would give this caller on this server, so filters, permissions and the
//! read-only switch apply as they do everywhere).

use serde_json::{json, Map, Value};

use super::observe::Timer;
use super::{Engine, Observation, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::jsonrpc::{invalid_params, params_object, to_raw, Outcome};
use crate::tools::result;
use crate::tools::search::{
    self, Discovery, CALL_TOOL, DEFAULT_LIMIT, DESCRIBE_TOOLS, MAX_DESCRIBE, MAX_LIMIT,
    SEARCH_TOOLS,
};

/// A meta tool's arguments that do not fit its schema: an `isError` result the model can
/// correct, as an action's `InputError` is.
struct BadArguments(String);

impl<H: ActionHost> Engine<H> {
    /// The meta tool a search-mode `tools/call` names, if it names one.
    pub(super) fn meta_call_of(
        &self,
        params: &Option<Value>,
        scope: &Scope<'_>,
    ) -> Option<&'static str> {
        if scope.discovery != Discovery::Search {
            return None;
        }
        search::meta_tool(params.as_ref()?.get("name")?.as_str()?)
    }

    /// `tools/call` of `search_tools`, `describe_tools` or `call_tool`.
    pub(super) async fn meta_call(
        &self,
        meta: &'static str,
        params: Option<Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        let mut params = params_object(params)?;
        let arguments = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(invalid_params(format!(
                    "Invalid params: \"arguments\" of tool \"{meta}\" must be an object"
                )))
            }
        };
        if meta == CALL_TOOL {
            return self.call_through(arguments, params, scope, ctx).await;
        }
        let timer = Timer::start();
        let answer = match meta {
            SEARCH_TOOLS => self.search_tools(&arguments, scope, ctx).await,
            _ => self.describe_tools(&arguments, scope, ctx).await,
        };
        let (outcome, error_type, error) = match answer {
            Ok(Ok(output)) => (Ok(result::success(&output, &scope.frame)), None, None),
            Ok(Err(BadArguments(message))) => (
                Ok(result::tool_error("InputError", &message, &scope.frame)),
                Some("tool_error".to_owned()),
                Some(format!("InputError: {message}")),
            ),
            Err(e) => {
                let (code, message) = (e.code.0.to_string(), e.message.to_string());
                (Err(e), Some(code), Some(message))
            }
        };
        scope.observed.push(Observation {
            method: "tools/call",
            tool: Some(meta.to_owned()),
            tool_count: None,
            error_type,
            error,
            seconds: timer.seconds(),
            confirmation: None,
        });
        outcome
    }

    async fn search_tools(
        &self,
        arguments: &Map<String, Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Result<Box<serde_json::value::RawValue>, BadArguments>, rmcp::model::ErrorData>
    {
        let query = match arguments.get("query") {
            Some(Value::String(q)) if !q.trim().is_empty() => q,
            _ => {
                return Ok(Err(BadArguments(format!(
                    "{SEARCH_TOOLS} needs \"query\": a few words saying what the tool should do"
                ))))
            }
        };
        let limit = match arguments.get("limit") {
            None | Some(Value::Null) => DEFAULT_LIMIT,
            Some(n) => match n.as_u64().filter(|n| (1..=MAX_LIMIT as u64).contains(n)) {
                Some(n) => n as usize,
                None => {
                    return Ok(Err(BadArguments(format!(
                        "\"limit\" must be a whole number from 1 to {MAX_LIMIT}, got {n}"
                    ))))
                }
            },
        };
        let tools = self.scoped_tools(scope, ctx).await?;
        let ranked = self.search_indexes.of(&tools).rank(&tools, query);
        let hits: Vec<Value> = ranked
            .iter()
            .take(limit)
            .map(|t| search::hit_json(&t.tool))
            .collect();
        Ok(Ok(to_raw(
            &json!({ "tools": hits, "total": ranked.len() }),
        )?))
    }

    async fn describe_tools(
        &self,
        arguments: &Map<String, Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Result<Box<serde_json::value::RawValue>, BadArguments>, rmcp::model::ErrorData>
    {
        let names: Vec<&str> = match arguments.get("names") {
            Some(Value::Array(names))
                if (1..=MAX_DESCRIBE).contains(&names.len())
                    && names.iter().all(Value::is_string) =>
            {
                names.iter().filter_map(Value::as_str).collect()
            }
            _ => {
                return Ok(Err(BadArguments(format!(
                    "{DESCRIBE_TOOLS} needs \"names\": from 1 to {MAX_DESCRIBE} tool names, as {SEARCH_TOOLS} gives them"
                ))))
            }
        };
        let tools = self.scoped_tools(scope, ctx).await?;
        let mut found = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            match tools.iter().find(|t| t.tool.name == name) {
                Some(t) => found.push(&t.tool),
                None => unknown.push(name),
            }
        }
        Ok(Ok(to_raw(&json!({ "tools": found, "unknown": unknown }))?))
    }

    /// `call_tool {name, arguments}`: a direct `tools/call` of that tool in every respect
    /// (the request's `_meta`, progress token and task capability included).
    async fn call_through(
        &self,
        mut arguments: Map<String, Value>,
        mut params: Map<String, Value>,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Outcome {
        match arguments.remove("name") {
            Some(Value::String(name)) if !name.is_empty() => {
                params.insert("name".into(), Value::String(name));
            }
            _ => {
                return Err(invalid_params(format!(
                    "Invalid params: {CALL_TOOL} needs \"name\", the name of a tool {SEARCH_TOOLS} found"
                )))
            }
        }
        if let Some(inner) = arguments.remove("arguments") {
            params.insert("arguments".into(), inner);
        }
        if let Some(extra) = arguments.keys().next() {
            return Err(invalid_params(format!(
                "Invalid params: {CALL_TOOL} takes \"name\" and \"arguments\", not \"{}\"",
                crate::protocol::jsonrpc::shown(extra)
            )));
        }
        self.call_tool_observed(Some(Value::Object(params)), scope, ctx)
            .await
    }
}
