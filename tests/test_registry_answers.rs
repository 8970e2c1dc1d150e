//! Action lists as the shim's registry client hands them over (one answer per plugin source),
//! and `backend.actions.filter` applied to every list.

mod common;

use common::*;
use mcp_actions_backend::tools::ActionList;
use serde_json::json;

fn tool_names(body: &serde_json::Value) -> Vec<String> {
    body["result"]["tools"]
        .as_array()
        .expect("a tool list")
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn one_answer_per_plugin_source_is_merged_in_order() {
    let list = ActionList::parse(
        &json!([
            {"actions": [action("catalog", "get-entity", true)]},
            {"actions": []},
            {"actions": [action("scaffolder", "run-template", false), action("scaffolder", "dry-run", true)]},
        ])
        .to_string(),
    )
    .unwrap();
    let ids: Vec<_> = list.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "catalog:get-entity",
            "scaffolder:run-template",
            "scaffolder:dry-run"
        ]
    );
}

#[test]
fn no_plugin_source_answering_is_an_empty_list() {
    assert!(ActionList::parse(" []").unwrap().actions.is_empty());
}

#[test]
fn a_source_answer_that_is_not_an_action_list_is_refused() {
    let err = ActionList::parse(r#"[{"actions": [{"id": 1}]}]"#).unwrap_err();
    assert!(err.to_string().contains("action list"), "{err}");
}

#[tokio::test]
async fn several_sources_become_one_sorted_tool_list() {
    let f = fixture_with(
        config(),
        json!([
            {"actions": [action("scaffolder", "run-template", false)]},
            {"actions": [action("catalog", "get-entity", true)]},
        ]),
        vec![],
    );
    let r = post(&f.engine, &request(1, "tools/list", json!({}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        tool_names(&body_json(&r)),
        ["catalog.get-entity", "scaffolder.run-template"]
    );
}

#[tokio::test]
async fn backend_actions_filter_leaves_actions_out_of_every_list() {
    let f = fixture_with(
        config_from(json!({
            "actionsFilter": {
                "include": [{"id": "catalog:*"}, {"id": "scaffolder:*"}],
                "exclude": [{"destructive": true}],
            },
            "servers": [{"key": "all", "name": "All"}],
        })),
        default_actions(),
        vec![],
    );
    for server in [None, Some("all")] {
        let r = post_to(
            &f.engine,
            server,
            None,
            &request(1, "tools/list", json!({})),
        )
        .await;
        assert_eq!(
            tool_names(&body_json(&r)),
            ["catalog.get-entity"],
            "{server:?}"
        );
    }
}

#[test]
fn a_bad_backend_actions_filter_rule_names_its_key() {
    let err = mcp_actions_backend::EngineConfig::from_json(
        &json!({"actionsFilter": {"exclude": [{"id": "[unclosed"}]}}).to_string(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("backend.actions.filter.exclude"),
        "{err}"
    );
}
