//! Globs for action ids, with minimatch's semantics for the patterns people write in
//! `filter.include[].id`: `*`, `**`, `?`, `[abc]`, `[!a-z]`, `{a,b}` and a leading `!`.
//!
//! As in minimatch, `*` and `?` do not cross a `/`, and `**` crosses anything. Action ids
//! (`plugin:name`) rarely hold a `/`, so in practice `catalog:*` means every catalog action.

/// A pattern that could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("the pattern is empty")]
    Empty,
    #[error("unclosed '[' in \"{0}\"")]
    UnclosedClass(String),
    #[error("unclosed '{{' in \"{0}\"")]
    UnclosedBrace(String),
    #[error("\"{0}\" has more than 64 brace alternatives")]
    TooManyAlternatives(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `**`: any run of characters.
    GlobStar,
    /// `?`: one character but `/`.
    One,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    negated: bool,
    alternatives: Vec<Vec<Token>>,
}

const MAX_ALTERNATIVES: usize = 64;

impl Glob {
    pub fn new(pattern: &str) -> Result<Self, GlobError> {
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        let mut body = pattern;
        let mut negated = false;
        while let Some(rest) = body.strip_prefix('!') {
            negated = !negated;
            body = rest;
        }
        let expanded = expand_braces(body, pattern)?;
        let alternatives = expanded
            .iter()
            .map(|alt| tokenize(alt, pattern))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            pattern: pattern.to_owned(),
            negated,
            alternatives,
        })
    }

    /// A glob over names that are not paths (principals, tool names): `*` matches any run of
    /// characters, `/` included, so `user:*` matches `user:default/jane`.
    pub fn new_flat(pattern: &str) -> Result<Self, GlobError> {
        let mut glob = Self::new(pattern)?;
        for token in glob.alternatives.iter_mut().flatten() {
            if *token == Token::Star {
                *token = Token::GlobStar;
            }
        }
        Ok(glob)
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let hit = self
            .alternatives
            .iter()
            .any(|tokens| match_tokens(tokens, &chars));
        hit != self.negated
    }
}

/// `a{b,c}d` → `abd`, `acd` (nested braces too). A brace without a comma stays literal, as
/// in minimatch.
fn expand_braces(text: &str, pattern: &str) -> Result<Vec<String>, GlobError> {
    let chars: Vec<char> = text.chars().collect();
    let Some(open) = find_unescaped(&chars, 0, '{') else {
        return Ok(vec![text.to_owned()]);
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    let Some(close) = close else {
        return Err(GlobError::UnclosedBrace(pattern.to_owned()));
    };
    let prefix: String = chars[..open].iter().collect();
    let suffix: String = chars[close + 1..].iter().collect();
    let suffixes = expand_braces(&suffix, pattern)?;
    if commas.is_empty() {
        // `{x}` is literal: keep it, expand what follows.
        let literal: String = chars[open..=close].iter().collect();
        return Ok(suffixes
            .into_iter()
            .map(|s| format!("{prefix}{literal}{s}"))
            .collect());
    }
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let part: String = chars[w[0] + 1..w[1]].iter().collect();
        for middle in expand_braces(&part, pattern)? {
            for s in &suffixes {
                out.push(format!("{prefix}{middle}{s}"));
                if out.len() > MAX_ALTERNATIVES {
                    return Err(GlobError::TooManyAlternatives(pattern.to_owned()));
                }
            }
        }
    }
    Ok(out)
}

fn find_unescaped(chars: &[char], from: usize, wanted: char) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == wanted {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn tokenize(text: &str, pattern: &str) -> Result<Vec<Token>, GlobError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                tokens.push(Token::Char(chars[i + 1]));
                i += 2;
                continue;
            }
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    while chars.get(i + 1) == Some(&'*') {
                        i += 1;
                    }
                    tokens.push(Token::GlobStar);
                } else {
                    tokens.push(Token::Star);
                }
            }
            '?' => tokens.push(Token::One),
            '[' => {
                let (token, next) = class(&chars, i, pattern)?;
                tokens.push(token);
                i = next;
                continue;
            }
            c => tokens.push(Token::Char(c)),
        }
        i += 1;
    }
    Ok(tokens)
}

/// Parse `[...]` starting at `start`; returns the token and the index after `]`.
fn class(chars: &[char], start: usize, pattern: &str) -> Result<(Token, usize), GlobError> {
    let mut i = start + 1;
    let negated = matches!(chars.get(i), Some('!') | Some('^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && !first {
            return Ok((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        let lo = if c == '\\' && i + 1 < chars.len() {
            i += 1;
            chars[i]
        } else {
            c
        };
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&h| h != ']') {
            ranges.push((lo, chars[i + 2]));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    Err(GlobError::UnclosedClass(pattern.to_owned()))
}

fn match_one(token: &Token, c: char) -> bool {
    match token {
        Token::Char(t) => *t == c,
        Token::One => c != '/',
        Token::Class { negated, ranges } => {
            let inside = ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
            inside != *negated && c != '/'
        }
        Token::Star | Token::GlobStar => false,
    }
}

/// Iterative wildcard matching with backtracking to the last star (linear in practice).
fn match_tokens(tokens: &[Token], text: &[char]) -> bool {
    let (mut t, mut s) = (0, 0);
    let mut star: Option<(usize, usize, bool)> = None; // (token index, text index, crosses '/')
    while s < text.len() {
        match tokens.get(t) {
            Some(Token::Star) => {
                star = Some((t, s, false));
                t += 1;
            }
            Some(Token::GlobStar) => {
                star = Some((t, s, true));
                t += 1;
            }
            Some(token) if match_one(token, text[s]) => {
                t += 1;
                s += 1;
            }
            _ => match star {
                Some((st, ss, deep)) if deep || text[ss] != '/' => {
                    star = Some((st, ss + 1, deep));
                    t = st + 1;
                    s = ss + 1;
                }
                _ => return false,
            },
        }
    }
    tokens[t..]
        .iter()
        .all(|tk| matches!(tk, Token::Star | Token::GlobStar))
}
