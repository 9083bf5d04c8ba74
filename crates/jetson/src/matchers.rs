//! Each product's matching index: how it is read from the store, and a per-process cache of it.
//!
//! Building an index means reading every report of the product, so a worker keeps it between
//! batches. The product's `match_version` (bumped by every change to its reports or work items,
//! read under the product lock) tells whether the cached index is still the truth.

use std::collections::HashMap;
use std::sync::Mutex;

use jetson_analysis::matcher::MatchIndex;
use jetson_domain::{OrgId, ProductId};
use jetson_store::{Tx, reports};
use uuid::Uuid;

/// Keys are report ids, groups are work item ids.
pub type Index = MatchIndex<Uuid>;

#[derive(Default)]
pub struct MatcherCache {
    entries: Mutex<HashMap<ProductId, (i64, Index)>>,
}

impl MatcherCache {
    /// Takes the cached index out if it is at `version`; the caller puts it back after committing.
    pub fn take(&self, product: ProductId, version: i64) -> Option<Index> {
        let mut entries = self.entries.lock().expect("cache lock");
        match entries.remove(&product) {
            Some((v, index)) if v == version => Some(index),
            _ => None,
        }
    }

    pub fn put(&self, product: ProductId, version: i64, index: Index) {
        self.entries.lock().expect("cache lock").insert(product, (version, index));
    }
}

/// Reads a product's index from its stored reports (with their vectors, when the embedding tier
/// made them).
pub async fn load_index(tx: &mut Tx, org: OrgId, product: ProductId) -> anyhow::Result<Index> {
    let mut index = Index::new();
    for c in reports::match_candidates(tx, org, product).await? {
        let vector = c.embedding.as_deref().and_then(crate::embeddings::from_bytes);
        index.add_embedded(c.id.as_uuid(), c.work_item_id.as_uuid(), c.category, &c.match_text, vector);
    }
    Ok(index)
}
