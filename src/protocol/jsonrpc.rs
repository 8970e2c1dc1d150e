//! JSON-RPC 2.0 framing: classify incoming messages, build responses.
//!
//! Parsing is deliberately our own rather than rmcp's message enum, so that every malformed
//! input gets the precise code the JSON-RPC spec asks for (-32700 vs -32600) and the id of
//! the request it belongs to, whenever that id can be read.

use rmcp::model::{ErrorCode, ErrorData};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A request id: a string or a number, echoed back verbatim.
pub type RequestId = Value;

/// One message of a POST body.
#[derive(Debug)]
pub enum Incoming {
    /// A request: must be answered.
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
    /// A notification: no answer.
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// A client's response to a server request: accepted, no answer. `answer`: its
    /// `result`, or its `error` object.
    Response { id: RequestId, answer: Value },
    /// Not a JSON-RPC message. Answered with -32600 and the id when one could be read.
    Invalid { id: RequestId, reason: &'static str },
}

/// The parsed body: one message or a batch.
#[derive(Debug)]
pub enum Body {
    Single(Incoming),
    Batch(Vec<Incoming>),
}

impl Body {
    /// The id of a single request, which every refusal of it names (`null` otherwise).
    pub fn request_id(&self) -> RequestId {
        match self {
            Body::Single(Incoming::Request { id, .. }) => id.clone(),
            Body::Single(Incoming::Invalid { id, .. }) => id.clone(),
            _ => Value::Null,
        }
    }

    /// The params of the `initialize` request this body holds (`null` when it sent none),
    /// if it holds one.
    pub fn initialize_params(&self) -> Option<&Value> {
        static NONE: Value = Value::Null;
        fn of(m: &Incoming) -> Option<&Value> {
            match m {
                Incoming::Request { method, params, .. } if method == "initialize" => {
                    Some(params.as_ref().unwrap_or(&NONE))
                }
                _ => None,
            }
        }
        match self {
            Body::Single(m) => of(m),
            Body::Batch(ms) => ms.iter().find_map(of),
        }
    }

    /// The capabilities an `initialize` in this body declares, if the body holds one.
    pub fn initialize_capabilities(&self) -> Option<Value> {
        self.initialize_params()?.get("capabilities").cloned()
    }

    /// The `clientInfo` (name, version) of the `initialize` request in this body, if any.
    pub fn initialize_client_info(&self) -> Option<Value> {
        self.initialize_params()?
            .get("clientInfo")
            .filter(|v| v.is_object())
            .cloned()
    }
}

/// Why a body could not be turned into messages at all.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON: -32700.
    Parse(String),
    /// JSON, but an empty batch: -32600.
    EmptyBatch,
}

/// Parse a POST body into JSON-RPC messages.
pub fn parse_body(bytes: &[u8]) -> Result<Body, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Parse("the request body is empty".into()));
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| BodyError::Parse(e.to_string()))?;
    match value {
        Value::Array(items) if items.is_empty() => Err(BodyError::EmptyBatch),
        Value::Array(items) => Ok(Body::Batch(items.into_iter().map(classify).collect())),
        other => Ok(Body::Single(classify(other))),
    }
}

fn valid_id(id: &Value) -> bool {
    matches!(id, Value::String(_) | Value::Number(_))
}

/// Classify one JSON value as a JSON-RPC message.
pub fn classify(value: Value) -> Incoming {
    let Value::Object(mut obj) = value else {
        return Incoming::Invalid {
            id: Value::Null,
            reason: "a JSON-RPC message must be a JSON object",
        };
    };
    let id = obj.remove("id");
    let echo_id = id.clone().filter(valid_id).unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Incoming::Invalid {
            id: echo_id,
            reason: "the \"jsonrpc\" member must be exactly \"2.0\"",
        };
    }
    match obj.remove("method") {
        Some(Value::String(method)) => {
            let params = obj.remove("params");
            if let Some(p) = &params {
                if !(p.is_object() || p.is_array()) {
                    return Incoming::Invalid {
                        id: echo_id,
                        reason: "\"params\" must be an object or an array",
                    };
                }
            }
            match id {
                None => Incoming::Notification { method, params },
                Some(id) if valid_id(&id) => Incoming::Request { id, method, params },
                Some(_) => Incoming::Invalid {
                    id: Value::Null,
                    reason: "\"id\" must be a string or a number",
                },
            }
        }
        Some(_) => Incoming::Invalid {
            id: echo_id,
            reason: "\"method\" must be a string",
        },
        None if id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) => {
            Incoming::Response {
                id: echo_id,
                answer: obj
                    .remove("result")
                    .or_else(|| obj.remove("error"))
                    .unwrap_or(Value::Null),
            }
        }
        None => Incoming::Invalid {
            id: echo_id,
            reason: "a JSON-RPC request needs a \"method\"",
        },
    }
}

/// The answer to one request.
pub type Outcome = Result<Box<RawValue>, ErrorData>;

#[derive(Serialize)]
struct ResponseOut<'a> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ErrorData>,
}

/// Serialize one JSON-RPC response.
pub fn response_json(id: &RequestId, outcome: &Outcome) -> String {
    let out = match outcome {
        Ok(result) => ResponseOut {
            jsonrpc: "2.0",
            id,
            result: Some(result),
            error: None,
        },
        Err(error) => ResponseOut {
            jsonrpc: "2.0",
            id,
            result: None,
            error: Some(error),
        },
    };
    // Serializing these plain structs cannot fail.
    serde_json::to_string(&out).unwrap_or_default()
}

/// Serialize one JSON-RPC error response.
pub fn error_json(id: &RequestId, error: ErrorData) -> String {
    response_json(id, &Err(error))
}

/// Error constructors with the codes of the JSON-RPC spec.
pub fn parse_error(detail: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::PARSE_ERROR,
        format!("Parse error: the body is not valid JSON ({detail})"),
        None,
    )
}

pub fn invalid_request(reason: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::INVALID_REQUEST,
        format!("Invalid Request: {reason}"),
        None,
    )
}

pub fn method_not_found(method: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {}", shown(method)),
        None,
    )
}

/// Longest piece of a client's input quoted back in an error message.
pub const SHOWN_MAX: usize = 128;

/// A client's text as an error message quotes it: at most [`SHOWN_MAX`] characters, then `…`.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(SHOWN_MAX) {
        None => text.into(),
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
    }
}

pub fn invalid_params(message: impl Into<String>) -> ErrorData {
    ErrorData::new(ErrorCode::INVALID_PARAMS, message.into(), None)
}

pub fn internal_error(message: impl Into<String>) -> ErrorData {
    ErrorData::new(ErrorCode::INTERNAL_ERROR, message.into(), None)
}

/// Serialize a value we build ourselves into a raw JSON result.
pub fn to_raw<T: Serialize>(value: &T) -> Outcome {
    serde_json::value::to_raw_value(value).map_err(|e| {
        internal_error(format!(
            "Internal error: could not serialize the result ({e})"
        ))
    })
}

/// `params` as an object, or an empty one when absent.
pub fn params_object(params: Option<Value>) -> Result<Map<String, Value>, ErrorData> {
    match params {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(invalid_params(
            "Invalid params: \"params\" must be an object",
        )),
    }
}
