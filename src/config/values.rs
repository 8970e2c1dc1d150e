//! The checks every configuration value goes through: numbers in range, server keys, modes,
//! and the error that names the key of a value that cannot work.

use std::time::Duration;

use crate::tools::search::Discovery;

/// A whole number in `range`, or `default` when unset; else an error naming `key`.
pub(crate) fn whole(
    key: &str,
    value: Option<f64>,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ConfigError> {
    match value {
        None => Ok(default),
        Some(n)
            if n.fract() == 0.0 && (*range.start() as f64..=*range.end() as f64).contains(&n) =>
        {
            Ok(n as usize)
        }
        Some(n) => Err(config_error(
            key,
            format!(
                "must be a whole number between {} and {}, got {n}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// A number of seconds in `range`, or `default` when unset; else an error naming `key`.
pub(crate) fn seconds(
    key: &str,
    value: Option<f64>,
    default: Duration,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(n) if n.is_finite() && range.contains(&n) => Ok(Duration::from_secs_f64(n)),
        Some(n) => Err(config_error(
            key,
            format!(
                "must be a number of seconds between {} and {}, got {n}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// A configuration value that cannot work, named by its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid configuration at {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

pub(crate) fn config_error(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

/// `^[a-z0-9][a-z0-9-]*$`, and not `sse` (the legacy transport's path).
pub fn is_valid_server_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && key != "sse"
}

/// `all` or `search` at `key`, or `default` when unset.
pub(crate) fn discovery(
    key: &str,
    value: Option<&str>,
    default: Discovery,
) -> Result<Discovery, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => Discovery::parse(v)
            .ok_or_else(|| config_error(key, format!("must be {}, got \"{v}\"", Discovery::NAMES))),
    }
}
