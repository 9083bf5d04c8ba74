//! `/invite/TOKEN`: someone accepts an invitation. Someone new chooses their name and password (and
//! is signed in); someone signed in joins with one click and is moved to that organisation.
//! `/reset/TOKEN`: a member chooses a new password through the link an owner or admin gave them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use jetson_domain::Email;
use jetson_store::one_time_links::{Kind, Link};
use jetson_store::{orgs, sessions};
use serde::Deserialize;

use super::{UiError, render};
use crate::secret;
use crate::services::auth::password;
use crate::services::members;
use crate::state::AppState;
use crate::web::caller::session_of;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    org: String,
    role: String,
    /// Signed in as this address: one click joins.
    signed_in_as: Option<String>,
    csrf: String,
    email: String,
    name: String,
    problem: Option<String>,
}

const GONE: &str = "This link has expired, been used or been withdrawn. Ask for a new one.";

async fn invitation(state: &AppState, token: &str) -> Result<Link, UiError> {
    members::find_link(state, Kind::Invite, token).await?.ok_or_else(|| UiError::not_found(GONE))
}

async fn invite_page(
    state: &AppState,
    headers: &HeaderMap,
    link: &Link,
    form: Option<&JoinForm>,
    problem: Option<String>,
) -> Result<Response, UiError> {
    let session = session_of(state, headers).await?;
    let page = InvitePage {
        org: orgs::get(&state.db, link.org_id).await?.name,
        role: link.role.clone().unwrap_or_default(),
        signed_in_as: session.as_ref().map(|s| s.email.clone()),
        csrf: session.map(|s| s.csrf_token).unwrap_or_default(),
        email: form.map(|f| f.email.clone()).unwrap_or_default(),
        name: form.map(|f| f.name.clone()).unwrap_or_default(),
        problem: problem.clone(),
    };
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, UiError> {
    let link = invitation(&state, &token).await?;
    invite_page(&state, &headers, &link, None, None).await
}

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

pub async fn accept(
    State(state): State<AppState>,
    address: crate::web::caller::ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(f): Form<JoinForm>,
) -> Result<Response, UiError> {
    let link = invitation(&state, &token).await?;
    if let Some(session) = session_of(&state, &headers).await? {
        if !secret::equal(&session.csrf_token, &f.csrf) {
            return Err(UiError::forbidden("The form expired. Go back, reload the page and try again."));
        }
        members::join_as_existing(&state, &link, session.user_id, &session.email).await?;
        let mut tx = state.db.begin().await?;
        sessions::set_org(&mut tx, session.id, link.org_id).await?;
        tx.commit().await?;
        return Ok(Redirect::to("/").into_response());
    }
    let problem = |why: &str| invite_page(&state, &headers, &link, Some(&f), Some(why.to_string()));
    let Ok(email) = Email::parse(f.email.trim()) else { return problem("That is not an email address.").await };
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return problem("Give your name (up to 100 characters).").await;
    }
    if f.password != f.confirm {
        return problem("The password and its confirmation differ.").await;
    }
    if let Some(why) = password::weakness(&f.password, &[email.as_str(), name]) {
        return problem(&why).await;
    }
    let user = members::join_as_new(&state, &link, &email, name, f.password.clone()).await?;
    let account = jetson_store::users::get(&state.db, user).await?;
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let token = crate::services::auth::sign_in::open_session(
        &state,
        &account,
        link.org_id,
        user_agent,
        address.0,
        "invitation",
    )
    .await?;
    Ok(super::login::signed_in(&state, jar, token))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    email: String,
    problem: Option<String>,
}

async fn reset_link(state: &AppState, token: &str) -> Result<Link, UiError> {
    members::find_link(state, Kind::PasswordReset, token).await?.ok_or_else(|| UiError::not_found(GONE))
}

async fn email_of(state: &AppState, link: &Link) -> Result<String, UiError> {
    let user = link.user_id.ok_or_else(|| UiError::not_found(GONE))?;
    Ok(jetson_store::users::get(&state.db, user.into()).await?.email)
}

pub async fn reset_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, UiError> {
    let link = reset_link(&state, &token).await?;
    Ok(render(&ResetPage { email: email_of(&state, &link).await?, problem: None }))
}

#[derive(Deserialize)]
pub struct ResetForm {
    pub password: String,
    pub confirm: String,
}

pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> Result<Response, UiError> {
    let link = reset_link(&state, &token).await?;
    let email = email_of(&state, &link).await?;
    let problem = if f.password != f.confirm {
        Some("The password and its confirmation differ.".to_string())
    } else {
        password::weakness(&f.password, &[&email])
    };
    if let Some(problem) = problem {
        return Ok((StatusCode::BAD_REQUEST, render(&ResetPage { email, problem: Some(problem) })).into_response());
    }
    members::reset_password(&state, &link, f.password).await?;
    Ok(Redirect::to("/login").into_response())
}
