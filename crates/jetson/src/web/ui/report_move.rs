//! Moving one report to another work item.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jetson_domain::{ReportId, WorkItemId};
use serde::Deserialize;

use super::UiError;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::guards::{Allowed, CsrfForm, Write};

#[derive(Deserialize)]
pub struct MoveForm {
    pub to: String,
    /// Set by the "Undo move" button: the report goes back, and the page shows where it is.
    #[serde(default)]
    pub undo: bool,
}

pub async fn handler(
    State(state): State<AppState>,
    Allowed { user, .. }: Allowed<Write>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MoveForm>,
) -> Result<Response, UiError> {
    let report: ReportId = id.parse().map_err(|_| UiError::bad_request("That is not a report id."))?;
    let to: WorkItemId = f.to.parse().map_err(|_| UiError::bad_request("Choose a work item."))?;
    need_to_know::report(&state, &user, report).await?;
    need_to_know::work_item(&state, &user, to).await?;
    let from = crate::services::actions::move_report(&state, user.org_id, report, to).await?;
    let back = if f.undo { format!("/items/{to}") } else { format!("/items/{from}?moved={report}&to={to}") };
    Ok(Redirect::to(&back).into_response())
}
