//! The engine's configuration: read from `mcpActions.*` by the shim with Backstage's typed
//! getters (so Backstage names a value of the wrong type), handed over as JSON, and validated
//! here once at startup.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::auth::{OAuth, OriginPolicy};
use crate::session::Limits;
use crate::tools::portable::SchemaMode;
use crate::tools::search::Discovery;
use crate::tools::{Filter, Separator, ToolNaming};

mod page;
mod policy;
mod raw;
mod tasks;
mod values;

pub use page::{PageConfig, SecretsConfig};
pub use policy::{RawRateLimit, RawUsage, UsageConfig};
pub(crate) use raw::rules;
pub use raw::{
    RawConfig, RawCredentialsCache, RawFilter, RawLimits, RawOAuth, RawResults, RawRule, RawServer,
    RawSessions,
};
pub use tasks::{RawTasks, TasksConfig};
pub(crate) use values::{config_error, discovery, seconds, whole};
pub use values::{is_valid_server_key, ConfigError};

/// Default `tools/list` page size: big enough that typical clients get every tool at once.
pub const DEFAULT_PAGE_SIZE: usize = 500;
const MAX_PAGE_SIZE: usize = 10_000;

/// What one MCP endpoint is: its identity and which actions it offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerConfig {
    pub name: String,
    pub description: Option<String>,
    pub instructions: Option<String>,
    pub filter: Filter,
    /// `mcpActions.toolDiscovery`, or this server's own `toolDiscovery`.
    pub tool_discovery: Discovery,
    /// `mcpActions.results.maxChars`, or this server's own (0: no budget).
    pub max_result_chars: usize,
}

/// `mcpActions.results.maxChars` by default: about 20,000 tokens.
pub const DEFAULT_MAX_RESULT_CHARS: usize = 80_000;

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// `serverInfo.version`: the package version.
    pub version: String,
    /// `/v1`: `mcpActions.name` (default `backstage`), `.description`, `.instructions`;
    /// serves every action.
    pub default_server: ServerConfig,
    /// `/v1/{key}`: `mcpActions.servers.{key}`.
    pub servers: BTreeMap<String, ServerConfig>,
    pub naming: ToolNaming,
    /// `backend.actions.pluginSources`: the plugins whose actions are tools. A namespaced
    /// tool name whose plugin is not listed names no tool, without asking the registry.
    pub plugin_sources: Vec<String>,
    /// `mcpActions.toolsPageSize`.
    pub page_size: usize,
    /// `mcpActions.sessions.*`.
    pub sessions: SessionsConfig,
    /// `mcpActions.allowedOrigins`, or the backend's own origins and loopback.
    pub origins: OriginPolicy,
    /// Set when the auth backend offers OAuth to MCP clients.
    pub oauth: Option<OAuth>,
    /// `mcpActions.credentialsCache.maxEntries` (0: off).
    pub credentials_cache_entries: usize,
    /// `mcpActions.credentialsCache.opaqueTokenTtlSeconds`.
    pub opaque_token_ttl: u64,
    /// `mcpActions.cache.toolListTtl` (zero: off).
    pub tool_list_ttl: Duration,
    /// `backend.actions.filter`: which actions of the registry are offered at all, applied to
    /// every action list as Backstage's default actions service applies it.
    pub actions_filter: Filter,
    /// `mcpActions.toolCallTimeout`: how long a `tools/call` waits for its action.
    pub tool_call_timeout: Duration,
    /// `mcpActions.progressInterval`: how often a long call that asked for progress gets it.
    pub progress_interval: Duration,
    /// `mcpActions.sourceListTimeout`: how long the shim waits for one plugin source's list.
    pub source_list_timeout: Duration,
    /// `mcpActions.limits.maxConcurrentCallsPerPrincipal` (0: no limit).
    pub max_calls_per_principal: usize,
    /// `mcpActions.limits.maxRequestBodyBytes` (the shim reads bodies up to this).
    pub max_request_body_bytes: usize,
    /// `mcpActions.tasks.*`.
    pub tasks: TasksConfig,
    /// `mcpActions.rateLimits`.
    pub rate_limits: Vec<crate::policy::RateRule>,
    /// `mcpActions.confirm`: calls a person confirms before they run.
    pub confirm: Vec<crate::policy::ConfirmRule>,
    /// `mcpActions.confirmTimeout`: how long a 2025 session's client has to answer.
    pub confirm_timeout: Duration,
    /// `mcpActions.usage`.
    pub usage: UsageConfig,
    /// `mcpActions.schemas`: tool schemas portable (rewritten) or as declared.
    pub schemas: SchemaMode,
    /// `mcpActions.results.ttlSeconds`: how long an oversized result stays readable.
    pub result_ttl: Duration,
    /// What the frontend page's JSON API says beside the servers.
    pub page: PageConfig,
    /// `mcpActions.secrets.*`.
    pub secrets: SecretsConfig,
    /// `mcpActions.apps.*`: the MCP Apps views, loaded.
    pub apps: crate::apps::Apps,
}

