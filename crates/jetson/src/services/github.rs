//! GitHub as Jetson uses it: connecting and linking repositories ([`connect`]), issue drafts
//! ([`draft`]), creating and linking issues and pushing status changes ([`issues`]), applying what
//! GitHub says about an issue ([`sync`]), the periodic rules (auto-create with brakes, batched
//! comments, shipped-in-release: [`automation`]), and training from labelled issues
//! ([`training`]). Background work lives in `jobs::github_*`; pages in `ui::github_*`.

pub mod automation;
pub mod connect;
pub mod draft;
pub mod issues;
pub mod sync;
pub mod training;

use anyhow::Context;
use jetson_connectors::github::{AppKey, Auth, Client, RepoName};
use jetson_domain::OrgId;
use jetson_store::github::{self as store, Connection};

use crate::state::AppState;

/// What each sealed column holds (bound into the ciphertext).
pub mod purpose {
    pub const TOKEN: &str = "github.token";
    pub const PRIVATE_KEY: &str = "github.private_key";
    pub const WEBHOOK_SECRET: &str = "github.webhook_secret";
}

/// The organisation's connection, or an error that says how to make one.
pub async fn connection(state: &AppState, org: OrgId) -> anyhow::Result<Connection> {
    store::connection(&state.db, org).await?.context("GitHub is not connected: connect it in Settings → Integrations")
}

/// An API client for a stored connection.
pub fn client(state: &AppState, conn: &Connection) -> anyhow::Result<Client> {
    let sealer = state.sealer()?;
    let auth = match conn.kind.as_str() {
        "token" => Auth::Token(sealer.open(purpose::TOKEN, conn.token_enc.as_deref().context("no token stored")?)?),
        "app" => {
            let pem = sealer.open(purpose::PRIVATE_KEY, conn.private_key_enc.as_deref().context("no key stored")?)?;
            let app_id = conn.app_id.context("no app id stored")? as u64;
            Auth::App {
                key: Box::new(AppKey::parse(app_id, &pem).map_err(anyhow::Error::msg)?),
                installation_id: conn.installation_id.context("no installation id stored")? as u64,
            }
        }
        other => anyhow::bail!("unknown kind of GitHub connection `{other}`"),
    };
    Ok(client_with(state, auth))
}

/// An API client for credentials in hand (being checked before they are stored).
pub fn client_with(state: &AppState, auth: Auth) -> Client {
    let http = jetson_connectors::http::client(state.settings.github_timeout);
    Client::new(http, &state.settings.github_api, auth, state.settings.github_retry)
}

/// Keeps the settings page's health view current after work with a client: the budget left,
/// or the error that stopped the work.
pub async fn record(
    state: &AppState,
    org: OrgId,
    client: &Client,
    outcome: Result<(), &anyhow::Error>,
) -> anyhow::Result<()> {
    match outcome {
        Ok(()) => {
            let r = client.rate();
            let health = store::Health {
                identity: None,
                scopes: None,
                rate_limit: r.limit.map(i64::from),
                rate_remaining: r.remaining.map(i64::from),
                rate_reset_at: r.reset,
            };
            store::record_health(&state.db, org, health).await?;
        }
        Err(e) => store::record_error(&state.db, org, &format!("{e:#}")).await?,
    }
    Ok(())
}

/// A stored repository name, parsed again (it was checked when linked).
pub fn repo_name(text: &str) -> anyhow::Result<RepoName> {
    RepoName::parse(text).map_err(anyhow::Error::msg)
}

/// The hidden line every issue Jetson creates carries, so that a create whose answer was lost can
/// be found again instead of repeated.
pub fn marker(item: jetson_domain::WorkItemId) -> String {
    format!("<!-- jetson:work-item:{item} -->")
}

/// An issue's state as Jetson keeps it: GitHub has two, and an issue without one is open.
pub fn state_of(issue: &jetson_connectors::github::types::Issue) -> jetson_domain::IssueState {
    match issue.state.as_deref() {
        Some("closed") => jetson_domain::IssueState::Closed,
        _ => jetson_domain::IssueState::Open,
    }
}
