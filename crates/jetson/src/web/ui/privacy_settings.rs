//! Settings → Privacy: what replaces each kind of sensitive data in analysed text, how long the
//! organisation keeps original messages, conversations and audit events, and what each retention
//! run deleted. Owners and admins only; every change is audited.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_privacy::{Kind, Operator};
use jetson_store::orgs::{self, SecurityPolicy};
use jetson_store::retention::{self, Policy, Report};
use serde::Deserialize;

use super::{Layout, UiError, render};
use crate::protect::Operators;
use crate::state::AppState;
use crate::web::guards::{Administer, Allowed, CsrfForm};

#[derive(Template)]
#[template(path = "privacy_settings.html")]
struct PrivacyPage {
    layout: Layout,
    /// (kind label, placeholder, chosen operator) for every kind.
    operators: Vec<(&'static str, &'static str, Operator)>,
    policy: Policy,
    reports: Vec<Report>,
    notice: Option<String>,
    security: SecurityPolicy,
}

#[derive(Deserialize, Default)]
pub struct Params {
    pub notice: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    Query(p): Query<Params>,
) -> Result<Response, UiError> {
    let policy = retention::policy(&state.db, user.org_id).await?;
    let reports = retention::reports(&state.db, user.org_id, 20).await?;
    let chosen = Operators::from_rows(&jetson_store::operators::get(&state.db, user.org_id).await?);
    let operators = Kind::ALL.iter().map(|k| (k.label(), k.placeholder(), chosen.get(*k))).collect();
    let security = orgs::security_policy(&state.db, user.org_id).await?;
    let layout = Layout::new(&user, "privacy");
    let page = PrivacyPage { layout, operators, policy, reports, notice: p.notice, security };
    Ok(render(&page))
}

/// Each field: a number of days, or empty to keep for good.
#[derive(Deserialize)]
pub struct RetentionForm {
    pub raw_body_days: String,
    pub conversation_days: String,
    pub audit_days: String,
}

pub async fn save(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<RetentionForm>,
) -> Result<Response, UiError> {
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
    crate::services::retention::set(&state, user.org_id, policy, &user.email).await?;
    Ok(Redirect::to("/settings/privacy?notice=Saved.+It+applies+within+minutes+and+daily+after+that.").into_response())
}

/// One field per kind, named by its label, holding an operator's name; plus the CSRF token.
pub async fn save_operators(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, UiError> {
    let mut choices = Vec::new();
    for kind in Kind::ALL {
        let Some(value) = f.get(kind.label()) else { continue };
        let op = Operator::parse(value)
            .ok_or_else(|| UiError::bad_request(format!("`{value}` is not an operator for {}.", kind.label())))?;
        if let Some(why) = Operators::refused(kind, op) {
            return Err(UiError::bad_request(why));
        }
        choices.push((kind, op));
    }
    let actor = user.actor();
    crate::services::operators::save(&state, user.org_id, &choices, actor).await?;
    Ok(Redirect::to("/settings/privacy?notice=Saved.+New+and+changed+conversations+are+redacted+this+way.")
        .into_response())
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    /// Present (`true`) when the box is ticked.
    pub required: Option<String>,
    /// Present (`true`) when the box is ticked.
    pub pause_on_burst: Option<String>,
}

/// Requiring two factors of everyone (or no longer), and pausing reveals and exports after a
/// burst of them; audited.
pub async fn save_two_factor(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Administer>,
    CsrfForm(f): CsrfForm<TwoFactorForm>,
) -> Result<Response, UiError> {
    let policy = SecurityPolicy {
        require_two_factor: f.required.as_deref() == Some("true"),
        pause_on_burst: f.pause_on_burst.as_deref() == Some("true"),
    };
    crate::services::actions::set_security_policy(&state, user.org_id, policy, user.actor()).await?;
    let notice = if policy.require_two_factor {
        "Saved.+Everyone+without+two-factor+is+asked+to+set+it+up+at+their+next+page."
    } else {
        "Saved.+Two-factor+is+now+each+person%27s+choice."
    };
    Ok(Redirect::to(&format!("/settings/privacy?notice={notice}")).into_response())
}
