//! Your account → Two-factor: set up an authenticator app (scan the QR code or type the secret,
//! then confirm with a code), see the ten recovery codes once, renew them, or turn two-factor off
//! (both with the password). When the organisation requires two factors, a person without them
//! is sent here from every page until they have set it up, and cannot turn it off.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use jetson_store::{two_factor, users};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::actions::Actor;
use crate::services::auth::password;
use crate::services::auth::two_factor::{self as factor, SetUp};
use crate::state::AppState;
use crate::web::UiUser;
use crate::web::guards::CsrfForm;

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    account_tab: &'static str,
    enabled_at: Option<DateTime<Utc>>,
    codes_left: i64,
    required: bool,
    /// Setting up: the QR code as a `data:` URL and the secret in groups of four.
    setup: Option<(String, String)>,
    /// Recovery codes just made, shown this once.
    codes: Vec<String>,
    problem: Option<String>,
}

async fn page_with(
    state: &AppState,
    user: &UiUser,
    setup: Option<SetUp>,
    codes: Vec<String>,
    problem: Option<String>,
) -> Result<Response, UiError> {
    let current = two_factor::get(&state.db, user.user_id).await?;
    let setup = setup.map(|s| {
        let qr = format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(s.qr_svg));
        let grouped = s.secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c)).collect::<Vec<_>>().join(" ");
        (qr, grouped)
    });
    let page = TwoFactorPage {
        layout: Layout::new(user, "account"),
        account_tab: "two-factor",
        enabled_at: current.totp_enabled_at,
        codes_left: two_factor::recovery_codes_left(&state.db, user.user_id).await?,
        required: jetson_store::orgs::security_policy(&state.db, user.org_id).await?.require_two_factor,
        setup,
        codes,
        problem: problem.clone(),
    };
    let mut response = render(&page);
    if problem.is_some() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    page_with(&state, &user, None, Vec::new(), None).await
}

pub async fn start(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    if two_factor::get(&state.db, user.user_id).await?.enabled() {
        return Err(UiError::bad_request("Two-factor is on already. Turn it off first to move to another app."));
    }
    let setup = factor::start(&state, user.user_id, &user.email).await?;
    page_with(&state, &user, Some(setup), Vec::new(), None).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    pub code: String,
}

pub async fn enable(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> Result<Response, UiError> {
    let actor = Actor { user_id: user.user_id, email: &user.email };
    match factor::enable(&state, user.org_id, actor, &f.code).await? {
        Some(codes) => page_with(&state, &user, None, codes, None).await,
        None => {
            let setup = factor::pending(&state, user.user_id, &user.email).await?;
            let problem = "That code is not right. Check that the app shows the code for Jetson, and that this device's clock is right.";
            page_with(&state, &user, setup, Vec::new(), Some(problem.into())).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub password: String,
}

async fn check_password(state: &AppState, user: &UiUser, given: String) -> Result<bool, UiError> {
    Ok(password::verify(given, users::get(&state.db, user.user_id).await?.password_hash).await?)
}

pub async fn renew_codes(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, UiError> {
    if !two_factor::get(&state.db, user.user_id).await?.enabled() {
        return Err(UiError::bad_request("Two-factor is off, so there are no recovery codes."));
    }
    if !check_password(&state, &user, f.password).await? {
        return page_with(&state, &user, None, Vec::new(), Some("That is not your password.".into())).await;
    }
    let codes =
        factor::renew_recovery_codes(&state, user.org_id, Actor { user_id: user.user_id, email: &user.email }).await?;
    page_with(&state, &user, None, codes, None).await
}

pub async fn disable(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, UiError> {
    if jetson_store::orgs::security_policy(&state.db, user.org_id).await?.require_two_factor {
        return Err(UiError::forbidden("Your organisation requires two-factor sign-in, so it stays on."));
    }
    if !check_password(&state, &user, f.password).await? {
        return page_with(&state, &user, None, Vec::new(), Some("That is not your password.".into())).await;
    }
    factor::disable(&state, user.org_id, Actor { user_id: user.user_id, email: &user.email }).await?;
    Ok(Redirect::to("/account/two-factor").into_response())
}
