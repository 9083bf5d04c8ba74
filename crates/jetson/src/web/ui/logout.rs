//! Signing out: the session is deleted on the server, not just forgotten by the browser.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use jetson_store::sessions;

use crate::secret;
use crate::state::AppState;
use crate::web::UiUser;
use crate::web::caller::SESSION_COOKIE;
use crate::web::guards::CsrfForm;

pub async fn handler(
    State(state): State<AppState>,
    _user: UiUser,
    jar: CookieJar,
    _: CsrfForm<super::CsrfOnly>,
) -> Result<Response, super::UiError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        sessions::delete(&state.db, &secret::hash(c.value())).await?;
    }
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")).into_response())
}
