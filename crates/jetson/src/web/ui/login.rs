//! Signing in. Unknown accounts and wrong passwords get the same answer in the same time; too many
//! failures get 429 with `Retry-After`.
//!
//! Before there is a session there is no session token to tie a form to, so the sign-in form has
//! its own: a random value in a `SameSite=Strict` cookie and the same value in the form (or in an
//! `X-CSRF-Token` header, for scripts). A sign-in posted without both, as a forged form on
//! another site would be, is refused (on top of the router's same-origin check).

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
/// The sign-in form's own CSRF token.
pub const FORM_COOKIE: &str = "jetson_login_csrf";
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    email: String,
    /// `/signup` is open: the page offers it.
    signup: bool,
    csrf: String,
}

/// The form's token: the one the browser holds, or a new one set now.
fn form_token(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(c) = jar.get(FORM_COOKIE).filter(|c| c.value().len() >= 32) {
        let token = c.value().to_string();
        return (jar, token);
    }
    let token = crate::secret::generate("");
    let cookie = Cookie::build((FORM_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .path("/login")
        .build();
    (jar.add(cookie), token)
}

pub async fn page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, super::UiError> {
    let signup = super::signup::open(&state).await?;
    let (jar, csrf) = form_token(&state, jar);
    Ok((jar, super::render(&LoginPage { error: None, email: String::new(), signup, csrf })).into_response())
}

#[derive(Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Result<Response, super::UiError> {
    let sent = headers.get("x-csrf-token").and_then(|h| h.to_str().ok()).unwrap_or(&form.csrf);
    let held = jar.get(FORM_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if held.is_empty() || !crate::secret::equal(&held, sent) {
        let (jar, csrf) = form_token(&state, jar);
        let error = "This sign-in form has expired or was not sent from this site. Sign in again here.";
        let page = LoginPage { error: Some(error.into()), email: form.email, signup: false, csrf };
        return Ok((axum::http::StatusCode::FORBIDDEN, jar, super::render(&page)).into_response());
    }
    let csrf = held;
    let refuse = |email: &str| {
        let error = Some("Wrong email or password.".into());
        let page = LoginPage { error, email: email.to_string(), signup: false, csrf: csrf.clone() };
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
            let page = LoginPage { error: Some(message), email: form.email, signup: false, csrf: csrf.clone() };
            let retry = [(axum::http::header::RETRY_AFTER, crate::web::page::BUSY_RETRY_AFTER_S)];
            return Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, retry, super::render(&page)).into_response());
        }
        Outcome::Locked { retry_after_s } => {
            let minutes = (retry_after_s + 59) / 60;
            let message = format!("Too many failed sign-ins. Try again in {minutes} minute(s).");
            let page = LoginPage { error: Some(message), email: form.email, signup: false, csrf: csrf.clone() };
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
    let expired = |jar: CookieJar| {
        let message = "That sign-in has expired or had too many wrong codes. Sign in again.";
        let (jar, csrf) = form_token(&state, jar);
        let page = LoginPage { error: Some(message.into()), email: String::new(), signup: false, csrf };
        (axum::http::StatusCode::UNAUTHORIZED, jar, super::render(&page)).into_response()
    };
    let Some(challenge) = jar.get(CHALLENGE_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(expired(jar));
    };
    Ok(match second_factor(&state, &challenge, &form.code, address.0).await? {
        SecondFactorOutcome::SignedIn(token) => signed_in(&state, jar, token),
        SecondFactorOutcome::Wrong => {
            let message = "That code is not right, or it was used already. Wait for the next one and try again.";
            let page = SecondFactorPage { error: Some(message.into()) };
            (axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response()
        }
        SecondFactorOutcome::Expired => expired(jar),
    })
}
