//! The standard request headers of 2026-07-28 (`Mcp-Method`, `Mcp-Name`): their values, and
//! the Base64 sentinel form (`=?base64?...?=`) clients use for values that are not plain ASCII.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

const SENTINEL_START: &str = "=?base64?";
const SENTINEL_END: &str = "?=";

/// A header value as the client meant it: trimmed, and decoded when it is in the sentinel
/// form. `Err` names what is wrong with a sentinel that does not decode.
pub fn decode_value(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim_matches([' ', '\t']);
    let Some(inner) = value
        .strip_prefix(SENTINEL_START)
        .and_then(|v| v.strip_suffix(SENTINEL_END))
    else {
        return Ok(value.to_owned());
    };
    let bytes = STANDARD
        .decode(inner)
        .map_err(|_| "its =?base64?...?= value is not valid Base64")?;
    String::from_utf8(bytes).map_err(|_| "its =?base64?...?= value is not UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::decode_value;

    #[test]
    fn plain_values_are_trimmed() {
        assert_eq!(decode_value("  tools/call\t").unwrap(), "tools/call");
    }

    #[test]
    fn sentinel_values_are_decoded() {
        assert_eq!(
            decode_value("=?base64?SGVsbG8sIOS4lueVjA==?=").unwrap(),
            "Hello, 世界"
        );
        assert_eq!(
            decode_value(" =?base64?IHBhZGRlZCA=?= ").unwrap(),
            " padded "
        );
    }

    #[test]
    fn broken_sentinels_are_refused() {
        assert!(decode_value("=?base64?not base64!?=").is_err());
        assert!(decode_value("=?base64?/w==?=").is_err());
    }
}
