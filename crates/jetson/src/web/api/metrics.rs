//! `GET /metrics`: Prometheus text format, for a scraper that sends
//! `Authorization: Bearer $JETSON_METRICS_TOKEN`. Without a configured token the endpoint does not
//! exist (404), so an instance never publishes its numbers by accident; a wrong token is 401.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::state::AppState;
use crate::web::caller::bearer;
use crate::web::error::ApiError;

pub async fn handler(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let presented = bearer(headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok())).unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::Unauthorized);
    }
    let queues = jetson_store::jobs::queue_by_kind(&state.db).await?;
    let page = crate::telemetry::render(&queues, state.db.pool_use());
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type)], page).into_response())
}
