//! Storing what Help Scout sends. Every write is idempotent: a conversation is upserted by its
//! Help Scout id (unchanged content changes nothing), a deleted one is removed with everything
//! derived from it, and one that moved mailbox leaves its old product.

use jetson_domain::{ConversationId, OrgId, ProductId, WorkItemId};
use jetson_store::{Tx, conversations, products, reports, work_items};
use serde_json::Value;

use crate::import::{self, Imported, Summary};
use crate::sealed::Sealer;

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
        forget(tx, org, &elsewhere).await?;
    }
    import::write_batch(tx, sealer, org, product, convs).await
}

/// Removes every stored copy of the Help Scout conversation `external_id`. Returns how many.
pub async fn forget_external(tx: &mut Tx, org: OrgId, external_id: &str) -> anyhow::Result<usize> {
    let ids = conversations::find_external(tx, org, external_id).await?;
    forget(tx, org, &ids).await?;
    Ok(ids.len())
}

/// Deletes conversations with their messages and reports, recounts the work items they fed, and
/// removes items left empty.
async fn forget(tx: &mut Tx, org: OrgId, stored: &[(ConversationId, ProductId)]) -> anyhow::Result<()> {
    if stored.is_empty() {
        return Ok(());
    }
    let ids: Vec<ConversationId> = stored.iter().map(|(id, _)| *id).collect();
    let items: Vec<WorkItemId> = reports::delete_for_conversations(tx, &ids).await?;
    for id in &ids {
        conversations::delete(tx, org, *id).await?;
    }
    let mut touched_products: Vec<ProductId> = stored.iter().map(|(_, p)| *p).collect();
    work_items::recount(tx, &items).await?;
    work_items::delete_empty(tx, &items).await?;
    touched_products.sort();
    touched_products.dedup();
    // Cached matcher indexes of these products held the deleted reports.
    for p in touched_products {
        products::bump_match_version(tx, p).await?;
    }
    Ok(())
}
