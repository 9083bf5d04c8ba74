//! `analyze`: analyse a batch of stored conversations and group their reports into work items.

use jetson_store::jobs::Claimed;

use crate::queue::analyze::Payload;
use crate::services::pipeline::{self, JobRef};
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let payload: Payload = serde_json::from_value(job.payload.clone())?;
    pipeline::analyze(state, &payload.conversations, Some(JobRef { id: job.id, worker })).await?;
    Ok(())
}
