//! Connecting GitHub (a personal access token, or a GitHub App installation), linking a product
//! to a repository (and registering the repository's webhook), and checking the connection.

use anyhow::Context;
use jetson_connectors::github::{AppKey, Auth, RepoName};
use jetson_domain::{OrgId, ProductId};
use jetson_store::github::{self as store, NewConnection};

use super::{client, client_with, connection, purpose};
use crate::state::AppState;

/// Labels per category and priority; edited per product in Settings.
pub const DEFAULT_LABELS: &str =
    r#"{"bug": ["bug"], "feature": ["enhancement"], "urgent": ["priority: urgent"], "high": ["priority: high"]}"#;
/// Repository labels read as categories when importing training examples.
pub const DEFAULT_TRAINING: &str = r#"{"bug": "bug", "enhancement": "feature", "feature": "feature", "feature request": "feature", "question": "no_action"}"#;

pub enum Credentials {
    Token(String),
    App { app_id: u64, installation_id: u64, private_key: String },
}

/// Stores the credentials (sealed) once GitHub has accepted them.
pub async fn connect(state: &AppState, org: OrgId, creds: Credentials) -> anyhow::Result<()> {
    let sealer = state.sealer()?;
    let secret = match store::connection(&state.db, org).await? {
        Some(old) => old.webhook_secret_enc,
        None => sealer.seal(purpose::WEBHOOK_SECRET, &crate::sealed::generate_key_hex()),
    };
    // Check before storing, so a typo never replaces working credentials.
    let (auth, kind, token_enc, app_id, installation_id, key_enc) = match &creds {
        Credentials::Token(t) => {
            let t = t.trim();
            anyhow::ensure!(!t.is_empty() && !t.contains(char::is_whitespace), "Paste the whole token.");
            (Auth::Token(t.to_string()), "token", Some(sealer.seal(purpose::TOKEN, t)), None, None, None)
        }
        Credentials::App { app_id, installation_id, private_key } => {
            let key = AppKey::parse(*app_id, private_key).map_err(anyhow::Error::msg)?;
            let auth = Auth::App { key: Box::new(key), installation_id: *installation_id };
            let sealed = sealer.seal(purpose::PRIVATE_KEY, private_key.trim());
            (auth, "app", None, Some(*app_id as i64), Some(*installation_id as i64), Some(sealed))
        }
    };
    let health = client_with(state, auth).check().await.context("GitHub did not accept these credentials")?;
    let new = NewConnection {
        kind,
        token_enc: token_enc.as_deref(),
        app_id,
        installation_id,
        private_key_enc: key_enc.as_deref(),
        webhook_secret_enc: &secret,
    };
    store::save_connection(&state.db, org, new).await?;
    save_health(state, org, &health).await?;
    crate::queue::github_poll::schedule(state, org, 0).await?;
    Ok(())
}

async fn save_health(
    state: &AppState,
    org: OrgId,
    h: &jetson_connectors::github::client::Health,
) -> anyhow::Result<()> {
    let health = store::Health {
        identity: Some(&h.identity),
        scopes: Some(h.scopes.as_deref().unwrap_or("")),
        rate_limit: h.rate.limit.map(i64::from),
        rate_remaining: h.rate.remaining.map(i64::from),
        rate_reset_at: h.rate.reset,
    };
    store::record_health(&state.db, org, health).await?;
    Ok(())
}

/// Checks the stored credentials now (the "Check now" button).
pub async fn check(state: &AppState, org: OrgId) -> anyhow::Result<()> {
    let conn = connection(state, org).await?;
    match client(state, &conn)?.check().await {
        Ok(h) => save_health(state, org, &h).await,
        Err(e) => {
            store::record_error(&state.db, org, &e.to_string()).await?;
            Err(e.into())
        }
    }
}

pub async fn disconnect(state: &AppState, org: OrgId) -> anyhow::Result<()> {
    store::delete_connection(&state.db, org).await?;
    Ok(())
}

/// Where GitHub delivers this connection's webhooks.
pub fn webhook_url(state: &AppState, connection: uuid::Uuid) -> String {
    format!("{}/webhooks/github/{connection}", state.settings.public_base())
}

/// Links a product to a repository Jetson can read, then tries to register the webhook (which
/// needs admin rights on the repository; without them the periodic poll keeps things in step).
pub async fn link_repo(state: &AppState, org: OrgId, product: ProductId, repo: &str) -> anyhow::Result<Option<String>> {
    let repo = RepoName::parse(repo).map_err(anyhow::Error::msg)?;
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let found = gh.repository(&repo).await.with_context(|| format!("{repo} cannot be read with these credentials"))?;
    if found.has_issues == Some(false) {
        anyhow::bail!("{repo} has issues turned off");
    }
    store::link_repo(&state.db, org, product, &found.full_name, DEFAULT_LABELS, DEFAULT_TRAINING).await?;
    let secret = state.sealer()?.open(purpose::WEBHOOK_SECRET, &conn.webhook_secret_enc)?;
    let warning = match gh.create_hook(&repo, &webhook_url(state, conn.id), &secret).await {
        Ok(hook) => {
            store::set_repo_webhook(&state.db, org, product, Some(hook.id as i64), "active").await?;
            None
        }
        Err(e) => {
            let why = format!("not registered: {e}");
            store::set_repo_webhook(&state.db, org, product, None, &why).await?;
            Some(format!(
                "the webhook could not be registered ({e}); Jetson polls {repo} every few minutes instead, or add the webhook by hand"
            ))
        }
    };
    // Read now: a poll that ran a moment ago will not come round for minutes, and "link
    // instead" needs the repository's issues from the start.
    let warning = match super::sync::read_repo(state, org, &gh, &found.full_name, None, None).await {
        Ok(etag) => {
            store::set_polled(&state.db, org, &found.full_name, etag.flatten().as_deref()).await?;
            warning
        }
        Err(e) => {
            let why = format!("its issues could not be read yet ({e:#}); the next poll tries again");
            Some(warning.map_or(why.clone(), |w| format!("{w}; {why}")))
        }
    };
    crate::queue::github_poll::schedule(state, org, 0).await?;
    Ok(warning)
}
