//! `POST /webhooks/github/{connection}`: a delivery from GitHub.
//!
//! The signature (`X-Hub-Signature-256`, `sha256=` hex HMAC-SHA256 of the raw body under the
//! connection's secret) is checked before anything else; a missing or wrong one gets 401 and
//! changes nothing, as does an unknown connection. Each delivery id (`X-GitHub-Delivery`) is
//! acted on once: a replay or a redelivery of a delivery already applied is acknowledged and
//! ignored. `issues` events are applied at once (database work only), unless GitHub delivered
//! them after a newer one (see `sync::Applied::Stale`); a published `release` queues the check of
//! what it ships; a delivery about a repository no product uses is acknowledged (202) and ignored.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use jetson_connectors::github::signature;
use jetson_connectors::github::webhook::Event;
use jetson_store::github as store;

use crate::services::github::purpose;
use crate::services::github::sync::{self, Applied};
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
    let secret = state
        .sealer()
        .ok()
        .and_then(|s| s.open(purpose::WEBHOOK_SECRET, &conn.webhook_secret_enc).ok())
        .ok_or(ApiError::BadSignature)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !signature::verify(&secret, &body, header("X-Hub-Signature-256")) {
        return Err(ApiError::BadSignature);
    }
    let event = header("X-GitHub-Event").ok_or_else(|| ApiError::invalid("X-GitHub-Event", "the header is missing"))?;
    let delivery = header("X-GitHub-Delivery")
        .filter(|d| !d.is_empty() && d.len() <= 100)
        .ok_or_else(|| ApiError::invalid("X-GitHub-Delivery", "the header is missing"))?;
    if store::delivery_seen(&state.db, delivery).await? {
        tracing::info!(delivery, "github.webhook.replay");
        return Ok(StatusCode::OK);
    }
    let parsed = Event::parse(event, &body).map_err(|e| ApiError::invalid("body", e))?;
    let status = match &parsed {
        Event::Issues(e) => match sync::apply_event(&state, conn.org_id, e).await.map_err(ApiError::Internal)? {
            Applied::UnknownRepository => {
                tracing::info!(delivery, "github.webhook.unknown_repository");
                StatusCode::ACCEPTED
            }
            Applied::Items(n) => {
                tracing::info!(delivery, action = %e.action, items = n, "github.webhook.applied");
                StatusCode::OK
            }
            Applied::Stale => {
                tracing::info!(delivery, action = %e.action, "github.webhook.stale");
                StatusCode::OK
            }
            Applied::ReleaseQueued => StatusCode::OK,
        },
        Event::Release(e) => match sync::apply_release(&state, conn.org_id, e).await.map_err(ApiError::Internal)? {
            Applied::UnknownRepository => StatusCode::ACCEPTED,
            _ => StatusCode::OK,
        },
        Event::Ping(_) | Event::IssueComment(_) | Event::Label(_) | Event::Other(_) => StatusCode::OK,
    };
    let mut tx = state.db.begin().await?;
    store::record_delivery(&mut tx, conn.org_id, delivery, event).await?;
    tx.commit().await?;
    Ok(status)
}
