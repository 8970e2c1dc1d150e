//! One request context for both protocol eras.
//!
//! A legacy request (2024-11-05 … 2025-11-25) learns its revision from the `initialize`
//! handshake and the `MCP-Protocol-Version` header. A modern one (2026-07-28) carries it, with
//! the client's capabilities and more, in `params._meta` of every request, and repeats the
//! method and tool name in standard headers. [`classify`] checks a modern request the way the
//! spec orders it and turns either era into a [`RequestContext`], so that dispatch, tool lists
//! and calls never ask which era they serve.

use rmcp::model::{ErrorCode, ErrorData};
use serde_json::{json, Map, Value};

use super::headers::decode_value;
use super::jsonrpc::{Body, Incoming, RequestId};
use super::version;

/// `_meta` keys of 2026-07-28.
pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
pub const META_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// JSON-RPC codes of 2026-07-28.
pub const HEADER_MISMATCH: i32 = -32020;
pub const UNSUPPORTED_VERSION: i32 = -32022;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Legacy,
    Modern,
}

/// Where the request's protocol revision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    /// Nothing named it (an `initialize`, or a client that sends no header).
    None,
    /// The `MCP-Protocol-Version` header of a legacy request.
    Header,
    /// `params._meta` of a modern request (the header repeats it).
    Meta,
}

/// MCP log levels, lowest first (RFC 5424 severities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl LogLevel {
    pub const NAMES: [&'static str; 8] = [
        "debug",
        "info",
        "notice",
        "warning",
        "error",
        "critical",
        "alert",
        "emergency",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        use LogLevel::*;
        let all = [
            Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency,
        ];
        Self::NAMES.iter().position(|n| *n == name).map(|i| all[i])
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// W3C trace context a client put in `params._meta`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceContext {
    pub traceparent: String,
    pub tracestate: Option<String>,
    pub baggage: Option<String>,
}

/// What one request says about itself, whatever its era.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub era: Era,
    /// The revision the request is served under, when it names one.
    pub version: Option<String>,
    pub version_source: VersionSource,
    pub client_capabilities: Option<Value>,
    pub client_info: Option<Value>,
    /// Send log events about this request to the client, at this level and above.
    pub log_level: Option<LogLevel>,
    pub trace: Option<TraceContext>,
}

impl RequestContext {
    pub fn legacy(header: Option<&str>) -> Self {
        let version = header.map(str::trim).filter(|v| !v.is_empty());
        Self {
            era: Era::Legacy,
            version: version.map(str::to_owned),
            version_source: if version.is_some() {
                VersionSource::Header
            } else {
                VersionSource::None
            },
            client_capabilities: None,
            client_info: None,
            log_level: None,
            trace: None,
        }
    }

    pub fn is_modern(&self) -> bool {
        self.era == Era::Modern
    }

    /// The client's name, as its `clientInfo` says.
    pub fn client_name(&self) -> Option<&str> {
        self.client_info.as_ref()?.get("name")?.as_str()
    }
}

/// The standard headers of a POST, as received.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardHeaders<'a> {
    pub protocol_version: Option<&'a str>,
    pub method: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// A request refused before dispatch: the HTTP status and the JSON-RPC error for `id`.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub id: RequestId,
    pub error: ErrorData,
}

impl Refusal {
    fn new(status: u16, id: &RequestId, code: i32, message: String, data: Option<Value>) -> Self {
        Self {
            status,
            id: id.clone(),
            error: ErrorData::new(ErrorCode(code), message, data),
        }
    }
}

/// Whether a header names a modern revision this server knows. (A later, unknown one is left
/// to the legacy rules, which answer an unknown revision as they always have.)
pub fn is_modern_version(v: &str) -> bool {
    v == version::MODERN
}

fn claim(params: Option<&Value>) -> Option<&Value> {
    params?.get("_meta")?.get(META_VERSION)
}

fn quoted(key: &str) -> String {
    format!("_meta[\"{key}\"]")
}

