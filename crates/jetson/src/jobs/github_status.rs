//! `github.status`: a work item's status changed in Jetson; close or reopen its issue to match.
//! Retried with back-off when GitHub is down or the budget is spent.

use jetson_domain::{OrgId, WorkItemId};
use jetson_store::Tx;
use jetson_store::jobs::{self, Claimed, NewJob};
use serde::{Deserialize, Serialize};

use crate::state::AppState;

pub const KIND: &str = "github.status";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: OrgId,
    pub item: WorkItemId,
}

pub async fn enqueue(tx: &mut Tx, org: OrgId, item: WorkItemId) -> anyhow::Result<()> {
    let payload = serde_json::to_value(Payload { org, item })?;
    jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key: None, max_attempts: 6 }).await?;
    Ok(())
}

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: Payload = serde_json::from_value(job.payload.clone())?;
    crate::github::issues::push_status(state, p.org, p.item).await?;
    super::complete_alone(state, job, worker).await
}
