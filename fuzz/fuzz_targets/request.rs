//! The request entry point: any body and headers → an HTTP answer. Never a panic; every
//! answer has a status the engine documents and, when it has a body, a JSON-RPC body (JSON
//! or one SSE event) that parses.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mcp_actions_backend::tasks::{MemoryTaskStore, Outcome, StoreError, Task, TaskStore};
use mcp_actions_backend::{
    ActionHost, CallContext, Engine, EngineConfig, HostError, PostRequest,
};

#[derive(Default)]
struct Host(MemoryTaskStore);

impl TaskStore for Host {
    async fn create(&self, task: &Task) -> Result<(), StoreError> {
        self.0.create(task).await
    }
    async fn load(&self, id: &str) -> Result<Option<Task>, StoreError> {
        self.0.load(id).await
    }
    async fn finish(&self, id: &str, outcome: Outcome, now_ms: u64) -> Result<bool, StoreError> {
        self.0.finish(id, outcome, now_ms).await
    }
    async fn heartbeat(&self, ids: &[String], now_ms: u64) -> Result<Vec<String>, StoreError> {
        self.0.heartbeat(ids, now_ms).await
    }
    async fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        self.0.sweep(now_ms).await
    }
}

const ACTIONS: &str = r#"{"actions":[
  {"id":"catalog:get-entity","pluginId":"catalog","name":"get-entity","title":"Get","description":"d",
   "schema":{"input":{"type":"object","properties":{"q":{"type":"string"}}},"output":{"type":"object"}},
   "attributes":{"readOnly":true,"destructive":false,"idempotent":true}},
  {"id":"catalog:delete-entity","pluginId":"catalog","name":"delete-entity",
   "schema":{"input":{"type":"object"}},"attributes":{"readOnly":false,"destructive":true}},
  {"id":"scaffolder:run","pluginId":"scaffolder","name":"run","schema":{"input":true}}
]}"#;

impl ActionHost for Host {
    async fn list_actions(&self, _ctx: &CallContext) -> Result<String, HostError> {
        Ok(ACTIONS.to_owned())
    }

    async fn invoke_action(
        &self,
        _ctx: &CallContext,
        action_id: &str,
        _tool: &str,
        input: String,
    ) -> Result<String, HostError> {
        match action_id {
            "catalog:get-entity" => Ok(input),
            "catalog:delete-entity" => Err(HostError::new("NotAllowedError", "no")),
            _ => Err(HostError::new(
                "NotFoundError",
                format!("Action \"{action_id}\" not found"),
            )),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    server: Option<&'a str>,
    read_only: Option<&'a str>,
    session_id: Option<&'a str>,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    protocol_version: Option<&'a str>,
    mcp_method: Option<&'a str>,
    mcp_name: Option<&'a str>,
    principal: &'a str,
    stateful: bool,
    body: &'a [u8],
}

fn engines() -> &'static [Engine<Host>; 2] {
    static ENGINES: OnceLock<[Engine<Host>; 2]> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let config = |stateful: bool| {
            EngineConfig::from_json(
                &serde_json::json!({
                    "pluginSources": ["catalog", "scaffolder"],
                    "toolsPageSize": 2,
                    "servers": [{"key": "ro", "name": "RO", "include": [{"readOnly": true}]}],
                    "sessions": {"stateful": stateful},
                })
                .to_string(),
            )
            .unwrap()
        };
        [Engine::new(config(false), Host::default()), Engine::new(config(true), Host::default())]
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fuzz_target!(|r: Request<'_>| {
    let engine = &engines()[usize::from(r.stateful)];
    let ctx = CallContext {
        credentials: 1,
        principal: r.principal.to_owned(),
        request: None,
        trace: None,
    };
    let answer = runtime().block_on(engine.handle_post(
        PostRequest {
            server: r.server,
            read_only: r.read_only,
            session_id: r.session_id,
            accept: r.accept,
            content_type: r.content_type,
            protocol_version: r.protocol_version,
            method: r.mcp_method,
            name: r.mcp_name,
            body: r.body,
        },
        &ctx,
    ));
    assert!(
        matches!(answer.status, 200 | 202 | 400 | 403 | 404 | 406 | 409 | 413 | 415 | 429 | 500 | 503),
        "status {}",
        answer.status
    );
    if let Some(body) = &answer.body {
        let json = body
            .strip_prefix("event: message\ndata: ")
            .and_then(|b| b.strip_suffix("\n\n"))
            .unwrap_or(body);
        let parsed: serde_json::Value = serde_json::from_str(json).expect("a JSON body");
        let messages = match &parsed {
            serde_json::Value::Array(items) => items.clone(),
            _ => vec![parsed.clone()],
        };
        for m in messages {
            assert_eq!(m["jsonrpc"], "2.0", "{m}");
            assert!(m.get("result").is_some() != m.get("error").is_some(), "{m}");
        }
    }
});
