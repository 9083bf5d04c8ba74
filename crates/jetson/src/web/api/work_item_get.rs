//! `GET /api/v1/work-items/{id}`: one work item with its companies and a page of its reports
//! (`report_limit`, 1 to 200, default 50, from `report_offset`), oldest first.

use axum::Json;
use axum::extract::State;
use jetson_domain::WorkItemId;
use jetson_store::{reports, work_items};
use serde::Deserialize;
use serde::Serialize;

use super::extract::{ApiId, ApiQuery, limit_of};
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
    /// Where the next page of reports starts; absent on the last page.
    pub reports_next_offset: Option<i64>,
}

#[derive(Deserialize)]
pub struct Params {
    pub report_limit: Option<i64>,
    pub report_offset: Option<i64>,
}

pub async fn handler(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId<WorkItemId>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Body>, ApiError> {
    let limit = limit_of("report_limit", p.report_limit)?;
    let offset = p.report_offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid("report_offset", "must be 0 or more"));
    }
    let item = need_to_know::work_item(&state, &caller, id).await?;
    let list = reports::page_for_work_item(&state.db, caller.org_id, id, offset, limit).await?;
    let companies = work_items::companies(&state.db, caller.org_id, id).await?;
    let reports_next_offset = (offset + limit < item.report_count).then_some(offset + limit);
    Ok(Json(Body {
        item: WorkItemView::from(&item),
        company_domains: companies,
        report_list: list.iter().map(ReportView::from).collect(),
        reports_next_offset,
    }))
}
