//! Storing imported conversations. Each batch commits its conversations together with the job
//! that analyses them, so a crash loses nothing and a re-run (which finds the same content by its
//! hash) changes nothing.
//!
//! Privacy happens here, before anything is stored: the analysis text is redacted; the original
//! body is kept with card numbers masked and sealed (AES-256-GCM, see [`MESSAGE_BODY`]); and
//! customer messages are screened for harmful content, which holds the conversation out of
//! analysis until a person has looked at it.

use jetson_analysis::text::clean_for_analysis;
use jetson_domain::{Author, OrgId, ProductId};
use jetson_privacy::Known;
use jetson_privacy::screen::{Category, Screener};
use jetson_store::conversations::{self, NewConversation, NewMessage, Upserted};
use jetson_store::holds::{self, StoredFlag};
use jetson_store::{Tx, customers};
use sha2::{Digest, Sha256};

use super::Imported;
use crate::protect::{Operators, Protect};
use crate::queue::analyze;
use crate::sealed::Sealer;
use crate::state::AppState;
use crate::telemetry;

/// The sealing purpose of original message bodies.
pub const MESSAGE_BODY: &str = "message_body";

pub const BATCH: usize = 250;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub inserted: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// New or changed conversations held out of analysis for harmful content.
    pub held: usize,
}

impl std::ops::AddAssign for Summary {
    fn add_assign(&mut self, o: Summary) {
        self.inserted += o.inserted;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
        self.held += o.held;
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
    let sealer = state.sealer()?;
    for batch in conversations.chunks(BATCH) {
        let mut tx = state.db.begin().await?;
        summary += write_batch(&mut tx, sealer, org, product, batch).await?;
        tx.commit().await?;
        done += batch.len();
        progress(done, conversations.len());
    }
    Ok(summary)
}

/// Stores one batch in the caller's transaction and queues the analysis of what is new or changed
/// (in the same transaction, so both or neither happen).
pub async fn write_batch(
    tx: &mut Tx,
    sealer: &Sealer,
    org: OrgId,
    product: ProductId,
    batch: &[Imported],
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    if batch.is_empty() {
        return Ok(summary);
    }
    let people: Vec<(&jetson_domain::Email, &str)> =
        batch.iter().map(|c| (&c.customer_email, c.customer_name.as_str())).collect();
    let customers = customers::upsert_many(tx, org, &people).await?;
    let operators = Operators::from_rows(&jetson_store::operators::get_in_tx(tx, org).await?);
    let protect = Protect { sealer, org, operators: &operators };
    let new: Vec<NewConversation> =
        batch.iter().map(|c| to_new_conversation(&protect, product, customers[c.customer_email.as_str()], c)).collect();
    let mut batch_hash = Sha256::new();
    for n in &new {
        batch_hash.update(n.content_hash.as_bytes());
    }
    let mut to_analyze = Vec::new();
    let mut to_hold = Vec::new();
    for (outcome, n) in conversations::upsert_many(tx, &new).await?.into_iter().zip(&new) {
        let (id, written) = match outcome {
            Upserted::Inserted(id) => {
                summary.inserted += 1;
                (id, "new")
            }
            Upserted::Changed(id) => {
                summary.changed += 1;
                (id, "changed")
            }
            Upserted::Unchanged(_) => {
                summary.unchanged += 1;
                metrics::counter!(telemetry::CONVERSATIONS_WRITTEN, "outcome" => "unchanged").increment(1);
                continue;
            }
        };
        metrics::counter!(telemetry::CONVERSATIONS_WRITTEN, "outcome" => written).increment(1);
        to_analyze.push(id);
        let flags = screen(n);
        if !flags.is_empty() {
            let escalated = flags.iter().any(|f| Category::parse(&f.category).is_some_and(|c| c.escalates()));
            to_hold.push((id, flags, escalated));
        }
    }
    summary.held += to_hold.len();
    holds::hold_many(tx, org, &to_hold).await?;
    to_analyze.sort();
    to_analyze.dedup();
    if !to_analyze.is_empty() {
        analyze::enqueue(tx, to_analyze, &hex::encode(batch_hash.finalize())).await?;
    }
    Ok(summary)
}

/// The strongest flag of each category over the subject and the customer's messages.
fn screen(c: &NewConversation) -> Vec<StoredFlag> {
    let mut best: Vec<StoredFlag> = Vec::new();
    let customer_words = c.messages.iter().filter(|m| m.author == Author::Customer).map(|m| &m.analysis_text);
    for text in std::iter::once(&c.subject).chain(customer_words) {
        for f in Screener::builtin().screen(text.as_str()) {
            match best.iter_mut().find(|b| b.category == f.category.as_str()) {
                Some(b) => b.score = b.score.max(f.score),
                None => best.push(StoredFlag { category: f.category.as_str().into(), score: f.score }),
            }
        }
    }
    best
}

fn to_new_conversation(
    protect: &Protect<'_>,
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
                body_html: protect.sealer.seal(MESSAGE_BODY, &jetson_privacy::mask_cards(&m.body)),
                analysis_text: protect.redact(&clean_for_analysis(&m.body), &known),
                created_at: m.created_at,
            }
        })
        .collect();
    let (subject, subject_sealed) = protect.subject(&c.subject, &known);
    NewConversation {
        org_id: protect.org,
        product_id: product,
        external_id: c.external_id.clone(),
        subject,
        subject_sealed,
        customer_id,
        status: c.status.clone(),
        // Tags are free text an agent typed: redacted like the rest.
        tags: c.tags.iter().map(|t| protect.redact(t, &known).into_string()).collect(),
        content_hash: hex::encode(hash.finalize()),
        created_at: c.created_at,
        updated_at: c.messages.last().map_or(c.created_at, |m| m.created_at),
        messages,
    }
}
