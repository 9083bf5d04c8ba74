//! Settings → Integrations: the Help Scout connection's health, connecting and disconnecting, the
//! mailboxes and the product each feeds, and history imports.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use jetson_store::helpscout::{self as store, Connection, Mailbox};
use jetson_store::products::{self, Product};
use jetson_store::sync_runs::{self, SyncRun};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{Administer, Allowed};

#[derive(Template)]
#[template(path = "integrations.html")]
struct IntegrationsPage {
    layout: Layout,
    connection: Option<Connection>,
    pending_consent: bool,
    mailboxes: Vec<Mailbox>,
    products: Vec<Product>,
    runs: Vec<SyncRun>,
    operator_app: bool,
    callback_url: String,
    error: Option<String>,
    notice: Option<String>,
}

impl IntegrationsPage {
    fn product_name(&self, m: &Mailbox) -> Option<&str> {
        let id = m.product()?;
        self.products.iter().find(|p| p.id == id).map(|p| p.name.as_str())
    }

    fn feeds(&self, m: &Mailbox, p: &Product) -> bool {
        m.product() == Some(p.id)
    }

    fn linked(&self) -> Vec<&Mailbox> {
        self.mailboxes.iter().filter(|m| m.product().is_some()).collect()
    }
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub notice: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    page(&state, &user, None, p.notice.as_deref().map(notice_text)).await
}

/// Notices come back through a redirect as a short code, never as free text in the URL.
fn notice_text(code: &str) -> String {
    match code {
        "connected" => "Help Scout is connected. Choose the mailboxes to read below.",
        "disconnected" => "Help Scout is disconnected. Imported conversations stay until you delete them.",
        "mailboxes" => "The mailbox list was refreshed.",
        "linked" => "The mailbox's product was saved.",
        "webhook" => "The webhook was registered again; see its state above.",
        _ => "",
    }
    .to_string()
}

/// The page, for handlers that took `Allowed<Administer>`.
pub async fn page(
    state: &AppState,
    user: &UiUser,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, UiError> {
    let org = user.org_id;
    let connection = store::connection(&state.db, org).await?;
    let pending_consent = connection.as_ref().is_some_and(|c| c.connected_at.is_none() && c.oauth_state_hash.is_some());
    let page = IntegrationsPage {
        layout: Layout::new(user, "settings"),
        connection: connection.filter(|c| c.connected_at.is_some()),
        pending_consent,
        mailboxes: store::mailboxes(&state.db, org).await?,
        products: products::list(&state.db, org).await?,
        runs: sync_runs::list(&state.db, org, 10).await?,
        operator_app: state.settings.helpscout_app.is_some(),
        callback_url: format!(
            "{}/settings/integrations/helpscout/callback",
            state.settings.public_url.clone().unwrap_or_default()
        ),
        error,
        notice: notice.filter(|n| !n.is_empty()),
    };
    Ok(render(&page))
}

/// "3 minutes ago" for the health view.
pub fn ago(t: &DateTime<Utc>) -> String {
    let s = (Utc::now() - *t).num_seconds().max(0);
    match s {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", s / 60),
        3600..86400 => format!("{} h ago", s / 3600),
        _ => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