/// Read a request's era and check a modern one: envelope, the revision header against the
/// body, the revision, then the other headers (each a `400`). A legacy request passes unchecked
/// here: the legacy rules apply to it later.
pub fn classify(body: &Body, headers: StandardHeaders<'_>) -> Result<RequestContext, Refusal> {
    let header_version = headers.protocol_version.map(str::trim);
    let (id, method, params) = match body {
        Body::Batch(messages) => {
            let modern = messages.iter().any(|m| match m {
                Incoming::Request { params, .. } | Incoming::Notification { params, .. } => {
                    claim(params.as_ref()).is_some()
                }
                _ => false,
            });
            if modern || header_version.is_some_and(is_modern_version) {
                return Err(Refusal::new(
                    400,
                    &Value::Null,
                    ErrorCode::INVALID_REQUEST.0,
                    format!(
                        "Invalid Request: a batch cannot carry {} messages; send each message in its own POST",
                        version::MODERN
                    ),
                    None,
                ));
            }
            return Ok(RequestContext::legacy(headers.protocol_version));
        }
        Body::Single(Incoming::Request { id, method, params }) => (id, method, params.as_ref()),
        Body::Single(Incoming::Notification { method, params }) => {
            (&Value::Null, method, params.as_ref())
        }
        Body::Single(_) => return Ok(RequestContext::legacy(headers.protocol_version)),
    };
    let is_request = matches!(body, Body::Single(Incoming::Request { .. }));
    let meta = params
        .and_then(|p| p.get("_meta"))
        .filter(|_| claim(params).is_some());
    let Some(meta) = meta else {
        return match header_version.filter(|v| is_modern_version(v)) {
            None => Ok(RequestContext::legacy(headers.protocol_version)),
            Some(v) if method == "initialize" => Err(Refusal::new(
                400,
                id,
                HEADER_MISMATCH,
                format!("Header mismatch: the MCP-Protocol-Version header names {v}, which has no initialize handshake; send the request with its _meta envelope, or name a revision up to {}", version::LATEST),
                None,
            )),
            Some(v) => {
                let missing = missing_keys(params.and_then(|p| p.get("_meta")));
                Err(Refusal::new(
                    400,
                    id,
                    ErrorCode::INVALID_PARAMS.0,
                    format!(
                        "Invalid params: the MCP-Protocol-Version header names {v}, but the request is missing the required _meta key(s): {}",
                        missing.join(", ")
                    ),
                    Some(json!({ "envelope": { "missing": missing } })),
                ))
            }
        };
    };
    let context = envelope(id, meta)?;
    let requested = context.version.as_deref().unwrap_or_default();
    // The header must repeat the body's revision whatever it names: a header and a body that
    // disagree are a mismatch (an intermediary may have routed on the header). Only a revision
    // both agree on can be one this server does not serve.
    check_header(
        id,
        "MCP-Protocol-Version",
        header_version.map(str::to_owned),
        requested,
    )?;
    if requested != version::MODERN {
        return Err(Refusal::new(
            400,
            id,
            UNSUPPORTED_VERSION,
            format!(
                "Unsupported protocol version \"{}\"; this server supports {}",
                super::jsonrpc::shown(requested),
                version::all_list()
            ),
            Some(json!({ "supported": version::all(), "requested": requested })),
        ));
    }
    if is_request || headers.method.is_some() {
        check_header(
            id,
            "Mcp-Method",
            decoded(id, "Mcp-Method", headers.method)?,
            method,
        )?;
    }
    // The name a request is routed by: the tool's, or the task's (tasks extension).
    let routed = match method.as_str() {
        "tools/call" => Some("name"),
        "tasks/get" | "tasks/cancel" | "tasks/update" => Some("taskId"),
        "resources/read" => Some("uri"),
        _ => None,
    };
    if let Some(Value::String(name)) = routed.and_then(|key| params.and_then(|p| p.get(key))) {
        check_header(id, "Mcp-Name", decoded(id, "Mcp-Name", headers.name)?, name)?;
    }
    Ok(context)
}

