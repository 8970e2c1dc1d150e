//! The napi surface: a thin translation between JavaScript values and the pure engine.

mod admission;
mod callbacks;
mod confirm_store;
mod elicitation_store;
mod engine;
mod host;
mod legacy;
mod log;
mod page;
mod posts;
mod rate_store;
mod store;
mod streams;
mod task_store;
mod tasks;
mod timers;
mod usage_store;

/// One Tokio runtime for the addon, built once with bounded threads: the engine mostly waits
/// on JavaScript callbacks, so two workers are plenty.
#[napi_derive::module_init]
fn init() {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mcp-actions")
        .enable_all()
        .build()
    {
        Ok(rt) => napi::bindgen_prelude::create_custom_tokio_runtime(rt),
        // Leave napi's default runtime in place rather than abort the Node process.
        Err(err) => eprintln!("mcp-actions-backend: could not build the Tokio runtime: {err}"),
    }
}
