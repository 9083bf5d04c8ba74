//! `model.train`: retrain a product's model after people corrected it.

use jetson_store::jobs::Claimed;

use crate::queue::model_train::Payload;
use crate::state::AppState;

pub async fn run(state: &AppState, job: &Claimed, worker: &str) -> anyhow::Result<()> {
    let payload: Payload = serde_json::from_value(job.payload.clone())?;
    let trained = crate::services::learning::train_product(state, payload.org, payload.product).await?;
    tracing::info!(
        product.id = %payload.product.as_uuid(),
        examples = trained.category_examples,
        pairs = trained.pairs,
        threshold = trained.match_threshold.1,
        "product model trained"
    );
    // Training is idempotent: repeating it after a lost completion is harmless.
    crate::queue::complete_alone(state, job, worker).await
}
