//! Settings → Privacy: how long the organisation keeps original messages, conversations and
//! audit events, and what each retention run deleted. Owners and admins only; a change is
//! audited and applied at once.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_store::retention::{self, Policy, Report};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "privacy_settings.html")]
struct PrivacyPage {
    layout: Layout,
    policy: Policy,
    reports: Vec<Report>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub notice: Option<String>,
}

pub async fn page(State(state): State<AppState>, user: UiUser, Query(p): Query<Params>) -> Result<Response, UiError> {
    super::require_admin(&user)?;
    let policy = retention::policy(&state.db, user.org_id).await?;
    let reports = retention::reports(&state.db, user.org_id, 20).await?;
    Ok(render(&PrivacyPage { layout: Layout::new(&user, "privacy"), policy, reports, notice: p.notice }))
}

/// Each field: a number of days, or empty to keep for good.
#[derive(Deserialize)]
pub struct RetentionForm {
    pub csrf: String,
    pub raw_body_days: String,
    pub conversation_days: String,
    pub audit_days: String,
}

pub async fn save(
    State(state): State<AppState>,
    user: UiUser,
    Form(f): Form<RetentionForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    super::require_admin(&user)?;
    let days = |field: &str, value: &str| -> Result<Option<i64>, UiError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        match value.parse::<i64>() {
            Ok(n) if (1..=36_500).contains(&n) => Ok(Some(n)),
            _ => Err(UiError::bad_request(format!(
                "{field}: `{value}` is not a number of days from 1 to 36500 (leave it empty to keep for good)."
            ))),
        }
    };
    let policy = Policy {
        raw_body_days: days("Original messages", &f.raw_body_days)?,
        conversation_days: days("Conversations", &f.conversation_days)?,
        audit_days: days("Audit events", &f.audit_days)?,
    };
    crate::retention::set(&state, user.org_id, policy, &user.email).await?;
    Ok(Redirect::to("/settings/privacy?notice=Saved.+It+applies+within+minutes+and+daily+after+that.").into_response())
}
