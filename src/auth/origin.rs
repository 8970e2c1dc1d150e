//! `Origin` validation against DNS rebinding (a MUST of the MCP transports): a browser
//! request from an origin that is not allowed is refused; a request without `Origin` (every
//! non-browser client) passes.

/// Which origins may call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// Allowed origins, normalized (`scheme://host[:port]`, lowercase, no trailing slash).
    allowed: Vec<String>,
    /// `http(s)://localhost`, `127.0.0.1` and `[::1]` on any port.
    loopback: bool,
    /// `*` in the configured list: no check.
    any: bool,
}

fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn is_loopback(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = if let Some(v6) = rest.strip_prefix('[') {
        return v6.split(']').next() == Some("::1")
            && v6
                .split(']')
                .nth(1)
                .is_none_or(|p| p.is_empty() || is_port(p));
    } else {
        rest.split(':').next().unwrap_or_default()
    };
    let port = &rest[host.len()..];
    matches!(host, "localhost" | "127.0.0.1") && (port.is_empty() || is_port(port))
}

fn is_port(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl OriginPolicy {
    /// `configured`: `mcpActions.allowedOrigins`, exactly; else the backend's own origins
    /// and loopback.
    pub fn new(configured: Option<&[String]>, own: &[String]) -> Self {
        match configured {
            Some(list) => Self {
                any: list.iter().any(|o| o.trim() == "*"),
                allowed: list.iter().map(|o| normalize(o)).collect(),
                loopback: false,
            },
            None => Self {
                allowed: own.iter().map(|o| normalize(o)).collect(),
                loopback: true,
                any: false,
            },
        }
    }

    pub fn allows(&self, origin: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        if self.any {
            return true;
        }
        let origin = normalize(origin);
        self.allowed.contains(&origin) || (self.loopback && is_loopback(&origin))
    }
}
