//! MCP Apps (`mcpActions.apps`): which client gets which tool list (per declared capability
//! and era), the views as `ui://` resources, unknown URIs, and the adopters' views config.

mod common;

use std::path::PathBuf;

use common::*;
use mcp_actions_backend::{EngineConfig, HttpResponse, PostRequest};
use serde_json::{json, Value};

const MIME: &str = "text/html;profile=mcp-app";
const CARD: &str = "ui://mcp-actions/entity-card.html";
const TABLE: &str = "ui://mcp-actions/entity-table.html";
const RESULT: &str = "ui://mcp-actions/result.html";

/// A directory with stand-ins for the package's built views (and an adopter's file).
fn views_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-actions-apps-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["entity-card", "entity-table", "result"] {
        std::fs::write(
            dir.join(format!("{name}.html")),
            format!("<!DOCTYPE html><html><head><title>{name}</title></head><body></body></html>"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("deploys.html"),
        "<html><body>deploys</body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a view").unwrap();
    dir
}

fn apps_config(tag: &str, apps: Value) -> Result<EngineConfig, mcp_actions_backend::ConfigError> {
    let dir = views_dir(tag);
    let mut apps = apps;
    apps.as_object_mut()
        .unwrap()
        .insert("builtinDir".into(), json!(dir.to_str().unwrap()));
    EngineConfig::from_json(
        &json!({
            "pluginSources": ["catalog", "scaffolder"],
            "page": {"appBaseUrl": "https://backstage.example.com/"},
            "apps": apps,
        })
        .to_string(),
    )
}

fn catalog_actions() -> Value {
    let mut get = action("catalog", "get-catalog-entity", true);
    get["schema"]["output"] =
        json!({"type": "object", "properties": {}, "additionalProperties": true});
    let query = action("catalog", "query-catalog-entities", true);
    let mut shaped = action("scaffolder", "describe-entity", true);
    shaped["schema"]["output"] = json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}});
    json!({"actions": [get, query, shaped, action("scaffolder", "run-template", false)]})
}

fn apps_fixture(tag: &str, apps: Value) -> Fixture {
    fixture_with(
        apps_config(tag, apps).unwrap(),
        catalog_actions(),
        vec![(
            "catalog:get-catalog-entity",
            Ok(r#"{"kind":"Component","metadata":{"name":"a"}}"#.to_owned()),
        )],
    )
}

fn ui_caps() -> Value {
    json!({"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": [MIME]}}})
}

/// `tools/list` as a 2026-07-28 client declaring `capabilities`.
async fn modern_list(f: &Fixture, capabilities: Value) -> HttpResponse {
    let body = modern_request(
        json!(1),
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": capabilities}}),
    );
    post_modern(&f.engine, Modern::of("tools/list", None), &body).await
}

fn views_of(list: &Value) -> Vec<(String, Value)> {
    list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t["_meta"].clone()))
        .collect()
}

fn meta(uri: &str) -> Value {
    json!({"ui": {"resourceUri": uri, "visibility": ["model", "app"]}, "ui/resourceUri": uri})
}

#[tokio::test]
async fn a_modern_client_that_declares_the_extension_gets_the_views() {
    let f = apps_fixture("modern", json!({}));
    let list = body_json(&modern_list(&f, ui_caps()).await);
    assert_eq!(
        views_of(&list),
        vec![
            ("catalog.get-catalog-entity".into(), meta(CARD)),
            ("catalog.query-catalog-entities".into(), meta(TABLE)),
            ("scaffolder.describe-entity".into(), meta(CARD)),
            ("scaffolder.run-template".into(), Value::Null),
        ]
    );
}

#[tokio::test]
async fn a_client_known_to_lack_the_extension_gets_todays_list_byte_for_byte() {
    let on = apps_fixture("lack", json!({}));
    let off = fixture_with(config_from(json!({})), catalog_actions(), vec![]);
    for caps in [
        json!({}),
        json!({"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html"]}}}),
    ] {
        let with = modern_list(&on, caps.clone()).await;
        let without = modern_list(&off, caps).await;
        assert_eq!(with.body, without.body);
        assert!(!with.body.as_deref().unwrap().contains("ui://"));
    }
    // The decorated list is cached beside the plain one: asking again answers the same.
    let again = body_json(&modern_list(&on, ui_caps()).await);
    assert_eq!(views_of(&again)[0].1, meta(CARD));
    assert!(!modern_list(&on, json!({}))
        .await
        .body
        .unwrap()
        .contains("ui://"));
}

