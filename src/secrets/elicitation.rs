//! An elicitation: a tool call that needs secrets asked its user for them on a Backstage page
//! (`/mcp-actions/secrets/{id}`). It belongs to the caller and the action of that call; what
//! the user submits is sealed at rest, read once, for a call of that caller and that action.
//! Kept by the host (the plugin's database, table `mcp_elicitations`) so any replica serves
//! the page and the retried call.

use std::future::Future;

use crate::tasks::StoreError;

/// Where an elicitation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the user.
    Pending,
    /// The user submitted the secrets; the next call of the owner to the action takes them.
    Submitted,
    /// A call took the secrets (they are gone from the row).
    Used,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Submitted => "submitted",
            Status::Used => "used",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Status::Pending, Status::Submitted, Status::Used]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// One elicitation as stored. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elicitation {
    /// 128 random bits, hex.
    pub id: String,
    /// The principal whose call started it: the only one who may see it and submit.
    pub owner: String,
    pub action_id: String,
    /// The tool the client called.
    pub tool: String,
    pub action_title: Option<String>,
    pub action_description: Option<String>,
    /// JSON text of the action's secrets schema.
    pub secrets_schema: String,
    /// The client that asked (`clientInfo.name`), when it said.
    pub client: Option<String>,
    /// Echoed by the page's POST (it reads it with its authenticated GET).
    pub csrf_token: String,
    pub status: Status,
    /// The submitted secrets, sealed (base64); none before submission and after use.
    pub sealed: Option<String>,
    pub created_ms: u64,
    pub expires_ms: u64,
}

impl Elicitation {
    pub fn expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_ms
    }

    /// What the sealed secrets are bound to (associated data): this elicitation, its owner
    /// and its action. A row copied elsewhere does not open.
    pub fn binding(&self) -> String {
        format!("{}|{}|{}", self.id, self.owner, self.action_id)
    }
}

/// The host keeps elicitations beside tasks.
pub trait ElicitationStore: Send + Sync {
    /// Write a new (pending) elicitation durably.
    fn create_elicitation(
        &self,
        elicitation: &Elicitation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load_elicitation(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Elicitation>, StoreError>> + Send;

    /// Pending and not expired at `now_ms` → submitted with `sealed` (compare-and-set).
    /// `false`: it was not pending any more, or expired; nothing changed.
    fn submit_elicitation(
        &self,
        id: &str,
        sealed: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Submitted and not expired at `now_ms` → used, its sealed secrets cleared (compare-and-
    /// set): the row as it was, with them, for the one caller that won. `None` otherwise.
    fn take_elicitation(
        &self,
        id: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<Option<Elicitation>, StoreError>> + Send;

    /// The newest submitted, unexpired elicitation of `owner` for `action_id`: the retry of a
    /// client that does not say which elicitation it retries for.
    fn find_submitted(
        &self,
        owner: &str,
        action_id: &str,
        now_ms: u64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}

impl ElicitationStore for crate::tasks::MemoryTaskStore {
    async fn create_elicitation(&self, elicitation: &Elicitation) -> Result<(), StoreError> {
        let mut all = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        if all.contains_key(&elicitation.id) {
            return Err(StoreError(format!(
                "elicitation {} already exists",
                elicitation.id
            )));
        }
        all.insert(elicitation.id.clone(), elicitation.clone());
        Ok(())
    }

    async fn load_elicitation(&self, id: &str) -> Result<Option<Elicitation>, StoreError> {
        let all = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all.get(id).cloned())
    }

    async fn submit_elicitation(
        &self,
        id: &str,
        sealed: &str,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut all = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        match all.get_mut(id) {
            Some(e) if e.status == Status::Pending && !e.expired(now_ms) => {
                e.status = Status::Submitted;
                e.sealed = Some(sealed.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn take_elicitation(
        &self,
        id: &str,
        now_ms: u64,
    ) -> Result<Option<Elicitation>, StoreError> {
        let mut all = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        match all.get_mut(id) {
            Some(e) if e.status == Status::Submitted && !e.expired(now_ms) => {
                let taken = e.clone();
                e.status = Status::Used;
                e.sealed = None;
                Ok(Some(taken))
            }
            _ => Ok(None),
        }
    }

    async fn find_submitted(
        &self,
        owner: &str,
        action_id: &str,
        now_ms: u64,
    ) -> Result<Option<String>, StoreError> {
        let all = self.elicitations.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all
            .values()
            .filter(|e| {
                e.owner == owner
                    && e.action_id == action_id
                    && e.status == Status::Submitted
                    && !e.expired(now_ms)
            })
            .max_by_key(|e| e.created_ms)
            .map(|e| e.id.clone()))
    }
}
