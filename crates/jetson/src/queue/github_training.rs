//! `github.training`: import a repository's labelled issues as a product's training examples.

use jetson_domain::{OrgId, ProductId};
use jetson_store::Tx;
use jetson_store::jobs::{self, NewJob};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "github.training";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub org: OrgId,
    pub product: ProductId,
}

pub async fn enqueue(tx: &mut Tx, org: OrgId, product: ProductId) -> anyhow::Result<()> {
    let payload = serde_json::to_value(Payload { org, product })?;
    let key = format!("{KIND}:{}", product.as_uuid());
    jobs::enqueue(tx, NewJob { kind: KIND, payload, dedup_key: Some(key), max_attempts: 3 }).await?;
    Ok(())
}
