//! `POST /api/v1/work-items/{id}/merge` with `{"into": "<work item id>"}`: moves every report of
//! this item into the other; undo with `/unmerge`.

use axum::Json;
use axum::extract::State;
use jetson_domain::WorkItemId;
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
    pub into: String,
}

pub async fn handler(
    State(state): State<AppState>,
    ApiWriter(caller): ApiWriter,
    ApiId(source): ApiId<WorkItemId>,
    JsonBody(body): JsonBody<Body>,
) -> Result<Json<WorkItemView>, ApiError> {
    let target: WorkItemId = body.into.parse().map_err(|_| ApiError::invalid("into", "is not a work item id"))?;
    need_to_know::work_item(&state, &caller, source).await?;
    need_to_know::work_item(&state, &caller, target).await?;
    crate::services::actions::merge(&state, caller.org_id, source, target).await?;
    Ok(Json(WorkItemView::from(&work_items::get(&state.db, caller.org_id, target).await?)))
}
