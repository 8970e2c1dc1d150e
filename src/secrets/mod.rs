//! Secrets of actions (`schema.secrets`): what a tool says it needs, the check of what a user
//! submits, and the sealing of it at rest (AES-256-GCM, `mcpActions.secrets.encryptionKey`).
//! Values never leave this module in a log line, an error message or an answer: errors name
//! fields, never what was in them.

pub mod elicitation;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use serde_json::{Map, Value};

/// The key that seals secrets at rest: 32 bytes.
#[derive(Clone)]
pub struct SealingKey(Aes256Gcm);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl PartialEq for SealingKey {
    fn eq(&self, _: &Self) -> bool {
        // Keys are never compared; configurations with a key are equal as far as tests go.
        true
    }
}

impl SealingKey {
    /// `mcpActions.secrets.encryptionKey`: 32 bytes, base64 (standard or URL-safe alphabet).
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
            .map_err(|_| "is not base64 (make one with: openssl rand -base64 32)".to_owned())?;
        if bytes.len() != 32 {
            return Err(format!(
                "must be 32 bytes, base64-encoded; it is {} bytes (make one with: openssl rand -base64 32)",
                bytes.len()
            ));
        }
        Aes256Gcm::new_from_slice(&bytes)
            .map(Self)
            .map_err(|_| "must be 32 bytes".to_owned())
    }

    /// `plaintext` sealed for one place (`bound`: which elicitation, whose, which action, as
    /// associated data): base64 of nonce (12 bytes), ciphertext and tag. `None` when the
    /// system's random source fails (nothing is stored then).
    pub fn seal(&self, plaintext: &str, bound: &str) -> Option<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).ok()?;
        let sealed = self
            .0
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: bound.as_bytes(),
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// What [`SealingKey::seal`] sealed for `bound`; `None` when it was sealed with another key,
    /// for another place, or changed.
    pub fn open(&self, sealed: &str, bound: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self
            .0
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: bound.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// The secrets a schema declares, by name: name, description, required.
pub fn declared(schema: &Map<String, Value>) -> Vec<(String, Option<String>, bool)> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| {
                    let description = p
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    (name.clone(), description, required.contains(&name.as_str()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The sentence a tool's description ends with when its action needs secrets: their names
/// and descriptions, and how the user gives them (never as arguments).
pub fn description_note(schema: &Map<String, Value>) -> String {
    let names: Vec<String> = declared(schema)
        .into_iter()
        .map(|(name, description, _)| match description {
            Some(d) => format!("{name} ({d})"),
            None => name,
        })
        .collect();
    format!(
        "Needs secrets: {}. The user gives them on a Backstage page this tool links to when called; never pass them as arguments.",
        names.join(", ")
    )
}

/// Whether `secrets` (the JSON a user submitted) fits `schema`: an object, every required
/// secret present, each a value of its declared type, nothing undeclared when the schema
/// says so. The error names the field, never its value.
pub fn check(schema: &Map<String, Value>, secrets: &Value) -> Result<(), String> {
    let Value::Object(given) = secrets else {
        return Err("\"secrets\" must be an object of the declared secrets".to_owned());
    };
    let declared = declared(schema);
    for (name, _, required) in &declared {
        match given.get(name) {
            None | Some(Value::Null) if *required => {
                return Err(format!("the secret \"{name}\" is required"))
            }
            Some(Value::String(s)) if *required && s.is_empty() => {
                return Err(format!("the secret \"{name}\" is required"))
            }
            _ => {}
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    for (name, value) in given {
        let Some(property) = properties.and_then(|p| p.get(name)) else {
            if closed {
                return Err(format!("\"{name}\" is not a secret of this action"));
            }
            continue;
        };
        if !fits(property, value) {
            let expected = property
                .get("type")
                .map(|t| t.to_string().replace('"', ""))
                .unwrap_or_else(|| "the declared type".to_owned());
            return Err(format!("the secret \"{name}\" must be of type {expected}"));
        }
    }
    Ok(())
}

fn fits(property: &Value, value: &Value) -> bool {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match *t {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SealingKey {
        SealingKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .unwrap()
    }

    #[test]
    fn sealed_text_opens_only_with_its_key_and_binding() {
        let k = key();
        let sealed = k.seal("{\"token\":\"s3cr3t\"}", "e1|user:a|x:y").unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_eq!(
            k.open(&sealed, "e1|user:a|x:y").as_deref(),
            Some("{\"token\":\"s3cr3t\"}")
        );
        assert_eq!(k.open(&sealed, "e1|user:b|x:y"), None);
        let other =
            SealingKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([8u8; 32]))
                .unwrap();
        assert_eq!(other.open(&sealed, "e1|user:a|x:y"), None);
        // Two seals of one text differ (a fresh nonce each).
        assert_ne!(k.seal("a", "b"), k.seal("a", "b"));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(SealingKey::from_base64("not base64!")
            .unwrap_err()
            .contains("not base64"));
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(SealingKey::from_base64(&short)
            .unwrap_err()
            .contains("it is 16 bytes"));
    }

    #[test]
    fn checks_name_the_field_never_the_value() {
        let schema = json!({
            "type": "object",
            "properties": { "token": { "type": "string", "description": "A PAT" }, "port": { "type": "number" } },
            "required": ["token"],
            "additionalProperties": false
        });
        let schema = schema.as_object().unwrap();
        assert_eq!(check(schema, &json!({ "token": "abc" })), Ok(()));
        assert_eq!(
            check(schema, &json!({})),
            Err("the secret \"token\" is required".into())
        );
        assert_eq!(
            check(schema, &json!({ "token": "" })),
            Err("the secret \"token\" is required".into())
        );
        let wrong = check(schema, &json!({ "token": "abc", "port": "hunter2" })).unwrap_err();
        assert_eq!(wrong, "the secret \"port\" must be of type number");
        assert!(!wrong.contains("hunter2"));
        assert_eq!(
            check(schema, &json!({ "token": "abc", "extra": "x" })),
            Err("\"extra\" is not a secret of this action".into())
        );
        assert!(check(schema, &json!("abc")).is_err());
        assert_eq!(
            description_note(schema),
            "Needs secrets: port, token (A PAT). The user gives them on a Backstage page this tool links to when called; never pass them as arguments."
        );
    }
}
