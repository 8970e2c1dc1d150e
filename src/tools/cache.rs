//! The tools a principal sees on a server, kept for a few seconds (`mcpActions.cache.toolListTtl`)
//! so that a client paging through `tools/list`, or calling tools whose server filter needs
//! their attributes, does not make the registry list and convert every action each time.
//! Invocation stays authoritative: the registry checks permissions on every call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::mapping::NamedTool;

/// Principal, server key, read-only switch, and whether the list is the one MCP Apps hosts
/// see (tools with views carry `_meta.ui`).
pub type ListKey = (String, Option<String>, bool, bool);

type Entries = HashMap<ListKey, (Instant, Arc<Vec<NamedTool>>)>;

pub struct ToolListCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<Entries>,
}

impl ToolListCache {
    /// `ttl` zero turns the cache off.
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, key: &ListKey, now: Instant) -> Option<Arc<Vec<NamedTool>>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.lock();
        let (expires, tools) = entries.get(key)?;
        (*expires > now).then(|| Arc::clone(tools))
    }

    pub fn insert(&self, key: ListKey, tools: Arc<Vec<NamedTool>>, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.max_entries {
            entries.retain(|_, (expires, _)| *expires > now);
            if entries.len() >= self.max_entries {
                entries.clear();
            }
        }
        entries.insert(key, (now + self.ttl, tools));
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
