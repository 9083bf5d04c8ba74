//! Background work, the upper half: what each job kind does when it runs, and the worker that
//! claims and runs them ([`worker`]). How each kind is queued, and its payload, is in
//! [`crate::queue`], which the services use.

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
pub mod worker;

use jetson_store::jobs::Claimed;

use crate::queue;
use crate::state::AppState;

/// Runs one claimed job. Each kind completes its job inside its own transaction.
pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    match job.kind.as_str() {
        queue::analyze::KIND => analyze::run(state, job, worker).await,
        queue::helpscout_sync::KIND => helpscout_sync::run(state, job, worker).await,
        queue::helpscout_event::KIND => helpscout_event::run(state, job, worker).await,
        queue::helpscout_poll::KIND => helpscout_poll::run(state, job, worker).await,
        queue::github_poll::KIND => github_poll::run(state, job, worker).await,
        queue::github_status::KIND => github_status::run(state, job, worker).await,
        queue::github_release::KIND => github_release::run(state, job, worker).await,
        queue::github_training::KIND => github_training::run(state, job, worker).await,
        queue::model_train::KIND => model_train::run(state, job, worker).await,
        queue::retention::KIND => retention::run(state, job, worker).await,
        queue::alerts::WEBHOOK_JOB => crate::services::alerts::deliver(state, job, worker).await,
        queue::alerts::EMAIL_JOB => crate::services::alerts::email(state, job, worker).await,
        other => anyhow::bail!("unknown job kind `{other}`"),
    }
}
