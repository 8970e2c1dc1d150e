//! MCP Apps (the extension `io.modelcontextprotocol/ui`): a tool can name a `ui://` resource,
//! an HTML view that the client renders beside the answer. Which clients get the views, which
//! tool gets which view, and the views themselves as resources.

use serde_json::Value;

use crate::protocol::context::RequestContext;

mod load;
mod views;

pub use load::{RawApps, RawView};
pub use views::{Apps, Builtin, View};

/// The extension's identifier in `capabilities.extensions`.
pub const EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The one content type of a view.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";
/// Every view this server offers is under this prefix.
pub const URI_PREFIX: &str = "ui://mcp-actions/";

/// Whether `capabilities` declare the extension with the view's content type.
pub fn declared(capabilities: Option<&Value>) -> bool {
    capabilities
        .and_then(|c| c.get("extensions"))
        .and_then(|e| e.get(EXTENSION))
        .and_then(|ui| ui.get("mimeTypes"))
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some(MIME_TYPE)))
}

/// Whether answers to this request carry the views. What the client declared decides where
/// the protocol lets it speak: every 2026-07-28 request, and a 2025 session's `initialize`. A
/// 2025 request outside a session says nothing about its client, so it gets the views as
/// the extension's own example host expects; a client that cannot render them shows the text.
pub fn shown(request: &RequestContext) -> bool {
    match &request.client_capabilities {
        Some(capabilities) => declared(Some(capabilities)),
        None => !request.is_modern(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_html_profile_counts_as_declared() {
        let ui = |types: Value| json!({ "extensions": { EXTENSION: { "mimeTypes": types } } });
        assert!(declared(Some(&ui(json!([MIME_TYPE])))));
        assert!(declared(Some(&ui(json!(["text/plain", MIME_TYPE])))));
        assert!(!declared(Some(&ui(json!(["text/html"])))));
        assert!(!declared(Some(&json!({ "extensions": { EXTENSION: {} } }))));
        assert!(!declared(Some(&json!({}))));
        assert!(!declared(None));
    }
}
