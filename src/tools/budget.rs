//! Result budgets (`mcpActions.results.maxChars`): a tool result whose text is larger than the
//! budget does not reach the model whole. The model gets an `isError` answer it can act on
//! (how large, the budget, how to narrow the call), the first part of the output, and a
//! `resource_link` to the whole result, which its owner reads with `resources/read`, page by
//! page, for a limited time.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::protocol::frame::Frame;

/// The scheme and path of a stored result's URI: `mcp-actions://results/{id}`.
pub const RESULT_URI_PREFIX: &str = "mcp-actions://results/";

/// The URI of page `page` (1-based) of result `id`; page 1 is the result's own URI.
pub fn result_uri(id: &str, page: usize) -> String {
    if page <= 1 {
        format!("{RESULT_URI_PREFIX}{id}")
    } else {
        format!("{RESULT_URI_PREFIX}{id}?page={page}")
    }
}

/// The id and page a result URI names; `None` for any other URI.
pub fn parse_result_uri(uri: &str) -> Option<(&str, usize)> {
    let rest = uri.strip_prefix(RESULT_URI_PREFIX)?;
    let (id, page) = match rest.split_once("?page=") {
        None => (rest, 1),
        Some((id, page)) => (id, page.parse().ok().filter(|p: &usize| *p >= 1)?),
    };
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit())).then_some((id, page))
}

/// `text`'s length in characters when it is over `max_chars` (0: no budget), else `None`.
pub fn over_budget(text: &str, max_chars: usize) -> Option<usize> {
    if max_chars == 0 || text.len() <= max_chars {
        return None;
    }
    let chars = text.chars().count();
    (chars > max_chars).then_some(chars)
}

/// The byte offset after the first `chars` characters of `text`.
fn offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// The first `chars` characters of `text`.
pub fn head(text: &str, chars: usize) -> &str {
    &text[..offset(text, chars)]
}

/// How many pages of `page_chars` characters `total_chars` makes.
pub fn page_count(total_chars: usize, page_chars: usize) -> usize {
    total_chars.div_ceil(page_chars.max(1)).max(1)
}

/// Page `page` (1-based) of `text`, `page_chars` characters each; `None` past the end.
pub fn page(text: &str, page_chars: usize, page: usize) -> Option<&str> {
    let page_chars = page_chars.max(1);
    let start = offset(text, (page - 1).saturating_mul(page_chars));
    if start >= text.len() && !(page == 1 && text.is_empty()) {
        return None;
    }
    let rest = &text[start..];
    Some(&rest[..offset(rest, page_chars)])
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: &'a str,
    },
    ResourceLink {
        uri: &'a str,
        name: &'a str,
        title: &'a str,
        #[serde(rename = "mimeType")]
        mime_type: &'static str,
        size: usize,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Oversized<'a> {
    content: Vec<Block<'a>>,
    is_error: bool,
    #[serde(flatten)]
    frame: Frame<'a>,
}

/// What an oversized result of `tool` is answered with.
pub struct OversizedAnswer<'a> {
    pub tool: &'a str,
    pub text: &'a str,
    pub total_chars: usize,
    pub max_chars: usize,
    /// The stored whole, when it could be kept: its id and how long it is readable.
    pub stored: Option<(&'a str, u64)>,
}

impl OversizedAnswer<'_> {
    /// The `isError` result: what happened and what to do, the first part of the output, and
    /// the link to the whole (when kept).
    pub fn to_result(&self, frame: &Frame<'_>) -> Box<RawValue> {
        let pages = page_count(self.total_chars, self.max_chars);
        let whole = match self.stored {
            Some((id, ttl_seconds)) => format!(
                "The whole result is kept for {} minutes as the resource {} (resources/read; {pages} pages of up to {} characters: {}, then ?page=2 up to ?page={pages}).",
                ttl_seconds.div_ceil(60),
                result_uri(id, 1),
                self.max_chars,
                result_uri(id, 1),
            ),
            None => "The whole result could not be kept (the server log has why); only the first part follows.".to_owned(),
        };
        let notice = format!(
            "The result of {} is {} characters, over this server's budget of {} (mcpActions.results.maxChars). Narrow the call to get less: a filter, a smaller limit, fewer fields, or a more specific query. {whole} The first part of the output follows.",
            self.tool, self.total_chars, self.max_chars
        );
        let room = self
            .max_chars
            .saturating_sub(notice.chars().count())
            .max(self.max_chars / 2);
        let preview = head(self.text, room);
        let mut content = vec![Block::Text { text: &notice }, Block::Text { text: preview }];
        let uri = self.stored.map(|(id, _)| result_uri(id, 1));
        let name = format!("Result of {}", self.tool);
        if let Some(uri) = &uri {
            content.push(Block::ResourceLink {
                uri,
                name: &name,
                title: &name,
                mime_type: "application/json",
                size: self.text.len(),
            });
        }
        serde_json::value::to_raw_value(&Oversized {
            content,
            is_error: true,
            frame: *frame,
        })
        .expect("an oversized result always serializes")
    }
}
