//! Which `tools/call`s become tasks. The server decides, per request: never for a client
//! that did not declare the extension; at once for actions matching
//! `mcpActions.tasks.always`; otherwise once the action has not answered within
//! `mcpActions.tasks.promoteAfterSeconds`.

use std::time::Duration;

use crate::tools::glob::Glob;

/// When a call becomes a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// Not at all: the call is answered as usual (progress, timeout).
    Never,
    /// Before the action is invoked.
    Now,
    /// If the action has not answered after this long.
    After(Duration),
}

/// The promotion rules of one server.
#[derive(Debug, Clone)]
pub struct Rules {
    pub always: Vec<Glob>,
    pub promote_after: Duration,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            always: Vec::new(),
            promote_after: Duration::from_secs(5),
        }
    }
}

impl Rules {
    /// The promotion of a call of `action_id` by a client that does (or does not) declare
    /// the tasks extension.
    pub fn decide(&self, action_id: &str, client_declares_tasks: bool) -> Promotion {
        if !client_declares_tasks {
            Promotion::Never
        } else if self.always.iter().any(|g| g.matches(action_id)) {
            Promotion::Now
        } else {
            Promotion::After(self.promote_after)
        }
    }
}
