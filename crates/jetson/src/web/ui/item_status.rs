//! Changing a work item's status from its page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::WorkItemStatus;
use serde::Deserialize;

use super::UiError;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, Visible, Write};
use jetson_store::work_items::WorkItem;

#[derive(Deserialize)]
pub struct StatusForm {
    pub status: String,
    /// `board` when the change came from the board.
    #[serde(default)]
    pub return_to: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Visible(item): Visible<WorkItem>,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> Result<Response, UiError> {
    let status = WorkItemStatus::parse(&f.status).map_err(|e| UiError::bad_request(e.0))?;
    let id = item.id;
    crate::services::actions::set_status(&state, user.org_id, id, status).await?;
    if f.return_to.as_deref() == Some("board") {
        return Ok(Redirect::to("/board").into_response());
    }
    Ok(Redirect::to(&format!("/items/{id}")).into_response())
}
