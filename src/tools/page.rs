//! `tools/list` pages: opaque cursors that carry the offset of the next page.

const PREFIX: &str = "mcp-actions/page:";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The cursor of the page that starts at `offset`.
pub fn encode_cursor(offset: usize) -> String {
    hex(format!("{PREFIX}{offset}").as_bytes())
}

/// The offset a cursor stands for; `None` for anything this server did not hand out.
pub fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = unhex(cursor)?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let digits = text.strip_prefix(PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The slice of `len` items a page covers, and the cursor of the next page if any.
pub fn page(len: usize, offset: usize, size: usize) -> (std::ops::Range<usize>, Option<String>) {
    let start = offset.min(len);
    let end = start.saturating_add(size).min(len);
    let next = (end < len).then(|| encode_cursor(end));
    (start..end, next)
}
