//! MCP engine of the `mcp-actions` Backstage backend plugin.
//!
//! The pure modules (`protocol`, `tools`, `host`, `engine`) know nothing of napi, so every
//! protocol and tool rule is testable with `cargo test`. `binding` is the thin napi layer.
#![deny(clippy::all)]

pub mod apps;
pub mod auth;
pub mod config;
pub mod engine;
pub mod error;
pub mod host;
pub mod policy;
pub mod protocol;
pub mod secrets;
pub mod session;
pub mod tasks;
pub mod tools;
pub mod usage;

mod binding;

pub use config::{ConfigError, EngineConfig, ServerConfig};
pub use engine::Engine;
pub use error::Error;
pub use host::{ActionHost, CallContext, HostError};
pub use protocol::http::{HttpResponse, PostRequest};
