//! `github.release`: a release was published in a linked repository; check at once whether it
//! ships the fixes of resolved items there, rather than at the next poll (which stays the safety
//! net for a missed delivery).

use jetson_domain::OrgId;
use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "github.release";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: OrgId,
    pub repo: String,
}

/// Queued once per release (a redelivery of its event queues nothing more).
pub async fn enqueue(tx: &mut Tx, org: OrgId, repo: &str, release_id: u64) -> anyhow::Result<()> {
    let payload = serde_json::to_value(Payload { org, repo: repo.to_string() })?;
    let dedup_key = Some(format!("{KIND}:{org}:{}:{release_id}", repo.to_lowercase()));
    jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key, max_attempts: 6 }).await?;
    Ok(())
}
