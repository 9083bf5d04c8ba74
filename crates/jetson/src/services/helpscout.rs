//! Help Scout as Jetson uses it: connecting ([`connect`]), the API client with its state kept in
//! the database ([`account`]), and storing what Help Scout sends ([`ingest`]). The background work
//! lives in `jobs::helpscout_{sync,event,poll}`; the pages in `ui::integrations*`.

pub mod account;
pub mod connect;
pub mod imports;
pub mod ingest;

use anyhow::Context;
use jetson_connectors::helpscout::{Client, Credentials, Grant, Tokens};
use jetson_domain::OrgId;
use jetson_store::helpscout::{self as store, Connection};

use crate::state::AppState;
pub use account::DbAccount;

pub type HelpScout = Client<DbAccount>;

/// What each sealed column holds (bound into the ciphertext).
pub mod purpose {
    pub const CLIENT_SECRET: &str = "helpscout.client_secret";
    pub const ACCESS_TOKEN: &str = "helpscout.access_token";
    pub const REFRESH_TOKEN: &str = "helpscout.refresh_token";
    pub const WEBHOOK_SECRET: &str = "helpscout.webhook_secret";
}

/// The organisation's connection, or an error that says how to make one.
pub async fn connection(state: &AppState, org: OrgId) -> anyhow::Result<Connection> {
    store::connection(&state.db, org)
        .await?
        .filter(|c| c.connected_at.is_some())
        .context("Help Scout is not connected: connect it in Settings → Integrations")
}

/// An API client for a stored connection, with its tokens and budget in the database.
pub fn client(state: &AppState, conn: &Connection) -> anyhow::Result<HelpScout> {
    let sealer = state.sealer()?;
    let open = |purpose: &str, v: &str| sealer.open(purpose, v);
    let app = Credentials {
        client_id: conn.client_id.clone(),
        client_secret: open(purpose::CLIENT_SECRET, &conn.client_secret_enc)?,
    };
    let tokens = match (&conn.access_token_enc, conn.token_expires_at) {
        (Some(access), Some(expires_at)) => Some(Tokens {
            access_token: open(purpose::ACCESS_TOKEN, access)?,
            refresh_token: conn.refresh_token_enc.as_deref().map(|r| open(purpose::REFRESH_TOKEN, r)).transpose()?,
            expires_at,
        }),
        _ => None,
    };
    let grant = Grant::parse(&conn.grant_type).context("unknown grant type on the stored connection")?;
    let account = DbAccount::new(state, conn.org_id)?;
    Ok(Client::new(
        state.http.clone(),
        state.settings.helpscout.clone(),
        app,
        grant,
        tokens,
        account,
        state.settings.helpscout_retry,
    ))
}
