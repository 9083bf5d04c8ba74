//! `retention`: once a day per organisation with a retention policy, delete what has outlived it
//! (see `crate::services::retention`). The job reschedules itself.

use jetson_store::jobs::Claimed;

use crate::queue::OrgPayload;
use crate::queue::retention::{EVERY_MS, schedule};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: OrgPayload = serde_json::from_value(job.payload.clone())?;
    if let Some(deleted) = crate::services::retention::enforce(state, p.org, chrono::Utc::now()).await? {
        tracing::info!(org = %p.org, ?deleted, "retention.done");
        schedule(state, p.org, EVERY_MS).await?;
    }
    crate::queue::complete_alone(state, job, worker).await
}
