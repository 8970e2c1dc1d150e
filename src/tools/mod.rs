//! Actions as MCP tools: the action model, names, schemas and annotations, call results.

pub mod action;
pub mod mapping;
pub mod result;

pub use action::{Action, ActionList, Attributes};
pub use mapping::{ToolNaming, ToolSet};
