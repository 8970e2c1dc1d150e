//! The JSON API of the frontend page (`/api/mcp-actions/ui/v1/...`): the servers, the tools
//! the signed-in user sees on each, and that user's own tasks. Every answer comes from the
//! same lists and rules MCP uses (the caller's actions, the server's filter, the owner-only
//! task rules), so the page never shows more than the user could get through MCP.

use serde::Serialize;
use serde_json::{json, Value};
use tracing::info;

use super::tasks::now_ms;
use super::Engine;
use crate::config::ServerConfig;
use crate::host::{ActionHost, CallContext};
use crate::protocol::http::HttpResponse;
use crate::protocol::version;
use crate::tasks::{self, Task};
use crate::tools::search::Discovery;

/// The newest tasks the page lists.
pub const PAGE_TASKS: usize = 50;

/// One route of the page's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRoute<'a> {
    /// `GET /ui/v1/servers`.
    Servers,
    /// `GET /ui/v1/tools[?server={key}]`: the tools of `/v1`, or of `/v1/{key}`.
    Tools(Option<&'a str>),
    /// `GET /ui/v1/tasks`.
    Tasks,
    /// `POST /ui/v1/tasks/{id}/cancel`.
    Cancel(&'a str),
    /// `GET /ui/v1/usage?scope=&period=&server=&tool=&principal=`.
    Usage(super::UsageQuery<'a>),
    /// `GET /ui/v1/confirmations`: the caller's pending confirmations.
    Confirmations,
    /// `POST /ui/v1/confirmations/{id}/confirm` (`true`) or `/decline` (`false`).
    Decide(&'a str, bool),
}

fn ok(body: &impl Serialize) -> HttpResponse {
    match serde_json::to_string(body) {
        Ok(text) => HttpResponse::json(200, text),
        Err(e) => {
            HttpResponse::backstage_error(500, "Error", format!("could not write the answer: {e}"))
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerView<'a> {
    /// `None` for `/v1`, else the key of `/v1/{key}`.
    key: Option<&'a str>,
    name: &'a str,
    description: Option<&'a str>,
    url: String,
    tool_discovery: &'static str,
    /// Transports at this URL: `streamable-http`, and `sse` when legacy SSE is on.
    transports: Vec<&'static str>,
    tool_count: Option<usize>,
    /// Why this server's tools could not be counted.
    error: Option<String>,
}

fn discovery_name(discovery: Discovery) -> &'static str {
    match discovery {
        Discovery::All => "all",
        Discovery::Search => "search",
    }
}

/// A task as the page lists it: no result, no error payload (the client that made the
/// call reads those with `tasks/get`).
fn task_view(task: &Task) -> Value {
    json!({
        "taskId": task.id,
        "tool": task.tool,
        "status": task.status.name(),
        "statusMessage": task.status_message,
        "createdAt": tasks::iso8601(task.created_ms),
        "lastUpdatedAt": tasks::iso8601(task.updated_ms),
        "ttlMs": task.ttl_ms,
    })
}

impl<H: ActionHost> Engine<H> {
    /// Answer one route of the page's API for the caller in `ctx`.
    pub async fn page(&self, route: PageRoute<'_>, ctx: &CallContext) -> HttpResponse {
        match route {
            PageRoute::Servers => self.page_servers(ctx).await,
            PageRoute::Tools(key) => self.page_tools(key, ctx).await,
            PageRoute::Tasks => self.page_tasks(ctx).await,
            PageRoute::Cancel(id) => self.page_cancel(id, ctx).await,
            PageRoute::Usage(query) => self.page_usage(&query, ctx).await,
            PageRoute::Confirmations => self.page_confirmations(ctx).await,
            PageRoute::Decide(id, yes) => self.page_decide(id, yes, ctx).await,
        }
    }

    /// Every server in page order: the default one first, then the named ones by key.
    fn page_servers_in_order(&self) -> impl Iterator<Item = (Option<&str>, &ServerConfig)> {
        std::iter::once((None, &self.config.default_server)).chain(
            self.config
                .servers
                .iter()
                .map(|(key, server)| (Some(key.as_str()), server)),
        )
    }

    fn server_url(&self, key: Option<&str>) -> String {
        let base = &self.config.page.base_url;
        match key {
            None => format!("{base}/v1"),
            Some(key) => format!("{base}/v1/{key}"),
        }
    }

    async fn page_servers(&self, ctx: &CallContext) -> HttpResponse {
        let mut servers = Vec::new();
        for (key, server) in self.page_servers_in_order() {
            let (tool_count, error) = match self.server_tools(key, server, false, ctx).await {
                Ok(tools) => (Some(tools.len()), None),
                Err(e) => (None, Some(e.message.to_string())),
            };
            let mut transports = vec!["streamable-http"];
            if self.config.sessions.legacy_sse {
                transports.push("sse");
            }
            servers.push(ServerView {
                key,
                name: &server.name,
                description: server.description.as_deref(),
                url: self.server_url(key),
                tool_discovery: discovery_name(server.tool_discovery),
                transports,
                tool_count,
                error,
            });
        }
        ok(&json!({
            "baseUrl": self.config.page.base_url,
            "protocolVersions": version::all(),
            "auth": {
                "oauth": self.config.oauth.is_some(),
                "staticTokens": self.config.page.static_tokens,
            },
            "tasks": { "enabled": self.config.tasks.enabled },
            "servers": servers,
        }))
    }

    async fn page_tools(&self, server_key: Option<&str>, ctx: &CallContext) -> HttpResponse {
        let Some(server) = self.config.server(server_key) else {
            let key = server_key.unwrap_or_default();
            return HttpResponse::backstage_error(
                404,
                "NotFoundError",
                format!(
                    "No MCP server \"{key}\": the servers are configured under mcpActions.servers"
                ),
            );
        };
        match self.server_tools(server_key, server, false, ctx).await {
            Ok(tools) => {
                let tools: Vec<&rmcp::model::Tool> = tools.iter().map(|t| &t.tool).collect();
                ok(&json!({
                    "server": { "key": server_key, "name": server.name, "url": self.server_url(server_key) },
                    "tools": tools,
                }))
            }
            Err(e) => {
                HttpResponse::backstage_error(502, "ServiceUnavailableError", e.message.to_string())
            }
        }
    }

    async fn page_tasks(&self, ctx: &CallContext) -> HttpResponse {
        if !self.config.tasks.enabled {
            return ok(&json!({ "enabled": false, "tasks": [] }));
        }
        let limit = self.config.tasks.heartbeat_limit_ms();
        match tasks::list_for(&*self.host, &ctx.principal, now_ms(), limit, PAGE_TASKS).await {
            Ok(list) => ok(&json!({
                "enabled": true,
                "tasks": list.iter().map(task_view).collect::<Vec<_>>(),
            })),
            Err(e) => HttpResponse::backstage_error(503, "ServiceUnavailableError", e.to_string()),
        }
    }

    /// `tasks/cancel`'s rules: only the owner, and a task that already ended stays as it is
    /// (`409`, naming its state).
    async fn page_cancel(&self, id: &str, ctx: &CallContext) -> HttpResponse {
        let now = now_ms();
        let limit = self.config.tasks.heartbeat_limit_ms();
        let unknown = || {
            HttpResponse::backstage_error(
                404,
                "NotFoundError",
                format!("No task \"{id}\" of yours: it is unknown, expired, or not yours"),
            )
        };
        let task = match tasks::read_for(&*self.host, &ctx.principal, id, now, limit).await {
            Ok(Some(task)) => task,
            Ok(None) => return unknown(),
            Err(e) => {
                return HttpResponse::backstage_error(503, "ServiceUnavailableError", e.to_string())
            }
        };
        if task.status.is_terminal() {
            return HttpResponse::backstage_error(
                409,
                "ConflictError",
                format!("The task already ended: it is {}", task.status.name()),
            );
        }
        match tasks::cancel_for(&*self.host, &ctx.principal, id, now).await {
            Ok(Some(true)) => {
                info!(task = %id, principal = %ctx.principal, "task cancelled from the page");
                self.runs.stop(id);
                match tasks::read_for(&*self.host, &ctx.principal, id, now, limit).await {
                    Ok(Some(task)) => ok(&json!({ "task": task_view(&task) })),
                    _ => unknown(),
                }
            }
            Ok(Some(false)) => HttpResponse::backstage_error(
                409,
                "ConflictError",
                "The task ended before it could be cancelled",
            ),
            Ok(None) => unknown(),
            Err(e) => HttpResponse::backstage_error(503, "ServiceUnavailableError", e.to_string()),
        }
    }
}
