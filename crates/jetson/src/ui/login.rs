//! Signing in. Unknown accounts and wrong passwords get the same answer in the same time.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::auth::extract::SESSION_COOKIE;
use crate::auth::sign_in::{SESSION_DAYS, sign_in};
use crate::state::AppState;

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
    let Some(token) = sign_in(&state, &form.email, form.password).await? else { return Ok(refuse(&form.email)) };
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
