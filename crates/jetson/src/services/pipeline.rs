//! What happens to stored conversations: analysis (classify, split, prioritise), then matching
//! each report to an existing work item of the product or starting a new one.
//!
//! One call handles a batch inside one transaction, under the product's lock, and (when run by a
//! job) marks the job done in that same transaction: a crash leaves either all of it or none.
//! Reads and writes are batched (a few multi-row statements per batch), because a round trip per
//! row would cost more than the analysis itself.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use jetson_domain::{ConversationId, Decider, JobId, OrgId, Priority, ProductId, ReportId, WorkItemId};
use jetson_store::conversations::{self, Analysis, Explanation, ForAnalysis};
use jetson_store::{Tx, dialect, products, reports, work_items};

use jetson_analysis::Analyzer;

use crate::embeddings::Embeddings;
use crate::matchers::{Index, load_index};
use crate::protect::{Operators, Protect};
use crate::state::AppState;
use jetson_privacy::Known;

/// The job this batch belongs to, completed in the batch's transaction.
pub struct JobRef<'a> {
    pub id: JobId,
    pub worker: &'a str,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    pub analyzed: usize,
    pub reports: usize,
    pub new_work_items: usize,
}

/// Another transaction is analysing this product; try the batch again shortly.
#[derive(Debug, thiserror::Error)]
#[error("the product is being analysed by another worker")]
pub struct ProductBusy;

pub async fn analyze(
    state: &AppState,
    ids: &[ConversationId],
    job: Option<JobRef<'_>>,
) -> anyhow::Result<BatchOutcome> {
    let mut tx = state.db.begin().await?;
    // Conversations deleted since they were queued are simply absent.
    let loaded = conversations::for_analysis_many(&mut tx, ids).await.context("loading conversations for analysis")?;
    let mut groups: BTreeMap<(OrgId, ProductId), Vec<ForAnalysis>> = BTreeMap::new();
    for c in loaded {
        groups.entry((c.org_id, c.product_id)).or_default().push(c);
    }
    let mut outcome = BatchOutcome::default();
    let mut indexes = Vec::new();
    for ((org, product), convs) in groups {
        let (version, index) =
            analyze_product(state, &mut tx, org, product, &convs, &mut outcome, job.is_some()).await?;
        indexes.push((product, version, index));
    }
    if let Some(job) = job {
        anyhow::ensure!(
            jetson_store::jobs::complete(&mut tx, job.id, job.worker).await?,
            "job {} was taken over by another worker; rolled back",
            job.id
        );
    }
    tx.commit().await?;
    metrics::counter!(crate::telemetry::CONVERSATIONS_ANALYSED).increment(outcome.analyzed as u64);
    // Only a committed index is the truth at its version.
    for (product, version, index) in indexes {
        state.matchers.put(product, version, index);
    }
    Ok(outcome)
}

