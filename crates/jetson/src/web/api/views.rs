//! The JSON shapes the API returns.

use chrono::{DateTime, Utc};
use jetson_store::conversations::{Conversation, Message};
use jetson_store::reports::Report;
use jetson_store::work_items::WorkItem;
use serde::Serialize;

#[derive(Serialize)]
pub struct WorkItemView {
    pub id: String,
    pub product: String,
    pub title: String,
    pub description: String,
    pub category: &'static str,
    pub priority: &'static str,
    pub status: &'static str,
    pub distinct_customers: i64,
    pub companies: i64,
    pub reports: i64,
    pub merged_into: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&WorkItem> for WorkItemView {
    fn from(w: &WorkItem) -> Self {
        WorkItemView {
            id: w.id.to_string(),
            product: w.product_name.clone(),
            title: w.title.clone(),
            description: w.description.clone(),
            category: w.category.as_str(),
            priority: w.priority.as_str(),
            status: w.status.as_str(),
            distinct_customers: w.customer_count,
            companies: w.company_count,
            reports: w.report_count,
            merged_into: w.merged_into.map(|m| m.to_string()),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Serialize)]
pub struct ReportView {
    pub id: String,
    pub conversation_id: String,
    pub subject: String,
    pub customer_name: String,
    pub category: &'static str,
    pub excerpt: String,
    pub similarity: Option<f64>,
    pub moved_by_person: bool,
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        ReportView {
            id: r.id.to_string(),
            conversation_id: r.conversation_id.to_string(),
            subject: r.conversation_subject.clone(),
            customer_name: r.customer_name.clone(),
            category: r.category.as_str(),
            excerpt: r.excerpt.clone(),
            similarity: r.similarity,
            moved_by_person: r.source == jetson_domain::Decider::Human,
        }
    }
}

#[derive(Serialize)]
pub struct ConversationView {
    pub id: String,
    pub product: String,
    pub external_id: String,
    pub subject: String,
    pub customer_name: String,
    pub created_at: DateTime<Utc>,
    pub category: Option<String>,
    pub confidence: Option<f64>,
    pub priority: Option<String>,
    pub needs_review: bool,
    pub classified_by: Option<String>,
    pub work_item_id: Option<String>,
    pub explanation: Vec<(String, f32)>,
}

impl From<&Conversation> for ConversationView {
    fn from(c: &Conversation) -> Self {
        ConversationView {
            id: c.id.to_string(),
            product: c.product_name.clone(),
            external_id: c.external_id.clone(),
            subject: c.subject.clone(),
            customer_name: c.customer_name.clone(),
            created_at: c.created_at,
            category: c.category.clone(),
            confidence: c.confidence,
            priority: c.priority.clone(),
            needs_review: c.needs_review,
            classified_by: c.category_source.clone(),
            work_item_id: c.work_item_id.map(|w| w.to_string()),
            explanation: c.explanation.as_ref().map(|e| e.0.features.clone()).unwrap_or_default(),
        }
    }
}

/// A message as the API shows it: the redacted text analysis read, never the raw body.
#[derive(Serialize)]
pub struct MessageView {
    pub author: &'static str,
    pub author_name: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            author: m.author.as_str(),
            author_name: m.author_name.clone(),
            text: m.analysis_text.clone(),
            created_at: m.created_at,
        }
    }
}

#[derive(Serialize)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
