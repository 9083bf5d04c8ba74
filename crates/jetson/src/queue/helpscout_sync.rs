//! `helpscout.sync`: import a mailbox's history (a `sync_runs` row) page by page; see
//! `jobs::helpscout_sync`.

use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "helpscout.sync";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub run: uuid::Uuid,
}

/// Queues the run (again, after a stop: each request is a new job).
pub async fn enqueue(tx: &mut Tx, run: uuid::Uuid) -> anyhow::Result<()> {
    let payload = serde_json::to_value(Payload { run })?;
    let key = format!("{KIND}:{run}:{}", jobs::now_ms());
    jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key: Some(key), max_attempts: 8 }).await?;
    Ok(())
}
