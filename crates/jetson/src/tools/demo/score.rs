//! Scoring the pipeline's output on the demo data against its answer key.

use std::collections::HashMap;

use jetson_analysis::metrics;
use jetson_domain::{Category, OrgId};
use jetson_store::{conversations, reports};

use super::DemoConversation;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Score {
    pub conversations: usize,
    pub category_accuracy: f64,
    /// Per-class precision/recall/F1, confusion matrix and calibration of the category decision.
    pub classification: metrics::ClassificationReport,
    pub pairwise: metrics::Prf,
    pub needs_review: usize,
    /// Held out of analysis by harmful-content screening (the demo has none to hold).
    pub held: usize,
}

/// Category accuracy per conversation, and pairwise precision/recall/F1 of grouping over every
/// issue the key names: issue `i` of a conversation is paired with its `i`-th report; an issue
/// with no report counts as a group of its own.
pub async fn score(state: &AppState, org: OrgId, key: &[DemoConversation]) -> anyhow::Result<Score> {
    let mut by_external: HashMap<(String, String), &DemoConversation> = HashMap::new();
    for c in key {
        by_external.insert((c.product.clone(), c.conversation.external_id.clone()), c);
    }
    let mut correct = 0;
    let mut seen = 0;
    let mut needs_review = 0;
    let mut held = 0;
    let mut decisions: Vec<(&'static str, &'static str, f64)> = Vec::new();
    let mut truth: HashMap<String, String> = HashMap::new();
    let mut predicted: HashMap<String, String> = HashMap::new();
    let mut before = None;
    loop {
        let filter = conversations::Filter { before, limit: 500, ..Default::default() };
        let page = conversations::list(&state.db, org, &filter).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for c in &page {
            let Some(k) = by_external.get(&(c.product_name.clone(), c.external_id.clone())) else { continue };
            seen += 1;
            needs_review += usize::from(c.needs_review);
            held += usize::from(c.hold.is_some());
            if c.category() == Some(k.category) {
                correct += 1;
            }
            if let Some(got) = c.category() {
                decisions.push((k.category.as_str(), got.as_str(), c.confidence.unwrap_or(0.0)));
            }
            let got = reports::for_conversation(&state.db, org, c.id).await?;
            for (i, (category, problem)) in k.issues.iter().enumerate() {
                if *category == Category::NoAction {
                    continue;
                }
                let unit = format!("{}#{i}", c.id);
                truth.insert(unit.clone(), format!("{}/{problem}", k.product));
                let group = got.get(i).map_or_else(|| format!("none:{unit}"), |r| r.work_item_id.to_string());
                predicted.insert(unit, group);
            }
        }
    }
    anyhow::ensure!(seen > 0, "no demo conversations found in this organisation");
    Ok(Score {
        conversations: seen,
        category_accuracy: correct as f64 / seen as f64,
        classification: metrics::classification(&["bug", "feature", "no_action"], &decisions),
        pairwise: metrics::pairwise(&truth, &predicted),
        needs_review,
        held,
    })
}
