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

use jetson_domain::Permission;

pub use crate::web::page::{UiError, render};

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
    pub fn new(user: &crate::web::caller::UiUser, section: &'static str) -> Layout {
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

/// A form that carries nothing but its CSRF token (a button); `CsrfForm` checks the token.
#[derive(serde::Deserialize)]
pub struct CsrfOnly {}
