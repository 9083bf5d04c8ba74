//! What analyses a product: its own trained model when it has one (kept per process, reloaded
//! when the product is trained again), else the built-in one; and the product's priority rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use chrono::{DateTime, Utc};
use jetson_analysis::priority::{PriorityDefinition, PriorityRules};
use jetson_analysis::{Analyzer, Classifier};
use jetson_domain::{OrgId, ProductId};
use jetson_store::{Tx, learning, products};

/// The product's priority rules: the built-in signals plus its own definitions. Definitions
/// that do not parse (they are validated when saved) are ignored rather than stopping analysis.
pub fn priority_rules(product: &products::Product) -> PriorityRules {
    PriorityRules::with_definitions(&priority_definitions(product))
}

pub fn priority_definitions(product: &products::Product) -> Vec<PriorityDefinition> {
    product.priority_definitions.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

/// A loaded product model and when it was trained.
type LoadedModel = (DateTime<Utc>, Arc<Analyzer>);

#[derive(Default)]
pub struct ModelCache {
    entries: Mutex<HashMap<ProductId, LoadedModel>>,
}

impl ModelCache {
    /// The analyser for a product: its own model when it has one, else `builtin`.
    pub async fn analyzer(
        &self,
        builtin: &Arc<Analyzer>,
        tx: &mut Tx,
        org: OrgId,
        product: ProductId,
    ) -> anyhow::Result<Arc<Analyzer>> {
        let Some(trained_at) = learning::model_trained_at(tx, org, product).await? else {
            return Ok(builtin.clone());
        };
        if let Some((at, a)) = self.entries.lock().expect("model cache").get(&product)
            && *at == trained_at
        {
            return Ok(a.clone());
        }
        let stored = learning::model_in_tx(tx, org, product).await?.context("the product's model vanished")?;
        let classifier = Classifier::from_bytes(&stored.model).context("the product's stored model is damaged")?;
        let analyzer = Arc::new(Analyzer::with_classifier(classifier));
        self.entries.lock().expect("model cache").insert(product, (trained_at, analyzer.clone()));
        Ok(analyzer)
    }
}
