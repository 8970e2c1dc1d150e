//! HTTP rules of the Streamable HTTP transport: content negotiation, status codes, framing.

use rmcp::model::{ErrorCode, ErrorData};
use serde_json::Value;

use super::jsonrpc::error_json;
use super::version;

/// What the engine reads of a POST. Header values are as received (`None` when absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct PostRequest<'a> {
    /// `None` for `/v1`, `Some(key)` for `/v1/{key}`.
    pub server: Option<&'a str>,
    /// The `X-MCP-Readonly` header.
    pub read_only: Option<&'a str>,
    /// The `X-MCP-Tools` header: `all` or `search` (tool discovery for this request).
    pub tools: Option<&'a str>,
    /// The `Mcp-Session-Id` header (stateful mode).
    pub session_id: Option<&'a str>,
    pub accept: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub protocol_version: Option<&'a str>,
    /// The `Mcp-Method` header (2026-07-28).
    pub method: Option<&'a str>,
    /// The `Mcp-Name` header (2026-07-28).
    pub name: Option<&'a str>,
    pub body: &'a [u8],
}

/// A complete HTTP answer for the shim to write out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A JSON body (a JSON-RPC message or batch).
    pub fn json(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Some(body),
        }
    }

    /// A Backstage error body (`{ error: { name, message }, response: { statusCode } }`, what
    /// the frontend's `ResponseError` reads), for the JSON APIs beside MCP.
    pub fn backstage_error(status: u16, name: &str, message: impl Into<String>) -> Self {
        Self::json(
            status,
            serde_json::json!({
                "error": { "name": name, "message": message.into() },
                "response": { "statusCode": status },
            })
            .to_string(),
        )
    }

    /// A JSON-RPC error with id `null`, for failures outside any one request.
    pub fn rpc_error(status: u16, error: ErrorData) -> Self {
        Self::json(status, error_json(&Value::Null, error))
    }

    /// This JSON-RPC error answer, naming the request `id` it refuses (built with `null`
    /// before the body was read).
    pub fn for_request(mut self, id: &Value) -> Self {
        if id.is_null() {
            return self;
        }
        #[derive(serde::Deserialize)]
        struct ErrorAnswer {
            id: Value,
            error: ErrorData,
        }
        if let Some(answer) = self
            .body
            .as_deref()
            .and_then(|body| serde_json::from_str::<ErrorAnswer>(body).ok())
            .filter(|answer| answer.id.is_null())
        {
            self.body = Some(error_json(id, answer.error));
        }
        self
    }

    /// `202 Accepted` with no body: the POST held only notifications or responses.
    pub fn accepted() -> Self {
        Self {
            status: 202,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The answer framed as one SSE `message` event, for clients that only accept a stream.
    pub fn sse(body: String) -> Self {
        Self::stream_head(Some(sse_message(&body)))
    }

    /// The head of an SSE stream (status and headers), with its first chunk.
    pub fn stream_head(first: Option<String>) -> Self {
        Self {
            status: 200,
            headers: vec![
                ("content-type", "text/event-stream".into()),
                ("cache-control", "no-cache, no-transform".into()),
                ("x-accel-buffering", "no".into()),
            ],
            body: first,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// One SSE `message` event carrying a JSON-RPC message.
pub fn sse_message(json: &str) -> String {
    let mut framed = String::with_capacity(json.len() + 24);
    framed.push_str("event: message\ndata: ");
    framed.push_str(json);
    framed.push_str("\n\n");
    framed
}

/// An SSE comment that keeps an idle stream (and the proxies on its way) open.
pub const KEEP_ALIVE: &str = ": keep-alive\n\n";

/// How the answer to a POST is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Json,
    Sse,
}

/// The media types an `Accept` header allows (q=0 excludes a type).
fn accepted_types(accept: &str) -> impl Iterator<Item = String> + '_ {
    accept.split(',').filter_map(|part| {
        let mut pieces = part.split(';');
        let media = pieces.next()?.trim().to_ascii_lowercase();
        let refused = pieces.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (!media.is_empty() && !refused).then_some(media)
    })
}

/// Pick the framing from `Accept`: JSON when allowed, else SSE, else `None` (406).
/// A missing header means anything is acceptable.
/// Whether the client takes an SSE response (progress can then be sent before the answer).
pub fn accepts_sse(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accepted_types(accept).any(|m| matches!(m.as_str(), "text/event-stream" | "text/*" | "*/*"))
    })
}

pub fn choose_framing(accept: Option<&str>) -> Option<Framing> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Framing::Json);
    };
    let (mut json, mut sse) = (false, false);
    for media in accepted_types(accept) {
        match media.as_str() {
            "*/*" => return Some(Framing::Json),
            "application/json" | "application/*" => json = true,
            "text/event-stream" | "text/*" => sse = true,
            _ => {}
        }
    }
    if json {
        Some(Framing::Json)
    } else if sse {
        Some(Framing::Sse)
    } else {
        None
    }
}