/// A 2025 POST, optionally in a session.
async fn legacy(f: &Fixture, session: Option<&str>, body: &str) -> HttpResponse {
    f.engine
        .handle_post(
            PostRequest {
                session_id: session,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx(),
        )
        .await
}

#[tokio::test]
async fn a_2025_session_follows_its_initialize_and_a_stateless_request_gets_the_views() {
    let mut config = apps_config("legacy", json!({})).unwrap();
    config.sessions.stateful = true;
    let f = fixture_with(config, catalog_actions(), vec![]);
    let list = request(2, "tools/list", json!({}));
    for (caps, shown) in [(json!({}), false), (ui_caps(), true)] {
        let init = request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": caps, "clientInfo": {"name": "t", "version": "1"}}),
        );
        let opened = legacy(&f, None, &init).await;
        assert_eq!(opened.status, 200);
        let init_result = body_json(&opened);
        assert_eq!(
            init_result["result"]["capabilities"]["extensions"]["io.modelcontextprotocol/ui"],
            json!({"mimeTypes": [MIME]})
        );
        let id = opened.header("mcp-session-id").unwrap().to_owned();
        let body = legacy(&f, Some(&id), &list).await.body.unwrap();
        assert_eq!(body.contains(CARD), shown, "{caps}");
    }
    // Stateless: nothing is known of the client, so the views are offered.
    let mut config = apps_config("stateless", json!({})).unwrap();
    config.sessions.stateful = false;
    let f = fixture_with(config, catalog_actions(), vec![]);
    let body = body_json(&legacy(&f, None, &list).await);
    assert_eq!(views_of(&body)[1].1, meta(TABLE));
}

#[tokio::test]
async fn discover_advertises_the_extension_and_resources() {
    let f = apps_fixture("discover", json!({}));
    let body = modern_request(json!(1), "server/discover", json!({}));
    let r = body_json(&post_modern(&f.engine, Modern::of("server/discover", None), &body).await);
    let caps = &r["result"]["capabilities"];
    assert_eq!(
        caps["extensions"]["io.modelcontextprotocol/ui"],
        json!({"mimeTypes": [MIME]})
    );
    assert_eq!(caps["resources"], json!({}));
    // Turned off: no extension.
    let off = apps_fixture("discover-off", json!({"enabled": false}));
    let r = body_json(&post_modern(&off.engine, Modern::of("server/discover", None), &body).await);
    assert!(r["result"]["capabilities"]["extensions"]
        .get("io.modelcontextprotocol/ui")
        .is_none());
}

async fn read(f: &Fixture, uri: &str) -> HttpResponse {
    let body = modern_request(json!(7), "resources/read", json!({"uri": uri}));
    post_modern(&f.engine, Modern::of("resources/read", Some(uri)), &body).await
}

