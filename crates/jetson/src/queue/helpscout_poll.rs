//! `helpscout.poll`: every few minutes, read what changed in Help Scout since the last poll.
//! What a poll does is in `jobs::helpscout_poll`.

use jetson_domain::OrgId;
use jetson_store::helpscout as store;

use crate::state::AppState;

pub const KIND: &str = "helpscout.poll";
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
