//! The one match language of the policies over tool calls (rate limits, and confirmations
//! after them): a principal glob, a tool glob, the action's attributes and a server key, each
//! optional; a match needs every key it names to match. Server filters match actions by the
//! same attribute rule ([`crate::tools::AttributeRule`]).

use crate::tools::glob::{Glob, GlobError};
use crate::tools::{AttributeRule, Attributes};

/// What a policy knows of one tool call.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    /// `user:<entity ref>` or `service:<subject>`, as the plugin names callers.
    pub principal: &'a str,
    pub tool: &'a str,
    /// The named server the call came to (`None`: the default `/v1`).
    pub server: Option<&'a str>,
    /// The action's attributes, when they were looked up (see [`CallMatch::needs_attributes`]).
    pub attributes: Option<&'a Attributes>,
}

/// One match: the keys a rule names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallMatch {
    pub principal: Option<Glob>,
    pub tool: Option<Glob>,
    pub attributes: AttributeRule,
    pub server: Option<String>,
}

impl CallMatch {
    /// A match from its keys as configured. The globs match whole names, `*` crossing `/`.
    pub fn new(
        principal: Option<&str>,
        tool: Option<&str>,
        attributes: AttributeRule,
        server: Option<&str>,
    ) -> Result<Self, (&'static str, GlobError)> {
        Ok(Self {
            principal: principal
                .map(Glob::new_flat)
                .transpose()
                .map_err(|e| ("principal", e))?,
            tool: tool
                .map(Glob::new_flat)
                .transpose()
                .map_err(|e| ("tool", e))?,
            attributes,
            server: server.map(str::to_owned),
        })
    }

    /// Whether the answer depends on the action's attributes.
    pub fn needs_attributes(&self) -> bool {
        !self.attributes.is_empty()
    }

    /// Whether the keys other than the attributes match.
    pub fn matches_call(&self, facts: &CallFacts<'_>) -> bool {
        self.principal
            .as_ref()
            .is_none_or(|g| g.matches(facts.principal))
            && self.tool.as_ref().is_none_or(|g| g.matches(facts.tool))
            && self
                .server
                .as_deref()
                .is_none_or(|s| facts.server == Some(s))
    }

    /// Whether every key matches. Attributes that were not looked up match no rule that
    /// names some (an action without attributes has none of them set either).
    pub fn matches(&self, facts: &CallFacts<'_>) -> bool {
        self.matches_call(facts)
            && (!self.needs_attributes()
                || self
                    .attributes
                    .matches(facts.attributes.unwrap_or(&Attributes::default())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(principal: &'a str, tool: &'a str, attributes: &'a Attributes) -> CallFacts<'a> {
        CallFacts {
            principal,
            tool,
            server: None,
            attributes: Some(attributes),
        }
    }

    #[test]
    fn every_named_key_must_match() {
        let destructive = Attributes {
            destructive: Some(true),
            ..Attributes::default()
        };
        let plain = Attributes::default();
        let rule = CallMatch::new(
            Some("user:*"),
            Some("platform.*"),
            AttributeRule {
                destructive: Some(true),
                ..AttributeRule::default()
            },
            None,
        )
        .unwrap();
        assert!(rule.needs_attributes());
        let jane = "user:default/jane";
        assert!(rule.matches(&facts(jane, "platform.restart-deployment", &destructive)));
        assert!(!rule.matches(&facts(jane, "platform.restart-deployment", &plain)));
        assert!(!rule.matches(&facts(jane, "catalog.get-entity", &destructive)));
        assert!(!rule.matches(&facts("service:ci", "platform.restart", &destructive)));
        // Not looked up: no attribute rule matches.
        let unknown = CallFacts {
            attributes: None,
            ..facts(jane, "platform.restart-deployment", &plain)
        };
        assert!(rule.matches_call(&unknown));
        assert!(!rule.matches(&unknown));
    }

    #[test]
    fn an_empty_match_is_every_call_and_a_server_key_is_exact() {
        let any = CallMatch::default();
        let plain = Attributes::default();
        assert!(!any.needs_attributes());
        assert!(any.matches(&facts("service:ci", "x.y", &plain)));
        let incidents =
            CallMatch::new(None, None, AttributeRule::default(), Some("incidents")).unwrap();
        let on = |server| CallFacts {
            server,
            ..facts("service:ci", "x.y", &plain)
        };
        assert!(incidents.matches(&on(Some("incidents"))));
        assert!(!incidents.matches(&on(Some("incidents-2"))));
        assert!(!incidents.matches(&on(None)));
    }

    #[test]
    fn a_bad_glob_names_its_key() {
        let err =
            CallMatch::new(Some("user:[x"), None, AttributeRule::default(), None).unwrap_err();
        assert_eq!(err.0, "principal");
        let err = CallMatch::new(None, Some(""), AttributeRule::default(), None).unwrap_err();
        assert_eq!(err, ("tool", GlobError::Empty));
    }
}
