//! Background work: job kinds ([`analyze`], `helpscout_*`) and the worker that runs them ([`worker`]).

pub mod analyze;
pub mod github_poll;
pub mod github_status;
pub mod github_training;
pub mod helpscout_event;
pub mod helpscout_poll;
pub mod helpscout_sync;
pub mod model_train;
pub mod worker;

use jetson_store::jobs::Claimed;

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
        other => anyhow::bail!("unknown job kind `{other}`"),
    }
}

/// Marks a job done on its own, for kinds whose effects were committed along the way (page by page)
/// and are safe to repeat if this is lost.
pub async fn complete_alone(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    jetson_store::jobs::complete(&mut tx, job.id, worker).await?;
    tx.commit().await?;
    Ok(())
}
