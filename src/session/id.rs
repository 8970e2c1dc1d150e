//! Session ids: 160 bits from the operating system's CSPRNG, as 40 lowercase hex characters
//! (visible ASCII, safe in URLs and headers).

/// A new, unguessable session id; `None` when the OS random source fails (then no session
/// is opened: a guessable id is never an option).
pub fn new_session_id() -> Option<String> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).ok()?;
    let mut id = String::with_capacity(40);
    for b in bytes {
        id.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    Some(id)
}

/// Whether `text` could be an id we minted (cheap check before a table look-up).
pub fn looks_like_session_id(text: &str) -> bool {
    text.len() == 40
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}
