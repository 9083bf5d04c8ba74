//! `/signup`: creating an organisation and its first owner from the web. Open to anyone only with
//! `JETSON_ALLOW_SIGNUP=true`; otherwise only while the instance has no organisation at all (the
//! first person to set it up), so a self-hosted Jetson is not open to strangers by default.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use jetson_domain::{Email, Role};
use jetson_store::{orgs, users};
use serde::Deserialize;

use super::{UiError, render};
use crate::services::actions::Actor;
use crate::services::auth::password;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    organisation: String,
    name: String,
    email: String,
    problem: Option<String>,
}

/// Whether `/signup` is open now.
pub async fn open(state: &AppState) -> anyhow::Result<bool> {
    Ok(state.settings.allow_signup || orgs::list(&state.db).await?.is_empty())
}

const CLOSED: &str =
    "This Jetson does not take sign-ups. Ask an owner or admin of your organisation for an invitation.";

pub async fn page(State(state): State<AppState>) -> Result<Response, UiError> {
    if !open(&state).await? {
        return Err(UiError::forbidden(CLOSED));
    }
    let page = SignupPage { organisation: String::new(), name: String::new(), email: String::new(), problem: None };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct SignupForm {
    pub organisation: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub confirm: String,
}

pub async fn submit(
    State(state): State<AppState>,
    address: crate::web::caller::ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignupForm>,
) -> Result<Response, UiError> {
    if !open(&state).await? {
        return Err(UiError::forbidden(CLOSED));
    }
    let (organisation, name) = (f.organisation.trim(), f.name.trim());
    let problem = match Email::parse(f.email.trim()) {
        _ if organisation.is_empty() || organisation.chars().count() > 100 => {
            Some("Name the organisation (up to 100 characters).".to_string())
        }
        _ if name.is_empty() || name.chars().count() > 100 => Some("Give your name (up to 100 characters).".into()),
        Err(_) => Some("That is not an email address.".into()),
        Ok(_) if f.password != f.confirm => Some("The password and its confirmation differ.".into()),
        Ok(email) => match password::weakness(&f.password, &[email.as_str(), name, organisation]) {
            Some(why) => Some(why),
            None if users::find_by_email(&state.db, &email).await?.is_some() => Some(format!(
                "There is already an account for {email}. Sign in, and ask for an invitation to join another organisation."
            )),
            None if orgs::find_by_name(&state.db, organisation).await?.is_some() => {
                Some("An organisation of that name exists already; choose another name.".into())
            }
            None => None,
        },
    };
    if let Some(problem) = problem {
        let page = SignupPage {
            organisation: organisation.to_string(),
            name: name.to_string(),
            email: f.email.trim().to_string(),
            problem: Some(problem),
        };
        return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
    }
    let email = Email::parse(f.email.trim()).map_err(|e| UiError::bad_request(e.0))?;
    let hash = password::hash(f.password).await?;
    let mut tx = state.db.begin().await?;
    let org = orgs::create(&mut tx, organisation).await?;
    let user = users::create(&mut tx, &email, name, &hash).await?;
    users::add_membership(&mut tx, org.id, user.id, Role::Owner).await?;
    let actor = Actor { user_id: user.id, email: email.as_str() };
    actor
        .record(&mut tx, org.id, "org.create", &format!("org:{}", org.id), &format!("signed up as {organisation}"))
        .await?;
    tx.commit().await?;
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let token =
        crate::services::auth::sign_in::open_session(&state, &user, org.id, user_agent, address.0, "sign-up").await?;
    Ok(super::login::signed_in(&state, jar, token))
}
