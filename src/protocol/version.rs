//! MCP protocol revisions and their negotiation.
//!
//! We speak every revision that has the `initialize` handshake: 2024-11-05, 2025-03-26,
//! 2025-06-18 and 2025-11-25 (rmcp's list, cut at the last handshake revision).

use rmcp::model::ProtocolVersion;

/// Revisions this server speaks, newest first.
pub fn supported() -> impl Iterator<Item = &'static ProtocolVersion> {
    ProtocolVersion::KNOWN_VERSIONS
        .iter()
        .rev()
        .filter(|v| v.has_initialize())
}

/// The revision offered when the client asks for one we do not know.
pub const LATEST: ProtocolVersion = ProtocolVersion::LATEST_WITH_INITIALIZE;

pub fn is_supported(version: &str) -> bool {
    supported().any(|v| v.as_str() == version)
}

/// The supported revisions as one human-readable list.
pub fn supported_list() -> String {
    supported()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The revision to answer an `initialize` with: the client's when we speak it, else our
/// latest (the client then decides whether it can continue).
pub fn negotiate(requested: Option<&str>) -> ProtocolVersion {
    requested
        .and_then(|r| supported().find(|v| v.as_str() == r))
        .cloned()
        .unwrap_or(LATEST)
}

/// The modern revision this server speaks (no handshake; `_meta` on every request).
pub const MODERN: &str = "2026-07-28";

/// Every revision this server speaks, modern first, for `server/discover` and errors.
pub fn all() -> Vec<&'static str> {
    std::iter::once(MODERN)
        .chain(supported().map(|v| v.as_str()))
        .collect()
}

/// [`all`] as one human-readable list.
pub fn all_list() -> String {
    all().join(", ")
}
