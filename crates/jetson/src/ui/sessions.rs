//! Your sessions: every browser signed in as you (which browser on which system, when it signed
//! in, when it was last used), with revoke for any one and "sign out everywhere else". Revoking
//! the session in use signs you out here.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::SessionId;
use jetson_store::sessions::{self, Listed};

use super::{CsrfOnly, Layout, UiError, render};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    layout: Layout,
    account_tab: &'static str,
    rows: Vec<Row>,
}

struct Row {
    session: Listed,
    device: String,
    current: bool,
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    let rows = sessions::list_for_user(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(|session| Row { device: device(&session.user_agent), current: session.id == user.session_id, session })
        .collect();
    Ok(render(&SessionsPage { layout: Layout::new(&user, "account"), account_tab: "sessions", rows }))
}

pub async fn revoke(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    let id: SessionId = id.parse().map_err(|_| UiError::bad_request("That is not a session id."))?;
    if !sessions::revoke(&state.db, user.user_id, id).await? {
        return Err(UiError::not_found("You have no such session (it may have ended already)."));
    }
    let next = if id == user.session_id { "/login" } else { "/account/sessions" };
    Ok(Redirect::to(next).into_response())
}

pub async fn revoke_others(
    State(state): State<AppState>,
    user: UiUser,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    let mut tx = state.db.begin().await?;
    sessions::revoke_others(&mut tx, user.user_id, user.session_id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/sessions").into_response())
}

/// "Firefox on Linux" from a `User-Agent`: enough to recognise one's own devices.
pub(crate) fn device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        return if ua.is_empty() { "Unknown browser".into() } else { ua.chars().take(60).collect() };
    };
    let system = if ua.contains("Android") {
        " on Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        " on iOS"
    } else if ua.contains("Windows") {
        " on Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        " on macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        " on Linux"
    } else {
        ""
    };
    format!("{browser}{system}")
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device(chrome), "Chrome on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(safari), "Safari on iOS");
        assert_eq!(
            device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"),
            "Firefox on Windows"
        );
        assert_eq!(
            device("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/150.0 Safari/537.36 Edg/150.0"),
            "Edge on Windows"
        );
        assert_eq!(device(""), "Unknown browser");
        assert_eq!(device("reqwest"), "reqwest");
    }
}
