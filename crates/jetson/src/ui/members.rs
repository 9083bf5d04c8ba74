//! Settings → Members: who belongs to the organisation, with their role and whether they sign in
//! with two factors; invite by one-time link, withdraw an invitation, change a role, remove
//! someone, or give a member a one-time link to choose a new password. Owners and admins only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{LinkId, Permission, Role, UserId};
use jetson_store::one_time_links::{self, Link};
use jetson_store::users::{self, Member};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render, require};
use crate::actions::Actor;
use crate::auth::UiUser;
use crate::members;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    layout: Layout,
    members: Vec<Member>,
    invites: Vec<Link>,
    /// Roles this person may hand out.
    roles: Vec<Role>,
    me: UserId,
    i_am_owner: bool,
    /// A link just made: (what it is for, the address), shown this once.
    link: Option<(String, String)>,
}

async fn page_with(state: &AppState, user: &UiUser, link: Option<(String, String)>) -> Result<Response, UiError> {
    require(user, Permission::ManageMembers)?;
    let roles = Role::ALL.iter().copied().filter(|r| *r != Role::Owner || user.role == Role::Owner).collect();
    Ok(render(&MembersPage {
        layout: Layout::new(user, "members"),
        members: users::members(&state.db, user.org_id).await?,
        invites: one_time_links::open_invites(&state.db, user.org_id).await?,
        roles,
        me: user.user_id,
        i_am_owner: user.role == Role::Owner,
        link,
    }))
}

pub async fn page(State(state): State<AppState>, user: UiUser) -> Result<Response, UiError> {
    page_with(&state, &user, None).await
}

/// Every change here: the form's own, by someone who manages members.
fn allowed(user: &UiUser, csrf: &str) -> Result<(), UiError> {
    user.check_csrf(csrf)?;
    require(user, Permission::ManageMembers)
}

fn actor(user: &UiUser) -> Actor<'_> {
    Actor { user_id: user.user_id, email: &user.email }
}

fn parse_role(role: &str) -> Result<Role, UiError> {
    Role::parse(role).map_err(|e| UiError::bad_request(e.0))
}

#[derive(Deserialize)]
pub struct InviteForm {
    pub csrf: String,
    pub role: String,
    /// Who it is for (an email address, a name), to recognise the invitation in the list.
    #[serde(default)]
    pub note: String,
}

pub async fn invite(
    State(state): State<AppState>,
    user: UiUser,
    Form(f): Form<InviteForm>,
) -> Result<Response, UiError> {
    allowed(&user, &f.csrf)?;
    let role = parse_role(&f.role)?;
    let note: String = f.note.trim().chars().take(120).collect();
    let token = members::invite(&state, user.org_id, actor(&user), user.role, role, &note).await?;
    let what = format!("Invitation to join as {role} (works once, for {} days)", members::INVITE_DAYS);
    page_with(&state, &user, Some((what, members::link_url(&state, "/invite", &token)))).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    allowed(&user, &f.csrf)?;
    let id: LinkId = id.parse().map_err(|_| UiError::bad_request("That is not an invitation id."))?;
    if !members::withdraw_invite(&state, user.org_id, actor(&user), id).await? {
        return Err(UiError::not_found("There is no such open invitation."));
    }
    Ok(Redirect::to("/settings/members").into_response())
}

fn parse_user(id: &str) -> Result<UserId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not a person's id."))
}

#[derive(Deserialize)]
pub struct RoleForm {
    pub csrf: String,
    pub role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, UiError> {
    allowed(&user, &f.csrf)?;
    let (member, role) = (parse_user(&id)?, parse_role(&f.role)?);
    members::set_role(&state, user.org_id, actor(&user), user.role, member, role).await?;
    Ok(Redirect::to("/settings/members").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    allowed(&user, &f.csrf)?;
    members::remove(&state, user.org_id, actor(&user), user.role, parse_user(&id)?).await?;
    Ok(Redirect::to("/settings/members").into_response())
}

pub async fn reset_link(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    allowed(&user, &f.csrf)?;
    let member = parse_user(&id)?;
    let token = members::reset_link(&state, user.org_id, actor(&user), user.role, member).await?;
    let email = users::get(&state.db, member).await?.email;
    let what = format!(
        "Password reset for {email} (works once, for {} hours; give it to them yourself)",
        members::RESET_HOURS
    );
    page_with(&state, &user, Some((what, members::link_url(&state, "/reset", &token)))).await
}
