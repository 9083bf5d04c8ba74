//! `POST /api/v1/reports/{id}/move` with `{"work_item": "<id>"}`.

use axum::Json;
use axum::extract::State;
use jetson_domain::{ReportId, WorkItemId};
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
    pub work_item: String,
}

pub async fn handler(
    State(state): State<AppState>,
    ApiWriter(caller): ApiWriter,
    ApiId(report): ApiId<ReportId>,
    JsonBody(body): JsonBody<Body>,
) -> Result<Json<WorkItemView>, ApiError> {
    let to: WorkItemId = body.work_item.parse().map_err(|_| ApiError::invalid("work_item", "is not a work item id"))?;
    need_to_know::report(&state, &caller, report).await?;
    need_to_know::work_item(&state, &caller, to).await?;
    crate::services::actions::move_report(&state, caller.org_id, report, to).await?;
    Ok(Json(WorkItemView::from(&work_items::get(&state.db, caller.org_id, to).await?)))
}
