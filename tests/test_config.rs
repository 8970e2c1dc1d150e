//! Configuration validation at startup: every bad value is named by its key.

use mcp_actions_backend::config::is_valid_server_key;
use mcp_actions_backend::EngineConfig;

#[test]
fn server_keys() {
    for good in ["catalog", "a", "0", "read-only", "x1-y2"] {
        assert!(is_valid_server_key(good), "{good}");
    }
    for bad in ["", "sse", "Catalog", "-x", "a_b", "a.b", "a/b", "ü"] {
        assert!(!is_valid_server_key(bad), "{bad}");
    }
}

#[test]
fn a_bad_key_names_itself() {
    let err =
        EngineConfig::from_json(r#"{"servers": [{"key": "Bad_Key", "name": "x"}]}"#).unwrap_err();
    assert_eq!(err.key, "mcpActions.servers.Bad_Key");
    assert!(
        err.to_string()
            .contains("invalid MCP server key \"Bad_Key\""),
        "{err}"
    );
    let err = EngineConfig::from_json(r#"{"servers": [{"key": "sse", "name": "x"}]}"#).unwrap_err();
    assert!(err.to_string().contains("\"sse\""), "{err}");
}

#[test]
fn a_bad_glob_names_its_rule() {
    let err = EngineConfig::from_json(
        r#"{"servers": [{"key": "k", "name": "x", "exclude": [{"id": "a"}, {"id": "catalog:[x"}]}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.key, "mcpActions.servers.k.filter.exclude[1].id");
}

#[test]
fn page_size_bounds() {
    assert_eq!(
        EngineConfig::from_json(r#"{"toolsPageSize": 50}"#)
            .unwrap()
            .page_size,
        50
    );
    assert_eq!(EngineConfig::from_json("{}").unwrap().page_size, 500);
    for bad in ["0", "-1", "10001", "2.5"] {
        let err = EngineConfig::from_json(&format!(r#"{{"toolsPageSize": {bad}}}"#)).unwrap_err();
        assert_eq!(err.key, "mcpActions.toolsPageSize");
    }
}

#[test]
fn defaults() {
    let c = EngineConfig::from_json("{}").unwrap();
    assert_eq!(c.default_server.name, "backstage");
    assert!(c.naming.namespaced);
    assert!(c.servers.is_empty());
}

#[test]
fn tool_list_ttl_bounds() {
    use std::time::Duration;
    assert_eq!(
        EngineConfig::from_json("{}").unwrap().tool_list_ttl,
        Duration::from_secs(5)
    );
    assert_eq!(
        EngineConfig::from_json(r#"{"toolListTtl": 0}"#)
            .unwrap()
            .tool_list_ttl,
        Duration::ZERO
    );
    let err = EngineConfig::from_json(r#"{"toolListTtl": -1}"#).unwrap_err();
    assert_eq!(err.key, "mcpActions.cache.toolListTtl");
}