/// The required `_meta` keys a request lacks.
fn missing_keys(meta: Option<&Value>) -> Vec<&'static str> {
    [META_VERSION, META_CAPABILITIES]
        .into_iter()
        .filter(|k| meta.and_then(|m| m.get(k)).is_none())
        .collect()
}

fn decoded(id: &RequestId, header: &str, raw: Option<&str>) -> Result<Option<String>, Refusal> {
    raw.map(decode_value).transpose().map_err(|why| {
        Refusal::new(
            400,
            id,
            HEADER_MISMATCH,
            format!("Header mismatch: the {header} header is malformed: {why}"),
            None,
        )
    })
}

fn check_header(
    id: &RequestId,
    header: &str,
    value: Option<String>,
    body: &str,
) -> Result<(), Refusal> {
    let message = match value {
        Some(v) if v == body => return Ok(()),
        Some(v) => format!(
            "Header mismatch: {header} header value \"{}\" does not match body value \"{}\"",
            super::jsonrpc::shown(&v),
            super::jsonrpc::shown(body)
        ),
        None => format!(
            "Header mismatch: the {header} header is missing; it must repeat the body's \"{}\"",
            super::jsonrpc::shown(body)
        ),
    };
    Err(Refusal::new(400, id, HEADER_MISMATCH, message, None))
}

/// The per-request `_meta` fields of a modern request, checked for shape.
fn envelope(id: &RequestId, meta: &Value) -> Result<RequestContext, Refusal> {
    let invalid = |message: String, data: Option<Value>| {
        Refusal::new(400, id, ErrorCode::INVALID_PARAMS.0, message, data)
    };
    let Value::Object(meta) = meta else {
        return Err(invalid(
            "Invalid params: \"_meta\" must be an object".into(),
            None,
        ));
    };
    let Some(Value::String(version)) = meta.get(META_VERSION) else {
        return Err(invalid(
            format!(
                "Invalid params: {} must be a protocol revision string such as \"{}\"",
                quoted(META_VERSION),
                version::MODERN
            ),
            None,
        ));
    };
    let capabilities = match meta.get(META_CAPABILITIES) {
        Some(Value::Object(c)) => Value::Object(c.clone()),
        Some(_) => {
            return Err(invalid(
                format!(
                    "Invalid params: {} must be an object ({{}} declares no optional capability)",
                    quoted(META_CAPABILITIES)
                ),
                None,
            ))
        }
        None => {
            return Err(invalid(
                format!(
                    "Invalid params: the request is missing the required _meta key(s): {META_CAPABILITIES}"
                ),
                Some(json!({ "envelope": { "missing": [META_CAPABILITIES] } })),
            ))
        }
    };
    let client_info = match meta.get(META_CLIENT_INFO) {
        None => None,
        Some(info @ Value::Object(_)) => Some(info.clone()),
        Some(_) => {
            return Err(invalid(
                format!(
                    "Invalid params: {} must be an object with \"name\" and \"version\"",
                    quoted(META_CLIENT_INFO)
                ),
                None,
            ))
        }
    };
    let log_level = match meta.get(META_LOG_LEVEL) {
        None => None,
        Some(level) => Some(level.as_str().and_then(LogLevel::parse).ok_or_else(|| {
            invalid(
                format!(
                    "Invalid params: {} must be one of {}",
                    quoted(META_LOG_LEVEL),
                    LogLevel::NAMES.join(", ")
                ),
                None,
            )
        })?),
    };
    Ok(RequestContext {
        era: Era::Modern,
        version: Some(version.clone()),
        version_source: VersionSource::Meta,
        client_capabilities: Some(capabilities),
        client_info,
        log_level,
        trace: trace_context(meta),
    })
}

/// `traceparent`, `tracestate` and `baggage` of `_meta`, when a `traceparent` is there.
fn trace_context(meta: &Map<String, Value>) -> Option<TraceContext> {
    let text = |key: &str| meta.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(TraceContext {
        traceparent: text("traceparent")?,
        tracestate: text("tracestate"),
        baggage: text("baggage"),
    })
}
