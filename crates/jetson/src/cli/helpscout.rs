//! `jetson helpscout …`: connect with an app's ID and secret, show the connection's health, and
//! import a mailbox's history with a progress bar.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use jetson_connectors::helpscout::Credentials;
use jetson_domain::OrgId;
use jetson_store::{helpscout as store, products, sync_runs};

use crate::progress::Progress;
use crate::state::AppState;

/// Connects with client credentials and, when the account has exactly the mailboxes named, links
/// each to a product of the same name.
pub async fn connect(state: &AppState, org: OrgId, app: &Credentials) -> anyhow::Result<()> {
    crate::services::helpscout::connect::with_client_credentials(state, org, app).await?;
    print_status(state, org).await
}

pub async fn print_status(state: &AppState, org: OrgId) -> anyhow::Result<()> {
    let Some(c) = store::connection(&state.db, org).await?.filter(|c| c.connected_at.is_some()) else {
        println!("Help Scout: not connected");
        return Ok(());
    };
    println!("Help Scout: connected ({}, app {})", c.grant_type, c.client_id);
    println!("  last successful sync: {}", c.last_sync_at.map_or("not yet".into(), |t| t.to_rfc3339()));
    println!("  webhook: {}", c.webhook_state.as_deref().unwrap_or("not registered"));
    println!("  last error: {}", c.last_error.as_deref().unwrap_or("none"));
    let all = products::list(&state.db, org).await?;
    for m in store::mailboxes(&state.db, org).await? {
        let product = m.product().and_then(|p| all.iter().find(|x| x.id == p)).map_or("not read", |p| p.name.as_str());
        println!("  mailbox {} ({}): {product}", m.name, m.mailbox_id);
    }
    Ok(())
}

/// Links a mailbox (by name or id) to a product, creating the product if needed.
pub async fn link(state: &AppState, org: OrgId, mailbox: &str, product: &str) -> anyhow::Result<()> {
    let boxes = store::mailboxes(&state.db, org).await?;
    let m = boxes
        .iter()
        .find(|m| m.name == mailbox || m.mailbox_id.to_string() == mailbox)
        .with_context(|| format!("no mailbox `{mailbox}`; known: {}", names(&boxes)))?;
    let name = jetson_domain::ProductName::parse(product).map_err(|e| anyhow::anyhow!(e.0))?;
    let mut tx = state.db.begin().await?;
    let p = products::get_or_create(&mut tx, org, &name).await?;
    store::link_mailbox(&mut tx, org, m.mailbox_id, Some(p.id)).await?;
    tx.commit().await?;
    println!("mailbox {} feeds product {}", m.name, p.name);
    Ok(())
}

fn names(boxes: &[store::Mailbox]) -> String {
    boxes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Imports the product's mailbox history. An import of this product that was interrupted (a
/// crash, Ctrl-C) is continued from where it stopped instead of starting over.
pub async fn sync(
    state: &AppState,
    org: OrgId,
    product: &str,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<sync_runs::SyncRun> {
    crate::services::helpscout::connection(state, org).await?;
    let p = super::find_product(state, org, product).await?;
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
    let result = crate::jobs::helpscout_sync::import(state, &run, &mut on_page).await;
    bar.finish();
    if let Err(e) = result {
        sync_runs::note_error(&state.db, id, &format!("{e:#}")).await?;
        store::record_error(&state.db, org, &format!("history import: {e:#}")).await?;
        return Err(e.context("the import stopped; run the same command again to continue"));
    }
    crate::cli::analyse_pending(state).await?;
    sync_runs::get(&state.db, org, id).await?.context("the import vanished")
}
