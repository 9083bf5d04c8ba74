//! History imports as people start, stop and resume them (from the UI or the CLI). The work itself
//! is `jobs::helpscout_sync`.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use jetson_domain::OrgId;
use jetson_store::helpscout as store;
use jetson_store::{products, sync_runs};

use crate::queue::helpscout_sync;
use crate::state::AppState;

/// A range bound: empty is none, else RFC 3339 or `YYYY-MM-DD` (its first or last second).
pub fn day(s: &str, end_of_day: bool) -> anyhow::Result<Option<DateTime<Utc>>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("`{s}` is not a date (YYYY-MM-DD)"))?;
    let t = if end_of_day { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) };
    Ok(Some(t.expect("valid time").and_utc()))
}

/// The running import of the mailbox's product, or a new one (created but not queued). One
/// running import per product at a time.
pub async fn running_or_new(
    state: &AppState,
    org: OrgId,
    mailbox: i64,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<(uuid::Uuid, bool)> {
    crate::services::helpscout::connection(state, org).await?;
    let product = store::product_for_mailbox(&state.db, org, mailbox)
        .await?
        .context("Choose the product this mailbox feeds first.")?;
    if let Some(running) = sync_runs::running_for_product(&state.db, org, product).await? {
        return Ok((running.id, false));
    }
    Ok((sync_runs::create(&state.db, org, product, mailbox, since, until).await?, true))
}

/// Starts an import in the background (or returns the one already running).
pub async fn start(
    state: &AppState,
    org: OrgId,
    mailbox: i64,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<uuid::Uuid> {
    let (id, created) = running_or_new(state, org, mailbox, since, until).await?;
    if created {
        queue(state, id).await?;
    }
    Ok(id)
}

/// A running import stops after the page in hand (which is then not kept).
pub async fn stop(state: &AppState, org: OrgId, id: uuid::Uuid) -> anyhow::Result<()> {
    let run = sync_runs::get(&state.db, org, id).await?.ok_or(jetson_store::StoreError::NotFound)?;
    if run.status == sync_runs::RUNNING {
        sync_runs::set_status(&state.db, id, sync_runs::STOPPED, None).await?;
    }
    Ok(())
}

/// A stopped or failed import continues from its cursor.
pub async fn resume(state: &AppState, org: OrgId, id: uuid::Uuid) -> anyhow::Result<()> {
    let run = sync_runs::get(&state.db, org, id).await?.ok_or(jetson_store::StoreError::NotFound)?;
    if run.status == sync_runs::STOPPED || run.status == sync_runs::FAILED {
        sync_runs::set_status(&state.db, id, sync_runs::RUNNING, None).await?;
        queue(state, id).await?;
    }
    Ok(())
}

async fn queue(state: &AppState, id: uuid::Uuid) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    helpscout_sync::enqueue(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Links a mailbox (by name or id) to a product, creating the product if needed; returns their
/// names.
pub async fn link_mailbox(
    state: &AppState,
    org: OrgId,
    mailbox: &str,
    product: &str,
) -> anyhow::Result<(String, String)> {
    anyhow::ensure!(
        store::connection(&state.db, org).await?.is_some(),
        "Help Scout is not connected: connect it first (Settings → Integrations, or `jetson helpscout connect`)"
    );
    let boxes = store::mailboxes(&state.db, org).await?;
    anyhow::ensure!(
        !boxes.is_empty(),
        "no mailboxes are known yet: `jetson helpscout status` (or Refresh in Settings → Integrations) reads them"
    );
    let m = boxes
        .iter()
        .find(|m| m.name == mailbox || m.mailbox_id.to_string() == mailbox)
        .with_context(|| format!("no mailbox `{mailbox}`; known: {}", names(&boxes)))?;
    let name = jetson_domain::ProductName::parse(product).map_err(|e| anyhow::anyhow!(e.0))?;
    let mut tx = state.db.begin().await?;
    let p = products::get_or_create(&mut tx, org, &name).await?;
    store::link_mailbox(&mut tx, org, m.mailbox_id, Some(p.id)).await?;
    tx.commit().await?;
    Ok((m.name.clone(), p.name))
}

fn names(boxes: &[store::Mailbox]) -> String {
    boxes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
}
