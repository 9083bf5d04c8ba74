//! `GET /api/v1/work-items/{id}`: one work item with its reports and companies.

use axum::Json;
use axum::extract::State;
use jetson_domain::WorkItemId;
use jetson_store::{reports, work_items};
use serde::Serialize;

use super::extract::ApiId;
use super::views::{ReportView, WorkItemView};
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::ApiCaller;
use crate::web::error::ApiError;

#[derive(Serialize)]
pub struct Body {
    #[serde(flatten)]
    pub item: WorkItemView,
    pub company_domains: Vec<String>,
    pub report_list: Vec<ReportView>,
}

pub async fn handler(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId<WorkItemId>,
) -> Result<Json<Body>, ApiError> {
    let item = need_to_know::work_item(&state, &caller, id).await?;
    let list = reports::for_work_item(&state.db, caller.org_id, id).await?;
    let companies = work_items::companies(&state.db, caller.org_id, id).await?;
    Ok(Json(Body {
        item: WorkItemView::from(&item),
        company_domains: companies,
        report_list: list.iter().map(ReportView::from).collect(),
    }))
}
