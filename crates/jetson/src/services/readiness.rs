//! Whether this process is ready to serve: the database answers, its migrations are exactly this
//! binary's, and the instance key opens its data. `GET /readyz` reports it.

use crate::state::AppState;

/// Every reason this process is not ready; empty when it is.
pub async fn not_ready(state: &AppState) -> Vec<String> {
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
        Ok(sealer) => match crate::services::keys::opens_canary(state, sealer).await {
            Ok(Some(false)) => reasons.push("the instance key does not open this database's sealed data".into()),
            Ok(_) => {}
            Err(e) => reasons.push(format!("the key canary could not be read: {e:#}")),
        },
    }
    reasons
}
