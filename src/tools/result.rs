//! `tools/call` results, serialized straight from the action's output JSON text: the output
//! is never parsed into a tree and printed again.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::protocol::frame::Frame;

/// Backstage error names that describe a failure of the call, not of the server. They become
/// `isError: true` tool results the model can read and act on.
pub const KNOWN_ERRORS: [&str; 9] = [
    "InputError",
    "AuthenticationError",
    "NotAllowedError",
    "NotFoundError",
    "ConflictError",
    "NotModifiedError",
    "NotImplementedError",
    "ResponseError",
    "ServiceUnavailableError",
];

pub fn is_known_error(name: &str) -> bool {
    KNOWN_ERRORS.contains(&name)
}

#[derive(Serialize)]
struct TextBlock<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallToolResultOut<'a> {
    content: [TextBlock<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    structured_content: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    is_error: bool,
    #[serde(flatten)]
    frame: Frame<'a>,
}

fn to_raw(out: &CallToolResultOut<'_>) -> Box<RawValue> {
    // Plain structs of strings and already-valid JSON: serialization cannot fail.
    serde_json::value::to_raw_value(out).expect("a CallToolResult always serializes")
}

/// A successful call: the output as one text block of JSON, plus `structuredContent` when
/// the output is an object, or in an era that allows it, any JSON but `null`. `output` must
/// be valid JSON (checked by the caller).
pub fn success(output: &RawValue, frame: &Frame<'_>) -> Box<RawValue> {
    let text = output.get();
    let start = text.trim_start();
    let structured = if frame.any_structured {
        !start.starts_with("null")
    } else {
        start.starts_with('{')
    };
    to_raw(&CallToolResultOut {
        content: [TextBlock { kind: "text", text }],
        structured_content: structured.then_some(output),
        is_error: false,
        frame: *frame,
    })
}

/// A call that ran and failed with a known Backstage error: `Name: message`.
pub fn tool_error(name: &str, message: &str, frame: &Frame<'_>) -> Box<RawValue> {
    let text = format!("{name}: {message}");
    to_raw(&CallToolResultOut {
        content: [TextBlock {
            kind: "text",
            text: &text,
        }],
        structured_content: None,
        is_error: true,
        frame: *frame,
    })
}
