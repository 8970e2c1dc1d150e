//! Action-id globs with minimatch semantics.

use mcp_actions_backend::tools::glob::{Glob, GlobError};

fn m(pattern: &str, text: &str) -> bool {
    Glob::new(pattern).unwrap().matches(text)
}

#[test]
fn star_question_and_literals() {
    assert!(m("catalog:*", "catalog:get-entity"));
    assert!(m("catalog:get-*", "catalog:get-entity"));
    assert!(!m("catalog:get-*", "catalog:delete-entity"));
    assert!(!m("catalog:get-*", "scaffolder:get-x"));
    assert!(m("*:get-*", "scaffolder:get-x"));
    assert!(m("catalog:?et-entity", "catalog:get-entity"));
    assert!(!m("catalog:?et-entity", "catalog:et-entity"));
    assert!(m("catalog:get-entity", "catalog:get-entity"));
    assert!(!m("catalog:get-entity", "catalog:get-entity2"));
    assert!(m("*", "anything:at-all"));
}

#[test]
fn star_stops_at_slash_and_globstar_does_not() {
    assert!(!m("a:*", "a:b/c"));
    assert!(m("a:**", "a:b/c"));
    assert!(m("**", "x/y/z"));
    assert!(!m("a:?", "a:/"));
}

#[test]
fn braces_classes_and_negation() {
    assert!(m("catalog:{get,query}-*", "catalog:query-catalog-entities"));
    assert!(m("{catalog,scaffolder}:*", "scaffolder:run"));
    assert!(!m("{catalog,scaffolder}:*", "platform:run"));
    assert!(m("a:{x,y{1,2}}", "a:y2"));
    assert!(m("a:{x}", "a:{x}"), "a brace without a comma is literal");
    assert!(m("a:[bc]at", "a:cat"));
    assert!(!m("a:[!bc]at", "a:cat"));
    assert!(m("a:[a-c]at", "a:bat"));
    assert!(m("!catalog:*", "platform:x"));
    assert!(!m("!catalog:*", "catalog:x"));
    assert!(m("a:\\*", "a:*"));
    assert!(!m("a:\\*", "a:b"));
}

#[test]
fn bad_patterns_are_errors() {
    assert_eq!(Glob::new(""), Err(GlobError::Empty));
    assert!(matches!(
        Glob::new("a:[bc"),
        Err(GlobError::UnclosedClass(_))
    ));
    assert!(matches!(
        Glob::new("a:{b,c"),
        Err(GlobError::UnclosedBrace(_))
    ));
    let many = "{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b}";
    assert!(matches!(
        Glob::new(many),
        Err(GlobError::TooManyAlternatives(_))
    ));
}

#[test]
fn matching_is_not_exponential() {
    let text = "a:".to_owned() + &"a".repeat(5000);
    assert!(!m("a:*a*a*a*a*a*a*a*b", &text));
}
