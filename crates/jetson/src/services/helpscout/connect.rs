//! Connecting an organisation to Help Scout and disconnecting it.
//!
//! Connecting checks the credentials with Help Scout before anything is stored, then lists the
//! account's mailboxes, registers a webhook with a secret of our own, and starts the periodic
//! sync. A webhook that cannot be registered (Help Scout must reach `JETSON_PUBLIC_URL`) is
//! reported, and the periodic sync still keeps the data current.

use anyhow::Context;
use jetson_connectors::helpscout::{Credentials, Grant, WEBHOOK_EVENTS, oauth};
use jetson_domain::OrgId;
use jetson_store::helpscout as store;

use super::{client, connection, purpose};
use crate::secret;
use crate::state::AppState;

/// A self-hoster's own app: its id and secret are exchanged for a token right away.
pub async fn with_client_credentials(state: &AppState, org: OrgId, app: &Credentials) -> anyhow::Result<()> {
    let tokens = oauth::client_credentials(&state.http, &state.settings.helpscout, app).await?;
    let secret = state.sealer()?.seal(purpose::CLIENT_SECRET, &app.client_secret);
    store::begin_connection(&state.db, org, Grant::ClientCredentials.as_str(), &app.client_id, &secret, None).await?;
    save_tokens(state, org, &tokens).await?;
    store::mark_connected(&state.db, org).await?;
    after_connect(state, org).await
}

/// The authorization-code flow, step one: remember the app and a one-time `state`, and return
/// the consent page to send the person to.
pub async fn start_oauth(state: &AppState, org: OrgId, app: &Credentials) -> anyhow::Result<String> {
    let nonce = secret::generate("");
    let sealed = state.sealer()?.seal(purpose::CLIENT_SECRET, &app.client_secret);
    let hash = secret::hash(&nonce);
    store::begin_connection(&state.db, org, Grant::AuthorizationCode.as_str(), &app.client_id, &sealed, Some(&hash))
        .await?;
    Ok(oauth::authorize_url(&state.settings.helpscout, &app.client_id, &nonce))
}

/// Step two: Help Scout sent the person back with a code and our `state`.
pub async fn finish_oauth(state: &AppState, org: OrgId, code: &str, returned_state: &str) -> anyhow::Result<()> {
    let conn = store::connection(&state.db, org).await?.context("no Help Scout connection was started")?;
    let expected = conn.oauth_state_hash.as_deref().context("no Help Scout consent is pending; start again")?;
    anyhow::ensure!(
        secret::equal(expected, &secret::hash(returned_state)),
        "the answer from Help Scout does not belong to this sign-in (state mismatch); start again"
    );
    let app = Credentials {
        client_id: conn.client_id.clone(),
        client_secret: state.sealer()?.open(purpose::CLIENT_SECRET, &conn.client_secret_enc)?,
    };
    let tokens = oauth::exchange_code(&state.http, &state.settings.helpscout, &app, code).await?;
    save_tokens(state, org, &tokens).await?;
    store::mark_connected(&state.db, org).await?;
    after_connect(state, org).await
}

async fn save_tokens(state: &AppState, org: OrgId, t: &oauth::Tokens) -> anyhow::Result<()> {
    use jetson_connectors::helpscout::Account;
    super::DbAccount::new(state, org)?.save_tokens(t).await.map_err(anyhow::Error::msg)
}

/// Mailboxes, webhook and polling. Failures here are recorded for the health view rather than
/// undoing the connection: the person can retry each from Settings.
async fn after_connect(state: &AppState, org: OrgId) -> anyhow::Result<()> {
    if let Err(e) = refresh_mailboxes(state, org).await {
        store::record_error(&state.db, org, &format!("listing mailboxes failed: {e:#}")).await?;
    }
    register_webhook(state, org).await?;
    store::set_poll_watermark(&state.db, org, jetson_store::now()).await?;
    crate::queue::helpscout_poll::schedule(state, org, crate::queue::helpscout_poll::EVERY_MS).await
}

pub async fn refresh_mailboxes(state: &AppState, org: OrgId) -> anyhow::Result<usize> {
    let conn = connection(state, org).await?;
    let boxes = client(state, &conn)?.mailboxes().await?;
    let rows: Vec<(i64, &str, Option<&str>)> =
        boxes.iter().map(|m| (m.id as i64, m.name.as_str(), m.email.as_deref())).collect();
    store::save_mailboxes(&state.db, org, &rows).await?;
    Ok(rows.len())
}

/// Registers (or re-registers) the webhook. The secret is stored before Help Scout knows it, so a
/// delivery that arrives at once can already be verified.
pub async fn register_webhook(state: &AppState, org: OrgId) -> anyhow::Result<()> {
    let conn = connection(state, org).await?;
    let hs = client(state, &conn)?;
    if let Some(old) = conn.webhook_id {
        let _ = hs.delete_webhook(old as u64).await;
    }
    // Help Scout accepts secrets of at most 40 characters.
    let secret: String = secret::generate("").chars().take(40).collect();
    let sealed = state.sealer()?.seal(purpose::WEBHOOK_SECRET, &secret);
    store::set_webhook(&state.db, org, None, Some(&sealed), "registering").await?;
    let public = state.settings.public_url.clone().unwrap_or_default();
    let url = format!("{public}/webhooks/helpscout/{}", conn.id);
    match hs.create_webhook(&url, &secret, WEBHOOK_EVENTS).await {
        Ok(id) => store::set_webhook(&state.db, org, Some(id as i64), None, "active").await?,
        Err(e) => {
            let why = format!("not registered: {e} (Help Scout must be able to reach {public})");
            store::set_webhook(&state.db, org, None, None, &why).await?;
        }
    }
    Ok(())
}

/// Deletes tokens and secrets and unregisters the webhook; imported data stays. Returns a
/// warning when Help Scout could not be told (the webhook then fails its signature checks here).
pub async fn disconnect(state: &AppState, org: OrgId) -> anyhow::Result<Option<String>> {
    let mut warning = None;
    if let Ok(conn) = connection(state, org).await
        && let Some(id) = conn.webhook_id
        && let Err(e) = client(state, &conn)?.delete_webhook(id as u64).await
    {
        warning = Some(format!("the webhook could not be removed from Help Scout ({e}); remove it there"));
    }
    store::delete_connection(&state.db, org).await?;
    Ok(warning)
}
