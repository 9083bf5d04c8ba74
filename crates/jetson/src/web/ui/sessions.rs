//! Your sessions: every browser signed in as you (which browser on which system, when it signed
//! in, when it was last used), with revoke for any one and "sign out everywhere else". Revoking
//! the session in use signs you out here.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::SessionId;
use jetson_store::sessions::{self, Listed};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::devices::device;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{CsrfForm, Id};

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
    Id(id): Id<SessionId>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    if !sessions::revoke(&state.db, user.user_id, id).await? {
        return Err(UiError::not_found("You have no such session (it may have ended already)."));
    }
    let next = if id == user.session_id { "/login" } else { "/account/sessions" };
    Ok(Redirect::to(next).into_response())
}

pub async fn revoke_others(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let mut tx = state.db.begin().await?;
    sessions::revoke_others(&mut tx, user.user_id, user.session_id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/sessions").into_response())
}
