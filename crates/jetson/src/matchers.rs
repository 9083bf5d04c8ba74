//! A per-process cache of each product's matching index.
//!
//! Building an index means reading every report of the product, so a worker keeps it between
//! batches. The product's `match_version` (bumped by every change to its reports or work items,
//! read under the product lock) tells whether the cached index is still the truth.

use std::collections::HashMap;
use std::sync::Mutex;

use jetson_analysis::matcher::MatchIndex;
use jetson_domain::ProductId;
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
