//! `tools/call` results, serialized straight from the action's output JSON text: the output
//! is never parsed into a tree and printed again.

use serde::Serialize;
use serde_json::value::RawValue;

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
}

fn to_raw(out: &CallToolResultOut<'_>) -> Box<RawValue> {
    // Plain structs of strings and already-valid JSON: serialization cannot fail.
    serde_json::value::to_raw_value(out).expect("a CallToolResult always serializes")
}

/// A successful call: the output as one text block of JSON, plus `structuredContent` when
/// the output is an object. `output` must be valid JSON (checked by the caller).
pub fn success(output: &RawValue) -> Box<RawValue> {
    let text = output.get();
    let structured = text.trim_start().starts_with('{').then_some(output);
    to_raw(&CallToolResultOut {
        content: [TextBlock { kind: "text", text }],
        structured_content: structured,
        is_error: false,
    })
}

/// A call that ran and failed with a known Backstage error: `Name: message`.
pub fn tool_error(name: &str, message: &str) -> Box<RawValue> {
    let text = format!("{name}: {message}");
    to_raw(&CallToolResultOut {
        content: [TextBlock {
            kind: "text",
            text: &text,
        }],
        structured_content: None,
        is_error: true,
    })
}
