//! The lower half of background work: each job kind's name, payload and how it is queued
//! (`enqueue`) or scheduled (`schedule`). Services queue work through here and never import
//! [`crate::jobs`], which runs it; so the services and the jobs that call them do not import each
//! other. This layer depends only on the store, the domain and the state.

pub mod alerts;
pub mod analyze;
pub mod github_poll;
pub mod github_release;
pub mod github_status;
pub mod github_training;
pub mod helpscout_event;
pub mod helpscout_poll;
pub mod helpscout_sync;
pub mod model_train;
pub mod retention;

use jetson_domain::OrgId;
use jetson_store::jobs::{self, Claimed, NewJob, PERIODIC_PREFIX};
use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// Marks a job done on its own, for kinds whose effects were committed along the way (page by page)
/// and are safe to repeat if this is lost.
pub async fn complete_alone(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    jobs::complete(&mut tx, job.id, worker).await?;
    tx.commit().await?;
    Ok(())
}

/// The payload of a periodic job that works for one organisation (the Help Scout and GitHub polls).
#[derive(Debug, Serialize, Deserialize)]
pub struct OrgPayload {
    pub org: OrgId,
}

/// Queues a periodic per-organisation job `delay_ms` from now. One per organisation and time slot
/// of `every_ms`: any number of processes scheduling the same job queue it once.
pub async fn schedule_periodic(
    state: &AppState,
    kind: &'static str,
    every_ms: i64,
    org: OrgId,
    delay_ms: i64,
) -> anyhow::Result<()> {
    let at = jobs::now_ms() + delay_ms;
    let key = format!("{PERIODIC_PREFIX}{kind}:{org}:{}", at / every_ms);
    let payload = serde_json::to_value(OrgPayload { org })?;
    let mut tx = state.db.begin().await?;
    jobs::enqueue_at(&mut tx, NewJob { kind, payload, dedup_key: Some(key), max_attempts: 1 }, at).await?;
    tx.commit().await?;
    Ok(())
}
