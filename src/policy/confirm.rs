//! Confirmations (`mcpActions.confirm`): a call that matches a rule runs only after its
//! caller said yes to exactly this call. A confirmation is bound to the caller, the server,
//! the tool and the exact arguments (a hash of them), is used once, and expires; it is kept
//! in the plugin's database so that any replica serves the retry that uses it.

use std::future::Future;

use sha2::{Digest, Sha256};

use super::CallMatch;
use crate::tasks::StoreError;

/// How long a confirmation lasts: to be answered (on the page, or by the client), and, once
/// confirmed on the page, for the retry that uses it.
pub const CONFIRMATION_TTL_MS: u64 = 10 * 60 * 1000;

/// One rule of `mcpActions.confirm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRule {
    /// Named in audit events (`confirm[0]` when the rule has no name).
    pub name: String,
    pub matcher: CallMatch,
}

/// Where a confirmation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Asked, not answered.
    Pending,
    /// Confirmed on the page: the next identical call of its owner uses it.
    Confirmed,
    /// Declined on the page: the next identical call of its owner hears it.
    Declined,
    /// Done with: its call ran, or its caller heard the decline (a client's own decline
    /// goes straight here).
    Used,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Declined => "declined",
            Status::Used => "used",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            Status::Pending,
            Status::Confirmed,
            Status::Declined,
            Status::Used,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// One question to a person about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub id: String,
    /// The caller: the only one who may answer it and whose call may use it.
    pub owner: String,
    /// [`binding`] of the server, tool and arguments.
    pub binding: String,
    /// `""` for the default server.
    pub server: String,
    pub tool: String,
    pub action_id: String,
    pub action_title: Option<String>,
    /// The question, in words a person can check.
    pub question: String,
    /// The arguments as JSON text (at most [`SHOWN_ARGUMENTS`] bytes), shown to the owner.
    pub arguments: String,
    /// The rule that asked.
    pub rule: String,
    pub client: Option<String>,
    pub status: Status,
    pub created_ms: u64,
    pub expires_ms: u64,
}

/// Most bytes of the arguments kept to show on the page.
pub const SHOWN_ARGUMENTS: usize = 4096;

impl Confirmation {
    pub fn expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_ms
    }

    /// Whether this confirmation is about this call of this caller.
    pub fn binds(&self, owner: &str, binding: &str) -> bool {
        self.owner == owner && self.binding == binding
    }
}

