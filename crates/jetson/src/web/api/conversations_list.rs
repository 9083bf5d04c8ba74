//! `GET /api/v1/conversations`: newest first, filtered, cursor-paginated.

use axum::Json;
use axum::extract::State;
use jetson_domain::{Category, ConversationId, ProductId};
use jetson_store::conversations::{self, Filter};
use jetson_store::products;
use serde::Deserialize;

use super::extract::{ApiQuery, limit, parse_opt};
use super::views::{ConversationView, Page};
use crate::services::need_to_know::SeesProducts;
use crate::state::AppState;
use crate::web::caller::ApiCaller;
use crate::web::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub product: Option<String>,
    pub category: Option<String>,
    pub needs_review: Option<bool>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A `product` parameter is a product's name or id within the caller's organisation, among those
/// the caller sees.
pub async fn product_param(
    state: &AppState,
    caller: &ApiCaller,
    v: Option<&str>,
) -> Result<Option<ProductId>, ApiError> {
    let Some(v) = v.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let found = match v.parse::<ProductId>() {
        Ok(id) => products::get(&state.db, caller.org_id, id).await.ok(),
        Err(_) => products::find_by_name(&state.db, caller.org_id, v).await?,
    };
    match found {
        Some(p) if caller.sees(p.id) => Ok(Some(p.id)),
        _ => Err(ApiError::invalid("product", "no such product")),
    }
}

pub async fn handler(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Page<ConversationView>>, ApiError> {
    let limit = limit(p.limit)?;
    let filter = Filter {
        product: product_param(&state, &caller, p.product.as_deref()).await?,
        visible_to: caller.visible_to(),
        category: parse_opt("category", p.category.as_deref(), Category::parse)?,
        needs_review: p.needs_review.unwrap_or(false),
        before: parse_opt("cursor", p.cursor.as_deref(), str::parse::<ConversationId>)?,
        limit,
    };
    let items = conversations::list(&state.db, caller.org_id, &filter).await?;
    let next_cursor = (items.len() as i64 == limit).then(|| items.last().map(|c| c.id.to_string())).flatten();
    Ok(Json(Page { items: items.iter().map(ConversationView::from).collect(), next_cursor }))
}
