//! Which actions a server offers: `filter.include[]` / `filter.exclude[]` rules of
//! `mcpActions.servers.<key>`, with the official plugin's semantics: a rule matches when its
//! `id` glob and every attribute it names match; exclude wins; no include rules means
//! everything not excluded.

use super::action::{Action, Attributes};
use super::glob::{Glob, GlobError};

/// The attribute values a rule requires (`None`: any).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttributeRule {
    pub destructive: Option<bool>,
    pub read_only: Option<bool>,
    pub idempotent: Option<bool>,
}

impl AttributeRule {
    pub fn is_empty(&self) -> bool {
        self.destructive.is_none() && self.read_only.is_none() && self.idempotent.is_none()
    }

    pub fn matches(&self, attrs: &Attributes) -> bool {
        let ok = |want: Option<bool>, have: Option<bool>| want.is_none() || want == have;
        ok(self.destructive, attrs.destructive)
            && ok(self.read_only, attrs.read_only)
            && ok(self.idempotent, attrs.idempotent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: Option<Glob>,
    pub attributes: AttributeRule,
}

impl Rule {
    pub fn new(id: Option<&str>, attributes: AttributeRule) -> Result<Self, GlobError> {
        Ok(Self {
            id: id.map(Glob::new).transpose()?,
            attributes,
        })
    }

    fn matches(&self, id: &str, attrs: &Attributes) -> bool {
        self.id.as_ref().is_none_or(|g| g.matches(id)) && self.attributes.matches(attrs)
    }

    /// The answer from the id alone, when the rule names no attributes.
    fn matches_id(&self, id: &str) -> Option<bool> {
        self.attributes
            .is_empty()
            .then(|| self.id.as_ref().is_none_or(|g| g.matches(id)))
    }
}

/// The rules of one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub include: Vec<Rule>,
    pub exclude: Vec<Rule>,
}

impl Filter {
    /// Whether the server offers `action`. `read_only`: the per-request switch
    /// (`X-MCP-Readonly: true`) that keeps only actions with `readOnly: true`.
    pub fn allows(&self, action: &Action, read_only: bool) -> bool {
        let (id, attrs) = (&action.id, &action.attributes);
        if read_only && attrs.read_only != Some(true) {
            return false;
        }
        if self.exclude.iter().any(|r| r.matches(id, attrs)) {
            return false;
        }
        self.include.is_empty() || self.include.iter().any(|r| r.matches(id, attrs))
    }

    /// Whether the action `id` is offered, decided from the id alone; `None` when the answer
    /// needs the action's attributes (then the action list decides).
    pub fn allows_id(&self, id: &str, read_only: bool) -> Option<bool> {
        if read_only {
            return None;
        }
        for rule in &self.exclude {
            if rule.matches_id(id)? {
                return Some(false);
            }
        }
        if self.include.is_empty() {
            return Some(true);
        }
        let mut any = false;
        for rule in &self.include {
            any |= rule.matches_id(id)?;
        }
        Some(any)
    }
}
