//! Elicitations of secrets kept by the shim (table `mcp_elicitations`), through the same
//! store callback as tasks: the engine decides what is written and when.

use super::host::JsHost;
use super::store::{request, ElicitationRow};
use crate::secrets::elicitation::{Elicitation, ElicitationStore, Status};
use crate::tasks::StoreError;

fn row(e: &Elicitation) -> ElicitationRow {
    ElicitationRow {
        elicitation_id: e.id.clone(),
        owner: e.owner.clone(),
        action_id: e.action_id.clone(),
        tool: e.tool.clone(),
        action_title: e.action_title.clone(),
        action_description: e.action_description.clone(),
        secrets_schema: e.secrets_schema.clone(),
        client: e.client.clone(),
        csrf_token: e.csrf_token.clone(),
        status: e.status.name().to_owned(),
        sealed: e.sealed.clone(),
        created_ms: e.created_ms as f64,
        expires_ms: e.expires_ms as f64,
    }
}

fn elicitation(r: ElicitationRow) -> Result<Elicitation, StoreError> {
    let status = Status::parse(&r.status).ok_or_else(|| {
        StoreError(format!(
            "elicitation {} has an unknown status \"{}\"",
            r.elicitation_id, r.status
        ))
    })?;
    Ok(Elicitation {
        id: r.elicitation_id,
        owner: r.owner,
        action_id: r.action_id,
        tool: r.tool,
        action_title: r.action_title,
        action_description: r.action_description,
        secrets_schema: r.secrets_schema,
        client: r.client,
        csrf_token: r.csrf_token,
        status,
        sealed: r.sealed,
        created_ms: r.created_ms as u64,
        expires_ms: r.expires_ms as u64,
    })
}

impl ElicitationStore for JsHost {
    async fn create_elicitation(&self, e: &Elicitation) -> Result<(), StoreError> {
        let mut req = request("createElicitation", e.created_ms);
        req.elicitation = Some(row(e));
        self.store(req).await.map(|_| ())
    }

    async fn load_elicitation(&self, id: &str) -> Result<Option<Elicitation>, StoreError> {
        let mut req = request("loadElicitation", 0);
        req.elicitation_id = Some(id.to_owned());
        self.store(req)
            .await?
            .elicitation
            .map(elicitation)
            .transpose()
    }

    async fn submit_elicitation(
        &self,
        id: &str,
        sealed: &str,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut req = request("submitElicitation", now_ms);
        req.elicitation_id = Some(id.to_owned());
        req.sealed = Some(sealed.to_owned());
        Ok(self.store(req).await?.changed.unwrap_or(false))
    }

    async fn take_elicitation(
        &self,
        id: &str,
        now_ms: u64,
    ) -> Result<Option<Elicitation>, StoreError> {
        let mut req = request("takeElicitation", now_ms);
        req.elicitation_id = Some(id.to_owned());
        self.store(req)
            .await?
            .elicitation
            .map(elicitation)
            .transpose()
    }

    async fn find_submitted(
        &self,
        owner: &str,
        action_id: &str,
        now_ms: u64,
    ) -> Result<Option<String>, StoreError> {
        let mut req = request("findElicitation", now_ms);
        req.owner = Some(owner.to_owned());
        req.action_id = Some(action_id.to_owned());
        Ok(self.store(req).await?.elicitation_id)
    }
}