/// `mcpActions.sessions.*`: which session transports are on, and their limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionsConfig {
    /// Stateful Streamable HTTP (`Mcp-Session-Id`). Off by default: stateless works behind
    /// any load balancer.
    pub stateful: bool,
    /// The legacy HTTP+SSE transport at `.../sse`. On by default.
    pub legacy_sse: bool,
    pub limits: Limits,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        Self {
            stateful: false,
            legacy_sse: true,
            limits: Limits::default(),
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").into(),
            default_server: ServerConfig {
                name: "backstage".into(),
                max_result_chars: DEFAULT_MAX_RESULT_CHARS,
                ..ServerConfig::default()
            },
            servers: BTreeMap::new(),
            naming: ToolNaming::default(),
            plugin_sources: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            sessions: SessionsConfig::default(),
            origins: OriginPolicy::new(None, &[]),
            oauth: None,
            page: PageConfig::default(),
            secrets: SecretsConfig::default(),
            apps: crate::apps::Apps::default(),
            credentials_cache_entries: 1000,
            opaque_token_ttl: 60,
            tool_list_ttl: Duration::from_secs(5),
            actions_filter: Filter::default(),
            tool_call_timeout: Duration::from_secs(300),
            progress_interval: Duration::from_secs(5),
            source_list_timeout: Duration::from_secs(10),
            max_calls_per_principal: 32,
            max_request_body_bytes: 4 * 1024 * 1024,
            tasks: TasksConfig::default(),
            rate_limits: Vec::new(),
            confirm: Vec::new(),
            confirm_timeout: Duration::from_secs(120),
            usage: UsageConfig::default(),
            schemas: SchemaMode::Portable,
            result_ttl: Duration::from_secs(600),
        }
    }
}

