//! Server-rendered pages (askama templates in `crates/jetson/templates/`), one file per action.
//! Forms post back with a CSRF token and redirect (post/redirect/get), so pages work without
//! JavaScript.

pub mod assets;
pub mod audit;
pub mod board;
pub mod conversation;
pub mod forgot;
pub mod github_issue;
pub mod github_queue;
pub mod github_settings;
pub mod held;
pub mod helpscout_connect;
pub mod helpscout_imports;
pub mod helpscout_mailboxes;
pub mod inbox;
pub mod integrations;
pub mod invite;
pub mod item;
pub mod item_merge;
pub mod item_status;
pub mod items;
pub mod login;
pub mod logout;
pub mod members;
pub mod messages;
pub mod organisations;
pub mod password;
pub mod privacy_settings;
pub mod products;
pub mod reclassify;
pub mod report_move;
pub mod sessions;
pub mod signup;
pub mod tokens;
pub mod two_factor;
pub mod view;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jetson_domain::Permission;

/// What every page's frame needs: who is signed in, their CSRF token, and the current section.
pub struct Layout {
    pub user_name: String,
    pub csrf: String,
    pub section: &'static str,
    /// Owners and admins review held conversations.
    pub can_review: bool,
    pub can_manage_members: bool,
    /// Integrations and product settings.
    pub can_administer: bool,
    pub escalations: i64,
    /// For owners and admins: security alerts not yet seen.
    pub alerts: i64,
}

impl Layout {
    pub fn new(user: &crate::auth::UiUser, section: &'static str) -> Layout {
        Layout {
            user_name: user.name.clone(),
            csrf: user.csrf_token.clone(),
            section,
            can_review: user.role.may(Permission::DecideHeld),
            can_manage_members: user.role.may(Permission::ManageMembers),
            can_administer: user.role.may(Permission::Administer),
            escalations: user.escalations,
            alerts: user.alerts,
        }
    }
}

pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong rendering this page.").into_response()
        }
    }
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}

/// A page-level error: what went wrong in plain words, logged when it is our fault.
pub struct UiError(StatusCode, String);

impl UiError {
    pub fn bad_request(message: impl Into<String>) -> UiError {
        UiError(StatusCode::BAD_REQUEST, message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> UiError {
        UiError(StatusCode::FORBIDDEN, message.into())
    }

    pub fn not_found(message: impl Into<String>) -> UiError {
        UiError(StatusCode::NOT_FOUND, message.into())
    }
}

impl From<anyhow::Error> for UiError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast_ref::<jetson_store::StoreError>() {
            Some(jetson_store::StoreError::NotFound) => {
                UiError(StatusCode::NOT_FOUND, "That page does not exist.".into())
            }
            Some(jetson_store::StoreError::Conflict(m)) => {
                UiError(StatusCode::CONFLICT, format!("That change was not made: {m}."))
            }
            _ => {
                tracing::error!(error = %format!("{e:#}"), "page failed");
                UiError(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. The error was logged.".into())
            }
        }
    }
}

impl From<jetson_store::StoreError> for UiError {
    fn from(e: jetson_store::StoreError) -> Self {
        anyhow::Error::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let page = ErrorPage { status: self.0.as_u16(), message: &self.1 };
        (self.0, render(&page)).into_response()
    }
}

/// Refuses with 403, saying who may, unless the user's role has `permission` (the role table is
/// `jetson_domain::permissions::TABLE`).
pub fn require(user: &crate::auth::UiUser, permission: Permission) -> Result<(), UiError> {
    if user.role.may(permission) {
        return Ok(());
    }
    Err(UiError::forbidden(match permission {
        Permission::Write => "Your role can look but not change things.",
        Permission::RevealOriginals => "Only owners and admins may see original messages.",
        Permission::DecideHeld => "Only owners and admins review held conversations.",
        _ => "Only owners and admins can do this: integrations, settings and the audit trail are theirs.",
    }))
}

/// Integrations and settings are for owners and admins.
pub fn require_admin(user: &crate::auth::UiUser) -> Result<(), UiError> {
    require(user, Permission::Administer)
}

/// Only people who may write can change things through the UI.
pub fn require_write(user: &crate::auth::UiUser) -> Result<(), UiError> {
    require(user, Permission::Write)
}
