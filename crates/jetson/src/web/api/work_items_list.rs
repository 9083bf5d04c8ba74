//! `GET /api/v1/work-items`: filtered, newest first, cursor-paginated.

use axum::Json;
use axum::extract::State;
use jetson_domain::{Category, Priority, WorkItemId, WorkItemStatus};
use jetson_store::work_items::{self, Filter};
use serde::Deserialize;

use super::extract::{ApiQuery, limit, parse_opt};
use super::views::{Page, WorkItemView};
use crate::services::need_to_know::SeesProducts;
use crate::state::AppState;
use crate::web::caller::ApiCaller;
use crate::web::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub product: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub min_customers: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

pub async fn handler(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Page<WorkItemView>>, ApiError> {
    let filter = Filter {
        product: super::conversations_list::product_param(&state, &caller, p.product.as_deref()).await?,
        visible_to: caller.visible_to(),
        category: parse_opt("category", p.category.as_deref(), Category::parse)?,
        priority: parse_opt("priority", p.priority.as_deref(), Priority::parse)?,
        status: parse_opt("status", p.status.as_deref(), WorkItemStatus::parse)?,
        min_customers: p.min_customers.unwrap_or(0),
    };
    let cursor = parse_opt("cursor", p.cursor.as_deref(), str::parse::<WorkItemId>)?;
    let limit = limit(p.limit)?;
    let items = work_items::list(&state.db, caller.org_id, &filter, cursor, limit).await?;
    let next_cursor = (items.len() as i64 == limit).then(|| items.last().map(|w| w.id.to_string())).flatten();
    Ok(Json(Page { items: items.iter().map(WorkItemView::from).collect(), next_cursor }))
}
