//! `POST /webhooks/helpscout/{connection}`: a delivery from Help Scout.
//!
//! The signature (`X-HelpScout-Signature`, base64 HMAC-SHA1 of the raw body under the secret we
//! registered) is checked before anything else; a missing or wrong one gets 401 and changes
//! nothing, as does an unknown connection. A verified conversation event becomes a job, so the
//! answer is quick and the work survives a restart.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use jetson_connectors::helpscout::signature;
use jetson_store::helpscout as store;

use crate::queue::helpscout_event::{self, Payload};
use crate::services::helpscout::purpose;
use crate::state::AppState;
use crate::web::error::ApiError;

pub async fn handler(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let id: uuid::Uuid = connection.parse().map_err(|_| ApiError::BadSignature)?;
    let conn = store::connection_by_id(&state.db, id).await?.ok_or(ApiError::BadSignature)?;
    let secret = conn
        .webhook_secret_enc
        .as_deref()
        .and_then(|s| state.sealer().ok()?.open(purpose::WEBHOOK_SECRET, s).ok())
        .ok_or(ApiError::BadSignature)?;
    let given = headers.get("X-HelpScout-Signature").and_then(|v| v.to_str().ok());
    if !signature::verify(&secret, &body, given) {
        return Err(ApiError::BadSignature);
    }
    let event = headers
        .get("X-HelpScout-Event")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::invalid("X-HelpScout-Event", "the header is missing"))?
        .to_string();
    if !event.starts_with("convo.") {
        return Ok(StatusCode::OK); // customers, tags, ratings: nothing Jetson keeps
    }
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid("body", format!("not JSON: {e}")))?;
    let conversation = json
        .get("id")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| ApiError::invalid("id", "a conversation event needs the conversation's numeric id"))?;
    let mut tx = state.db.begin().await?;
    helpscout_event::enqueue(&mut tx, Payload { org: conn.org_id, event, conversation }, &body)
        .await
        .map_err(ApiError::Internal)?;
    tx.commit().await?;
    Ok(StatusCode::OK)
}
