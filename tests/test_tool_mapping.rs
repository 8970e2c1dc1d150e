//! `tools/list`: action → tool names, annotations and schemas; invalid actions skipped.

mod common;
use common::*;
use mcp_actions_backend::tools::mapping::is_valid_tool_name;
use mcp_actions_backend::tools::ToolNaming;
use mcp_actions_backend::HostError;
use serde_json::{json, Value};

async fn tools(f: &Fixture) -> Vec<Value> {
    let r = post(&f.engine, &request(1, "tools/list", json!({}))).await;
    assert_eq!(r.status, 200);
    body_json(&r)["result"]["tools"].as_array().unwrap().clone()
}

#[tokio::test]
async fn tools_are_named_plugin_dot_action_with_full_fields() {
    let f = fixture();
    let tools = tools(&f).await;
    let names: Vec<_> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "catalog.delete-entity",
            "catalog.get-entity",
            "scaffolder.run-template"
        ]
    );
    assert_eq!(
        tools[1],
        json!({
            "name": "catalog.get-entity",
            "title": "Title of get-entity",
            "description": "Does get-entity",
            "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
            "outputSchema": {"type": "object", "properties": {"n": {"type": "number"}}},
            "annotations": {
                "title": "Title of get-entity",
                "readOnlyHint": true,
                "destructiveHint": false,
                "idempotentHint": true,
                "openWorldHint": false
            }
        })
    );
    assert_eq!(tools[0]["annotations"]["destructiveHint"], true);
}

#[tokio::test]
async fn plain_action_names_when_namespacing_is_off() {
    let cfg = config_from(json!({"namespacedToolNames": false}));
    let f = fixture_with(cfg, default_actions(), vec![]);
    let names: Vec<_> = tools(&f)
        .await
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["delete-entity", "get-entity", "run-template"]);
}

#[tokio::test]
async fn invalid_actions_are_skipped_and_the_list_survives() {
    let mut not_object = action("catalog", "bad-input", true);
    not_object["schema"]["input"] = json!({"type": "string"});
    let bad_name = action("catalog", "has spaces", true);
    let mut non_object_output = action("catalog", "list-names", true);
    non_object_output["schema"]["output"] = json!({"type": "array"});
    let actions = json!({"actions": [not_object, bad_name, non_object_output, action("catalog", "ok", true)]});
    let f = fixture_with(config(), actions, vec![]);
    let tools = tools(&f).await;
    let names: Vec<_> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // Characters MCP does not allow become `_`; a non-object input schema drops the action.
    assert_eq!(
        names,
        ["catalog.has_spaces", "catalog.list-names", "catalog.ok"]
    );
    // A non-object output schema is left out; the tool stays.
    assert!(tools[1].get("outputSchema").is_none());
}

#[tokio::test]
async fn a_registry_failure_is_an_internal_error_without_details_for_unknown_errors() {
    let f = fixture_with_list_error(HostError::new("Error", "secret=abc"));
    let r = post(&f.engine, &request(1, "tools/list", json!({}))).await;
    let b = body_json(&r);
    assert_eq!(b["error"]["code"], -32603);
    assert!(!b["error"]["message"].as_str().unwrap().contains("secret"));
}

#[tokio::test]
async fn a_known_registry_error_is_named_in_the_internal_error() {
    let f = fixture_with_list_error(HostError::new("NotAllowedError", "nope"));
    let b = body_json(&post(&f.engine, &request(1, "tools/list", json!({}))).await);
    assert_eq!(b["error"]["code"], -32603);
    assert_eq!(
        b["error"]["message"],
        "Could not list actions: NotAllowedError: nope"
    );
}

#[test]
fn tool_name_rules() {
    assert!(is_valid_tool_name("catalog.get-entity_2"));
    assert!(!is_valid_tool_name(""));
    assert!(!is_valid_tool_name("a b"));
    assert!(!is_valid_tool_name("ünïcode"));
    assert!(!is_valid_tool_name(&"a".repeat(129)));
    assert!(is_valid_tool_name(&"a".repeat(128)));
}

#[test]
fn namespaced_names_map_back_to_action_ids() {
    let n = ToolNaming::default();
    assert_eq!(
        n.action_id("catalog.get-entity").as_deref(),
        Some("catalog:get-entity")
    );
    assert_eq!(
        n.action_id("catalog.get.entity").as_deref(),
        Some("catalog:get.entity")
    );
    assert_eq!(n.action_id("nodot"), None);
    assert_eq!(n.action_id(".x"), None);
    assert_eq!(
        ToolNaming {
            namespaced: false,
            ..ToolNaming::default()
        }
        .action_id("catalog.x"),
        None
    );
}
