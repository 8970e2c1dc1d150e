//! A host in plain Rust for engine tests: a fixed action list, scripted outcomes, and a count
//! of every call so tests can see what the engine asked for.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mcp_actions_backend::policy::confirm::Status as ConfirmStatus;
use mcp_actions_backend::policy::{ConfirmStore, Confirmation, RateCount, RateStore};
use mcp_actions_backend::protocol::context::TraceContext;
use mcp_actions_backend::secrets::elicitation::{Elicitation, ElicitationStore};
use mcp_actions_backend::tasks::{
    MemoryTaskStore, Outcome, StoreError, StoredResult, Task, TaskStore,
};
use mcp_actions_backend::usage::{UsageCounts, UsageKey, UsageStore};
use mcp_actions_backend::{
    ActionHost, CallContext, Engine, EngineConfig, HostError, HttpResponse, PostRequest,
};
use serde_json::{json, Value};

#[derive(Default)]
pub struct Calls {
    pub list: AtomicUsize,
    pub invoke: Mutex<Vec<(u32, String, String)>>,
    /// The trace context each invoke carried.
    pub traces: Mutex<Vec<Option<TraceContext>>>,
    /// Credentials handles a task let go of.
    pub released: Mutex<Vec<u32>>,
    /// The secrets each invoke carried (the registry's v2 invoke).
    pub secrets: Mutex<Vec<Option<String>>>,
}

#[derive(Clone)]
pub struct TestHost {
    /// The registry's action list; tests may change it.
    pub actions: Arc<Mutex<Value>>,
    pub outcomes: Arc<HashMap<String, Result<String, HostError>>>,
    pub list_error: Option<HostError>,
    pub calls: Arc<Calls>,
    /// How long every invoke takes (None: it answers at once).
    pub invoke_delay: Option<std::time::Duration>,
    /// How long invokes of these actions take (on top of `invoke_delay`).
    pub delays: Arc<HashMap<String, std::time::Duration>>,
    /// Invoking this action panics (a fault the engine must contain).
    pub panic_on: Option<&'static str>,
    /// The task store (the shim's database, in memory).
    pub tasks: Arc<MemoryTaskStore>,
}

impl UsageStore for TestHost {
    async fn add_usage(&self, rows: &[(UsageKey, UsageCounts)]) -> Result<(), StoreError> {
        self.tasks.add_usage(rows).await
    }

    async fn read_usage(
        &self,
        since_ms: u64,
        principal: Option<&str>,
    ) -> Result<Vec<(UsageKey, UsageCounts)>, StoreError> {
        self.tasks.read_usage(since_ms, principal).await
    }

    async fn sweep_usage(&self, before_ms: u64) -> Result<usize, StoreError> {
        self.tasks.sweep_usage(before_ms).await
    }
}

impl RateStore for TestHost {
    async fn claim_rates(&self, batch: &[RateCount]) -> Result<Vec<RateCount>, StoreError> {
        self.tasks.claim_rates(batch).await
    }
}

impl TaskStore for TestHost {
    async fn create(&self, task: &Task) -> Result<(), StoreError> {
        self.tasks.create(task).await
    }
    async fn load(&self, id: &str) -> Result<Option<Task>, StoreError> {
        self.tasks.load(id).await
    }
    async fn finish(&self, id: &str, outcome: Outcome, now_ms: u64) -> Result<bool, StoreError> {
        self.tasks.finish(id, outcome, now_ms).await
    }
    async fn heartbeat(&self, ids: &[String], now_ms: u64) -> Result<Vec<String>, StoreError> {
        self.tasks.heartbeat(ids, now_ms).await
    }
    async fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        self.tasks.sweep(now_ms).await
    }
    async fn put_result(&self, result: &StoredResult) -> Result<(), StoreError> {
        self.tasks.put_result(result).await
    }
    async fn load_result(&self, id: &str) -> Result<Option<StoredResult>, StoreError> {
        self.tasks.load_result(id).await
    }
    async fn list(&self, owner: &str, now_ms: u64, limit: usize) -> Result<Vec<Task>, StoreError> {
        self.tasks.list(owner, now_ms, limit).await
    }
}

