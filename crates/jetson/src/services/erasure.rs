//! Forgetting: conversations removed with everything derived from them, and the data-subject
//! requests built on it (export everything held about a customer; erase a customer everywhere).
//!
//! What is derived from a conversation: its messages (original and redacted text), its reports
//! (excerpts, match text, embeddings), the work items only it fed (others are recounted), the
//! examples learned from its text, and its place in the products' cached match indexes.

use anyhow::Context;
use jetson_domain::{ConversationId, Email, OrgId, ProductId, WorkItemId};
use jetson_store::{Tx, audit, conversations, customers, learning, products, reports, work_items};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::services::import::{MESSAGE_BODY, SUBJECT};
use crate::state::AppState;

/// What forgetting removed, counted by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    pub conversations: u64,
    pub messages: u64,
    pub reports: u64,
    pub embeddings: u64,
    pub work_items_removed: u64,
    pub work_items_recounted: u64,
    pub learned_examples: u64,
}

impl std::ops::AddAssign for Forgotten {
    fn add_assign(&mut self, o: Forgotten) {
        self.conversations += o.conversations;
        self.messages += o.messages;
        self.reports += o.reports;
        self.embeddings += o.embeddings;
        self.work_items_removed += o.work_items_removed;
        self.work_items_recounted += o.work_items_recounted;
        self.learned_examples += o.learned_examples;
    }
}

/// Deletes conversations with their messages and reports, forgets what was learned from their
/// text, recounts the work items they fed and removes items left empty.
pub async fn forget_conversations(
    tx: &mut Tx,
    org: OrgId,
    stored: &[(ConversationId, ProductId)],
) -> anyhow::Result<Forgotten> {
    let mut out = Forgotten::default();
    if stored.is_empty() {
        return Ok(out);
    }
    let ids: Vec<ConversationId> = stored.iter().map(|(id, _)| *id).collect();
    let mut texts: Vec<String> = conversations::for_analysis_many(tx, &ids)
        .await?
        .iter()
        .map(crate::services::learning::training_text)
        .collect();
    texts.extend(reports::match_texts_of(tx, org, &ids).await?);
    out.learned_examples = learning::forget_texts(tx, org, &texts).await?;
    out.messages = conversations::count_messages(tx, org, &ids).await?;
    out.embeddings = reports::count_embeddings_of(tx, org, &ids).await?;
    let items: Vec<WorkItemId> = reports::delete_for_conversations(tx, &ids).await?;
    out.reports = items.len() as u64;
    for id in &ids {
        out.conversations += u64::from(conversations::delete(tx, org, *id).await?);
    }
    let mut unique_items = items.clone();
    unique_items.sort();
    unique_items.dedup();
    work_items::recount(tx, &unique_items).await?;
    out.work_items_removed = work_items::delete_empty(tx, &unique_items).await? as u64;
    out.work_items_recounted = unique_items.len() as u64 - out.work_items_removed;
    let mut touched: Vec<ProductId> = stored.iter().map(|(_, p)| *p).collect();
    touched.sort();
    touched.dedup();
    // Cached matcher indexes of these products held the deleted reports.
    for p in touched {
        products::bump_match_version(tx, p).await?;
    }
    Ok(out)
}

/// Everything held about the customer with this email, as one JSON document: the customer, each
/// conversation with its original messages (card numbers masked, as stored), their redacted text,
/// the analysis and the reports. Recorded in the audit trail.
pub async fn export_customer(state: &AppState, org: OrgId, email: &Email, actor: &str) -> anyhow::Result<Value> {
    let sealer = state.sealer()?;
    let mut tx = state.db.begin().await?;
    let customer = customers::find(&mut tx, org, email).await?.with_context(|| format!("no customer {email}"))?;
    let stored = conversations::of_customer(&mut tx, org, customer.id).await?;
    record(&mut tx, org, actor, "customer.export", email, &format!("{} conversation(s)", stored.len())).await?;
    tx.commit().await?;
    let mut out = Vec::new();
    for (id, _) in &stored {
        let c = conversations::get(&state.db, org, *id).await?;
        let original_subject = match conversations::sealed_subject(&state.db, org, *id).await? {
            Some(s) if s.starts_with("v1.") => {
                sealer.open(SUBJECT, &s).unwrap_or_else(|_| "(cannot be decrypted)".into())
            }
            _ => c.subject.clone(),
        };
        let messages: Vec<Value> = conversations::messages(&state.db, org, *id)
            .await?
            .into_iter()
            .map(|m| {
                let original = if m.body_html.starts_with("v1.") {
                    sealer.open(MESSAGE_BODY, &m.body_html).unwrap_or_else(|_| "(cannot be decrypted)".into())
                } else {
                    m.body_html
                };
                json!({ "author": m.author.as_str(), "author_name": m.author_name, "sent_at": m.created_at,
                        "original": original, "redacted": m.analysis_text })
            })
            .collect();
        let reports: Vec<Value> = reports::for_conversation(&state.db, org, *id)
            .await?
            .into_iter()
            .map(|r| json!({ "work_item": r.work_item_id.to_string(), "category": r.category.as_str(), "excerpt": r.excerpt }))
            .collect();
        out.push(json!({
            "id": c.id.to_string(), "product": c.product_name, "external_id": c.external_id, "subject": original_subject,
            "redacted_subject": c.subject,
            "status": c.status, "created_at": c.created_at, "category": c.category, "priority": c.priority,
            "hold": c.hold, "messages": messages, "reports": reports,
        }));
    }
    Ok(json!({
        "customer": { "email": customer.email, "name": customer.name, "company": customer.company,
                      "first_seen": customer.created_at },
        "conversations": out,
    }))
}

/// Erases the customer with this email everywhere, derived data included, in one transaction,
/// and records it in the audit trail (by a hash of the address, not the address itself).
pub async fn erase_customer(state: &AppState, org: OrgId, email: &Email, actor: &str) -> anyhow::Result<Forgotten> {
    let mut tx = state.db.begin().await?;
    let customer = customers::find(&mut tx, org, email).await?.with_context(|| format!("no customer {email}"))?;
    let stored = conversations::of_customer(&mut tx, org, customer.id).await?;
    let forgotten = forget_conversations(&mut tx, org, &stored).await?;
    customers::delete(&mut tx, org, customer.id).await?;
    record(&mut tx, org, actor, "customer.erase", email, &serde_json::to_string(&forgotten)?).await?;
    tx.commit().await?;
    Ok(forgotten)
}

async fn record(tx: &mut Tx, org: OrgId, actor: &str, action: &str, email: &Email, detail: &str) -> anyhow::Result<()> {
    // The trail outlives the erasure, so it names the customer by a hash of their address.
    let target = format!("customer:sha256:{}", hex::encode(&Sha256::digest(email.as_str().as_bytes())[..12]));
    let event = audit::NewEvent { actor_user_id: None, actor, action, target: &target, detail };
    audit::record(tx, org, event).await?;
    Ok(())
}
