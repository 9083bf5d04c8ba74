//! Changing a work item's status from its page.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{WorkItemId, WorkItemStatus};
use serde::Deserialize;

use super::UiError;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::UiUser;

#[derive(Deserialize)]
pub struct StatusForm {
    pub csrf: String,
    pub status: String,
    /// `board` when the change came from the board.
    #[serde(default)]
    pub return_to: Option<String>,
}

pub async fn handler(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&f.csrf)?;
    super::require_write(&user)?;
    let id: WorkItemId = id.parse().map_err(|_| UiError::bad_request("That is not a work item id."))?;
    let status = WorkItemStatus::parse(&f.status).map_err(|e| UiError::bad_request(e.0))?;
    need_to_know::work_item(&state, &user, id).await?;
    crate::services::actions::set_status(&state, user.org_id, id, status).await?;
    if f.return_to.as_deref() == Some("board") {
        return Ok(Redirect::to("/board").into_response());
    }
    Ok(Redirect::to(&format!("/items/{id}")).into_response())
}
