//! What the engine needs from its host (the Backstage shim): the actions registry, reached
//! with the caller's credentials. The host keeps the credentials; the engine only holds an
//! opaque handle to them.

use std::future::Future;

use crate::policy::{ConfirmStore, RateStore};
use crate::secrets::elicitation::ElicitationStore;
use crate::tasks::TaskStore;
use crate::usage::UsageStore;

/// Who is calling, as far as the engine needs to know. The credentials themselves never
/// leave the host: `credentials` is the host's handle for them.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    /// Opaque handle of the caller's `BackstageCredentials` in the host's table.
    pub credentials: u32,
    /// `user:default/jane` or `service:external:ci`, for logs and (later) session binding.
    pub principal: String,
    /// The host's number for the HTTP request behind this call (for its trace context).
    pub request: Option<u32>,
    /// W3C trace context the request carried in `params._meta` (2026-07-28): the host
    /// parents the call's span with it when the HTTP request had no trace headers.
    pub trace: Option<crate::protocol::context::TraceContext>,
}

/// A failure the host reported, with the Backstage error `name` kept
/// (`InputError`, `NotFoundError`, ...) so the engine can tell tool failures from faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub name: String,
    pub message: String,
}

impl HostError {
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// How the engine reaches the actions registry and keeps tasks ([`TaskStore`]: the plugin's
/// database in the shim). Implemented over napi callbacks by the binding, and by plain Rust
/// in tests.
pub trait ActionHost:
    TaskStore + ElicitationStore + RateStore + ConfirmStore + UsageStore + Send + Sync + 'static
{
    /// The actions visible to the caller, as the JSON text of `{ "actions": [...] }`.
    fn list_actions(
        &self,
        ctx: &CallContext,
    ) -> impl Future<Output = Result<String, HostError>> + Send;

    /// Run one action with the caller's credentials. `input` is the JSON text of the
    /// arguments object; the answer is the JSON text of the action's output. `tool` is the
    /// tool name the client called (for the host's span). `secrets`: the JSON text of the
    /// secrets the user submitted for this call (the registry's v2 invoke), when it needs them.
    fn invoke_action(
        &self,
        ctx: &CallContext,
        action_id: &str,
        tool: &str,
        input: String,
        secrets: Option<String>,
    ) -> impl Future<Output = Result<String, HostError>> + Send;

    /// A task kept `ctx`'s credentials after its request was answered (the answer said
    /// `held`); its action finished now and the host may let them go.
    fn release_credentials(&self, _ctx: &CallContext) {}
}
