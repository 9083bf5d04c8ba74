//! Background work: job kinds ([`analyze`], `helpscout_*`) and the worker that runs them ([`worker`]).

pub mod analyze;
pub mod github_poll;
pub mod github_status;
pub mod github_training;
pub mod helpscout_event;
pub mod helpscout_poll;
pub mod helpscout_sync;
pub mod model_train;
pub mod retention;
pub mod worker;

use jetson_domain::OrgId;
use jetson_store::jobs::{self, Claimed, NewJob, PERIODIC_PREFIX};
use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// Runs one claimed job. Each kind completes its job inside its own transaction.
pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    match job.kind.as_str() {
        analyze::KIND => analyze::run(state, job, worker).await,
        helpscout_sync::KIND => helpscout_sync::run(state, job, worker).await,
        helpscout_event::KIND => helpscout_event::run(state, job, worker).await,
        helpscout_poll::KIND => helpscout_poll::run(state, job, worker).await,
        github_poll::KIND => github_poll::run(state, job, worker).await,
        github_status::KIND => github_status::run(state, job, worker).await,
        github_training::KIND => github_training::run(state, job, worker).await,
        model_train::KIND => model_train::run(state, job, worker).await,
        retention::KIND => retention::run(state, job, worker).await,
        crate::alerts::WEBHOOK_JOB => crate::alerts::deliver(state, job, worker).await,
        crate::alerts::EMAIL_JOB => crate::alerts::email(state, job, worker).await,
        other => anyhow::bail!("unknown job kind `{other}`"),
    }
}

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
