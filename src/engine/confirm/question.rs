//! The question itself: whether the client can be asked (form elicitation), the form, the
//! arguments in words, and what an answer says.

use serde_json::{json, Value};

/// Whether the client declared form-mode elicitation (`elicitation: {}` means form).
pub(crate) fn declares_form_elicitation(capabilities: Option<&Value>) -> bool {
    match capabilities.and_then(|c| c.get("elicitation")) {
        Some(Value::Object(modes)) => {
            modes.is_empty() || modes.get("form").is_some_and(Value::is_object)
        }
        _ => false,
    }
}

/// `true` accept, `false` decline or cancel, `None` no answer: from an `ElicitResult`.
pub(super) fn decision(answer: &Value) -> Option<bool> {
    match answer.get("action").and_then(Value::as_str)? {
        "accept" => Some(
            answer
                .get("content")
                .and_then(|c| c.get("confirm"))
                .and_then(Value::as_bool)
                .unwrap_or(true),
        ),
        "decline" | "cancel" => Some(false),
        _ => None,
    }
}

/// The arguments in words: `name "payments", replicas 3`.
pub(super) fn in_words(input: &str) -> String {
    let Ok(Value::Object(args)) = serde_json::from_str::<Value>(input) else {
        return String::new();
    };
    let words: Vec<String> = args
        .iter()
        .map(|(k, v)| {
            let shown = match v {
                Value::String(s) => format!("\"{}\"", s.chars().take(200).collect::<String>()),
                other => {
                    let text = other.to_string();
                    if text.len() > 200 {
                        format!("{}…", text.chars().take(200).collect::<String>())
                    } else {
                        text
                    }
                }
            };
            format!("{k} {shown}")
        })
        .collect();
    words.join(", ")
}

/// The form: one yes/no field, on by default, so that Accept confirms.
pub(super) fn requested_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "confirm": {
                "type": "boolean",
                "title": "Run this call",
                "description": "Leave on and accept to run it; decline to stop it.",
                "default": true
            }
        }
    })
}
