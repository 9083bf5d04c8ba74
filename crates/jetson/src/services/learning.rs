//! Learning from each customer: people's corrections become the product's labelled examples, and
//! a training job turns them into the product's own classifier and match threshold.
//!
//! The recording functions run inside the transaction of the action they learn from, so an
//! action and its lesson commit together.

use jetson_analysis::Analyzer;
use jetson_domain::{Category, ConversationId, OrgId, ProductId, ReportId, WorkItemId};
use jetson_store::{Tx, conversations, learning, products, work_items};

use crate::state::AppState;

/// A product's own examples count this many times against the corpus's one.
const PRODUCT_WEIGHT: usize = 3;
/// Conversations the model was at least this sure of, and nobody corrected, count as examples too
/// (once), at most this many, newest first.
const CONFIDENT: f64 = 0.7;
const CONFIDENT_LIMIT: i64 = 2_000;

pub async fn conversation_reclassified(
    tx: &mut Tx,
    org: OrgId,
    id: ConversationId,
    category: Category,
) -> anyhow::Result<()> {
    let Some(c) = conversations::for_analysis_many(tx, &[id]).await?.pop() else { return Ok(()) };
    let text = training_text(&c);
    learning::record_category(tx, org, c.product_id, category, &text, "reclassify").await?;
    enqueue_training(tx, org, c.product_id).await
}

/// The shape the analyser classifies: the subject line, then the customer's (redacted) words.
pub(crate) fn training_text(c: &conversations::ForAnalysis) -> String {
    let body: Vec<&str> = c.customer_messages.iter().map(|(_, t)| t.as_str()).collect();
    format!("{}\n{}", jetson_analysis::clean_subject(c.subject.as_str()), body.join("\n\n"))
}

/// Called before the move: the report belongs with `to`'s problem and not with the one it leaves.
pub async fn report_moving(tx: &mut Tx, org: OrgId, report: ReportId, to: WorkItemId) -> anyhow::Result<()> {
    let text = learning::report_text(tx, org, report).await?;
    let target = work_items::get_in_tx(tx, org, to).await?;
    if let Some(other) = learning::item_text(tx, org, to, Some(report)).await? {
        learning::record_pair(tx, org, target.product_id, true, &text, &other, "move").await?;
    }
    let from = jetson_store::reports::work_item_of(tx, org, report).await?;
    if let Some(from) = from.filter(|f| *f != to)
        && let Some(other) = learning::item_text(tx, org, from, Some(report)).await?
    {
        learning::record_pair(tx, org, target.product_id, false, &text, &other, "move").await?;
    }
    enqueue_training(tx, org, target.product_id).await
}

/// Called before a merge (`same`) or after an unmerge (not `same`): the two items' problems.
pub async fn items_compared(
    tx: &mut Tx,
    org: OrgId,
    a: WorkItemId,
    b: WorkItemId,
    same: bool,
    source: &str,
) -> anyhow::Result<()> {
    let item = work_items::get_in_tx(tx, org, a).await?;
    let (Some(ta), Some(tb)) =
        (learning::item_text(tx, org, a, None).await?, learning::item_text(tx, org, b, None).await?)
    else {
        return Ok(());
    };
    learning::record_pair(tx, org, item.product_id, same, &ta, &tb, source).await?;
    enqueue_training(tx, org, item.product_id).await
}

async fn enqueue_training(tx: &mut Tx, org: OrgId, product: ProductId) -> anyhow::Result<()> {
    crate::queue::model_train::enqueue(tx, org, product).await
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    pub category_examples: usize,
    /// Pairs learned from in this round (earlier ones moved the threshold already).
    pub pairs: usize,
    pub match_threshold: (f64, f64),
}

/// Trains the product's classifier on the corpus and its examples, and moves its match threshold
/// towards what its people did. Deterministic for the same examples.
pub async fn train_product(state: &AppState, org: OrgId, product: ProductId) -> anyhow::Result<Trained> {
    let corrected = learning::category_examples(&state.db, org, product).await?;
    let pairs = learning::pairs(&state.db, org, product).await?;
    let n = corrected.len();
    let model = if n == 0 {
        None
    } else {
        let mut examples: Vec<(Category, String)> = Vec::new();
        for _ in 0..PRODUCT_WEIGHT {
            examples.extend(corrected.iter().cloned());
        }
        examples.extend(confident_examples(state, org, product).await?);
        let bytes = tokio::task::spawn_blocking(move || Analyzer::train(&examples, 1).map(|m| m.to_bytes()))
            .await?
            .map_err(|e| anyhow::anyhow!("the corpus does not parse: {e}"))?;
        Some(bytes)
    };

    let mut tx = state.db.begin().await?;
    let p = products::get_in_tx(&mut tx, org, product).await?;
    let index = crate::matchers::load_index(&mut tx, org, product).await?;
    // Each pair moves the threshold once: retraining for other reasons must not keep pulling it.
    let learned = learning::learned_pairs(&mut tx, org, product).await?.clamp(0, pairs.len() as i64) as usize;
    let similarities: Vec<(bool, f64)> =
        pairs[learned..].iter().map(|(same, a, b)| (*same, index.similarity(a, b))).collect();
    let threshold = jetson_analysis::threshold::learn(p.match_threshold, &similarities);
    if threshold != p.match_threshold {
        products::set_thresholds(&mut tx, org, product, p.review_threshold, threshold).await?;
    }
    learning::set_learned_pairs(&mut tx, org, product, pairs.len() as i64).await?;
    if let Some(bytes) = &model {
        learning::save_model(&mut tx, org, product, bytes, n as i64).await?;
    }
    tx.commit().await?;
    Ok(Trained { category_examples: n, pairs: similarities.len(), match_threshold: (p.match_threshold, threshold) })
}

async fn confident_examples(
    state: &AppState,
    org: OrgId,
    product: ProductId,
) -> anyhow::Result<Vec<(Category, String)>> {
    let ids = learning::confident_conversations(&state.db, org, product, CONFIDENT, CONFIDENT_LIMIT).await?;
    let mut tx = state.db.begin().await?;
    let convs = conversations::for_analysis_many(&mut tx, &ids).await?;
    tx.commit().await?;
    let categories = conversations::categories_of(&state.db, org, &ids).await?;
    Ok(convs.into_iter().filter_map(|c| Some((*categories.get(&c.id)?, training_text(&c)))).collect())
}