#[tokio::test]
async fn each_view_reads_as_html_with_its_meta_and_the_page_config() {
    let f = apps_fixture("read", json!({}));
    for (uri, name) in [
        (CARD, "entity-card"),
        (TABLE, "entity-table"),
        (RESULT, "result"),
    ] {
        let r = read(&f, uri).await;
        assert_eq!(r.status, 200);
        let content = &body_json(&r)["result"]["contents"][0];
        assert_eq!(content["uri"], uri);
        assert_eq!(content["mimeType"], MIME);
        assert_eq!(
            content["_meta"]["ui"],
            json!({"csp": {"connectDomains": [], "resourceDomains": []}, "prefersBorder": true})
        );
        let html = content["text"].as_str().unwrap();
        assert!(html.starts_with(&format!("<!DOCTYPE html><html><head><title>{name}</title><script type=\"application/json\" id=\"mcp-actions-view-config\">")));
        assert!(
            html.contains(r#""appBaseUrl":"https://backstage.example.com""#),
            "{html}"
        );
        assert!(
            html.contains(r#""entityTool":"catalog.get-catalog-entity""#),
            "{html}"
        );
    }
}

#[tokio::test]
async fn an_unknown_view_gets_the_answer_of_an_unknown_result_link() {
    let f = apps_fixture("unknown", json!({}));
    let unknown_view = read(&f, "ui://mcp-actions/nope.html").await;
    let unknown_link = read(&f, "mcp-actions://results/nope").await;
    let (status, code, id, message) = rpc_error(&unknown_view);
    assert_eq!(
        (status, code, id, message.as_str()),
        (200, -32602, json!(7), "Resource not found")
    );
    assert_eq!(rpc_error(&unknown_link).1, -32602);
    // With the views off, a view's URI is unknown too.
    let off = apps_fixture("unknown-off", json!({"enabled": false}));
    assert_eq!(rpc_error(&read(&off, CARD).await).1, -32602);
    // 2025: -32002, as for a result link.
    let legacy_read = request(3, "resources/read", json!({"uri": "ui://other/x.html"}));
    let (_, code, id, _) = rpc_error(&post(&f.engine, &legacy_read).await);
    assert_eq!((code, id), (-32002, json!(3)));
}

#[tokio::test]
async fn resources_list_names_the_views_only_for_clients_that_get_them() {
    let f = apps_fixture("list", json!({}));
    let list = |caps: Value| {
        modern_request(
            json!(1),
            "resources/list",
            json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": caps}}),
        )
    };
    let r = body_json(
        &post_modern(
            &f.engine,
            Modern::of("resources/list", None),
            &list(ui_caps()),
        )
        .await,
    );
    let uris: Vec<&str> = r["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, [CARD, TABLE, RESULT]);
    assert_eq!(r["result"]["resources"][0]["mimeType"], MIME);
    let r = body_json(
        &post_modern(
            &f.engine,
            Modern::of("resources/list", None),
            &list(json!({})),
        )
        .await,
    );
    assert_eq!(r["result"]["resources"], json!([]));
    let templates = modern_request(
        json!(2),
        "resources/templates/list",
        json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": ui_caps()}}),
    );
    let r = body_json(
        &post_modern(
            &f.engine,
            Modern::of("resources/templates/list", None),
            &templates,
        )
        .await,
    );
    assert_eq!(r["result"]["resourceTemplates"], json!([]));
}

#[tokio::test]
async fn adopters_views_come_first_and_are_served() {
    let dir = views_dir("adopters");
    let f = apps_fixture(
        "adopters",
        json!({"views": [
            {"tool": "scaffolder.run-*", "file": dir.join("deploys.html").to_str().unwrap()},
            {"tool": "catalog.query-*", "view": "result"},
        ]}),
    );
    let list = body_json(&modern_list(&f, ui_caps()).await);
    let custom = "ui://mcp-actions/views/0/deploys.html";
    assert_eq!(
        views_of(&list),
        vec![
            ("catalog.get-catalog-entity".into(), meta(CARD)),
            ("catalog.query-catalog-entities".into(), meta(RESULT)),
            ("scaffolder.describe-entity".into(), meta(CARD)),
            ("scaffolder.run-template".into(), meta(custom)),
        ]
    );
    let content = &body_json(&read(&f, custom).await)["result"]["contents"][0];
    // An adopter's file is served exactly as written.
    assert_eq!(content["text"], "<html><body>deploys</body></html>");
    assert_eq!(content["mimeType"], MIME);
}

#[test]
fn bad_adopters_views_are_startup_errors_naming_the_key_and_file() {
    let dir = views_dir("bad");
    let missing = dir.join("missing.html");
    let text = dir.join("notes.txt");
    let cases = [
        (
            json!([{"tool": "x.*", "file": missing.to_str().unwrap()}]),
            "mcpActions.apps.views[0].file",
            format!("{} cannot be read", missing.display()),
        ),
        (
            json!([{"tool": "x.*", "file": text.to_str().unwrap()}]),
            "mcpActions.apps.views[0].file",
            format!("{} is not an HTML document", text.display()),
        ),
        (
            json!([{"tool": "x.*", "file": dir.to_str().unwrap()}]),
            "mcpActions.apps.views[0].file",
            "is not a file".into(),
        ),
        (
            json!([{"tool": "x.*", "view": "chart"}]),
            "mcpActions.apps.views[0].view",
            "must be entity-card, entity-table or result, got \"chart\"".into(),
        ),
        (
            json!([{"tool": "x.*"}]),
            "mcpActions.apps.views[0]",
            "needs exactly one of file".into(),
        ),
        (
            json!([{"view": "result"}]),
            "mcpActions.apps.views[0].tool",
            "is missing".into(),
        ),
        (
            json!([{"tool": "x.*", "view": "result"}, {"tool": "[", "view": "result"}]),
            "mcpActions.apps.views[1].tool",
            "not a valid glob".into(),
        ),
    ];
    for (views, key, message) in cases {
        let err = apps_config("bad", json!({"views": views})).unwrap_err();
        assert_eq!(err.key, key);
        assert!(
            err.message.contains(&message),
            "{} does not contain {message}",
            err.message
        );
    }
    let err = apps_config(
        "bad",
        json!({"enabled": false, "views": [{"tool": "x", "view": "result"}]}),
    )
    .unwrap_err();
    assert_eq!(err.key, "mcpActions.apps.views");
}

#[test]
fn missing_built_in_views_are_a_startup_error() {
    let err =
        EngineConfig::from_json(&json!({"apps": {"builtinDir": "/nonexistent/views"}}).to_string())
            .unwrap_err();
    assert_eq!(err.key, "mcpActions.apps");
    assert!(
        err.message
            .contains("/nonexistent/views/entity-card.html cannot be read"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("mcpActions.apps.enabled to false"),
        "{}",
        err.message
    );
}
