//! What every result of a request carries besides its own fields. Modern (2026-07-28) results
//! say `resultType: "complete"` and name the server in `_meta`; cacheable ones carry caching
//! hints. Legacy results carry none of it. Handlers flatten a [`Frame`] into their result and
//! never ask which era they serve.

use serde::Serialize;
use serde_json::value::RawValue;

/// The era-dependent members of a result.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Frame<'a> {
    #[serde(rename = "resultType", skip_serializing_if = "Option::is_none")]
    pub result_type: Option<&'static str>,
    /// `{"io.modelcontextprotocol/serverInfo": {...}}`.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<&'a RawValue>,
    /// How long a client may reuse a list result (`None`: the era has no caching hints).
    #[serde(skip)]
    pub ttl_ms: Option<u64>,
    /// Tool output of any JSON type may go in `structuredContent` (legacy: objects only).
    #[serde(skip)]
    pub any_structured: bool,
}

/// Caching hints of a list result (`ttlMs`, `cacheScope`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheHints {
    pub ttl_ms: u64,
    pub cache_scope: &'static str,
}

impl Frame<'_> {
    /// The hints of a list that differs per caller (permissions, read-only switch, filters).
    pub fn private_cache(&self) -> Option<CacheHints> {
        self.ttl_ms.map(|ttl_ms| CacheHints {
            ttl_ms,
            cache_scope: "private",
        })
    }

    /// The hints of a result that is the same for every caller.
    pub fn public_cache(&self) -> Option<CacheHints> {
        self.ttl_ms.map(|ttl_ms| CacheHints {
            ttl_ms,
            cache_scope: "public",
        })
    }
}