/// What a confirmation is bound to besides its owner: SHA-256 of the server key, the tool
/// name and the arguments (`input`: their JSON text, keys in order, as the engine writes it).
pub fn binding(server: Option<&str>, tool: &str, input: &str) -> String {
    let mut hash = Sha256::new();
    for part in [server.unwrap_or(""), tool, input] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where confirmations are kept (the plugin's database in the shim, memory in tests). Every
/// change is a compare-and-set, so that two replicas never both use one.
pub trait ConfirmStore: Send + Sync {
    fn create_confirmation(
        &self,
        c: &Confirmation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load_confirmation(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Confirmation>, StoreError>> + Send;

    /// `from` (and unexpired at `now_ms`, and `owner`'s) → `to`. `false`: nothing changed.
    fn set_confirmation(
        &self,
        id: &str,
        owner: &str,
        from: Status,
        to: Status,
        now_ms: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The newest confirmation of `owner` with `binding` answered on the page (confirmed or
    /// declined) and unexpired, marked used (compare-and-set), as it was before: the retry
    /// after the answer runs the call once, or hears once that it was declined.
    fn take_confirmation(
        &self,
        owner: &str,
        binding: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<Option<Confirmation>, StoreError>> + Send;

    /// `owner`'s pending, unexpired confirmations, newest first (at most 50).
    fn pending_confirmations(
        &self,
        owner: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<Confirmation>, StoreError>> + Send;
}

impl ConfirmStore for crate::tasks::MemoryTaskStore {
    async fn create_confirmation(&self, c: &Confirmation) -> Result<(), StoreError> {
        let mut all = self.confirmations.lock().unwrap_or_else(|e| e.into_inner());
        if all.contains_key(&c.id) {
            return Err(StoreError(format!("confirmation {} already exists", c.id)));
        }
        all.insert(c.id.clone(), c.clone());
        Ok(())
    }

    async fn load_confirmation(&self, id: &str) -> Result<Option<Confirmation>, StoreError> {
        let all = self.confirmations.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all.get(id).cloned())
    }

    async fn set_confirmation(
        &self,
        id: &str,
        owner: &str,
        from: Status,
        to: Status,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut all = self.confirmations.lock().unwrap_or_else(|e| e.into_inner());
        match all.get_mut(id) {
            Some(c) if c.owner == owner && c.status == from && !c.expired(now_ms) => {
                c.status = to;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn take_confirmation(
        &self,
        owner: &str,
        binding: &str,
        now_ms: u64,
    ) -> Result<Option<Confirmation>, StoreError> {
        let mut all = self.confirmations.lock().unwrap_or_else(|e| e.into_inner());
        let found = all
            .values_mut()
            .filter(|c| {
                c.binds(owner, binding)
                    && matches!(c.status, Status::Confirmed | Status::Declined)
                    && !c.expired(now_ms)
            })
            .max_by_key(|c| c.created_ms);
        Ok(found.map(|c| {
            let answered = c.clone();
            c.status = Status::Used;
            answered
        }))
    }

    async fn pending_confirmations(
        &self,
        owner: &str,
        now_ms: u64,
    ) -> Result<Vec<Confirmation>, StoreError> {
        let all = self.confirmations.lock().unwrap_or_else(|e| e.into_inner());
        let mut mine: Vec<Confirmation> = all
            .values()
            .filter(|c| c.owner == owner && c.status == Status::Pending && !c.expired(now_ms))
            .cloned()
            .collect();
        mine.sort_by_key(|c| std::cmp::Reverse(c.created_ms));
        mine.truncate(50);
        Ok(mine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::MemoryTaskStore;

    fn asked(id: &str, owner: &str, binding: &str, created_ms: u64) -> Confirmation {
        Confirmation {
            id: id.into(),
            owner: owner.into(),
            binding: binding.into(),
            server: String::new(),
            tool: "platform.restart-deployment".into(),
            action_id: "platform:restart-deployment".into(),
            action_title: Some("Restart deployment".into()),
            question: "Restart?".into(),
            arguments: "{}".into(),
            rule: "confirm[0]".into(),
            client: None,
            status: Status::Pending,
            created_ms,
            expires_ms: created_ms + CONFIRMATION_TTL_MS,
        }
    }

    #[test]
    fn the_binding_is_the_server_tool_and_exact_arguments() {
        let b = binding(None, "t", r#"{"a":1}"#);
        assert_eq!(b, binding(None, "t", r#"{"a":1}"#));
        assert_ne!(b, binding(None, "t", r#"{"a":2}"#));
        assert_ne!(b, binding(Some("x"), "t", r#"{"a":1}"#));
        assert_ne!(b, binding(None, "u", r#"{"a":1}"#));
        // The parts cannot slide into each other.
        assert_ne!(binding(None, "ab", "c"), binding(None, "a", "bc"));
    }

    #[tokio::test]
    async fn a_confirmation_is_used_once_by_its_owner_with_its_binding_before_it_expires() {
        let store = MemoryTaskStore::default();
        let alice = "user:default/alice";
        store
            .create_confirmation(&asked("c1", alice, "B", 1000))
            .await
            .unwrap();
        // Not confirmed yet: nothing to take.
        assert!(store
            .take_confirmation(alice, "B", 2000)
            .await
            .unwrap()
            .is_none());
        // Another principal cannot confirm it.
        let other = "user:default/bob";
        assert!(!store
            .set_confirmation("c1", other, Status::Pending, Status::Confirmed, 2000)
            .await
            .unwrap());
        assert!(store
            .set_confirmation("c1", alice, Status::Pending, Status::Confirmed, 2000)
            .await
            .unwrap());
        // Other arguments, another principal: refused.
        assert!(store
            .take_confirmation(alice, "other", 3000)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .take_confirmation(other, "B", 3000)
            .await
            .unwrap()
            .is_none());
        // Expired: refused.
        let late = 1000 + CONFIRMATION_TTL_MS;
        assert!(store
            .take_confirmation(alice, "B", late)
            .await
            .unwrap()
            .is_none());
        let taken = store.take_confirmation(alice, "B", 3000).await.unwrap();
        assert_eq!(
            taken.map(|c| (c.id, c.status)),
            Some(("c1".to_owned(), Status::Confirmed))
        );
        // Used once.
        assert!(store
            .take_confirmation(alice, "B", 3000)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store.load_confirmation("c1").await.unwrap().unwrap().status,
            Status::Used
        );
        // A decline on the page is taken once too, as declined.
        store
            .create_confirmation(&asked("c2", alice, "B", 4000))
            .await
            .unwrap();
        store
            .set_confirmation("c2", alice, Status::Pending, Status::Declined, 4000)
            .await
            .unwrap();
        let declined = store.take_confirmation(alice, "B", 4000).await.unwrap();
        assert_eq!(declined.map(|c| c.status), Some(Status::Declined));
        assert!(store
            .take_confirmation(alice, "B", 4000)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn the_page_lists_the_owner_s_pending_ones_newest_first() {
        let store = MemoryTaskStore::default();
        let alice = "user:default/alice";
        for (id, at) in [("a", 1000), ("b", 3000), ("c", 2000)] {
            store
                .create_confirmation(&asked(id, alice, "B", at))
                .await
                .unwrap();
        }
        store
            .create_confirmation(&asked("d", "user:default/bob", "B", 4000))
            .await
            .unwrap();
        store
            .set_confirmation("c", alice, Status::Pending, Status::Declined, 4000)
            .await
            .unwrap();
        let ids: Vec<String> = store
            .pending_confirmations(alice, 4000)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["b", "a"]);
    }
}
