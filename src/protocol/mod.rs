//! JSON-RPC 2.0 and the MCP protocol: parsing, version negotiation and the HTTP rules of the
//! Streamable HTTP transport. No napi here.

pub mod context;
pub mod frame;
pub mod headers;
pub mod http;
pub mod jsonrpc;
pub mod version;
