//! Connecting Help Scout (OAuth redirect and callback, or client credentials), re-registering the
//! webhook, and disconnecting.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_connectors::helpscout::Credentials;
use serde::Deserialize;

use super::integrations::page;
use super::{CsrfOnly, UiError};
use crate::services::helpscout::connect;
use crate::state::AppState;
use crate::web::guards::{Administer, Allowed, CsrfForm};

#[derive(Deserialize)]
pub struct ConnectForm {
    pub mode: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
}

pub async fn connect(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<ConnectForm>,
) -> Result<Response, UiError> {
    let typed = (!f.client_id.trim().is_empty() && !f.client_secret.trim().is_empty()).then(|| Credentials {
        client_id: f.client_id.trim().to_string(),
        client_secret: f.client_secret.trim().to_string(),
    });
    let result = match f.mode.as_str() {
        "client_credentials" => match typed {
            Some(app) => connect::with_client_credentials(&state, user.org_id, &app).await.map(|()| None),
            None => Err(anyhow::anyhow!("Enter the app's ID and secret.")),
        },
        "oauth" => match typed.or_else(|| state.settings.helpscout_app.clone()) {
            Some(app) => connect::start_oauth(&state, user.org_id, &app).await.map(Some),
            None => Err(anyhow::anyhow!("Enter the app's ID and secret.")),
        },
        _ => return Err(UiError::bad_request("Unknown way to connect.")),
    };
    match result {
        Ok(Some(consent)) => Ok(Redirect::to(&consent).into_response()),
        Ok(None) => {
            user.actor()
                .record_alone(&state, user.org_id, "integration.connect", "helpscout", "client credentials")
                .await?;
            Ok(Redirect::to("/settings/integrations?notice=connected").into_response())
        }
        Err(e) => page(&state, &user, Some(format!("Help Scout was not connected: {e:#}")), None).await,
    }
}

#[derive(Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Help Scout sends the person back here after consent (or refusal).
pub async fn callback(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Query(q): Query<Callback>,
) -> Result<Response, UiError> {
    let result = match (q.code, q.state, q.error) {
        (_, _, Some(e)) => Err(anyhow::anyhow!("Help Scout said: {e}")),
        (Some(code), Some(returned), None) => connect::finish_oauth(&state, user.org_id, &code, &returned).await,
        _ => Err(anyhow::anyhow!("Help Scout's answer had no code; start again")),
    };
    match result {
        Ok(()) => {
            user.actor().record_alone(&state, user.org_id, "integration.connect", "helpscout", "OAuth").await?;
            Ok(Redirect::to("/settings/integrations?notice=connected").into_response())
        }
        Err(e) => page(&state, &user, Some(format!("Help Scout was not connected: {e:#}")), None).await,
    }
}

pub async fn disconnect(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let warning = connect::disconnect(&state, user.org_id).await?;
    user.actor().record_alone(&state, user.org_id, "integration.disconnect", "helpscout", "").await?;
    match warning {
        None => Ok(Redirect::to("/settings/integrations?notice=disconnected").into_response()),
        Some(warning) => page(&state, &user, Some(format!("Disconnected, but {warning}.")), None).await,
    }
}

pub async fn webhook(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    match connect::register_webhook(&state, user.org_id).await {
        Ok(()) => {
            user.actor().record_alone(&state, user.org_id, "integration.webhook", "helpscout", "registered").await?;
            Ok(Redirect::to("/settings/integrations?notice=webhook").into_response())
        }
        Err(e) => page(&state, &user, Some(format!("{e:#}")), None).await,
    }
}
