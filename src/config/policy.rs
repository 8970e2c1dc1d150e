//! What the team running the plugin sets for operating it: `mcpActions.rateLimits` and
//! `mcpActions.confirm` (the rules as the shim hands them over, checked once at startup; a
//! rule that cannot work is an error naming it) and `mcpActions.usage`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Deserialize;

use super::values::{config_error, whole, ConfigError};
use super::ServerConfig;
use crate::policy::limits::parse_window;
use crate::policy::{CallMatch, ConfirmRule, RateRule};
use crate::tools::AttributeRule;

/// One rule of `mcpActions.rateLimits`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRateLimit {
    /// The match keys (and the name).
    #[serde(flatten)]
    pub matched: RawMatch,
    pub limit: Option<f64>,
    pub window: Option<String>,
}

/// The match keys of a rule, as configured (the same in every policy).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawMatch {
    pub name: Option<String>,
    pub principal: Option<String>,
    pub tool: Option<String>,
    pub destructive: Option<bool>,
    pub read_only: Option<bool>,
    pub idempotent: Option<bool>,
    pub server: Option<String>,
}

/// A rule's match, or the error naming the key that cannot work.
fn call_match(
    r: &RawMatch,
    servers: &BTreeMap<String, ServerConfig>,
    named: impl Fn(&str, String) -> ConfigError,
) -> Result<CallMatch, ConfigError> {
    if let Some(server) = r.server.as_deref() {
        if !servers.contains_key(server) {
            return Err(named(
                "server",
                format!("no server \"{server}\" in mcpActions.servers"),
            ));
        }
    }
    let attributes = AttributeRule {
        destructive: r.destructive,
        read_only: r.read_only,
        idempotent: r.idempotent,
    };
    CallMatch::new(
        r.principal.as_deref(),
        r.tool.as_deref(),
        attributes,
        r.server.as_deref(),
    )
    .map_err(|(key, e)| named(key, format!("not a valid glob: {e}")))
}

/// `mcpActions.confirm`: each entry a match (the keys of the rate-limit rules); `name` is
/// optional (`confirm[0]`, ...).
pub fn confirm_rules(
    raw: &[RawMatch],
    servers: &BTreeMap<String, ServerConfig>,
) -> Result<Vec<ConfirmRule>, ConfigError> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let name = r
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("confirm[{i}]"));
            let named = |key: &str, message: String| {
                config_error(
                    format!("mcpActions.confirm[{i}].{key}"),
                    format!("rule \"{name}\": {message}"),
                )
            };
            let matcher = call_match(r, servers, named)?;
            Ok(ConfirmRule { name, matcher })
        })
        .collect()
}

/// The validated rules.
pub fn rate_rules(
    raw: &[RawRateLimit],
    servers: &BTreeMap<String, ServerConfig>,
) -> Result<Vec<RateRule>, ConfigError> {
    let mut names = BTreeSet::new();
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let at = |key: &str| format!("mcpActions.rateLimits[{i}].{key}");
            let name = r
                .matched
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| {
                    config_error(
                        at("name"),
                        "is required: refusals, audit events and the usage view name the rule",
                    )
                })?;
            let named = |key: &str, message: String| {
                config_error(at(key), format!("rule \"{name}\": {message}"))
            };
            if !names.insert(name.clone()) {
                return Err(named("name", "another rule has this name".into()));
            }
            let limit = match r.limit {
                Some(n) if n.fract() == 0.0 && (1.0..=1e9).contains(&n) => n as u64,
                Some(n) => {
                    return Err(named(
                        "limit",
                        format!("must be a whole number of calls from 1 to 1000000000, got {n}"),
                    ))
                }
                None => return Err(named("limit", "is required (calls per window)".into())),
            };
            let window = match r.window.as_deref() {
                Some(w) => parse_window(w).ok_or_else(|| {
                    named(
                        "window",
                        format!("must be a number and a unit, like 30s, 1m, 1h or 1d (at most 31d), got \"{w}\""),
                    )
                })?,
                None => return Err(named("window", "is required (like 1m, 1h or 1d)".into())),
            };
            let matcher = call_match(&r.matched, servers, named)?;
            Ok(RateRule {
                name,
                matcher,
                limit,
                window,
            })
        })
        .collect()
}

/// `mcpActions.usage` as the shim hands it over.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawUsage {
    pub enabled: Option<bool>,
    pub retention_days: Option<f64>,
}

/// `mcpActions.usage`: every tool call recorded as names and numbers (on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageConfig {
    pub enabled: bool,
    /// `retentionDays` (default 30): older minutes are swept.
    pub retention: Duration,
}

impl Default for UsageConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            retention: Duration::from_secs(30 * 86_400),
        }
    }
}

impl RawUsage {
    pub fn validate(&self) -> Result<UsageConfig, ConfigError> {
        let days = whole(
            "mcpActions.usage.retentionDays",
            self.retention_days,
            30,
            1..=3650,
        )?;
        Ok(UsageConfig {
            enabled: self.enabled.unwrap_or(true),
            retention: Duration::from_secs(days as u64 * 86_400),
        })
    }
}
