//! Signing in. Unknown accounts and wrong passwords get the same answer in the same time.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use jetson_domain::Email;
use jetson_store::{sessions, users};
use serde::Deserialize;

use crate::auth::extract::SESSION_COOKIE;
use crate::auth::{password, secret};
use crate::state::AppState;

const SESSION_DAYS: i64 = 7;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    email: String,
}

pub async fn page() -> Response {
    super::render(&LoginPage { error: None, email: String::new() })
}

#[derive(Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Result<Response, super::UiError> {
    let refuse = |email: &str| {
        let page = LoginPage { error: Some("Wrong email or password.".into()), email: email.to_string() };
        (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
    };
    let user = match Email::parse(&form.email) {
        Ok(email) => users::find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().map_or_else(|| password::dummy_hash().to_string(), |u| u.password_hash.clone());
    let ok = password::verify(form.password, stored).await;
    let Some(user) = user.filter(|_| ok) else { return Ok(refuse(&form.email)) };
    let Some((org, _)) = users::memberships(&state.db, user.id).await?.into_iter().next() else {
        return Ok(refuse(&form.email));
    };
    let token = secret::generate("");
    let csrf = secret::generate("");
    let mut tx = state.db.begin().await?;
    sessions::create(
        &mut tx,
        sessions::NewSession {
            token_hash: &secret::hash(&token),
            user_id: user.id,
            org_id: org,
            csrf_token: &csrf,
            expires_at: chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS),
        },
    )
    .await?;
    tx.commit().await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .path("/")
        .max_age(time_days(SESSION_DAYS))
        .build();
    Ok((jar.add(cookie), Redirect::to("/")).into_response())
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}