impl ElicitationStore for TestHost {
    async fn create_elicitation(&self, e: &Elicitation) -> Result<(), StoreError> {
        self.tasks.create_elicitation(e).await
    }
    async fn load_elicitation(&self, id: &str) -> Result<Option<Elicitation>, StoreError> {
        self.tasks.load_elicitation(id).await
    }
    async fn submit_elicitation(
        &self,
        id: &str,
        sealed: &str,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        self.tasks.submit_elicitation(id, sealed, now_ms).await
    }
    async fn take_elicitation(
        &self,
        id: &str,
        now_ms: u64,
    ) -> Result<Option<Elicitation>, StoreError> {
        self.tasks.take_elicitation(id, now_ms).await
    }
    async fn find_submitted(
        &self,
        owner: &str,
        action_id: &str,
        now_ms: u64,
    ) -> Result<Option<String>, StoreError> {
        self.tasks.find_submitted(owner, action_id, now_ms).await
    }
}

impl ConfirmStore for TestHost {
    async fn create_confirmation(&self, c: &Confirmation) -> Result<(), StoreError> {
        self.tasks.create_confirmation(c).await
    }
    async fn load_confirmation(&self, id: &str) -> Result<Option<Confirmation>, StoreError> {
        self.tasks.load_confirmation(id).await
    }
    async fn set_confirmation(
        &self,
        id: &str,
        owner: &str,
        from: ConfirmStatus,
        to: ConfirmStatus,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        self.tasks
            .set_confirmation(id, owner, from, to, now_ms)
            .await
    }
    async fn take_confirmation(
        &self,
        owner: &str,
        binding: &str,
        now_ms: u64,
    ) -> Result<Option<Confirmation>, StoreError> {
        self.tasks.take_confirmation(owner, binding, now_ms).await
    }
    async fn pending_confirmations(
        &self,
        owner: &str,
        now_ms: u64,
    ) -> Result<Vec<Confirmation>, StoreError> {
        self.tasks.pending_confirmations(owner, now_ms).await
    }
}

impl ActionHost for TestHost {
    async fn list_actions(&self, _ctx: &CallContext) -> Result<String, HostError> {
        self.calls.list.fetch_add(1, Ordering::SeqCst);
        match &self.list_error {
            Some(e) => Err(e.clone()),
            None => Ok(self.actions.lock().unwrap().to_string()),
        }
    }

    async fn invoke_action(
        &self,
        ctx: &CallContext,
        action_id: &str,
        _tool: &str,
        input: String,
        secrets: Option<String>,
    ) -> Result<String, HostError> {
        self.calls.traces.lock().unwrap().push(ctx.trace.clone());
        self.calls.secrets.lock().unwrap().push(secrets.clone());
        // The registry refuses an action that declares secrets when none come (v1 invoke).
        let declares = self.actions.lock().unwrap()["actions"]
            .as_array()
            .is_some_and(|all| {
                all.iter()
                    .any(|a| a["id"] == action_id && a["schema"].get("secrets").is_some())
            });
        if declares && secrets.is_none() {
            return Err(HostError::new(
                "InputError",
                format!("Action \"{action_id}\" requires secrets but none were provided"),
            ));
        }
        self.calls.invoke.lock().unwrap().push((
            ctx.credentials,
            action_id.to_owned(),
            input.clone(),
        ));
        if self.panic_on == Some(action_id) {
            panic!("the test host panics on {action_id}");
        }
        if let Some(delay) = self.invoke_delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(delay) = self.delays.get(action_id) {
            tokio::time::sleep(*delay).await;
        }
        match self.outcomes.get(action_id) {
            Some(outcome) => outcome.clone(),
            None => Err(HostError::new(
                "NotFoundError",
                format!("Action \"{action_id}\" not found"),
            )),
        }
    }

    fn release_credentials(&self, ctx: &CallContext) {
        self.calls.released.lock().unwrap().push(ctx.credentials);
    }
}

pub fn action(plugin: &str, name: &str, read_only: bool) -> Value {
    json!({
        "id": format!("{plugin}:{name}"),
        "pluginId": plugin,
        "name": name,
        "title": format!("Title of {name}"),
        "description": format!("Does {name}"),
        "schema": {
            "input": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
            "output": {"type": "object", "properties": {"n": {"type": "number"}}}
        },
        "attributes": {"readOnly": read_only, "destructive": !read_only, "idempotent": read_only}
    })
}

pub fn default_actions() -> Value {
    json!({"actions": [
        action("catalog", "get-entity", true),
        action("catalog", "delete-entity", false),
        action("scaffolder", "run-template", false),
    ]})
}

pub struct Fixture {
    pub engine: Engine<TestHost>,
    pub calls: Arc<Calls>,
    /// The registry's action list, shared with the host.
    pub actions: Arc<Mutex<Value>>,
}

