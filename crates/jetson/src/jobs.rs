//! Background work: job kinds ([`analyze`]) and the worker that runs them ([`worker`]).

pub mod analyze;
pub mod worker;

use jetson_store::jobs::Claimed;

use crate::state::AppState;

/// Runs one claimed job. Each kind completes its job inside its own transaction.
pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    match job.kind.as_str() {
        analyze::KIND => analyze::run(state, job, worker).await,
        other => anyhow::bail!("unknown job kind `{other}`"),
    }
}
