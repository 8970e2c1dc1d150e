//! The configuration as the shim hands it over: JSON in camelCase, every field optional, read
//! as is and validated by [`super::EngineConfig::from_raw`].

use serde::Deserialize;

use super::tasks::RawTasks;
use super::values::{config_error, seconds, whole, ConfigError};
use super::SessionsConfig;
use crate::session::Limits;
use crate::tools::glob::GlobError;
use crate::tools::{AttributeRule, Rule};

/// The configuration as the shim hands it over (JSON, camelCase).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawConfig {
    pub version: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub instructions: Option<String>,
    pub namespaced_tool_names: Option<bool>,
    pub tool_name_separator: Option<String>,
    pub tools_page_size: Option<f64>,
    /// `mcpActions.schemas`: `portable` or `asis`.
    pub schemas: Option<String>,
    /// `mcpActions.toolDiscovery`: `all` or `search`.
    pub tool_discovery: Option<String>,
    #[serde(default)]
    pub plugin_sources: Vec<String>,
    #[serde(default)]
    pub servers: Vec<RawServer>,
    #[serde(default)]
    pub sessions: RawSessions,
    /// `mcpActions.allowedOrigins`.
    pub allowed_origins: Option<Vec<String>>,
    /// The origins of `backend.baseUrl` and `app.baseUrl`.
    #[serde(default)]
    pub own_origins: Vec<String>,
    pub oauth: Option<RawOAuth>,
    /// What the frontend page shows that the engine cannot know itself.
    #[serde(default)]
    pub page: RawPage,
    /// `mcpActions.secrets.*`: secrets of actions, given on the Backstage page.
    #[serde(default)]
    pub secrets: RawSecrets,
    #[serde(default)]
    pub credentials_cache: RawCredentialsCache,
    /// `mcpActions.cache.toolListTtl`, seconds.
    pub tool_list_ttl: Option<f64>,
    /// `backend.actions.filter`.
    #[serde(default)]
    pub actions_filter: RawFilter,
    /// `mcpActions.toolCallTimeout`, seconds.
    pub tool_call_timeout: Option<f64>,
    /// `mcpActions.confirmTimeout` (seconds).
    pub confirm_timeout: Option<f64>,
    /// `mcpActions.progressInterval`, seconds.
    pub progress_interval: Option<f64>,
    /// `mcpActions.sourceListTimeout`, seconds (used by the shim's registry client).
    pub source_list_timeout: Option<f64>,
    /// `mcpActions.limits.*`.
    #[serde(default)]
    pub limits: RawLimits,
    /// `mcpActions.tasks.*`.
    #[serde(default)]
    pub tasks: RawTasks,
    /// `mcpActions.rateLimits`.
    #[serde(default)]
    pub rate_limits: Vec<super::RawRateLimit>,
    /// `mcpActions.confirm`.
    #[serde(default)]
    pub confirm: Vec<super::policy::RawMatch>,
    /// `mcpActions.usage`.
    #[serde(default)]
    pub usage: super::RawUsage,
    /// `mcpActions.results.*`.
    #[serde(default)]
    pub results: RawResults,
    /// `mcpActions.apps.*`.
    #[serde(default)]
    pub apps: crate::apps::RawApps,
}

/// `mcpActions.secrets.*`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSecrets {
    pub encryption_key: Option<String>,
    pub ttl_seconds: Option<f64>,
}

/// `mcpActions.results.*` (a server has `maxChars` only).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResults {
    pub max_chars: Option<f64>,
    pub ttl_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLimits {
    pub max_concurrent_calls_per_principal: Option<f64>,
    pub max_request_body_bytes: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawFilter {
    #[serde(default)]
    pub include: Vec<RawRule>,
    #[serde(default)]
    pub exclude: Vec<RawRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCredentialsCache {
    pub max_entries: Option<f64>,
    pub opaque_token_ttl_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawOAuth {
    pub mcp_base_url: String,
    pub auth_base_url: String,
    #[serde(default)]
    pub offline_access: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSessions {
    pub stateful: Option<bool>,
    pub legacy_sse: Option<bool>,
    pub max_sessions: Option<f64>,
    pub max_sessions_per_principal: Option<f64>,
    pub idle_timeout_seconds: Option<f64>,
    pub keep_alive_seconds: Option<f64>,
}

impl RawSessions {
    pub(super) fn validate(&self) -> Result<SessionsConfig, ConfigError> {
        let d = Limits::default();
        Ok(SessionsConfig {
            stateful: self.stateful.unwrap_or(false),
            legacy_sse: self.legacy_sse.unwrap_or(true),
            limits: Limits {
                max_sessions: whole(
                    "mcpActions.sessions.maxSessions",
                    self.max_sessions,
                    d.max_sessions,
                    1..=1_000_000,
                )?,
                max_per_principal: whole(
                    "mcpActions.sessions.maxSessionsPerPrincipal",
                    self.max_sessions_per_principal,
                    d.max_per_principal,
                    1..=1_000_000,
                )?,
                idle_timeout: seconds(
                    "mcpActions.sessions.idleTimeoutSeconds",
                    self.idle_timeout_seconds,
                    d.idle_timeout,
                    0.05..=604_800.0,
                )?,
                keep_alive: seconds(
                    "mcpActions.sessions.keepAliveSeconds",
                    self.keep_alive_seconds,
                    d.keep_alive,
                    0.05..=604_800.0,
                )?,
            },
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawServer {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub instructions: Option<String>,
    /// `mcpActions.servers.{key}.toolDiscovery`.
    pub tool_discovery: Option<String>,
    /// `mcpActions.servers.{key}.results.maxChars`.
    #[serde(default)]
    pub results: RawResults,
    #[serde(default)]
    pub include: Vec<RawRule>,
    #[serde(default)]
    pub exclude: Vec<RawRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRule {
    pub id: Option<String>,
    pub destructive: Option<bool>,
    pub read_only: Option<bool>,
    pub idempotent: Option<bool>,
}

/// What the frontend page shows beside the servers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPage {
    /// The plugin's external base URL (Backstage discovery), e.g.
    /// `https://backstage.example.com/api/mcp-actions`.
    pub base_url: Option<String>,
    /// Whether `backend.auth.externalAccess` has static tokens (never the tokens).
    #[serde(default)]
    pub static_tokens: bool,
    /// `app.baseUrl`: where the frontend's pages are (the secrets page's links).
    pub app_base_url: Option<String>,
}

/// The filter rules at `key`, each glob checked; a bad one is an error naming its index.
pub(crate) fn rules(raw: &[RawRule], key: &str) -> Result<Vec<Rule>, ConfigError> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let attributes = AttributeRule {
                destructive: r.destructive,
                read_only: r.read_only,
                idempotent: r.idempotent,
            };
            Rule::new(r.id.as_deref(), attributes).map_err(|e: GlobError| {
                config_error(format!("{key}[{i}].id"), format!("not a valid glob: {e}"))
            })
        })
        .collect()
}