pub fn fixture_with(
    config: EngineConfig,
    actions: Value,
    outcomes: Vec<(&str, Result<String, HostError>)>,
) -> Fixture {
    let calls = Arc::new(Calls::default());
    let actions = Arc::new(Mutex::new(actions));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::new(
            outcomes
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ),
        list_error: None,
        calls: calls.clone(),
        invoke_delay: None,
        panic_on: None,
        tasks: Arc::default(),
        delays: Arc::default(),
    };
    Fixture {
        engine: Engine::new(config, host),
        calls,
        actions,
    }
}

/// A fixture whose registry fails every list with `error`.
pub fn fixture_with_list_error(error: HostError) -> Fixture {
    let calls = Arc::new(Calls::default());
    let actions = Arc::new(Mutex::new(default_actions()));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::default(),
        list_error: Some(error),
        calls: calls.clone(),
        invoke_delay: None,
        panic_on: None,
        tasks: Arc::default(),
        delays: Arc::default(),
    };
    Fixture {
        engine: Engine::new(config(), host),
        calls,
        actions,
    }
}

/// A fixture whose every action takes `delay` to answer.
pub fn slow_fixture(config: EngineConfig, delay: std::time::Duration) -> Fixture {
    let calls = Arc::new(Calls::default());
    let actions = Arc::new(Mutex::new(default_actions()));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::new(
            [("catalog:get-entity".to_owned(), Ok(r#"{"n":1}"#.to_owned()))]
                .into_iter()
                .collect(),
        ),
        list_error: None,
        calls: calls.clone(),
        invoke_delay: Some(delay),
        panic_on: None,
        tasks: Arc::default(),
        delays: Arc::default(),
    };
    Fixture {
        engine: Engine::new(config, host),
        calls,
        actions,
    }
}

/// POST `body` as `principal`, under the host's request `ticket` (abandonable, guarded).
pub async fn post_ticketed(engine: &Engine<TestHost>, ticket: u32, body: &str) -> HttpResponse {
    engine
        .handle_post_guarded(
            PostRequest {
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 7,
                principal: "user:default/jane".into(),
                request: Some(ticket),
                trace: None,
            },
            &mcp_actions_backend::engine::Observations::default(),
            None,
        )
        .await
}

/// POST `body` as `principal`.
pub async fn post_as(engine: &Engine<TestHost>, principal: &str, body: &str) -> HttpResponse {
    engine
        .handle_post(
            PostRequest {
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &CallContext {
                credentials: 7,
                principal: principal.into(),
                request: None,
                trace: None,
            },
        )
        .await
}

/// A fixture whose host panics when `action_id` is invoked.
pub fn panicking_fixture(action_id: &'static str) -> Fixture {
    let mut f = fixture();
    let calls = Arc::clone(&f.calls);
    let actions = Arc::new(Mutex::new(default_actions()));
    let host = TestHost {
        actions: actions.clone(),
        outcomes: Arc::new(
            [("catalog:get-entity".to_owned(), Ok(r#"{"n":1}"#.to_owned()))]
                .into_iter()
                .collect(),
        ),
        list_error: None,
        calls,
        invoke_delay: None,
        panic_on: Some(action_id),
        tasks: Arc::default(),
        delays: Arc::default(),
    };
    f.engine = Engine::new(config(), host);
    f
}

pub fn config() -> EngineConfig {
    config_from(json!({}))
}

/// A configuration as the shim hands it over, with the test plugins as sources.
pub fn config_from(mut raw: Value) -> EngineConfig {
    raw.as_object_mut()
        .unwrap()
        .entry("pluginSources")
        .or_insert(json!(["catalog", "scaffolder"]));
    EngineConfig::from_json(&raw.to_string()).expect("a valid configuration")
}

pub fn fixture() -> Fixture {
    fixture_with(
        config(),
        default_actions(),
        vec![
            ("catalog:get-entity", Ok(r#"{"n":1}"#.to_owned())),
            (
                "catalog:delete-entity",
                Err(HostError::new("InputError", "q must not be empty")),
            ),
            (
                "scaffolder:run-template",
                Err(HostError::new("Error", "password=hunter2 rejected")),
            ),
        ],
    )
}

pub fn ctx() -> CallContext {
    CallContext {
        credentials: 7,
        principal: "service:external:tests".into(),
        request: None,
        trace: None,
    }
}

pub const ACCEPT: &str = "application/json, text/event-stream";

/// POST `body` with the headers a well-behaved client sends.
pub async fn post(engine: &Engine<TestHost>, body: &str) -> HttpResponse {
    post_with(engine, body, Some(ACCEPT), Some("application/json"), None).await
}

/// POST `body` to `/v1/{server}` (or `/v1`), with an optional `X-MCP-Readonly` header.
pub async fn post_to(
    engine: &Engine<TestHost>,
    server: Option<&str>,
    read_only: Option<&str>,
    body: &str,
) -> HttpResponse {
    post_tools(engine, None, read_only, server, body).await
}

/// POST a legacy request with `X-MCP-Tools` (and `X-MCP-Readonly`) to `/v1[/{server}]`.
pub async fn post_tools(
    engine: &Engine<TestHost>,
    tools: Option<&str>,
    read_only: Option<&str>,
    server: Option<&str>,
    body: &str,
) -> HttpResponse {
    engine
        .handle_post(
            PostRequest {
                server,
                read_only,
                tools,
                session_id: None,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                protocol_version: None,
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx(),
        )
        .await
}

pub async fn post_with(
    engine: &Engine<TestHost>,
    body: &str,
    accept: Option<&str>,
    content_type: Option<&str>,
    protocol_version: Option<&str>,
) -> HttpResponse {
    engine
        .handle_post(
            PostRequest {
                server: None,
                read_only: None,
                session_id: None,
                accept,
                content_type,
                protocol_version,
                body: body.as_bytes(),
                ..PostRequest::default()
            },
            &ctx(),
        )
        .await
}

pub fn body_json(response: &HttpResponse) -> Value {
    serde_json::from_str(response.body.as_deref().expect("a body")).expect("JSON body")
}

/// One JSON-RPC request as text.
pub fn request(id: i64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// The `_meta` envelope a 2026-07-28 client puts on every request.
pub fn envelope() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "test-client", "version": "1.0.0"},
    })
}

/// A 2026-07-28 request: `params` with the envelope added to its `_meta`.
pub fn modern_request(id: Value, method: &str, mut params: Value) -> String {
    let meta = params
        .as_object_mut()
        .unwrap()
        .entry("_meta")
        .or_insert(json!({}));
    for (k, v) in envelope().as_object().unwrap() {
        meta.as_object_mut()
            .unwrap()
            .entry(k.clone())
            .or_insert(v.clone());
    }
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// The standard headers of a 2026-07-28 POST.
#[derive(Clone, Copy, Default)]
pub struct Modern<'a> {
    pub server: Option<&'a str>,
    pub version: Option<&'a str>,
    pub method: Option<&'a str>,
    pub name: Option<&'a str>,
    pub read_only: Option<&'a str>,
    pub session_id: Option<&'a str>,
    /// `X-MCP-Tools`.
    pub tools: Option<&'a str>,
}

impl<'a> Modern<'a> {
    /// The headers a 2026-07-28 client sends for `method` (and tool `name`).
    pub fn of(method: &'a str, name: Option<&'a str>) -> Self {
        Self {
            version: Some("2026-07-28"),
            method: Some(method),
            name,
            ..Self::default()
        }
    }
}

/// POST `body` with these standard headers.
pub async fn post_modern(
    engine: &Engine<TestHost>,
    headers: Modern<'_>,
    body: &str,
) -> HttpResponse {
    post_modern_as(engine, &ctx().principal, headers, body).await
}

/// POST `body` with these standard headers, as `principal`.
pub async fn post_modern_as(
    engine: &Engine<TestHost>,
    principal: &str,
    headers: Modern<'_>,
    body: &str,
) -> HttpResponse {
    engine
        .handle_post(
            PostRequest {
                server: headers.server,
                read_only: headers.read_only,
                tools: headers.tools,
                session_id: headers.session_id,
                accept: Some(ACCEPT),
                content_type: Some("application/json"),
                protocol_version: headers.version,
                method: headers.method,
                name: headers.name,
                body: body.as_bytes(),
            },
            &CallContext {
                principal: principal.into(),
                ..ctx()
            },
        )
        .await
}

/// The JSON-RPC error of an answer: (status, code, id, message).
pub fn rpc_error(response: &HttpResponse) -> (u16, i64, Value, String) {
    let body = body_json(response);
    (
        response.status,
        body["error"]["code"].as_i64().expect("an error code"),
        body["id"].clone(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
