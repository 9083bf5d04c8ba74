//! `github.status`: a work item's status changed in Jetson; close or reopen its issue to match.
//! Retried with back-off when GitHub is down or the budget is spent.

use jetson_store::jobs::Claimed;

use crate::queue::github_status::Payload;
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: Payload = serde_json::from_value(job.payload.clone())?;
    crate::services::github::issues::push_status(state, p.org, p.item).await?;
    crate::queue::complete_alone(state, job, worker).await
}