impl EngineConfig {
    /// Parse and validate the shim's JSON.
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = serde_json::from_str(json)
            .map_err(|e| config_error("mcpActions", format!("unreadable configuration: {e}")))?;
        Self::from_raw(raw)
    }

    pub fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let separator = match raw.tool_name_separator.as_deref() {
            None => Separator::Dot,
            Some(s) => Separator::parse(s).ok_or_else(|| {
                config_error(
                    "mcpActions.toolNameSeparator",
                    format!("must be \".\", \"_\" or \"__\", got \"{s}\""),
                )
            })?,
        };
        let page_size = whole(
            "mcpActions.toolsPageSize",
            raw.tools_page_size,
            DEFAULT_PAGE_SIZE,
            1..=MAX_PAGE_SIZE,
        )?;
        let max_result_chars = whole(
            "mcpActions.results.maxChars",
            raw.results.max_chars,
            DEFAULT_MAX_RESULT_CHARS,
            0..=100_000_000,
        )?;
        let tool_discovery = discovery(
            "mcpActions.toolDiscovery",
            raw.tool_discovery.as_deref(),
            Discovery::All,
        )?;
        let naming = ToolNaming {
            namespaced: raw.namespaced_tool_names.unwrap_or(true),
            separator,
        };
        let app_base_url = raw
            .page
            .app_base_url
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        // What the built-in views are told: where entity pages are, and which tool gets one.
        let apps = raw.apps.load(&serde_json::json!({
            "appBaseUrl": Some(&app_base_url).filter(|u| !u.is_empty()),
            "entityTool": naming.name_of("catalog", "get-catalog-entity"),
        }))?;
        let mut servers = BTreeMap::new();
        for server in raw.servers {
            let base = format!("mcpActions.servers.{}", server.key);
            if !is_valid_server_key(&server.key) {
                return Err(config_error(
                    &base,
                    format!(
                        "invalid MCP server key \"{}\": a key is lowercase letters, digits and hyphens, starts with a letter or digit (^[a-z0-9][a-z0-9-]*$), and is not \"sse\"",
                        server.key
                    ),
                ));
            }
            let filter = Filter {
                include: rules(&server.include, &format!("{base}.filter.include"))?,
                exclude: rules(&server.exclude, &format!("{base}.filter.exclude"))?,
            };
            servers.insert(
                server.key,
                ServerConfig {
                    name: server.name,
                    description: server.description,
                    instructions: server.instructions,
                    filter,
                    tool_discovery: discovery(
                        &format!("{base}.toolDiscovery"),
                        server.tool_discovery.as_deref(),
                        tool_discovery,
                    )?,
                    max_result_chars: whole(
                        &format!("{base}.results.maxChars"),
                        server.results.max_chars,
                        max_result_chars,
                        0..=100_000_000,
                    )?,
                },
            );
        }
        let actions_filter = Filter {
            include: rules(
                &raw.actions_filter.include,
                "backend.actions.filter.include",
            )?,
            exclude: rules(
                &raw.actions_filter.exclude,
                "backend.actions.filter.exclude",
            )?,
        };
        let schemas = match raw.schemas.as_deref() {
            None => SchemaMode::Portable,
            Some(v) => SchemaMode::parse(v).ok_or_else(|| {
                config_error(
                    "mcpActions.schemas",
                    format!("must be {}, got \"{v}\"", SchemaMode::NAMES),
                )
            })?,
        };
        Ok(Self {
            schemas,
            result_ttl: seconds(
                "mcpActions.results.ttlSeconds",
                raw.results.ttl_seconds,
                defaults.result_ttl,
                1.0..=86_400.0,
            )?,
            tasks: raw.tasks.validate()?,
            rate_limits: policy::rate_rules(&raw.rate_limits, &servers)?,
            confirm: policy::confirm_rules(&raw.confirm, &servers)?,
            confirm_timeout: seconds(
                "mcpActions.confirmTimeout",
                raw.confirm_timeout,
                defaults.confirm_timeout,
                1.0..=900.0,
            )?,
            usage: raw.usage.validate()?,
            actions_filter,
            tool_call_timeout: seconds(
                "mcpActions.toolCallTimeout",
                raw.tool_call_timeout,
                defaults.tool_call_timeout,
                1.0..=86400.0,
            )?,
            source_list_timeout: seconds(
                "mcpActions.sourceListTimeout",
                raw.source_list_timeout,
                defaults.source_list_timeout,
                0.1..=300.0,
            )?,
            progress_interval: seconds(
                "mcpActions.progressInterval",
                raw.progress_interval,
                defaults.progress_interval,
                0.1..=60.0,
            )?,
            max_calls_per_principal: whole(
                "mcpActions.limits.maxConcurrentCallsPerPrincipal",
                raw.limits.max_concurrent_calls_per_principal,
                defaults.max_calls_per_principal,
                0..=100_000,
            )?,
            max_request_body_bytes: whole(
                "mcpActions.limits.maxRequestBodyBytes",
                raw.limits.max_request_body_bytes,
                defaults.max_request_body_bytes,
                1024..=100 * 1024 * 1024,
            )?,
            version: raw.version.unwrap_or(defaults.version),
            default_server: ServerConfig {
                name: raw.name.unwrap_or(defaults.default_server.name),
                description: raw.description,
                instructions: raw.instructions,
                filter: Filter::default(),
                tool_discovery,
                max_result_chars,
            },
            servers,
            naming,
            plugin_sources: raw.plugin_sources,
            page_size,
            sessions: raw.sessions.validate()?,
            origins: OriginPolicy::new(raw.allowed_origins.as_deref(), &raw.own_origins),
            credentials_cache_entries: whole(
                "mcpActions.credentialsCache.maxEntries",
                raw.credentials_cache.max_entries,
                defaults.credentials_cache_entries,
                0..=1_000_000,
            )?,
            opaque_token_ttl: whole(
                "mcpActions.credentialsCache.opaqueTokenTtlSeconds",
                raw.credentials_cache.opaque_token_ttl_seconds,
                defaults.opaque_token_ttl as usize,
                1..=3600,
            )? as u64,
            tool_list_ttl: seconds(
                "mcpActions.cache.toolListTtl",
                raw.tool_list_ttl,
                defaults.tool_list_ttl,
                0.0..=3600.0,
            )?,
            secrets: SecretsConfig {
                key: raw
                    .secrets
                    .encryption_key
                    .as_deref()
                    .filter(|k| !k.trim().is_empty())
                    .map(crate::secrets::SealingKey::from_base64)
                    .transpose()
                    .map_err(|reason| config_error("mcpActions.secrets.encryptionKey", reason))?,
                ttl: seconds(
                    "mcpActions.secrets.ttlSeconds",
                    raw.secrets.ttl_seconds,
                    defaults.secrets.ttl,
                    1.0..=86_400.0,
                )?,
                app_base_url,
            },
            apps,
            page: PageConfig {
                base_url: raw
                    .page
                    .base_url
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_owned(),
                static_tokens: raw.page.static_tokens,
            },
            oauth: raw.oauth.map(|o| OAuth {
                mcp_base_url: o.mcp_base_url,
                auth_base_url: o.auth_base_url,
                offline_access: o.offline_access,
            }),
        })
    }

    /// The server behind `/v1` (`None`) or `/v1/{key}`.
    pub fn server(&self, key: Option<&str>) -> Option<&ServerConfig> {
        match key {
            None => Some(&self.default_server),
            Some(key) => self.servers.get(key),
        }
    }
}
