//! The bundled demo data set: two fictional products, written by the project (`demo/dataset.txt`),
//! expanded into realistic conversations by a deterministic generator, with its own answer key.
//!
//! [`generate`] makes the conversations; [`load`] imports them; [`score`] measures the pipeline
//! against the answer key (category accuracy and pairwise F1 of the grouping).

mod dataset;
mod generate;
mod score;

pub use dataset::{Dataset, parse};
pub use generate::{DemoConversation, generate};
pub use score::{Score, score};

use jetson_domain::{OrgId, ProductName};
use jetson_store::products;

use crate::state::AppState;

pub const DEMO_ORG: &str = "Demo Company";
pub const DEMO_ADMIN: &str = "admin@demo.jetson.local";

pub const DATASET: &str = include_str!("../../demo/dataset.txt");

/// Imports the demo conversations into `org` (one product each) and returns how many were new.
pub async fn load(
    state: &AppState,
    org: OrgId,
    convs: &[DemoConversation],
    progress: &mut dyn FnMut(usize, usize),
) -> anyhow::Result<usize> {
    let mut by_product: Vec<(String, Vec<crate::services::import::Imported>)> = Vec::new();
    for c in convs {
        match by_product.iter_mut().find(|(p, _)| *p == c.product) {
            Some((_, list)) => list.push(c.conversation.clone()),
            None => by_product.push((c.product.clone(), vec![c.conversation.clone()])),
        }
    }
    let total = convs.len();
    let mut done_before = 0;
    let mut inserted = 0;
    for (name, list) in by_product {
        let mut tx = state.db.begin().await?;
        let product = products::get_or_create(&mut tx, org, &ProductName::parse(&name)?).await?;
        tx.commit().await?;
        let summary = crate::services::import::write(state, org, product.id, &list, &mut |done, _| {
            progress(done_before + done, total)
        })
        .await?;
        done_before += list.len();
        inserted += summary.inserted + summary.changed;
    }
    Ok(inserted)
}

/// Whether this organisation already has conversations (the demo was loaded before).
pub async fn already_loaded(state: &AppState, org: OrgId) -> anyhow::Result<bool> {
    Ok(jetson_store::conversations::count(&state.db, org).await? > 0)
}
