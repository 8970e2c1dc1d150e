//! `tools/list`: the caller's actions as tools of this server, cached per principal, server
//! and read-only switch, served in pages.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::ErrorData;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tracing::error;

use super::observe::Timer;
use super::{Engine, Observation, Scope};
use crate::host::{ActionHost, CallContext};
use crate::protocol::context::LogLevel;
use crate::protocol::frame::{CacheHints, Frame};
use crate::protocol::jsonrpc::{internal_error, invalid_params, params_object, to_raw, Outcome};
use crate::tools::mapping::NamedTool;
use crate::tools::search::{self, Discovery};
use crate::tools::{page, result, ActionList, Filter};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ToolsPage<'a> {
    tools: Vec<&'a rmcp::model::Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    #[serde(flatten)]
    cache: Option<CacheHints>,
    #[serde(flatten)]
    frame: Frame<'a>,
}

impl<H: ActionHost> Engine<H> {
    /// The caller's actions, parsed. Host failures become JSON-RPC errors.
    pub(crate) async fn actions(&self, ctx: &CallContext) -> Result<ActionList, ErrorData> {
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
    pub(crate) async fn scoped_tools(
        &self,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Arc<Vec<NamedTool>>, ErrorData> {
        self.server_tools(scope.server_key, scope.server, scope.read_only, ctx)
            .await
    }

    /// The tools server `key` offers the caller, sorted by name (from the tool-list cache
    /// when fresh): what `tools/list` lists in `all` mode.
    pub(crate) async fn server_tools(
        &self,
        key: Option<&str>,
        server: &crate::config::ServerConfig,
        read_only: bool,
        ctx: &CallContext,
    ) -> Result<Arc<Vec<NamedTool>>, ErrorData> {
        let cache_key = (
            ctx.principal.clone(),
            key.map(str::to_owned),
            read_only,
            false,
        );
        if let Some(tools) = self.tool_lists.get(&cache_key, Instant::now()) {
            return Ok(tools);
        }
        let actions = self.actions(ctx).await?;
        let tools =
            Arc::new(
                self.tools
                    .build(&actions, self.config.naming, &server.filter, read_only),
            );
        self.tool_lists
            .insert(cache_key, Arc::clone(&tools), Instant::now());
        Ok(tools)
    }

    /// The tools of this scope as `tools/list` lists them: for a client that gets MCP Apps
    /// views, those with a view carry `_meta.ui` (a list of its own in the cache); for any
    /// other, exactly [`Self::scoped_tools`].
    async fn listed_tools(
        &self,
        scope: &Scope<'_>,
        ctx: &CallContext,
    ) -> Result<Arc<Vec<NamedTool>>, ErrorData> {
        if self.config.apps.is_empty() || !crate::apps::shown(scope.request) {
            return self.scoped_tools(scope, ctx).await;
        }
        let key = scope.server_key.map(str::to_owned);
        let cache_key = (ctx.principal.clone(), key, scope.read_only, true);
        if let Some(tools) = self.tool_lists.get(&cache_key, Instant::now()) {
            return Ok(tools);
        }
        let plain = self.scoped_tools(scope, ctx).await?;
        let tools = Arc::new(self.config.apps.decorate(&plain));
        self.tool_lists
            .insert(cache_key, Arc::clone(&tools), Instant::now());
        Ok(tools)
    }

    pub(crate) async fn list_tools(
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
            confirmation: None,
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
        let scoped = self.listed_tools(scope, ctx).await?;
        let meta;
        let tools: Vec<&rmcp::model::Tool> = match scope.discovery {
            Discovery::All => scoped.iter().map(|t| &t.tool).collect(),
            Discovery::Search => {
                meta = search::meta_tools(&scoped);
                meta.iter().collect()
            }
        };
        let (range, next_cursor) = page::page(tools.len(), offset, self.config.page_size);
        let count = range.len();
        scope.log(LogLevel::Debug, || {
            format!(
                "listing {count} of the {} tools of this server",
                tools.len()
            )
        });
        let raw = to_raw(&ToolsPage {
            tools: tools[range].to_vec(),
            next_cursor,
            cache: scope.frame.private_cache(),
            frame: scope.frame,
        })?;
        Ok((raw, count))
    }
}
