//! Signing in. Unknown accounts and wrong passwords get the same answer in the same time; too many
//! failures get 429 with `Retry-After`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::services::auth::sign_in::{
    CHALLENGE_MINUTES, Outcome, SESSION_DAYS, SecondFactorOutcome, second_factor, sign_in,
};
use crate::web::caller::ClientAddress;
use crate::web::caller::SESSION_COOKIE;

/// The sign-in waiting for its second factor (a random token; the database keeps its hash).
const CHALLENGE_COOKIE: &str = "jetson_sign_in";
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    email: String,
    /// `/signup` is open: the page offers it.
    signup: bool,
}

pub async fn page(State(state): State<AppState>) -> Result<Response, super::UiError> {
    let signup = super::signup::open(&state).await?;
    Ok(super::render(&LoginPage { error: None, email: String::new(), signup }))
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
        let page =
            LoginPage { error: Some("Wrong email or password.".into()), email: email.to_string(), signup: false };
        (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
    };
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let token = match sign_in(&state, &form.email, form.password, address.0, user_agent).await? {
        Outcome::SignedIn(token) => token,
        Outcome::SecondFactor(challenge) => {
            let cookie = Cookie::build((CHALLENGE_COOKIE, challenge))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.settings.secure_cookies)
                .path("/login")
                .max_age(time::Duration::minutes(CHALLENGE_MINUTES))
                .build();
            return Ok((jar.add(cookie), Redirect::to("/login/two-factor")).into_response());
        }
        Outcome::Refused => return Ok(refuse(&form.email)),
        Outcome::Busy => {
            let message = "The server is busy checking passwords. Try again in a few seconds.".to_string();
            let page = LoginPage { error: Some(message), email: form.email, signup: false };
            let retry = [(axum::http::header::RETRY_AFTER, crate::web::page::BUSY_RETRY_AFTER_S)];
            return Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, retry, super::render(&page)).into_response());
        }
        Outcome::Locked { retry_after_s } => {
            let minutes = (retry_after_s + 59) / 60;
            let message = format!("Too many failed sign-ins. Try again in {minutes} minute(s).");
            let page = LoginPage { error: Some(message), email: form.email, signup: false };
            let retry = [(axum::http::header::RETRY_AFTER, retry_after_s.to_string())];
            return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, retry, super::render(&page)).into_response());
        }
    };
    Ok(signed_in(&state, jar, token))
}

/// The session cookie set, and on to the inbox.
pub(super) fn signed_in(state: &AppState, jar: CookieJar, token: String) -> Response {
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .path("/")
        .max_age(time::Duration::days(SESSION_DAYS))
        .build();
    let jar = jar.remove(Cookie::build(CHALLENGE_COOKIE).path("/login"));
    (jar.add(cookie), Redirect::to("/")).into_response()
}

#[derive(Template)]
#[template(path = "login_two_factor.html")]
struct SecondFactorPage {
    error: Option<String>,
}

pub async fn second_factor_page() -> Response {
    super::render(&SecondFactorPage { error: None })
}

#[derive(Deserialize)]
pub struct Code {
    pub code: String,
}

pub async fn second_factor_submit(
    State(state): State<AppState>,
    address: ClientAddress,
    jar: CookieJar,
    Form(form): Form<Code>,
) -> Result<Response, super::UiError> {
    let expired = || {
        let message = "That sign-in has expired or had too many wrong codes. Sign in again.";
        let page = LoginPage { error: Some(message.into()), email: String::new(), signup: false };
        (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
    };
    let Some(challenge) = jar.get(CHALLENGE_COOKIE).map(|c| c.value().to_string()) else { return Ok(expired()) };
    Ok(match second_factor(&state, &challenge, &form.code, address.0).await? {
        SecondFactorOutcome::SignedIn(token) => signed_in(&state, jar, token),
        SecondFactorOutcome::Wrong => {
            let message = "That code is not right, or it was used already. Wait for the next one and try again.";
            let page = SecondFactorPage { error: Some(message.into()) };
            (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
        }
        SecondFactorOutcome::Expired => expired(),
    })
}
