//! `analyze`: analyse a batch of stored conversations and group their reports into work items.

use jetson_domain::ConversationId;
use jetson_store::jobs::NewJob;
use jetson_store::{Tx, jobs};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const KIND: &str = "analyze";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub conversations: Vec<ConversationId>,
}

/// Queues analysis of these conversations. `version` distinguishes this request from an earlier
/// one for the same conversations (a content hash, say), so that re-queuing identical work is a
/// no-op while changed content is analysed again.
pub async fn enqueue(tx: &mut Tx, conversations: Vec<ConversationId>, version: &str) -> anyhow::Result<bool> {
    let mut h = Sha256::new();
    for c in &conversations {
        h.update(c.as_uuid().as_bytes());
    }
    h.update(version.as_bytes());
    let key = format!("{KIND}:{}", hex::encode(&h.finalize()[..16]));
    let payload = serde_json::to_value(Payload { conversations })?;
    Ok(jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key: Some(key), max_attempts: 5 }).await?)
}
