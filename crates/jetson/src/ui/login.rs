//! Signing in. Unknown accounts and wrong passwords get the same answer in the same time; too many
//! failures get 429 with `Retry-After`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::auth::extract::ClientAddress;
use crate::auth::extract::SESSION_COOKIE;
use crate::auth::sign_in::{Outcome, SESSION_DAYS, sign_in};
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
    address: ClientAddress,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Result<Response, super::UiError> {
    let refuse = |email: &str| {
        let page = LoginPage { error: Some("Wrong email or password.".into()), email: email.to_string() };
        (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
    };
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let token = match sign_in(&state, &form.email, form.password, address.0, user_agent).await? {
        Outcome::SignedIn(token) => token,
        Outcome::Refused => return Ok(refuse(&form.email)),
        Outcome::Locked { retry_after_s } => {
            let minutes = (retry_after_s + 59) / 60;
            let message = format!("Too many failed sign-ins. Try again in {minutes} minute(s).");
            let page = LoginPage { error: Some(message), email: form.email };
            let retry = [(axum::http::header::RETRY_AFTER, retry_after_s.to_string())];
            return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, retry, super::render(&page)).into_response());
        }
    };
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
