//! Reclassifying a conversation from its page or the messages list; its work items follow.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{Category, ConversationId};
use serde::Deserialize;

use super::UiError;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::UiUser;

#[derive(Deserialize)]
pub struct ReclassifyForm {
    pub csrf: String,
    pub category: String,
    /// Where to go afterwards (a path on this site).
    pub back: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<ReclassifyForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    super::require_write(&user)?;
    let id: ConversationId = id.parse().map_err(|_| UiError::bad_request("That is not a conversation id."))?;
    let category = Category::parse(&f.category).map_err(|e| UiError::bad_request(e.0))?;
    need_to_know::conversation(&state, &user, id).await?;
    crate::services::actions::reclassify(&state, user.org_id, id, category).await?;
    // Only local paths, so the form cannot be used to redirect elsewhere.
    let back =
        f.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| format!("/conversations/{id}"));
    Ok(Redirect::to(&back).into_response())
}
