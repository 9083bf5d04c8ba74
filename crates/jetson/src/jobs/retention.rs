//! `retention`: once a day per organisation with a retention policy, delete what has outlived it
//! (see `crate::retention`). The job reschedules itself.

use jetson_domain::OrgId;
use jetson_store::jobs::Claimed;

use super::OrgPayload;
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

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: OrgPayload = serde_json::from_value(job.payload.clone())?;
    if let Some(deleted) = crate::retention::enforce(state, p.org, chrono::Utc::now()).await? {
        tracing::info!(org = %p.org, ?deleted, "retention.done");
        schedule(state, p.org, EVERY_MS).await?;
    }
    super::complete_alone(state, job, worker).await
}
