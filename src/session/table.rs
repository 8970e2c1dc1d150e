//! The session table: who owns which session, limits, idle expiry and keep-alive.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::id::{looks_like_session_id, new_session_id};

/// Which transport a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// 2024-11-05 HTTP+SSE: `GET .../sse` holds the stream, POSTs go to `.../sse/messages`.
    LegacySse,
    /// Stateful Streamable HTTP: `Mcp-Session-Id`, optional GET stream, DELETE ends it.
    Streamable,
}

/// One session. Kept small: an idle session is an entry here and an open response in Node.
#[derive(Debug, Clone)]
pub struct Session {
    pub transport: Transport,
    /// `user:default/jane`, `service:external:ci`: only this principal may use the session.
    pub owner: Box<str>,
    /// The named server (`None` for `/v1`).
    pub server: Option<Box<str>>,
    pub last_active: Instant,
    /// Whether a server-to-client stream is open (always, for legacy SSE sessions).
    pub stream_open: bool,
    /// Whether its stream starts with a priming event (revision 2025-11-25 and later).
    pub primes: bool,
    /// What its client declared at `initialize`.
    pub declared: Option<std::sync::Arc<Declared>>,
}

/// What a session's client said about itself at `initialize`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    /// Its capabilities: what a request of the session may be answered with, such as URL
    /// elicitation.
    pub capabilities: Option<serde_json::Value>,
    /// Its `clientInfo` (name and version), for the usage.
    pub client_info: Option<serde_json::Value>,
}

/// Limits and timers, from `mcpActions.sessions.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_sessions: usize,
    pub max_per_principal: usize,
    pub idle_timeout: Duration,
    pub keep_alive: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_sessions: 10_000,
            max_per_principal: 100,
            idle_timeout: Duration::from_secs(30 * 60),
            keep_alive: Duration::from_secs(15),
        }
    }
}

/// Why a session operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("no session id was sent")]
    Missing,
    #[error("session {0} does not exist or has expired")]
    NotFound(String),
    #[error("session {id} belongs to another principal")]
    WrongOwner { id: String },
    #[error("the server has {max} open sessions, its limit")]
    AtCapacity { max: usize },
    #[error("{principal} already has {max} open sessions, its limit")]
    PrincipalLimit { principal: String, max: usize },
    #[error("session {0} already has an open stream")]
    StreamAlreadyOpen(String),
    #[error("the operating system's random source failed; no session id can be minted")]
    NoRandomness,
}

/// What a periodic sweep found: sessions to end, and open streams to keep alive.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    pub expired: Vec<(String, Transport, bool)>,
    pub keep_alive: Vec<String>,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<Box<str>, Session>,
    per_principal: HashMap<Box<str>, usize>,
}

impl Inner {
    fn remove(&mut self, id: &str) -> Option<Session> {
        let session = self.sessions.remove(id)?;
        if let Some(n) = self.per_principal.get_mut(&session.owner) {
            *n -= 1;
            if *n == 0 {
                self.per_principal.remove(&session.owner);
            }
        }
        Some(session)
    }
}

pub struct SessionTable {
    inner: Mutex<Inner>,
    limits: Limits,
}

impl SessionTable {
    pub fn new(limits: Limits) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            limits,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a session for `owner`, within the limits.
    pub fn open(
        &self,
        transport: Transport,
        owner: &str,
        server: Option<&str>,
        primes: bool,
        now: Instant,
    ) -> Result<String, SessionError> {
        let mut inner = self.lock();
        if inner.sessions.len() >= self.limits.max_sessions {
            return Err(SessionError::AtCapacity {
                max: self.limits.max_sessions,
            });
        }
        let mine = inner.per_principal.get(owner).copied().unwrap_or(0);
        if mine >= self.limits.max_per_principal {
            return Err(SessionError::PrincipalLimit {
                principal: owner.to_owned(),
                max: self.limits.max_per_principal,
            });
        }
        let id = new_session_id().ok_or(SessionError::NoRandomness)?;
        inner.sessions.insert(
            id.clone().into_boxed_str(),
            Session {
                transport,
                owner: owner.into(),
                server: server.map(Into::into),
                last_active: now,
                stream_open: transport == Transport::LegacySse,
                primes,
                declared: None,
            },
        );
        *inner.per_principal.entry(owner.into()).or_insert(0) += 1;
        Ok(id)
    }

