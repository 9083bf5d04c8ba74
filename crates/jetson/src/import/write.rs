//! Storing imported conversations. Each batch commits its conversations together with the job
//! that analyses them, so a crash loses nothing and a re-run (which finds the same content by its
//! hash) changes nothing.

use jetson_analysis::text::clean_for_analysis;
use jetson_domain::{Author, OrgId, ProductId};
use jetson_privacy::{Known, Redactor};
use jetson_store::conversations::{self, NewConversation, NewMessage, Upserted};
use jetson_store::{Tx, customers};
use sha2::{Digest, Sha256};

use super::Imported;
use crate::jobs::analyze;
use crate::state::AppState;

pub const BATCH: usize = 250;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub inserted: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl std::ops::AddAssign for Summary {
    fn add_assign(&mut self, o: Summary) {
        self.inserted += o.inserted;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
    }
}

/// Called after each batch with (conversations written so far, total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

pub async fn write(
    state: &AppState,
    org: OrgId,
    product: ProductId,
    conversations: &[Imported],
    progress: Progress<'_>,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let mut done = 0;
    for batch in conversations.chunks(BATCH) {
        let mut tx = state.db.begin().await?;
        summary += write_batch(&mut tx, org, product, batch).await?;
        tx.commit().await?;
        done += batch.len();
        progress(done, conversations.len());
    }
    Ok(summary)
}

/// Stores one batch in the caller's transaction and queues the analysis of what is new or changed
/// (in the same transaction, so both or neither happen).
pub async fn write_batch(tx: &mut Tx, org: OrgId, product: ProductId, batch: &[Imported]) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    if batch.is_empty() {
        return Ok(summary);
    }
    let people: Vec<(&jetson_domain::Email, &str)> =
        batch.iter().map(|c| (&c.customer_email, c.customer_name.as_str())).collect();
    let customers = customers::upsert_many(tx, org, &people).await?;
    let new: Vec<NewConversation> =
        batch.iter().map(|c| to_new_conversation(org, product, customers[c.customer_email.as_str()], c)).collect();
    let mut batch_hash = Sha256::new();
    for n in &new {
        batch_hash.update(n.content_hash.as_bytes());
    }
    let mut to_analyze = Vec::new();
    for outcome in conversations::upsert_many(tx, &new).await? {
        match outcome {
            Upserted::Inserted(id) => {
                summary.inserted += 1;
                to_analyze.push(id);
            }
            Upserted::Changed(id) => {
                summary.changed += 1;
                to_analyze.push(id);
            }
            Upserted::Unchanged(_) => summary.unchanged += 1,
        }
    }
    to_analyze.sort();
    to_analyze.dedup();
    if !to_analyze.is_empty() {
        analyze::enqueue(tx, to_analyze, &hex::encode(batch_hash.finalize())).await?;
    }
    Ok(summary)
}

fn to_new_conversation(
    org: OrgId,
    product: ProductId,
    customer_id: jetson_domain::CustomerId,
    c: &Imported,
) -> NewConversation {
    let mut names: Vec<String> = vec![c.customer_name.clone()];
    names.extend(c.messages.iter().filter(|m| m.author != Author::Customer).map(|m| m.author_name.clone()));
    let known = Known { names };
    let mut hash = Sha256::new();
    for part in [&c.subject, &c.status, c.customer_email.as_str(), &c.customer_name]
        .into_iter()
        .chain(c.tags.iter().map(String::as_str))
    {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let messages = c
        .messages
        .iter()
        .map(|m| {
            for part in [&m.external_id, m.author.as_str(), &m.body, &m.created_at.to_rfc3339()] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            NewMessage {
                external_id: m.external_id.clone(),
                author: m.author,
                author_name: m.author_name.clone(),
                body_html: m.body.clone(),
                analysis_text: Redactor.redact(&clean_for_analysis(&m.body), &known).text,
                created_at: m.created_at,
            }
        })
        .collect();
    NewConversation {
        org_id: org,
        product_id: product,
        external_id: c.external_id.clone(),
        subject: c.subject.clone(),
        customer_id,
        status: c.status.clone(),
        tags: c.tags.clone(),
        content_hash: hex::encode(hash.finalize()),
        created_at: c.created_at,
        updated_at: c.messages.last().map_or(c.created_at, |m| m.created_at),
        messages,
    }
}
