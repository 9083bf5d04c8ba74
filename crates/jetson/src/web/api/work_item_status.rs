//! `POST /api/v1/work-items/{id}/status` with `{"status": "in_progress"}`.

use axum::Json;
use axum::extract::State;
use jetson_domain::{WorkItemId, WorkItemStatus};
use jetson_store::work_items;
use serde::Deserialize;

use super::extract::ApiId;
use super::extract::JsonBody;
use super::views::WorkItemView;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::ApiWriter;
use crate::web::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub status: String,
}

pub async fn handler(
    State(state): State<AppState>,
    ApiWriter(caller): ApiWriter,
    ApiId(id): ApiId<WorkItemId>,
    JsonBody(body): JsonBody<Body>,
) -> Result<Json<WorkItemView>, ApiError> {
    let status = WorkItemStatus::parse(&body.status).map_err(|e| ApiError::invalid("status", e.0))?;
    need_to_know::work_item(&state, &caller, id).await?;
    crate::services::actions::set_status(&state, caller.org_id, id, status).await?;
    Ok(Json(WorkItemView::from(&work_items::get(&state.db, caller.org_id, id).await?)))
}
