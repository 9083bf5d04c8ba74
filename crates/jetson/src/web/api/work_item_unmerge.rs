//! `POST /api/v1/work-items/{id}/unmerge`: undoes the merge of this item, moving back exactly the
//! reports the merge moved.

use axum::Json;
use axum::extract::State;
use jetson_domain::WorkItemId;
use jetson_store::work_items;

use super::extract::ApiId;
use super::views::WorkItemView;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::ApiWriter;
use crate::web::error::ApiError;

pub async fn handler(
    State(state): State<AppState>,
    ApiWriter(caller): ApiWriter,
    ApiId(id): ApiId<WorkItemId>,
) -> Result<Json<WorkItemView>, ApiError> {
    need_to_know::work_item(&state, &caller, id).await?;
    crate::services::actions::unmerge(&state, caller.org_id, id).await?;
    Ok(Json(WorkItemView::from(&work_items::get(&state.db, caller.org_id, id).await?)))
}