/// Whether a `Content-Type` header names JSON.
pub fn is_json_content_type(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .map(|media| media.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// The checks every POST passes before its body is read: 406 and 415.
pub fn precheck(req: &PostRequest<'_>) -> Result<Framing, HttpResponse> {
    let framing = choose_framing(req.accept).ok_or_else(|| {
        HttpResponse::rpc_error(
            406,
            ErrorData::new(
                ErrorCode(-32000),
                format!(
                    "Not Acceptable: the Accept header ({}) must allow application/json or text/event-stream",
                    req.accept.unwrap_or_default()
                ),
                None,
            ),
        )
    })?;
    if !is_json_content_type(req.content_type) {
        return Err(unsupported_media_type(req.content_type));
    }
    Ok(framing)
}

/// `415 Unsupported Media Type` for a body not declared as JSON.
pub fn unsupported_media_type(content_type: Option<&str>) -> HttpResponse {
    HttpResponse::rpc_error(
        415,
        ErrorData::new(
            ErrorCode(-32000),
            format!(
                "Unsupported Media Type: Content-Type must be application/json, got {}",
                content_type
                    .map(|c| format!("\"{c}\""))
                    .unwrap_or_else(|| "none".into())
            ),
            None,
        ),
    )
}

/// The `MCP-Protocol-Version` header check (400 when it names a revision we do not speak).
pub fn check_protocol_header(header: Option<&str>) -> Result<(), HttpResponse> {
    match header.map(str::trim) {
        None | Some("") => Ok(()),
        Some(v) if version::is_supported(v) => Ok(()),
        Some(v) => {
            let error = ErrorData::new(
                ErrorCode::INVALID_REQUEST,
                format!(
                    "Bad Request: unsupported MCP-Protocol-Version \"{v}\"; this server supports {}",
                    version::supported_list()
                ),
                Some(serde_json::json!({
                    "requested": v,
                    "supported": version::supported().collect::<Vec<_>>(),
                })),
            );
            Err(HttpResponse::rpc_error(400, error))
        }
    }
}

/// `405 Method Not Allowed` for GET/DELETE/others on the stateless endpoint.
pub fn method_not_allowed(method: &str) -> HttpResponse {
    HttpResponse::rpc_error(
        405,
        ErrorData::new(
            ErrorCode(-32000),
            format!(
                "Method Not Allowed: {method} is not supported; this MCP endpoint is stateless, send JSON-RPC messages with POST"
            ),
            None,
        ),
    )
    .with_header("allow", "POST")
}

/// `401 Unauthorized` with the bearer challenge of RFC 6750 and, when OAuth is offered,
/// RFC 9728's `resource_metadata` (the MCP auth spec's way to tell clients where to log in).
/// `rejection`: why the presented token was refused (`None`: no token was sent).
pub fn unauthorized(rejection: Option<&str>, resource_metadata: Option<&str>) -> HttpResponse {
    let challenge = crate::auth::challenge(
        rejection.map(|why| ("invalid_token", why)),
        resource_metadata,
    );
    let message = match rejection {
        Some(why) => format!("Unauthorized: {why}"),
        None => "Unauthorized: send a Backstage token in the Authorization header (Bearer <token>)"
            .to_owned(),
    };
    HttpResponse::rpc_error(401, ErrorData::new(ErrorCode(-32001), message, None))
        .with_header("www-authenticate", challenge)
}

/// `403 Forbidden` for a browser origin that may not call (DNS-rebinding protection).
pub fn forbidden_origin(origin: &str) -> HttpResponse {
    HttpResponse::rpc_error(
        403,
        ErrorData::new(
            ErrorCode(-32000),
            format!(
                "Forbidden: requests from origin \"{origin}\" are not allowed (mcpActions.allowedOrigins)"
            ),
            None,
        ),
    )
}

/// A body the HTTP layer could not read (too large, bad encoding): 413 or 400, never a crash.
pub fn unreadable_body(status: u16, detail: &str) -> HttpResponse {
    let status = if (400..500).contains(&status) {
        status
    } else {
        400
    };
    let message = if status == 413 {
        format!("Payload Too Large: {detail}")
    } else {
        format!("Bad Request: the request body could not be read ({detail})")
    };
    HttpResponse::rpc_error(
        status,
        ErrorData::new(ErrorCode::INVALID_REQUEST, message, None),
    )
}

/// `500` for a failure outside the engine (the shim's own fault). Says nothing sensitive.
pub fn internal_failure() -> HttpResponse {
    HttpResponse::rpc_error(
        500,
        ErrorData::new(
            ErrorCode::INTERNAL_ERROR,
            "Internal error: the request could not be handled; the server log has the details",
            None,
        ),
    )
}
