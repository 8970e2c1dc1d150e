//! Running tool calls a client may cancel with `notifications/cancelled`, by who called
//! (principal and session) and the request id the client gave the call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::host::CallContext;

/// Who made a call and the id they gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallKey {
    principal: String,
    session: Option<String>,
    /// The request id as JSON text (`"a"` and `1` differ).
    id: String,
}

impl CallKey {
    pub fn new(ctx: &CallContext, session: Option<&str>, id: &Value) -> Self {
        Self {
            principal: ctx.principal.clone(),
            session: session.map(str::to_owned),
            id: id.to_string(),
        }
    }
}

pub enum Cancelled {
    Done,
    /// This many running calls share the key: none was cancelled.
    Ambiguous(usize),
    NotRunning,
}

type Entries = HashMap<CallKey, Vec<(u64, oneshot::Sender<()>)>>;

#[derive(Default)]
pub struct Cancellable {
    entries: Mutex<Entries>,
    next: AtomicU64,
}

/// A call's entry, removed however the call ends.
pub struct Entry<'a> {
    table: &'a Cancellable,
    key: CallKey,
    serial: u64,
}

impl Cancellable {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn register(&self, key: CallKey, cancel: oneshot::Sender<()>) -> Entry<'_> {
        let serial = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(key.clone())
            .or_default()
            .push((serial, cancel));
        Entry {
            table: self,
            key,
            serial,
        }
    }

    pub fn cancel(&self, key: &CallKey) -> Cancelled {
        let mut entries = self.lock();
        match entries.get(key).map(Vec::len) {
            None | Some(0) => Cancelled::NotRunning,
            Some(1) => {
                if let Some(mut calls) = entries.remove(key) {
                    if let Some((_, cancel)) = calls.pop() {
                        let _ = cancel.send(());
                    }
                }
                Cancelled::Done
            }
            Some(n) => Cancelled::Ambiguous(n),
        }
    }
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        let mut entries = self.table.lock();
        if let Some(calls) = entries.get_mut(&self.key) {
            calls.retain(|(serial, _)| *serial != self.serial);
            if calls.is_empty() {
                entries.remove(&self.key);
            }
        }
    }
}
