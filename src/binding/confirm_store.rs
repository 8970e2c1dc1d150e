//! Confirmations kept by the shim (table `mcp_actions_confirmations`), through the same store
//! callback as tasks: every change a compare-and-set, so any replica serves the retry.

use super::host::JsHost;
use super::store::{request, ConfirmationRow};
use crate::policy::confirm::{ConfirmStore, Confirmation, Status};
use crate::tasks::StoreError;

fn row(c: &Confirmation) -> ConfirmationRow {
    ConfirmationRow {
        confirmation_id: c.id.clone(),
        owner: c.owner.clone(),
        binding: c.binding.clone(),
        server: c.server.clone(),
        tool: c.tool.clone(),
        action_id: c.action_id.clone(),
        action_title: c.action_title.clone(),
        question: c.question.clone(),
        arguments: c.arguments.clone(),
        rule: c.rule.clone(),
        client: c.client.clone(),
        status: c.status.name().to_owned(),
        created_ms: c.created_ms as f64,
        expires_ms: c.expires_ms as f64,
    }
}

fn confirmation(r: ConfirmationRow) -> Result<Confirmation, StoreError> {
    let status = Status::parse(&r.status).ok_or_else(|| {
        StoreError(format!(
            "confirmation {} has an unknown status \"{}\"",
            r.confirmation_id, r.status
        ))
    })?;
    Ok(Confirmation {
        id: r.confirmation_id,
        owner: r.owner,
        binding: r.binding,
        server: r.server,
        tool: r.tool,
        action_id: r.action_id,
        action_title: r.action_title,
        question: r.question,
        arguments: r.arguments,
        rule: r.rule,
        client: r.client,
        status,
        created_ms: r.created_ms as u64,
        expires_ms: r.expires_ms as u64,
    })
}

impl ConfirmStore for JsHost {
    async fn create_confirmation(&self, c: &Confirmation) -> Result<(), StoreError> {
        let mut req = request("createConfirmation", c.created_ms);
        req.confirmation = Some(row(c));
        self.store(req).await.map(|_| ())
    }

    async fn load_confirmation(&self, id: &str) -> Result<Option<Confirmation>, StoreError> {
        let mut req = request("loadConfirmation", 0);
        req.confirmation_id = Some(id.to_owned());
        self.store(req)
            .await?
            .confirmation
            .map(confirmation)
            .transpose()
    }

    async fn set_confirmation(
        &self,
        id: &str,
        owner: &str,
        from: Status,
        to: Status,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut req = request("setConfirmation", now_ms);
        req.confirmation_id = Some(id.to_owned());
        req.owner = Some(owner.to_owned());
        req.from_status = Some(from.name().to_owned());
        req.status = Some(to.name().to_owned());
        Ok(self.store(req).await?.changed.unwrap_or(false))
    }

    async fn take_confirmation(
        &self,
        owner: &str,
        binding: &str,
        now_ms: u64,
    ) -> Result<Option<Confirmation>, StoreError> {
        let mut req = request("takeConfirmation", now_ms);
        req.owner = Some(owner.to_owned());
        req.binding = Some(binding.to_owned());
        self.store(req)
            .await?
            .confirmation
            .map(confirmation)
            .transpose()
    }

    async fn pending_confirmations(
        &self,
        owner: &str,
        now_ms: u64,
    ) -> Result<Vec<Confirmation>, StoreError> {
        let mut req = request("pendingConfirmations", now_ms);
        req.owner = Some(owner.to_owned());
        self.store(req)
            .await?
            .confirmations
            .unwrap_or_default()
            .into_iter()
            .map(confirmation)
            .collect()
    }
}
