//! `POST /api/v1/conversations/{id}/reclassify` with `{"category": "bug"}`. The conversation's
//! work items follow at once.

use axum::Json;
use axum::extract::State;
use jetson_domain::{Category, ConversationId};
use jetson_store::conversations;
use serde::Deserialize;

use super::extract::ApiId;
use super::extract::JsonBody;
use super::views::ConversationView;
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::ApiWriter;
use crate::web::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub category: String,
}

pub async fn handler(
    State(state): State<AppState>,
    ApiWriter(caller): ApiWriter,
    ApiId(id): ApiId<ConversationId>,
    JsonBody(body): JsonBody<Body>,
) -> Result<Json<ConversationView>, ApiError> {
    let category = Category::parse(&body.category).map_err(|e| ApiError::invalid("category", e.0))?;
    need_to_know::conversation(&state, &caller, id).await?;
    crate::services::actions::reclassify(&state, caller.org_id, id, category).await?;
    Ok(Json(ConversationView::from(&conversations::get(&state.db, caller.org_id, id).await?)))
}
