//! `github.training`: import a repository's labelled issues as a product's training examples.

use jetson_store::jobs::Claimed;

use crate::queue::github_training::Payload;
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let p: Payload = serde_json::from_value(job.payload.clone())?;
    let counts = crate::services::github::training::import(state, p.org, p.product).await?;
    tracing::info!(product = %p.product, examples = ?counts, "github.training.done");
    crate::queue::complete_alone(state, job, worker).await
}
