//! `GET /readyz`: ready to serve, for a load balancer or an orchestrator (see
//! `services::readiness`): 200 `{"status": "ready"}`, else 503 with every reason it is not.
//! (`/healthz` says only that the process and its database are alive.)

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::services::readiness;
use crate::state::AppState;

pub async fn handler(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let reasons = readiness::not_ready(&state).await;
    if reasons.is_empty() {
        let migrations = jetson_store::MIGRATIONS.len();
        (StatusCode::OK, Json(json!({ "status": "ready", "migrations": migrations })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not_ready", "reasons": reasons })))
    }
}
