//! Which credentials handle Backstage already gave a token, so a busy client does not pay
//! for `httpAuth` on every request. Keyed by a SHA-256 of the token (the token itself is
//! never stored), bounded, and each entry lives until the token's `exp` (JWTs) or a short
//! TTL (opaque tokens). Backstage made the decision; the cache only remembers it for as long
//! as the token says it holds.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

type Key = [u8; 32];

fn key(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    handle: u32,
    /// Seconds since the epoch.
    expires: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    by_handle: HashMap<u32, Key>,
    /// Insertion order, for eviction when full (stale keys are skipped).
    order: VecDeque<Key>,
}

impl Inner {
    fn remove(&mut self, k: &Key) -> Option<Entry> {
        let entry = self.entries.remove(k)?;
        self.by_handle.remove(&entry.handle);
        Some(entry)
    }
}

/// A cache lookup: the cached handle, or a miss that may carry a stale handle to release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Hit(u32),
    Miss { stale: Option<u32> },
}

pub struct CredentialsCache {
    inner: Mutex<Inner>,
    capacity: usize,
    opaque_ttl: u64,
}

/// The `exp` claim of a JWT, if the token is one.
fn jwt_exp(token: &str) -> Option<u64> {
    let claims = super::token::time_claims(token)?.ok()?;
    claims.exp.filter(|e| *e > 0.0).map(|e| e as u64)
}

impl CredentialsCache {
    /// `capacity` 0 turns the cache off.
    pub fn new(capacity: usize, opaque_ttl_seconds: u64) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity,
            opaque_ttl: opaque_ttl_seconds,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn lookup(&self, token: &str, now: u64) -> Lookup {
        if !self.enabled() {
            return Lookup::Miss { stale: None };
        }
        let k = key(token);
        let mut inner = self.lock();
        match inner.entries.get(&k).copied() {
            Some(entry) if entry.expires > now => Lookup::Hit(entry.handle),
            Some(_) => Lookup::Miss {
                stale: inner.remove(&k).map(|e| e.handle),
            },
            None => Lookup::Miss { stale: None },
        }
    }

    /// Remember `handle` for `token`. Returns the handles the cache lets go of (evicted or
    /// replaced), which the host releases. Returns `[handle]` when the token is already
    /// past its `exp` or the cache is off: nothing is kept.
    pub fn insert(&self, token: &str, handle: u32, now: u64) -> Vec<u32> {
        if !self.enabled() {
            return vec![handle];
        }
        let expires = jwt_exp(token).unwrap_or(now + self.opaque_ttl);
        if expires <= now {
            return vec![handle];
        }
        let k = key(token);
        let mut released = Vec::new();
        let mut inner = self.lock();
        if let Some(old) = inner.remove(&k) {
            released.push(old.handle);
        }
        while inner.entries.len() >= self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(evicted) = inner.remove(&oldest) {
                released.push(evicted.handle);
            }
        }
        inner.entries.insert(k, Entry { handle, expires });
        inner.by_handle.insert(handle, k);
        inner.order.push_back(k);
        // Keep the order queue from growing with stale keys.
        if inner.order.len() > self.capacity * 2 {
            let Inner { entries, order, .. } = &mut *inner;
            order.retain(|k| entries.contains_key(k));
        }
        released
    }

    /// Drop the entry holding `handle` (a downstream 401 said the credentials no longer
    /// work). Returns whether the cache held it, so the host releases it.
    pub fn forget(&self, handle: u32) -> bool {
        let mut inner = self.lock();
        match inner.by_handle.get(&handle).copied() {
            Some(k) => inner.remove(&k).is_some(),
            None => false,
        }
    }

    /// Drop expired entries; returns their handles.
    pub fn sweep(&self, now: u64) -> Vec<u32> {
        let mut inner = self.lock();
        let stale: Vec<Key> = inner
            .entries
            .iter()
            .filter(|(_, e)| e.expires <= now)
            .map(|(k, _)| *k)
            .collect();
        stale
            .iter()
            .filter_map(|k| inner.remove(k).map(|e| e.handle))
            .collect()
    }

    /// Drop everything (shutdown); returns the handles.
    pub fn clear(&self) -> Vec<u32> {
        let mut inner = self.lock();
        inner.order.clear();
        inner.by_handle.clear();
        inner.entries.drain().map(|(_, e)| e.handle).collect()
    }
}
