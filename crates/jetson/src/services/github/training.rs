//! Labelled issues of a product's repository as training examples: each label in the product's
//! training mapping (`{"bug": "bug", "enhancement": "feature", "question": "no_action"}`) is read
//! as a category. Issue text is redacted like any conversation before it is kept, and the
//! product's model is retrained afterwards.

use std::collections::BTreeMap;

use anyhow::Context;
use jetson_connectors::github::Conditional;
use jetson_domain::{Category, OrgId, ProductId};
use jetson_privacy::{Known, Redactor};
use jetson_store::github as store;

use super::{client, connection, repo_name};
use crate::state::AppState;

/// Issues read per label at most (100 per page).
const MAX_PAGES: usize = 10;

pub fn parse_training_map(json: &str) -> Result<BTreeMap<String, Category>, String> {
    let raw: BTreeMap<String, String> = serde_json::from_str(json).map_err(|e| {
        format!("the training mapping must be JSON like {{\"bug\": \"bug\", \"enhancement\": \"feature\"}} ({e})")
    })?;
    raw.into_iter()
        .map(|(label, cat)| {
            Category::parse(&cat)
                .map(|c| (label.clone(), c))
                .map_err(|_| format!("`{cat}` (for label `{label}`) is not bug, feature or no_action"))
        })
        .collect()
}

/// Imports the labelled issues; returns how many examples each category got.
pub async fn import(state: &AppState, org: OrgId, product: ProductId) -> anyhow::Result<BTreeMap<Category, usize>> {
    let repo =
        store::repo_for_product(&state.db, org, product).await?.context("this product has no GitHub repository")?;
    let map = parse_training_map(&repo.training_map).map_err(anyhow::Error::msg)?;
    let conn = connection(state, org).await?;
    let gh = client(state, &conn)?;
    let name = repo_name(&repo.repo)?;
    let mut seen = std::collections::HashSet::new();
    let mut counts = BTreeMap::new();
    let mut tx = state.db.begin().await?;
    for (label, category) in &map {
        let Conditional::Fresh { value: issues, .. } =
            gh.list_issues(&name, "all", Some(label), None, None, MAX_PAGES).await?
        else {
            continue;
        };
        for i in issues {
            // An issue with two mapped labels says two things; it teaches neither.
            let mapped: Vec<Category> = i.label_names().iter().filter_map(|l| map.get(l).copied()).collect();
            if mapped.iter().any(|c| c != category) || !seen.insert(i.number) {
                continue;
            }
            let text = format!("{}\n\n{}", i.title, i.body.as_deref().unwrap_or(""));
            let redacted = Redactor.redact(&text, &Known::default()).text;
            jetson_store::learning::record_category(&mut tx, org, product, *category, redacted.as_str(), "github")
                .await?;
            *counts.entry(*category).or_insert(0) += 1;
        }
    }
    crate::queue::model_train::enqueue(&mut tx, org, product).await?;
    tx.commit().await?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_training_map_names_known_categories_only() {
        let m = super::parse_training_map(super::super::connect::DEFAULT_TRAINING).unwrap();
        assert_eq!(m["enhancement"], jetson_domain::Category::Feature);
        assert!(super::parse_training_map(r#"{"bug": "defect"}"#).unwrap_err().contains("defect"));
        assert!(super::parse_training_map("[]").is_err());
    }
}
