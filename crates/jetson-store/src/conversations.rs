//! Conversations and their messages.
//!
//! Imports upsert by `(product, external_id)` with a hash of the content: the same conversation
//! imported twice changes nothing, a changed one is updated in place and reported as changed so
//! that it is analysed again.

use chrono::{DateTime, Utc};
use jetson_domain::{
    Author, Category, ConversationId, CustomerId, Decider, MessageId, OrgId, Priority, ProductId, UserId,
};
use jetson_privacy::RedactedText;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::db::{on_pool, on_tx};
use std::collections::HashMap;

use crate::{Db, Result, StoreError, Tx, batch};

pub struct NewConversation {
    pub org_id: OrgId,
    pub product_id: ProductId,
    pub external_id: String,
    /// The subject line as analysis, titles and outbound calls may read it.
    pub subject: RedactedText,
    /// The original subject, card numbers masked, sealed under the instance key.
    pub subject_sealed: String,
    pub customer_id: CustomerId,
    pub status: String,
    /// The source's tags (Help Scout's), as given.
    pub tags: Vec<String>,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub messages: Vec<NewMessage>,
}

pub struct NewMessage {
    pub external_id: String,
    pub author: Author,
    pub author_name: String,
    pub body_html: String,
    /// Plain text with quotes and signatures removed and sensitive data redacted: what analysis reads.
    pub analysis_text: RedactedText,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted(ConversationId),
    Changed(ConversationId),
    Unchanged(ConversationId),
}

impl Upserted {
    pub fn id(&self) -> ConversationId {
        match *self {
            Upserted::Inserted(id) | Upserted::Changed(id) | Upserted::Unchanged(id) => id,
        }
    }
}

pub async fn upsert(tx: &mut Tx, c: &NewConversation) -> Result<Upserted> {
    Ok(upsert_many(tx, std::slice::from_ref(c)).await?.remove(0))
}

/// Upserts conversations of one product in a few multi-row statements; one outcome per input.
/// A conversation that appears twice in the input is stored once (the last copy wins).
pub async fn upsert_many(tx: &mut Tx, convs: &[NewConversation]) -> Result<Vec<Upserted>> {
    let Some(first) = convs.first() else { return Ok(Vec::new()) };
    let product = first.product_id;
    if convs.iter().any(|c| c.product_id != product || c.org_id != first.org_id) {
        return Err(StoreError::Invalid("upsert_many takes conversations of one product".into()));
    }
    let mut existing: HashMap<String, (uuid::Uuid, String)> = HashMap::new();
    for chunk in convs.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT external_id, id, content_hash FROM conversations WHERE product_id = $1 AND external_id IN ({})",
            batch::list(2, chunk.len())
        ));
        let rows: Vec<(String, uuid::Uuid, String)> = on_tx!(tx, |conn| {
            let mut q = sqlx::query_as(sql).bind(product.as_uuid());
            for c in chunk {
                q = q.bind(&c.external_id);
            }
            q.fetch_all(conn).await
        })?;
        existing.extend(rows.into_iter().map(|(e, id, h)| (e, (id, h))));
    }
    let last: HashMap<&str, usize> = convs.iter().enumerate().map(|(i, c)| (c.external_id.as_str(), i)).collect();
    let mut outcomes: Vec<Option<Upserted>> = vec![None; convs.len()];
    let mut fresh: Vec<(ConversationId, &NewConversation)> = Vec::new();
    let mut to_write: Vec<(ConversationId, &NewConversation)> = Vec::new();
    for (i, c) in convs.iter().enumerate() {
        if last[c.external_id.as_str()] != i {
            continue; // an earlier copy of a conversation that appears again later
        }
        outcomes[i] = Some(match existing.get(&c.external_id) {
            Some((id, hash)) if *hash == c.content_hash => Upserted::Unchanged((*id).into()),
            Some((id, _)) => {
                update_one(tx, *id, c).await?;
                to_write.push(((*id).into(), c));
                Upserted::Changed((*id).into())
            }
            None => {
                let id = ConversationId::new();
                fresh.push((id, c));
                to_write.push((id, c));
                Upserted::Inserted(id)
            }
        });
    }
    for (i, c) in convs.iter().enumerate() {
        if outcomes[i].is_none() {
            let kept = outcomes[last[c.external_id.as_str()]].expect("the last copy has an outcome");
            outcomes[i] = Some(Upserted::Unchanged(kept.id()));
        }
    }
    for chunk in fresh.chunks(batch::CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO conversations (id, org_id, product_id, external_id, subject, customer_id, status, content_hash,
             created_at, updated_at, tags, subject_sealed) VALUES {}",
            batch::values(chunk.len(), 12)
        ));
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(sql);
            for (id, c) in chunk {
                q = q
                    .bind(id.as_uuid())
                    .bind(c.org_id.as_uuid())
                    .bind(c.product_id.as_uuid())
                    .bind(&c.external_id)
                    .bind(c.subject.as_str())
                    .bind(c.customer_id.as_uuid())
                    .bind(&c.status)
                    .bind(&c.content_hash)
                    .bind(c.created_at)
                    .bind(c.updated_at)
                    .bind(Json(&c.tags))
                    .bind(&c.subject_sealed);
            }
            q.execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    let messages: Vec<(ConversationId, OrgId, usize, &NewMessage)> = to_write
        .iter()
        .flat_map(|(id, c)| c.messages.iter().enumerate().map(move |(pos, m)| (*id, c.org_id, pos, m)))
        .collect();
    for chunk in messages.chunks(batch::CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO messages (id, org_id, conversation_id, external_id, position, author, author_name,
             body_html, analysis_text, created_at) VALUES {}
             ON CONFLICT (conversation_id, external_id) DO UPDATE SET position = excluded.position,
               author = excluded.author, author_name = excluded.author_name, body_html = excluded.body_html,
               analysis_text = excluded.analysis_text, created_at = excluded.created_at",
            batch::values(chunk.len(), 10)
        ));
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(sql);
            for (conv, org, pos, m) in chunk {
                q = q
                    .bind(MessageId::new().as_uuid())
                    .bind(org.as_uuid())
                    .bind(conv.as_uuid())
                    .bind(&m.external_id)
                    .bind(*pos as i64)
                    .bind(m.author.as_str())
                    .bind(&m.author_name)
                    .bind(&m.body_html)
                    .bind(m.analysis_text.as_str())
                    .bind(m.created_at);
            }
            q.execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(outcomes.into_iter().map(|o| o.expect("every conversation has an outcome")).collect())
}

