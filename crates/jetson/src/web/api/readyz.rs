//! `GET /readyz`: ready to serve, for a load balancer or an orchestrator: the database answers,
//! its migrations are exactly this binary's, and the instance key is loaded and opens the
//! database's key canary. 200 `{"status": "ready"}`, else 503 with every reason it is not.
//! (`/healthz` says only that the process and its database are alive.)

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

pub async fn handler(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let reasons = not_ready(&state).await;
    if reasons.is_empty() {
        let migrations = jetson_store::MIGRATIONS.len();
        (StatusCode::OK, Json(json!({ "status": "ready", "migrations": migrations })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not_ready", "reasons": reasons })))
    }
}

async fn not_ready(state: &AppState) -> Vec<String> {
    if !state.db.ping().await {
        return vec!["the database is unreachable".into()];
    }
    let mut reasons = Vec::new();
    match state.db.applied_migrations().await {
        Ok(applied) => {
            let known: Vec<&str> = jetson_store::MIGRATIONS.iter().map(|m| m.name).collect();
            let missing: Vec<&str> = known.iter().copied().filter(|m| !applied.iter().any(|a| a == m)).collect();
            let newer: Vec<&str> = applied.iter().map(String::as_str).filter(|a| !known.contains(a)).collect();
            if !missing.is_empty() {
                reasons.push(format!("migrations not applied yet: {}", missing.join(", ")));
            }
            if !newer.is_empty() {
                reasons.push(format!(
                    "the database has migrations this binary does not know ({}): a newer Jetson migrated it",
                    newer.join(", ")
                ));
            }
        }
        Err(e) => reasons.push(format!("the migrations could not be read: {e}")),
    }
    match state.sealer() {
        Err(_) => reasons.push("no instance key is loaded".into()),
        Ok(sealer) => match jetson_store::key_canary::get(&state.db).await {
            Ok(Some(canary)) if sealer.open(crate::services::keys::KEY_CANARY, &canary).is_err() => {
                reasons.push("the instance key does not open this database's sealed data".into())
            }
            Ok(_) => {}
            Err(e) => reasons.push(format!("the key canary could not be read: {e}")),
        },
    }
    reasons
}
