//! Tasks and oversized results kept by the shim (the plugin's database through Backstage's
//! `DatabaseService`), through the store callback of [`super::store`]. The engine decides
//! what is written and when; the shim only reads and writes rows.

use super::host::JsHost;
use super::store::{request, ResultRow, TaskRow};
use crate::tasks::{Outcome, StoreError, StoredResult, Task, TaskStore};

fn row(task: &Task) -> TaskRow {
    TaskRow {
        task_id: task.id.clone(),
        owner: task.owner.clone(),
        status: task.status.name().to_owned(),
        status_message: task.status_message.clone(),
        created_ms: task.created_ms as f64,
        updated_ms: task.updated_ms as f64,
        ttl_ms: task.ttl_ms as f64,
        expires_ms: task.created_ms.saturating_add(task.ttl_ms) as f64,
        poll_interval_ms: task.poll_interval_ms as f64,
        heartbeat_ms: task.heartbeat_ms as f64,
        payload: task.payload.clone(),
        tool: task.tool.clone(),
    }
}

fn task(row: TaskRow) -> Result<Task, StoreError> {
    let status = crate::tasks::Status::parse(&row.status).ok_or_else(|| {
        StoreError(format!(
            "task {} has an unknown status \"{}\"",
            row.task_id, row.status
        ))
    })?;
    Ok(Task {
        id: row.task_id,
        owner: row.owner,
        status,
        status_message: row.status_message,
        created_ms: row.created_ms as u64,
        updated_ms: row.updated_ms as u64,
        ttl_ms: row.ttl_ms as u64,
        poll_interval_ms: row.poll_interval_ms as u64,
        heartbeat_ms: row.heartbeat_ms as u64,
        payload: row.payload,
        tool: row.tool,
    })
}

impl TaskStore for JsHost {
    async fn create(&self, task: &Task) -> Result<(), StoreError> {
        let mut req = request("create", task.created_ms);
        req.task = Some(row(task));
        self.store(req).await.map(|_| ())
    }

    async fn load(&self, id: &str) -> Result<Option<Task>, StoreError> {
        let mut req = request("load", 0);
        req.task_id = Some(id.to_owned());
        self.store(req).await?.task.map(task).transpose()
    }

    async fn finish(&self, id: &str, outcome: Outcome, now_ms: u64) -> Result<bool, StoreError> {
        let (status, message, payload) = outcome.columns();
        let mut req = request("finish", now_ms);
        req.task_id = Some(id.to_owned());
        req.status = Some(status.name().to_owned());
        req.status_message = Some(message.to_owned());
        req.payload = payload;
        Ok(self.store(req).await?.changed.unwrap_or(false))
    }

    async fn heartbeat(&self, ids: &[String], now_ms: u64) -> Result<Vec<String>, StoreError> {
        let mut req = request("heartbeat", now_ms);
        req.task_ids = Some(ids.to_vec());
        Ok(self.store(req).await?.ended.unwrap_or_default())
    }

    async fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        let reply = self.store(request("sweep", now_ms)).await?;
        Ok(reply.count.unwrap_or(0) as usize)
    }

    async fn put_result(&self, result: &StoredResult) -> Result<(), StoreError> {
        let mut req = request("putResult", result.created_ms);
        req.result = Some(ResultRow {
            result_id: result.id.clone(),
            owner: result.owner.clone(),
            text: result.text.clone(),
            page_chars: result.page_chars as f64,
            created_ms: result.created_ms as f64,
            expires_ms: result.expires_ms as f64,
        });
        self.store(req).await.map(|_| ())
    }

    async fn load_result(&self, id: &str) -> Result<Option<StoredResult>, StoreError> {
        let mut req = request("loadResult", 0);
        req.result_id = Some(id.to_owned());
        Ok(self.store(req).await?.result.map(|row| StoredResult {
            id: row.result_id,
            owner: row.owner,
            text: row.text,
            page_chars: row.page_chars as u64,
            created_ms: row.created_ms as u64,
            expires_ms: row.expires_ms as u64,
        }))
    }

    async fn list(&self, owner: &str, now_ms: u64, limit: usize) -> Result<Vec<Task>, StoreError> {
        let mut req = request("list", now_ms);
        req.owner = Some(owner.to_owned());
        req.limit = Some(u32::try_from(limit).unwrap_or(u32::MAX));
        let rows = self.store(req).await?.tasks.unwrap_or_default();
        rows.into_iter().map(task).collect()
    }
}
