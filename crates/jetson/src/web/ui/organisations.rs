//! Your account → Organisations: every organisation one belongs to, with one's role there; switch
//! this session to another, or leave one (not the one this session is in, and not as its last
//! owner). Leaving is audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{OrgId, Role};
use jetson_store::{orgs, sessions, users};

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::actions::Actor;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::CsrfForm;

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    layout: Layout,
    account_tab: &'static str,
    /// (organisation, name, role, the one this session is in)
    rows: Vec<(OrgId, String, Role, bool)>,
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    let mut rows = Vec::new();
    for (org, role) in users::memberships(&state.db, user.user_id).await? {
        rows.push((org, orgs::get(&state.db, org).await?.name, role, org == user.org_id));
    }
    Ok(render(&OrganisationsPage { layout: Layout::new(&user, "account"), account_tab: "organisations", rows }))
}

fn parse_org(id: &str) -> Result<OrgId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not an organisation id."))
}

pub async fn switch(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let org = parse_org(&id)?;
    if users::role_in(&state.db, org, user.user_id).await?.is_none() {
        return Err(UiError::not_found("You do not belong to that organisation."));
    }
    let mut tx = state.db.begin().await?;
    sessions::set_org(&mut tx, user.session_id, org).await?;
    tx.commit().await?;
    Ok(Redirect::to("/").into_response())
}

pub async fn leave(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let org = parse_org(&id)?;
    let Some(role) = users::role_in(&state.db, org, user.user_id).await? else {
        return Err(UiError::not_found("You do not belong to that organisation."));
    };
    if org == user.org_id {
        return Err(UiError::bad_request("Switch to another organisation first, then leave this one from there."));
    }
    let mut tx = state.db.begin().await?;
    if role == Role::Owner && users::count_owners(&mut tx, org).await? <= 1 {
        return Err(UiError::bad_request(
            "You are this organisation's only owner: make someone else owner before you leave.",
        ));
    }
    users::remove_membership(&mut tx, org, user.user_id).await?;
    let actor = Actor { user_id: user.user_id, email: &user.email };
    actor.record(&mut tx, org, "member.leave", &format!("user:{}", user.user_id), "").await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/organisations").into_response())
}
