//! Storing what Help Scout sends. Every write is idempotent: a conversation is upserted by its
//! Help Scout id (unchanged content changes nothing), a deleted one is removed with everything
//! derived from it, and one that moved mailbox leaves its old product.

use jetson_domain::{OrgId, ProductId};
use jetson_store::{Tx, conversations};
use serde_json::Value;

use crate::sealed::Sealer;
use crate::services::import::{self, Imported, Summary};

/// The readable conversations of a page, and a description of each one that is not.
pub fn read(raw: &[Value]) -> (Vec<Imported>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for v in raw {
        match import::helpscout::conversation(v) {
            Ok(c) => ok.push(c),
            Err((field, message)) => {
                let id = v.get("id").map(Value::to_string).unwrap_or_else(|| "?".into());
                bad.push(format!("conversation {id}: field `{field}` {message}"));
            }
        }
    }
    (ok, bad)
}

/// Stores conversations of one product (dropping copies stored under another product, after a
/// move) and queues their analysis, in the caller's transaction.
pub async fn store(
    tx: &mut Tx,
    sealer: &Sealer,
    org: OrgId,
    product: ProductId,
    convs: &[Imported],
) -> anyhow::Result<Summary> {
    for c in convs {
        let mut elsewhere = conversations::find_external(tx, org, &c.external_id).await?;
        elsewhere.retain(|(_, p)| *p != product);
        crate::services::erasure::forget_conversations(tx, org, &elsewhere).await?;
    }
    import::write_batch(tx, sealer, org, product, convs).await
}

/// Removes every stored copy of the Help Scout conversation `external_id`. Returns how many.
pub async fn forget_external(tx: &mut Tx, org: OrgId, external_id: &str) -> anyhow::Result<usize> {
    let ids = conversations::find_external(tx, org, external_id).await?;
    crate::services::erasure::forget_conversations(tx, org, &ids).await?;
    Ok(ids.len())
}
