//! `helpscout.sync`: import a mailbox's history (a [`sync_runs`] row) page by page.
//!
//! Each page's conversations, the analysis job for them and the cursor past the page commit in
//! one transaction, so a stop, a crash or a failure resumes exactly after the last stored page.
//! A page that vanishes (Help Scout answers 404 for a page link) restarts the listing from the
//! newest conversation stored; re-reading a few is harmless because storing is idempotent.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use jetson_connectors::helpscout::Error as HsError;
use jetson_connectors::helpscout::client::ConversationQuery;
use jetson_domain::OrgId;
use jetson_store::jobs::Claimed;
use jetson_store::sync_runs::{self, Counts, SyncRun};
use jetson_store::{helpscout as store, products};

use crate::progress::Progress;
use crate::queue::helpscout_sync::Payload;
use crate::services::helpscout::{client, connection, ingest};
use crate::state::AppState;

const RESTARTS: usize = 3;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let payload: Payload = serde_json::from_value(job.payload.clone())?;
    if let Some(run) = sync_runs::get_any(&state.db, payload.run).await?
        && run.status == sync_runs::RUNNING
    {
        let last_attempt = job.attempts + 1 >= job.max_attempts;
        if let Err(e) = import(state, &run, &mut |_| {}).await {
            let message = format!("{e:#}");
            sync_runs::note_error(&state.db, run.id, &message).await?;
            store::record_error(&state.db, run.org_id, &format!("history import: {message}")).await?;
            if !last_attempt && retryable(&e) {
                return Err(e);
            }
            sync_runs::set_status(&state.db, run.id, sync_runs::FAILED, Some(&message)).await?;
        }
    }
    crate::queue::complete_alone(state, job, worker).await
}

/// Credentials Help Scout refuses and refusals of the request itself do not get better by waiting.
fn retryable(e: &anyhow::Error) -> bool {
    !matches!(
        e.downcast_ref::<HsError>(),
        Some(HsError::Unauthorized(_) | HsError::Rejected { .. } | HsError::Unsafe(_))
    )
}

/// Reads pages until the run is done or stopped; `progress` sees the run after each page.
pub async fn import(
    state: &AppState,
    run: &SyncRun,
    progress: &mut (dyn FnMut(&SyncRun) + Send),
) -> anyhow::Result<()> {
    let conn = connection(state, run.org_id).await?;
    let hs = client(state, &conn)?;
    let query =
        |since| ConversationQuery { mailbox: run.mailbox_id as u64, since, until: run.until, modified_since: None };
    let mut url = run.cursor.clone().unwrap_or_else(|| hs.conversations_url(&query(run.since)));
    let mut watermark = run.watermark;
    let mut restarts = 0;
    loop {
        if sync_runs::status(&state.db, run.id).await?.as_deref() != Some(sync_runs::RUNNING) {
            return Ok(()); // stopped
        }
        let page = match hs.page(&url).await {
            Ok(p) => p,
            Err(HsError::NotFound) if restarts < RESTARTS => {
                restarts += 1;
                tracing::info!(run = %run.id, "helpscout.sync.page_vanished");
                url = hs.conversations_url(&query(watermark.or(run.since)));
                continue;
            }
            Err(e) => return Err(e).context("reading a page of conversations"),
        };
        let (next, stored_watermark) = store_page(state, run, &page, watermark).await?;
        watermark = stored_watermark;
        if let Some(updated) = sync_runs::get_any(&state.db, run.id).await? {
            progress(&updated);
        }
        match next {
            Some(n) => url = n,
            None => {
                sync_runs::set_status(&state.db, run.id, sync_runs::DONE, None).await?;
                store::record_success(&state.db, run.org_id).await?;
                return Ok(());
            }
        }
    }
}

/// Stores one page and moves the cursor past it, together. Returns the next page's link.
async fn store_page(
    state: &AppState,
    run: &SyncRun,
    page: &jetson_connectors::helpscout::types::Page,
    watermark: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<(Option<String>, Option<chrono::DateTime<chrono::Utc>>)> {
    let raw = page.raw_items("conversations").map_err(|m| anyhow::anyhow!("malformed page: {m}"))?;
    let (convs, bad) = ingest::read(&raw);
    for b in &bad {
        tracing::warn!(run = %run.id, problem = %b, "helpscout.sync.skipped");
    }
    let newest = convs.iter().map(|c| c.created_at).max();
    let watermark = match (watermark, newest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let next = if page.is_last() { None } else { page.next().map(str::to_string) };
    let mut tx = state.db.begin().await?;
    let summary = ingest::store(&mut tx, state.sealer()?, run.org_id, run.product_id, &convs).await?;
    let counts = Counts {
        inserted: summary.inserted as i64,
        changed: summary.changed as i64,
        unchanged: summary.unchanged as i64,
        skipped: bad.len() as i64,
    };
    let total = page.page.map(|p| p.total_elements as i64);
    // A stop that arrived while the page was read wins: nothing of the page is kept.
    if sync_runs::advance(&mut tx, run.id, next.as_deref(), watermark, total, counts).await? {
        tx.commit().await?;
    }
    Ok((next, watermark))
}

/// Imports the product's mailbox history now, in this process, with a progress bar (`jetson
/// helpscout sync`, the benchmark). An import of this product that was interrupted (a crash,
/// Ctrl-C) is continued from where it stopped instead of starting over. Analysing what it stored
/// is the caller's next step.
pub async fn import_now(
    state: &AppState,
    org: OrgId,
    product: &str,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<sync_runs::SyncRun> {
    crate::services::helpscout::connection(state, org).await?;
    let p = products::find_by_name(&state.db, org, product)
        .await?
        .with_context(|| format!("no product named `{product}`"))?;
    let Some(mailbox) = store::mailbox_for_product(&state.db, org, p.id).await? else {
        bail!(
            "no Help Scout mailbox feeds `{product}`; link one with `jetson helpscout link --mailbox NAME --product {product}`"
        )
    };
    let (id, created) = crate::services::helpscout::imports::running_or_new(state, org, mailbox, since, until).await?;
    let run = sync_runs::get(&state.db, org, id).await?.context("the import vanished")?;
    if !created {
        eprintln!("continuing the interrupted import started {} ({} read so far)", run.started_at, run.done);
    }
    let mut bar = Progress::new("importing", run.total.unwrap_or(0) as u64);
    let mut total_known = run.total.is_some();
    let mut on_page = |r: &sync_runs::SyncRun| {
        if !total_known && let Some(t) = r.total {
            bar.set_total(t as u64);
            total_known = true;
        }
        bar.set(r.done as u64);
    };
    let result = import(state, &run, &mut on_page).await;
    bar.finish();
    if let Err(e) = result {
        sync_runs::note_error(&state.db, id, &format!("{e:#}")).await?;
        store::record_error(&state.db, org, &format!("history import: {e:#}")).await?;
        return Err(e.context("the import stopped; run the same command again to continue"));
    }
    sync_runs::get(&state.db, org, id).await?.context("the import vanished")
}
