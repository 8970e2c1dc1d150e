//! Actions as MCP tools: the action model, names, filters, schemas and annotations, results.

pub mod action;
pub mod budget;
pub mod cache;
pub mod filter;
pub mod glob;
pub mod mapping;
pub mod page;
pub mod portable;
pub mod result;
pub mod search;

pub use action::{Action, ActionList, Attributes};
pub use filter::{AttributeRule, Filter, Rule};
pub use glob::Glob;
pub use mapping::{Separator, ToolNaming, ToolSet};
