//! `model.train`: retrain a product's model after people corrected it.

use jetson_domain::{OrgId, ProductId};
use jetson_store::jobs::NewJob;
use jetson_store::{Tx, jobs};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "model.train";
/// Corrections usually come in bursts: those within one window are learned by one training, which
/// runs when the window ends, so it sees every correction made in it.
const WINDOW_MS: i64 = 2_000;

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: OrgId,
    pub product: ProductId,
}

/// Queues the training that will learn a correction made now.
pub async fn enqueue(tx: &mut Tx, org: OrgId, product: ProductId) -> anyhow::Result<()> {
    let window_end = (jobs::now_ms() / WINDOW_MS + 1) * WINDOW_MS;
    let key = format!("{KIND}:{}:{window_end}", product.as_uuid());
    let payload = serde_json::to_value(Payload { org, product })?;
    jobs::enqueue_at(tx, NewJob { kind: KIND, payload, dedup_key: Some(key), max_attempts: 3 }, window_end).await?;
    Ok(())
}