async fn update_one(tx: &mut Tx, id: uuid::Uuid, c: &NewConversation) -> Result<()> {
    let sql = "UPDATE conversations SET subject = $1, customer_id = $2, status = $3, content_hash = $4,
               updated_at = $5, tags = $6, subject_sealed = $8 WHERE id = $7";
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(c.subject.as_str())
            .bind(c.customer_id.as_uuid())
            .bind(&c.status)
            .bind(&c.content_hash)
            .bind(c.updated_at)
            .bind(Json(&c.tags))
            .bind(id)
            .bind(&c.subject_sealed)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The conversations of the organisation with this external id, in any product (a conversation
/// moved between mailboxes may be stored under its old product).
pub async fn find_external(tx: &mut Tx, org: OrgId, external_id: &str) -> Result<Vec<(ConversationId, ProductId)>> {
    let sql = "SELECT id, product_id FROM conversations WHERE org_id = $1 AND external_id = $2";
    let rows: Vec<(uuid::Uuid, uuid::Uuid)> =
        on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(external_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(c, p)| (c.into(), p.into())).collect())
}

/// How many conversations the organisation holds.
pub async fn count_for_org(db: &Db, org: OrgId) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM conversations WHERE org_id = $1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).fetch_one(p).await)?)
}

/// How many messages these conversations hold.
pub async fn count_messages(tx: &mut Tx, org: OrgId, ids: &[ConversationId]) -> Result<u64> {
    batch::count_of_conversations(tx, "messages", "TRUE", org, ids).await
}

/// Every conversation of this customer, with its product.
pub async fn of_customer(tx: &mut Tx, org: OrgId, customer: CustomerId) -> Result<Vec<(ConversationId, ProductId)>> {
    let sql = "SELECT id, product_id FROM conversations WHERE org_id = $1 AND customer_id = $2 ORDER BY id";
    let rows: Vec<(uuid::Uuid, uuid::Uuid)> =
        on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(customer.as_uuid()).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(c, p)| (c.into(), p.into())).collect())
}

