//! `GET /api/v1/conversations/{id}`: the analysis and the redacted messages.

use axum::Json;
use axum::extract::State;
use jetson_domain::ConversationId;
use jetson_store::conversations;
use serde::Serialize;

use super::extract::ApiId;
use super::views::{ConversationView, MessageView};
use crate::services::need_to_know;
use crate::state::AppState;
use crate::web::caller::ApiCaller;
use crate::web::error::ApiError;

#[derive(Serialize)]
pub struct Body {
    #[serde(flatten)]
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
}

pub async fn handler(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId<ConversationId>,
) -> Result<Json<Body>, ApiError> {
    let c = need_to_know::conversation(&state, &caller, id).await?;
    let messages = conversations::messages(&state.db, caller.org_id, id).await?;
    Ok(Json(Body {
        conversation: ConversationView::from(&c),
        messages: messages.iter().map(MessageView::from).collect(),
    }))
}
