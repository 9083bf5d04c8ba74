//! Reclassifying a conversation from its page or the messages list; its work items follow.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::Category;
use serde::Deserialize;

use super::UiError;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, Visible, Write};
use crate::web::page::local_path;
use jetson_store::conversations::Conversation;

#[derive(Deserialize)]
pub struct ReclassifyForm {
    pub category: String,
    /// Where to go afterwards (a path on this site).
    pub back: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Visible(conversation): Visible<Conversation>,
    CsrfForm(f): CsrfForm<ReclassifyForm>,
) -> Result<Response, UiError> {
    let category = Category::parse(&f.category).map_err(|e| UiError::bad_request(e.0))?;
    let id = conversation.id;
    crate::services::actions::reclassify(&state, user.org_id, id, category).await?;
    // Only a path of this site, so the form cannot be used to redirect elsewhere.
    let back = match f.back.as_deref() {
        None => format!("/conversations/{id}"),
        Some(b) => local_path(b)
            .ok_or_else(|| UiError::bad_request("That return address is not a page of this site."))?
            .to_string(),
    };
    Ok(Redirect::to(&back).into_response())
}