async fn analyze_product(
    state: &AppState,
    tx: &mut Tx,
    org: OrgId,
    product_id: ProductId,
    convs: &[ForAnalysis],
    outcome: &mut BatchOutcome,
    in_job: bool,
) -> anyhow::Result<(i64, Index)> {
    // A worker does not wait for a product another worker is analysing: it hands the job back and
    // takes the next, so workers spread over products instead of queueing behind one lock. A
    // person's action (no job) waits its turn.
    if in_job {
        if !dialect::try_lock_product(tx, product_id).await? {
            return Err(ProductBusy.into());
        }
    } else {
        dialect::lock_product(tx, product_id).await?;
    }
    let product = products::get_in_tx(tx, org, product_id).await?;

    // Reports from an earlier analysis of these conversations go first; if there were any, the
    // cached index holds them and must be rebuilt.
    let ids: Vec<ConversationId> = convs.iter().map(|c| c.id).collect();
    let emptied = reports::delete_for_conversations(tx, &ids).await?;
    // Held conversations (harmful content) lose their reports above and get no new ones.
    let convs: Vec<&ForAnalysis> = convs.iter().filter(|c| !c.held).collect();
    let cached = if emptied.is_empty() { state.matchers.take(product_id, product.match_version) } else { None };
    let mut index = match cached {
        Some(index) => index,
        None => load_index(tx, org, product_id).await?,
    };

    let analyzer = state.models.analyzer(&state.analyzer, tx, org, product_id).await?;
    let mut analyzer = analyzer.with_priorities(crate::models::priority_rules(&product));
    let tier = state.embeddings.as_deref();
    if let Some(tier) = tier {
        analyzer = analyzer.with_head(tier.head.clone());
    }
    let messages: Vec<Vec<(i64, &str)>> = convs
        .iter()
        .map(|c| c.customer_messages.iter().map(|(at, text)| (at.timestamp_millis(), text.as_str())).collect())
        .collect();
    let conv_vectors =
        embed(tier, convs.iter().zip(&messages).map(|(c, m)| Analyzer::classified_text(c.subject.as_str(), m)))?;
    let results: Vec<jetson_analysis::Analysis> = convs
        .iter()
        .zip(&messages)
        .enumerate()
        .map(|(i, (c, m))| {
            let vector = conv_vectors.as_ref().map(|v| v[i].as_slice());
            analyzer.analyze_embedded(c.subject.as_str(), m, c.human_category, vector)
        })
        .collect();
    let needs_review: Vec<bool> = convs
        .iter()
        .zip(&results)
        .map(|(c, a)| c.human_category.is_none() && a.confidence < product.review_threshold)
        .collect();
    // The embeddings of the reports that will be matched (those of conversations waiting for
    // review are not), in the order the loop below takes them.
    let matched_reports =
        results.iter().zip(&needs_review).filter(|(_, review)| !**review).flat_map(|(a, _)| &a.reports);
    let report_vectors = embed(tier, matched_reports.map(|r| r.match_text.clone()))?.unwrap_or_default();
    let report_bytes: Vec<Vec<u8>> = report_vectors.iter().map(|v| crate::embeddings::to_bytes(v)).collect();
    let mut next_vector = 0;

    // A title or description is cut from redacted text, and goes through the organisation's
    // policy once more on its way to the work item: the type says so, and a cut cannot join
    // two halves of something into a value the first pass did not see.
    let operators = Operators::from_rows(&jetson_store::operators::get_in_tx(tx, org).await?);
    let protect = Protect { sealer: state.sealer()?, org, operators: &operators };
    let mut analyses: Vec<(ConversationId, Analysis)> = Vec::with_capacity(convs.len());
    let mut new_items: Vec<(WorkItemId, work_items::NewWorkItem)> = Vec::new();
    let mut new_reports: Vec<(ReportId, reports::NewReport<'_>)> = Vec::new();
    let mut raised: HashMap<WorkItemId, Priority> = HashMap::new();
    let mut touched: Vec<WorkItemId> = emptied.clone();
    for ((c, a), &needs_review) in convs.iter().zip(&results).zip(&needs_review) {
        let source = if c.human_category.is_some() { Decider::Human } else { Decider::Model };
        let explanation = Explanation { features: a.explanation.clone() };
        let analysis = Analysis {
            category: a.category,
            confidence: a.confidence,
            priority: a.priority,
            needs_review,
            source,
            explanation,
        };
        analyses.push((c.id, analysis));
        outcome.analyzed += 1;
        if needs_review {
            continue;
        }
        for (ordinal, r) in a.reports.iter().enumerate() {
            let vector = report_vectors.get(next_vector);
            let bytes = report_bytes.get(next_vector).map(Vec::as_slice);
            next_vector += 1;
            let nearest = index
                .nearest_embedded(r.category, &r.match_text, vector.map(Vec::as_slice))
                .filter(|m| m.similarity >= product.match_threshold);
            let item = match &nearest {
                Some(m) => {
                    let item = WorkItemId::from(m.group);
                    let p = raised.entry(item).or_insert(r.priority);
                    *p = (*p).max(r.priority);
                    item
                }
                None => {
                    let id = WorkItemId::new();
                    let new = work_items::NewWorkItem {
                        org_id: org,
                        product_id,
                        category: r.category,
                        title: protect.redact(&r.title, &Known::default()),
                        description: protect.redact(&r.excerpt, &Known::default()),
                        priority: r.priority,
                    };
                    new_items.push((id, new));
                    outcome.new_work_items += 1;
                    id
                }
            };
            let report_id = ReportId::new();
            let report = reports::NewReport {
                org_id: org,
                work_item_id: item,
                conversation_id: c.id,
                ordinal: ordinal as i64,
                customer_id: c.customer_id,
                company: c.company.as_deref(),
                category: r.category,
                excerpt: &r.excerpt,
                match_text: &r.match_text,
                similarity: nearest.as_ref().map(|m| m.similarity),
                matched_report_id: nearest.as_ref().map(|m| m.key.into()),
                embedding: bytes,
            };
            new_reports.push((report_id, report));
            index.add_embedded(report_id.as_uuid(), item.as_uuid(), r.category, &r.match_text, vector.cloned());
            touched.push(item);
            outcome.reports += 1;
        }
    }
    work_items::create_many(tx, &new_items).await?;
    reports::insert_many(tx, &new_reports).await?;
    let refs: Vec<(ConversationId, &Analysis)> = analyses.iter().map(|(id, a)| (*id, a)).collect();
    conversations::set_analysis_many(tx, org, &refs).await?;
    for (item, priority) in raised {
        work_items::raise_priority(tx, item, priority).await?;
    }
    work_items::recount(tx, &touched).await?;
    work_items::delete_empty(tx, &emptied).await?;
    let version = products::bump_match_version(tx, product_id).await?;
    Ok((version, index))
}

/// The embedding tier's vectors of these texts, or `None` without the tier.
fn embed(tier: Option<&Embeddings>, texts: impl Iterator<Item = String>) -> anyhow::Result<Option<Vec<Vec<f32>>>> {
    let Some(tier) = tier else { return Ok(None) };
    let texts: Vec<String> = texts.collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    Ok(Some(tier.embed(&refs).context("embedding for the embedding tier")?))
}
