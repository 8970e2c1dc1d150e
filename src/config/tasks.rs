//! `mcpActions.tasks.*`: whether long calls may become tasks, when, and how long a task and
//! its result are kept.

use std::time::Duration;

use serde::Deserialize;

use super::values::{config_error, seconds, whole, ConfigError};
use crate::tasks::promotion::Rules;
use crate::tools::glob::Glob;

/// The validated `mcpActions.tasks.*`.
#[derive(Debug, Clone)]
pub struct TasksConfig {
    /// `mcpActions.tasks.enabled` (default on): discover advertises the extension and calls
    /// of clients that declare it may become tasks.
    pub enabled: bool,
    /// `mcpActions.tasks.always` and `.promoteAfterSeconds`.
    pub rules: Rules,
    /// `mcpActions.tasks.ttlSeconds`: how long a task (and its result) can be read.
    pub ttl: Duration,
    /// `mcpActions.tasks.pollIntervalSeconds`: the `pollIntervalMs` clients are given.
    pub poll_interval: Duration,
    /// `mcpActions.tasks.maxResultBytes`: a larger result is not stored (the task fails).
    pub max_result_bytes: usize,
    /// `mcpActions.tasks.heartbeatSeconds`: how often the instance running a task says it is
    /// alive. A working task silent for three heartbeats reads `failed`.
    pub heartbeat: Duration,
}

impl Default for TasksConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            rules: Rules::default(),
            ttl: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(2),
            max_result_bytes: 1024 * 1024,
            heartbeat: Duration::from_secs(10),
        }
    }
}

impl TasksConfig {
    /// A working task whose heartbeat is older than this reads `failed`.
    pub fn heartbeat_limit_ms(&self) -> u64 {
        3 * self.heartbeat.as_millis() as u64
    }
}

/// `mcpActions.tasks` as the shim hands it over.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawTasks {
    pub enabled: Option<bool>,
    pub promote_after_seconds: Option<f64>,
    #[serde(default)]
    pub always: Vec<String>,
    pub ttl_seconds: Option<f64>,
    pub poll_interval_seconds: Option<f64>,
    pub max_result_bytes: Option<f64>,
    pub heartbeat_seconds: Option<f64>,
}

impl RawTasks {
    pub fn validate(&self) -> Result<TasksConfig, ConfigError> {
        let d = TasksConfig::default();
        let always = self
            .always
            .iter()
            .enumerate()
            .map(|(i, pattern)| {
                Glob::new(pattern).map_err(|e| {
                    config_error(
                        format!("mcpActions.tasks.always[{i}]"),
                        format!("not a valid glob: {e}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(TasksConfig {
            enabled: self.enabled.unwrap_or(d.enabled),
            rules: Rules {
                always,
                promote_after: seconds(
                    "mcpActions.tasks.promoteAfterSeconds",
                    self.promote_after_seconds,
                    d.rules.promote_after,
                    0.0..=86_400.0,
                )?,
            },
            ttl: seconds(
                "mcpActions.tasks.ttlSeconds",
                self.ttl_seconds,
                d.ttl,
                1.0..=30.0 * 86_400.0,
            )?,
            poll_interval: seconds(
                "mcpActions.tasks.pollIntervalSeconds",
                self.poll_interval_seconds,
                d.poll_interval,
                0.1..=3600.0,
            )?,
            max_result_bytes: whole(
                "mcpActions.tasks.maxResultBytes",
                self.max_result_bytes,
                d.max_result_bytes,
                1024..=64 * 1024 * 1024,
            )?,
            heartbeat: seconds(
                "mcpActions.tasks.heartbeatSeconds",
                self.heartbeat_seconds,
                d.heartbeat,
                0.1..=3600.0,
            )?,
        })
    }
}
