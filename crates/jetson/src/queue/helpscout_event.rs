//! `helpscout.event`: one verified webhook delivery, queued; `jobs::helpscout_event` reads the
//! conversation as it is now.

use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const KIND: &str = "helpscout.event";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: jetson_domain::OrgId,
    pub event: String,
    pub conversation: u64,
}

/// Queues a delivery; the same delivery (same event and bytes) twice is queued once.
pub async fn enqueue(tx: &mut Tx, payload: Payload, body: &[u8]) -> anyhow::Result<bool> {
    let mut h = Sha256::new();
    h.update(payload.org.as_uuid().as_bytes());
    h.update(payload.event.as_bytes());
    h.update([0]);
    h.update(body);
    let key = format!("{KIND}:{}", hex::encode(&h.finalize()[..16]));
    let payload = serde_json::to_value(payload)?;
    Ok(jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key: Some(key), max_attempts: 8 }).await?)
}
