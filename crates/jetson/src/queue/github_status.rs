//! `github.status`: a work item's status changed in Jetson; close or reopen its issue to match.

use jetson_domain::{OrgId, WorkItemId};
use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};

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