/// Deletes a conversation with its messages. Its reports must be deleted first
/// (`reports::delete_for_conversations`) so the caller can recount the work items they fed.
pub async fn delete(tx: &mut Tx, org: OrgId, id: ConversationId) -> Result<bool> {
    let sql = "DELETE FROM conversations WHERE org_id = $1 AND id = $2";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The words and weights that drove a classification, shown beside the conversation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Explanation {
    pub features: Vec<(String, f32)>,
}

pub struct Analysis {
    pub category: Category,
    pub confidence: f64,
    pub priority: Priority,
    pub needs_review: bool,
    pub source: Decider,
    pub explanation: Explanation,
}

/// Records the analyses of many conversations, one primary-key update each. (A single
/// `UPDATE … FROM (VALUES …)` looks cheaper but SQLite plans it as a scan of the whole table.)
pub async fn set_analysis_many(tx: &mut Tx, org: OrgId, analyses: &[(ConversationId, &Analysis)]) -> Result<()> {
    let sql = "UPDATE conversations SET category = $1, confidence = $2, priority = $3, needs_review = $4,
               category_source = $5, explanation = $6, analyzed_at = $7 WHERE id = $8 AND org_id = $9";
    let now = crate::now();
    for (id, a) in analyses {
        let updated = on_tx!(tx, |c| {
            sqlx::query(sql)
                .bind(a.category.as_str())
                .bind(a.confidence)
                .bind(a.priority.as_str())
                .bind(a.needs_review)
                .bind(a.source.as_str())
                .bind(Json(&a.explanation))
                .bind(now)
                .bind(id.as_uuid())
                .bind(org.as_uuid())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

/// A conversation with its customer and the outcome of its analysis.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Conversation {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ConversationId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub product_id: ProductId,
    pub product_name: String,
    pub external_id: String,
    pub subject: String,
    #[sqlx(try_from = "uuid::Uuid")]
    pub customer_id: CustomerId,
    pub customer_email: String,
    pub customer_name: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub category: Option<String>,
    pub confidence: Option<f64>,
    pub priority: Option<String>,
    pub needs_review: bool,
    pub category_source: Option<String>,
    pub explanation: Option<Json<Explanation>>,
    pub analyzed_at: Option<DateTime<Utc>>,
    /// `held`, `released` or `kept_out` after screening flagged it; None when nothing was flagged.
    pub hold: Option<String>,
    pub screen_flags: Option<Json<Vec<crate::holds::StoredFlag>>>,
    /// The work item its first report fed, if any.
    pub work_item_id: Option<uuid::Uuid>,
    pub work_item_title: Option<String>,
}

impl Conversation {
    pub fn category(&self) -> Option<Category> {
        self.category.as_deref().and_then(|c| Category::parse(c).ok())
    }
}

macro_rules! select_conversations {
    () => {
        "SELECT c.id, c.org_id, c.product_id, p.name AS product_name, c.external_id, c.subject, c.customer_id,
                cu.email AS customer_email, cu.name AS customer_name, c.status, c.created_at, c.category,
                c.confidence, c.priority, c.needs_review, c.category_source, c.explanation, c.analyzed_at,
                c.hold, c.screen_flags, w.id AS work_item_id, w.title AS work_item_title
         FROM conversations c
         JOIN products p ON p.id = c.product_id
         JOIN customers cu ON cu.id = c.customer_id
         LEFT JOIN reports r ON r.conversation_id = c.id AND r.ordinal = 0
         LEFT JOIN work_items w ON w.id = r.work_item_id "
    };
}

pub async fn get(db: &Db, org: OrgId, id: ConversationId) -> Result<Conversation> {
    let sql = concat!(select_conversations!(), "WHERE c.org_id = $1 AND c.id = $2");
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(p).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub product: Option<ProductId>,
    /// Only the products this person is limited to (need-to-know); None: every product.
    pub visible_to: Option<UserId>,
    pub category: Option<Category>,
    pub needs_review: bool,
    /// Only conversations with ids before this one (newest first).
    pub before: Option<ConversationId>,
    pub limit: i64,
}

/// Newest first, by id (ids are time-ordered UUIDv7, assigned at import).
pub async fn list(db: &Db, org: OrgId, f: &Filter) -> Result<Vec<Conversation>> {
    let sql = concat!(
        select_conversations!(),
        "WHERE c.org_id = $1 AND ($2 IS NULL OR c.product_id = $2) AND ($3 IS NULL OR c.category = $3)
           AND ($4 = FALSE OR c.needs_review = TRUE) AND ($5 IS NULL OR c.id < $5)
           AND ($7 IS NULL OR c.product_id IN (SELECT mp.product_id FROM membership_products mp
                                               WHERE mp.org_id = $1 AND mp.user_id = $7))
         ORDER BY c.id DESC LIMIT $6"
    );
    Ok(on_pool!(db, |p| {
        sqlx::query_as(sql)
            .bind(org.as_uuid())
            .bind(f.product.map(|p| p.as_uuid()))
            .bind(f.category.map(|c| c.as_str()))
            .bind(f.needs_review)
            .bind(f.before.map(|b| b.as_uuid()))
            .bind(f.limit)
            .bind(f.visible_to.map(|u| u.as_uuid()))
            .fetch_all(p)
            .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: MessageId,
    #[sqlx(try_from = "String")]
    pub author: Author,
    pub author_name: String,
    pub body_html: String,
    pub analysis_text: String,
    pub created_at: DateTime<Utc>,
}

/// The sealed original subject; None for a conversation stored before subjects were sealed and
/// not yet re-redacted.
pub async fn sealed_subject(db: &Db, org: OrgId, id: ConversationId) -> Result<Option<String>> {
    let sql = "SELECT subject_sealed FROM conversations WHERE org_id = $1 AND id = $2";
    let row: Option<(Option<String>,)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(p).await)?;
    Ok(row.and_then(|(s,)| s))
}

pub async fn messages(db: &Db, org: OrgId, id: ConversationId) -> Result<Vec<Message>> {
    let sql = "SELECT id, author, author_name, body_html, analysis_text, created_at FROM messages
               WHERE org_id = $1 AND conversation_id = $2 ORDER BY position";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_all(p).await)?)
}

/// What the analysis pipeline reads for one conversation.
pub struct ForAnalysis {
    pub id: ConversationId,
    pub org_id: OrgId,
    pub product_id: ProductId,
    pub customer_id: CustomerId,
    /// The customer's company (by email domain), if any.
    pub company: Option<String>,
    pub subject: RedactedText,
    /// A human's category, which the pipeline keeps instead of its own.
    pub human_category: Option<Category>,
    /// The customer's messages, oldest first: (sent at, redacted analysis text).
    pub customer_messages: Vec<(DateTime<Utc>, RedactedText)>,
    /// Held out of analysis (harmful content, see `holds`): its earlier reports are removed and
    /// it gets no new ones.
    pub held: bool,
}

type AnalysisRow =
    (uuid::Uuid, uuid::Uuid, uuid::Uuid, uuid::Uuid, Option<String>, String, Option<String>, Option<String>, bool);

/// What analysis reads for these conversations, in the given order; deleted ones are left out.
pub async fn for_analysis_many(tx: &mut Tx, ids: &[ConversationId]) -> Result<Vec<ForAnalysis>> {
    let mut by_id: HashMap<uuid::Uuid, ForAnalysis> = HashMap::new();
    for chunk in ids.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.org_id, c.product_id, c.customer_id, cu.company, c.subject, c.category, c.category_source,
                    COALESCE(c.hold IN ('held', 'kept_out'), FALSE)
             FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id IN ({})",
            batch::list(1, chunk.len())
        ));
        let rows: Vec<AnalysisRow> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sql);
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_all(c).await
        })?;
        for (id, org, product, customer, company, subject, category, source, held) in rows {
            let human_category = match (source.as_deref(), category) {
                (Some(s), Some(c)) if s == Decider::Human.as_str() => Some(Category::parse(&c)?),
                _ => None,
            };
            let found = ForAnalysis {
                id: id.into(),
                org_id: org.into(),
                product_id: product.into(),
                customer_id: customer.into(),
                company,
                subject: RedactedText::from_redacted_column(subject),
                human_category,
                customer_messages: Vec::new(),
                held,
            };
            by_id.insert(id, found);
        }
        let msgs = sqlx::AssertSqlSafe(format!(
            "SELECT conversation_id, created_at, analysis_text FROM messages
             WHERE author = 'customer' AND conversation_id IN ({}) ORDER BY conversation_id, position",
            batch::list(1, chunk.len())
        ));
        let rows: Vec<(uuid::Uuid, DateTime<Utc>, String)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(msgs);
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_all(c).await
        })?;
        for (conv, at, text) in rows {
            if let Some(f) = by_id.get_mut(&conv) {
                f.customer_messages.push((at, RedactedText::from_redacted_column(text)));
            }
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(&id.as_uuid())).collect())
}

/// Records a person's category for the conversation; analysis keeps it from now on.
pub async fn set_human_category(tx: &mut Tx, org: OrgId, id: ConversationId, category: Category) -> Result<()> {
    let sql = "UPDATE conversations SET category = $1, category_source = $4, needs_review = FALSE,
               confidence = 1.0 WHERE org_id = $2 AND id = $3";
    let done = on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(category.as_str())
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .bind(Decider::Human.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn count(db: &Db, org: OrgId) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM conversations WHERE org_id = $1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).fetch_one(p).await)?)
}

/// The current category of each of these conversations (those that have one).
pub async fn categories_of(
    db: &Db,
    org: OrgId,
    ids: &[ConversationId],
) -> Result<std::collections::HashMap<ConversationId, Category>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT id, category FROM conversations WHERE org_id = $1 AND category IS NOT NULL AND id IN ({list})"
        );
        let rows: Vec<(uuid::Uuid, String)> = on_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org.as_uuid());
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_all(p).await
        })?;
        for (id, c) in rows {
            if let Ok(c) = Category::parse(&c) {
                out.insert(ConversationId::from(id), c);
            }
        }
    }
    Ok(out)
}
