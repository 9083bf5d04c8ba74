//! Settings → Members: who belongs to the organisation, with their role and whether they sign in
//! with two factors; invite by one-time link, withdraw an invitation, change a role, remove
//! someone, or give a member a one-time link to choose a new password. With a mail server the
//! links are emailed; otherwise (or when sending fails) they are shown once to hand over. Owners
//! and admins only.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{LinkId, ProductId, Role, UserId};
use jetson_store::one_time_links::{self, Link};
use jetson_store::users::{self, Member};
use serde::Deserialize;

use super::{CsrfOnly, Layout, UiError, render};
use crate::services::members;
use crate::state::AppState;
use crate::web::caller::UiUser;
use crate::web::guards::{Allowed, CsrfForm, Id, ManageMembers};

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
    /// A link just made.
    link: Option<MadeLink>,
    /// A mail server is configured: links are emailed.
    can_email: bool,
    products: Vec<jetson_store::products::Product>,
    /// Members limited to some products (need-to-know), with those products.
    limits: Vec<(UserId, Vec<ProductId>)>,
}

impl MembersPage {
    fn limit_of(&self, user: &UserId) -> Option<&Vec<ProductId>> {
        self.limits.iter().find(|(u, _)| u == user).map(|(_, p)| p)
    }

    /// What this member sees, in words: every product, or the ones they are limited to.
    fn access_label(&self, user: &UserId) -> String {
        match self.limit_of(user) {
            None => "all products".into(),
            Some(ids) if ids.is_empty() => "no products".into(),
            Some(ids) => {
                let names: Vec<&str> =
                    self.products.iter().filter(|p| ids.contains(&p.id)).map(|p| p.name.as_str()).collect();
                names.join(", ")
            }
        }
    }

    fn sees(&self, user: &UserId, product: &ProductId) -> bool {
        self.limit_of(user).is_none_or(|ids| ids.contains(product))
    }
}

/// A link just made: emailed, or shown this once to hand over.
struct MadeLink {
    what: String,
    /// Shown when not emailed.
    url: Option<String>,
    emailed_to: Option<String>,
    /// Why it was not emailed, when there was an address to email it to.
    not_emailed: Option<String>,
}

impl MadeLink {
    /// Emails the link to `to` when there is an address and a mail server; otherwise shows it.
    async fn hand_over(state: &AppState, what: String, url: String, to: Option<&str>, mail: (String, String)) -> Self {
        let Some(to) = to.filter(|_| state.mailer.is_some()) else {
            return MadeLink { what, url: Some(url), emailed_to: None, not_emailed: None };
        };
        match members::email_link(state, to, &mail.0, mail.1).await {
            Ok(()) => MadeLink { what, url: None, emailed_to: Some(to.to_string()), not_emailed: None },
            Err(why) => MadeLink { what, url: Some(url), emailed_to: None, not_emailed: Some(why) },
        }
    }
}

/// The page, for handlers that took `Allowed<ManageMembers>`.
async fn page_with(state: &AppState, user: &UiUser, link: Option<MadeLink>) -> Result<Response, UiError> {
    let roles = Role::ALL.iter().copied().filter(|r| *r != Role::Owner || user.role == Role::Owner).collect();
    Ok(render(&MembersPage {
        layout: Layout::new(user, "members"),
        members: users::members(&state.db, user.org_id).await?,
        invites: one_time_links::open_invites(&state.db, user.org_id).await?,
        roles,
        me: user.user_id,
        i_am_owner: user.role == Role::Owner,
        link,
        can_email: state.mailer.is_some(),
        products: jetson_store::products::list(&state.db, user.org_id).await?,
        limits: jetson_store::product_access::limits(&state.db, user.org_id).await?,
    }))
}

pub async fn page(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
) -> Result<Response, UiError> {
    page_with(&state, &user, None).await
}

fn parse_role(role: &str) -> Result<Role, UiError> {
    Role::parse(role).map_err(|e| UiError::bad_request(e.0))
}

#[derive(Deserialize)]
pub struct InviteForm {
    pub role: String,
    /// Who it is for (an email address, a name), to recognise the invitation in the list.
    #[serde(default)]
    pub note: String,
}

pub async fn invite(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> Result<Response, UiError> {
    let role = parse_role(&f.role)?;
    let note: String = f.note.trim().chars().take(120).collect();
    let token = members::invite(&state, user.org_id, user.actor(), user.role, role, &note).await?;
    let what = format!("Invitation to join as {role} (works once, for {} days)", members::INVITE_DAYS);
    let url = members::link_url(&state, "/invite", &token);
    let org = jetson_store::orgs::get(&state.db, user.org_id).await?.name;
    let mail = members::invitation_email(&org, &format!("{} ({})", user.name, user.email), role, &url);
    let to = jetson_domain::Email::parse(&note).ok().map(|e| e.to_string());
    let made = MadeLink::hand_over(&state, what, url, to.as_deref(), mail).await;
    page_with(&state, &user, Some(made)).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    Id(id): Id<LinkId>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    if !members::withdraw_invite(&state, user.org_id, user.actor(), id).await? {
        return Err(UiError::not_found("There is no such open invitation."));
    }
    Ok(Redirect::to("/settings/members").into_response())
}

fn parse_user(id: &str) -> Result<UserId, UiError> {
    id.parse().map_err(|_| UiError::bad_request("That is not a person's id."))
}

#[derive(Deserialize)]
pub struct RoleForm {
    pub role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> Result<Response, UiError> {
    let (member, role) = (parse_user(&id)?, parse_role(&f.role)?);
    members::set_role(&state, user.org_id, user.actor(), user.role, member, role).await?;
    Ok(Redirect::to("/settings/members").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    members::remove(&state, user.org_id, user.actor(), user.role, parse_user(&id)?).await?;
    Ok(Redirect::to("/settings/members").into_response())
}

pub async fn reset_link(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<CsrfOnly>,
) -> Result<Response, UiError> {
    let member = parse_user(&id)?;
    let token = members::reset_link(&state, user.org_id, user.actor(), user.role, member).await?;
    let email = users::get(&state.db, member).await?.email;
    let what = format!("Password reset for {email} (works once, for {} hours)", members::RESET_HOURS);
    let url = members::link_url(&state, "/reset", &token);
    let mail = members::reset_email(&url);
    let made = MadeLink::hand_over(&state, what, url.clone(), Some(&email), mail).await;
    page_with(&state, &user, Some(made)).await
}

/// Limits a member or viewer to some products, or lets them see all. The form sends
/// `access=all|only` and a `product=ID` per ticked product.
pub async fn set_products(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<ManageMembers>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    let member = parse_user(&id)?;
    let products = match field("access") {
        "all" => None,
        "only" => Some(
            fields
                .iter()
                .filter(|(k, _)| k == "product")
                .map(|(_, v)| v.parse::<ProductId>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| UiError::bad_request("That is not a product id."))?,
        ),
        _ => return Err(UiError::bad_request("Choose all products or only some.")),
    };
    members::set_products(&state, user.org_id, user.actor(), member, products).await?;
    Ok(Redirect::to("/settings/members").into_response())
}
