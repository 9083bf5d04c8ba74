//! `helpscout.poll`: every few minutes, read what changed in Help Scout since the last poll
//! (`modifiedSince`) for each chosen mailbox, and check the webhook is still active. This catches
//! anything a webhook missed. The job reschedules itself whatever happens, so one bad poll never
//! ends polling; its error is shown in the health view.

use chrono::{Duration, Utc};
use jetson_connectors::helpscout::client::ConversationQuery;
use jetson_domain::OrgId;
use jetson_store::helpscout as store;
use jetson_store::jobs::Claimed;

use crate::queue::OrgPayload;
use crate::queue::helpscout_poll::{EVERY_MS, schedule};
use crate::services::helpscout::{client, connection, ingest};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: OrgPayload = serde_json::from_value(job.payload.clone())?;
    let connected = store::connection(&state.db, p.org).await?.is_some_and(|c| c.connected_at.is_some());
    if connected {
        match poll(state, p.org).await {
            Ok(n) => {
                tracing::info!(org = %p.org, conversations = n, "helpscout.poll.done");
                store::record_success(&state.db, p.org).await?;
            }
            Err(e) => store::record_error(&state.db, p.org, &format!("periodic sync: {e:#}")).await?,
        }
        schedule(state, p.org, EVERY_MS).await?;
    }
    crate::queue::complete_alone(state, job, worker).await
}

/// Stores what changed since the watermark; returns how many conversations were read.
pub async fn poll(state: &AppState, org: OrgId) -> anyhow::Result<usize> {
    let conn = connection(state, org).await?;
    let hs = client(state, &conn)?;
    // Clocks differ: overlap the previous poll by a minute (re-reading is harmless).
    let since = conn.poll_watermark.unwrap_or_else(Utc::now) - Duration::minutes(1);
    let started = jetson_store::now();
    let mut read = 0;
    for mailbox in store::mailboxes(&state.db, org).await? {
        let Some(product) = mailbox.product() else { continue };
        let q =
            ConversationQuery { mailbox: mailbox.mailbox_id as u64, modified_since: Some(since), ..Default::default() };
        let mut url = hs.conversations_url(&q);
        loop {
            let page = hs.page(&url).await?;
            let raw = page.raw_items("conversations").map_err(anyhow::Error::msg)?;
            let (convs, _bad) = ingest::read(&raw);
            read += raw.len();
            let mut tx = state.db.begin().await?;
            ingest::store(&mut tx, state.sealer()?, org, product, &convs).await?;
            tx.commit().await?;
            match page.next() {
                Some(next) if !page.is_last() => url = next.to_string(),
                _ => break,
            }
        }
    }
    if let Some(id) = conn.webhook_id {
        let state_now = match hs.webhook(id as u64).await? {
            Some(w) if w.state == "enabled" => "active".to_string(),
            Some(w) => w.state,
            None => "missing: deleted in Help Scout".to_string(),
        };
        store::set_webhook(&state.db, org, Some(id), None, &state_now).await?;
    }
    store::set_poll_watermark(&state.db, org, started).await?;
    Ok(read)
}
