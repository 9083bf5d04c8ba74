//! `helpscout.event`: one verified webhook delivery.
//!
//! The delivery only says *which* conversation changed. The job reads the conversation as it is
//! now and stores that (or removes it when it is gone, deleted, or in a mailbox no product reads).
//! So duplicates and out-of-order deliveries converge on Help Scout's current state, and a
//! customer reply re-analyses just its own conversation.

use jetson_store::helpscout as store;
use jetson_store::jobs::{self, Claimed};

use crate::queue::helpscout_event::Payload;
use crate::services::helpscout::{client, ingest};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: Payload = serde_json::from_value(job.payload.clone())?;
    let external_id = p.conversation.to_string();
    // Disconnected since: the delivery is dropped.
    let conn = store::connection(&state.db, p.org).await?.filter(|c| c.connected_at.is_some());
    let current = match (&conn, p.event.as_str()) {
        (None, _) => None,
        (Some(_), "convo.deleted") => Some(None),
        (Some(conn), _) => match client(state, conn)?.conversation(p.conversation).await {
            Ok(c) => Some(c),
            Err(e) => {
                store::record_error(&state.db, p.org, &format!("webhook {}: {e}", p.event)).await?;
                return Err(e.into());
            }
        },
    };
    let mut tx = state.db.begin().await?;
    match current {
        None => {}
        Some(None) => {
            ingest::forget_external(&mut tx, p.org, &external_id).await?;
        }
        Some(Some((meta, raw))) => {
            let product = match meta.mailbox_id {
                Some(m) => store::product_for_mailbox(&state.db, p.org, m as i64).await?,
                None => None,
            };
            let (convs, bad) = ingest::read(std::slice::from_ref(&raw));
            match (product, meta.state.as_deref()) {
                (Some(product), hs_state) if hs_state != Some("deleted") && bad.is_empty() => {
                    ingest::store(&mut tx, state.sealer()?, p.org, product, &convs).await?;
                }
                (Some(_), hs_state) if hs_state != Some("deleted") => {
                    // Not readable (no customer words yet, say): keep what was stored before.
                    tracing::info!(problem = %bad.join("; "), "helpscout.event.unreadable");
                }
                _ => {
                    ingest::forget_external(&mut tx, p.org, &external_id).await?;
                }
            }
        }
    }
    jobs::complete(&mut tx, job.id, worker).await?;
    tx.commit().await?;
    Ok(())
}
