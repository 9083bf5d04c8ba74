//! `jetson helpscout …`: connect with an app's ID and secret, show the connection's health, and
//! import a mailbox's history with a progress bar.

use chrono::{DateTime, Utc};
use jetson_connectors::helpscout::Credentials;
use jetson_domain::OrgId;
use jetson_store::{helpscout as store, products, sync_runs};

use clap::Subcommand;

use super::org_or_only;
use crate::services::helpscout::imports;
use crate::startup::analyse_pending;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum HelpscoutCommand {
    /// Connect with your Help Scout app's ID and secret (client credentials).
    Connect {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        client_id: String,
        /// The app secret (or JETSON_HELPSCOUT_CLIENT_SECRET).
        #[arg(long, env = "JETSON_HELPSCOUT_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
    },
    /// Choose the product a mailbox feeds (created if missing).
    Link {
        #[arg(long)]
        org: Option<String>,
        /// Mailbox name or id.
        #[arg(long)]
        mailbox: String,
        #[arg(long)]
        product: String,
    },
    /// The connection's health and mailboxes.
    Status {
        #[arg(long)]
        org: Option<String>,
    },
    /// Import a product's mailbox history (continues an interrupted import of that product).
    Sync {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        product: String,
        /// YYYY-MM-DD or RFC 3339; conversations created from then.
        #[arg(long)]
        since: Option<String>,
        /// YYYY-MM-DD (inclusive) or RFC 3339.
        #[arg(long)]
        until: Option<String>,
    },
}

pub async fn run(state: AppState, command: HelpscoutCommand) -> anyhow::Result<()> {
    match command {
        HelpscoutCommand::Connect { org, client_id, client_secret } => {
            let org = org_or_only(&state, org.as_deref()).await?;
            connect(&state, org, &jetson_connectors::helpscout::Credentials { client_id, client_secret }).await
        }
        HelpscoutCommand::Link { org, mailbox, product } => {
            link(&state, org_or_only(&state, org.as_deref()).await?, &mailbox, &product).await
        }
        HelpscoutCommand::Status { org } => print_status(&state, org_or_only(&state, org.as_deref()).await?).await,
        HelpscoutCommand::Sync { org, product, since, until } => {
            let org = org_or_only(&state, org.as_deref()).await?;
            let since = imports::day(since.as_deref().unwrap_or(""), false)?;
            let until = imports::day(until.as_deref().unwrap_or(""), true)?;
            let run = sync(&state, org, &product, since, until).await?;
            println!(
                "imported {} new, {} changed, {} unchanged conversation(s); skipped {} unreadable",
                run.inserted, run.changed, run.unchanged, run.skipped
            );
            Ok(())
        }
    }
}

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
    let (mailbox, product) = imports::link_mailbox(state, org, mailbox, product).await?;
    println!("mailbox {mailbox} feeds product {product}");
    Ok(())
}

/// Imports the product's mailbox history with a progress bar, then analyses it.
pub async fn sync(
    state: &AppState,
    org: OrgId,
    product: &str,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<sync_runs::SyncRun> {
    let run = crate::jobs::helpscout_sync::import_now(state, org, product, since, until).await?;
    analyse_pending(state).await?;
    Ok(run)
}
