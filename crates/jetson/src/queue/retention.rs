//! `retention`: once a day per organisation with a retention policy; see `jobs::retention`.

use jetson_domain::OrgId;

use crate::state::AppState;

pub const KIND: &str = "retention";
pub const EVERY_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn schedule(state: &AppState, org: OrgId, delay_ms: i64) -> anyhow::Result<()> {
    super::schedule_periodic(state, KIND, EVERY_MS, org, delay_ms).await
}

pub async fn schedule_all(state: &AppState) -> anyhow::Result<()> {
    for org in jetson_store::retention::orgs_with_policies(&state.db).await? {
        schedule(state, org, 0).await?;
    }
    Ok(())
}