    /// Remember what the client of session `id` declared at `initialize`.
    pub fn set_declared(&self, id: &str, declared: Declared) {
        if let Some(session) = self.lock().sessions.get_mut(id) {
            session.declared = Some(std::sync::Arc::new(declared));
        }
    }

    /// What the client of session `id` declared at `initialize`, if it is known.
    pub fn declared(&self, id: &str) -> Option<std::sync::Arc<Declared>> {
        self.lock().sessions.get(id)?.declared.clone()
    }

    /// Check that `id` is a live session of this transport and server, owned by `owner`,
    /// and mark it active. A session of another server is as unknown as a missing one.
    pub fn touch(
        &self,
        id: Option<&str>,
        transport: Transport,
        owner: &str,
        server: Option<&str>,
        now: Instant,
    ) -> Result<(), SessionError> {
        let id = id.filter(|i| !i.is_empty()).ok_or(SessionError::Missing)?;
        let not_found = || SessionError::NotFound(id.to_owned());
        if !looks_like_session_id(id) {
            return Err(not_found());
        }
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).ok_or_else(not_found)?;
        if session.transport != transport || session.server.as_deref() != server {
            return Err(not_found());
        }
        if &*session.owner != owner {
            return Err(SessionError::WrongOwner { id: id.to_owned() });
        }
        session.last_active = now;
        Ok(())
    }

    /// Mark the server-to-client stream of a Streamable HTTP session open (one at a time).
    /// Returns whether the stream starts with a priming event.
    pub fn open_stream(&self, id: &str, now: Instant) -> Result<bool, SessionError> {
        let mut inner = self.lock();
        let session = inner
            .sessions
            .get_mut(id)
            .ok_or_else(|| SessionError::NotFound(id.to_owned()))?;
        if session.stream_open {
            return Err(SessionError::StreamAlreadyOpen(id.to_owned()));
        }
        session.stream_open = true;
        session.last_active = now;
        Ok(session.primes)
    }

    /// The stream of a Streamable HTTP session closed; the session lives on.
    pub fn close_stream(&self, id: &str) {
        if let Some(session) = self.lock().sessions.get_mut(id) {
            session.stream_open = false;
        }
    }

    /// End a session. Returns it if it existed.
    pub fn close(&self, id: &str) -> Option<Session> {
        self.lock().remove(id)
    }

    /// End every session (backend shutdown).
    pub fn close_all(&self) -> Vec<(String, Session)> {
        let mut inner = self.lock();
        inner.per_principal.clear();
        inner
            .sessions
            .drain()
            .map(|(id, s)| (id.into_string(), s))
            .collect()
    }

    /// Expire sessions idle for longer than the limit, and list open streams to keep alive.
    pub fn sweep(&self, now: Instant) -> Sweep {
        let mut inner = self.lock();
        let expired_ids: Vec<Box<str>> = inner
            .sessions
            .iter()
            .filter(|(_, s)| {
                now.saturating_duration_since(s.last_active) >= self.limits.idle_timeout
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut sweep = Sweep::default();
        for id in expired_ids {
            if let Some(s) = inner.remove(&id) {
                sweep
                    .expired
                    .push((id.into_string(), s.transport, s.stream_open));
            }
        }
        sweep.keep_alive = inner
            .sessions
            .iter()
            .filter(|(_, s)| s.stream_open)
            .map(|(id, _)| id.to_string())
            .collect();
        sweep
    }

    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
