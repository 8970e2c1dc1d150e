//! The binding's timers: session keep-alives and expiry, listen streams' tool lists, the
//! heartbeat of running tasks, and unused rate-limit leases going back. Each runs on its own
//! interval until shutdown or until the engine is gone.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::callbacks::{send, DeliverFn, StreamEvent};
use super::host::JsHost;
use crate::config::EngineConfig;
use crate::engine::ListenCheck;
use crate::protocol::http::KEEP_ALIVE;
use crate::Engine;

type Shared = Arc<Engine<JsHost>>;

/// Run `tick` with the engine once per `period(config)` (the first time one period from
/// now) until `stopped` is set or the engine is dropped.
async fn every<F, Fut>(
    engine: Weak<Engine<JsHost>>,
    stopped: Arc<AtomicBool>,
    period: impl FnOnce(&EngineConfig) -> Duration,
    mut tick: F,
) where
    F: FnMut(Shared) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(period) = engine.upgrade().map(|e| period(e.config())) else {
        return;
    };
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        if stopped.load(Ordering::Relaxed) {
            return;
        }
        let Some(engine) = engine.upgrade() else {
            return;
        };
        tick(engine).await;
    }
}

/// Keep-alive comments and idle expiry, on one timer for all sessions.
pub(super) async fn sweep_sessions(
    engine: Weak<Engine<JsHost>>,
    deliver: Arc<DeliverFn>,
    stopped: Arc<AtomicBool>,
) {
    let period = |c: &EngineConfig| {
        c.sessions
            .limits
            .keep_alive
            .min(c.sessions.limits.idle_timeout / 2)
    };
    every(engine, stopped, period, |engine| {
        for handle in engine.sweep_credentials(now_seconds()) {
            send(&deliver, StreamEvent::release(handle));
        }
        let sweep = engine.sweep();
        for (session, _, _) in sweep.expired {
            tracing::debug!(%session, "session expired after being idle");
            send(&deliver, StreamEvent::end(session));
        }
        for session in sweep.keep_alive.into_iter().chain(engine.listener_keys()) {
            let chunk = Some(KEEP_ALIVE.to_owned());
            send(&deliver, StreamEvent::chunk(session, chunk));
        }
        std::future::ready(())
    })
    .await;
}

/// Look at the tool list of every open listen stream once per tool-list TTL (at least a
/// second): a list that changed is announced down its stream.
pub(super) async fn watch_listens(
    engine: Weak<Engine<JsHost>>,
    deliver: Arc<DeliverFn>,
    stopped: Arc<AtomicBool>,
) {
    let period = |c: &EngineConfig| c.tool_list_ttl.max(Duration::from_secs(1));
    every(engine, stopped, period, |engine| {
        let deliver = Arc::clone(&deliver);
        async move {
            for key in engine.listener_keys() {
                match engine.check_listen(&key).await {
                    ListenCheck::Unchanged => {}
                    ListenCheck::Changed(chunk) => {
                        send(&deliver, StreamEvent::chunk(key, Some(chunk)));
                    }
                    ListenCheck::Ended(chunk) => send(
                        &deliver,
                        StreamEvent {
                            end: true,
                            ..StreamEvent::chunk(key, Some(chunk))
                        },
                    ),
                }
            }
        }
    })
    .await;
}

/// Once per `mcpActions.tasks.heartbeatSeconds`: the tasks running here are alive; those that
/// ended elsewhere (cancelled through another replica) are no longer waited for.
pub(super) async fn beat_tasks(engine: Weak<Engine<JsHost>>, stopped: Arc<AtomicBool>) {
    every(
        engine,
        stopped,
        |c| c.tasks.heartbeat,
        |engine| async move {
            engine.beat_tasks().await;
        },
    )
    .await;
}

/// About once a second while rate limits are set: the leases this replica did not use go
/// back to the store, for the other replicas.
pub(super) async fn release_rate_leases(engine: Weak<Engine<JsHost>>, stopped: Arc<AtomicBool>) {
    every(
        engine,
        stopped,
        |_| crate::policy::limits::IDLE_RELEASE,
        |engine| async move {
            engine.release_idle_rate_leases().await;
        },
    )
    .await;
}

/// Every few seconds while usage is on: this replica's calls go to the store.
pub(super) async fn flush_usage(engine: Weak<Engine<JsHost>>, stopped: Arc<AtomicBool>) {
    every(
        engine,
        stopped,
        |_| USAGE_FLUSH,
        |engine| async move {
            engine.flush_usage().await;
        },
    )
    .await;
}

/// How often usage is written: the page is at most this much (and its read) behind.
pub(super) const USAGE_FLUSH: Duration = Duration::from_secs(5);

/// Seconds since the Unix epoch (the credentials cache's clock).
pub(super) fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
