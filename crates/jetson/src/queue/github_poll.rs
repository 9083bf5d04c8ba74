//! `github.poll`: every few minutes, for each linked repository, read the issues that changed.
//! What a poll does is in `jobs::github_poll`.

use jetson_domain::OrgId;
use jetson_store::github as store;

use crate::state::AppState;

pub const KIND: &str = "github.poll";
pub const EVERY_MS: i64 = 5 * 60 * 1000;

/// Queues a poll `delay_ms` from now (once per organisation and time slot).
pub async fn schedule(state: &AppState, org: OrgId, delay_ms: i64) -> anyhow::Result<()> {
    super::schedule_periodic(state, KIND, EVERY_MS, org, delay_ms).await
}

/// At start-up: make sure every connected organisation has a poll queued.
pub async fn schedule_all(state: &AppState) -> anyhow::Result<()> {
    for conn in store::connections(&state.db).await? {
        schedule(state, conn.org_id, 0).await?;
    }
    Ok(())
}
