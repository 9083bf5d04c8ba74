//! Reports: one issue raised in one conversation, attached to one work item.

use chrono::{DateTime, Utc};
use jetson_domain::{Category, ConversationId, CustomerId, Decider, OrgId, ProductId, ReportId, WorkItemId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, StoreError, Tx, batch};

pub struct NewReport<'a> {
    pub org_id: OrgId,
    pub work_item_id: WorkItemId,
    pub conversation_id: ConversationId,
    pub ordinal: i64,
    pub customer_id: CustomerId,
    pub company: Option<&'a str>,
    pub category: Category,
    pub excerpt: &'a str,
    pub match_text: &'a str,
    pub similarity: Option<f64>,
    pub matched_report_id: Option<ReportId>,
    /// The embedding tier's vector of `match_text` (little-endian f32s), when the tier is on.
    pub embedding: Option<&'a [u8]>,
}

pub async fn insert(tx: &mut Tx, r: NewReport<'_>) -> Result<ReportId> {
    let id = ReportId::new();
    insert_many(tx, &[(id, r)]).await?;
    Ok(id)
}

/// Inserts reports (with ids chosen by the caller) in a few statements.
pub async fn insert_many(tx: &mut Tx, reports: &[(ReportId, NewReport<'_>)]) -> Result<()> {
    let now = crate::now();
    for chunk in reports.chunks(batch::CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO reports (id, org_id, work_item_id, conversation_id, ordinal, customer_id, company, category,
             excerpt, match_text, similarity, matched_report_id, source, created_at, embedding) VALUES {}",
            batch::values(chunk.len(), 15)
        ));
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sql);
            for (id, r) in chunk {
                q = q
                    .bind(id.as_uuid())
                    .bind(r.org_id.as_uuid())
                    .bind(r.work_item_id.as_uuid())
                    .bind(r.conversation_id.as_uuid())
                    .bind(r.ordinal)
                    .bind(r.customer_id.as_uuid())
                    .bind(r.company)
                    .bind(r.category.as_str())
                    .bind(r.excerpt)
                    .bind(r.match_text)
                    .bind(r.similarity)
                    .bind(r.matched_report_id.map(|x| x.as_uuid()))
                    .bind(Decider::Model.as_str())
                    .bind(now)
                    .bind(r.embedding);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Deletes these conversations' reports (before they are analysed again); returns the items they fed.
pub async fn delete_for_conversations(tx: &mut Tx, conversations: &[ConversationId]) -> Result<Vec<WorkItemId>> {
    let mut items = Vec::new();
    for chunk in conversations.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "DELETE FROM reports WHERE conversation_id IN ({}) RETURNING work_item_id",
            batch::list(1, chunk.len())
        ));
        let ids: Vec<uuid::Uuid> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sql);
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_all(c).await
        })?;
        items.extend(ids.into_iter().map(WorkItemId::from));
    }
    Ok(items)
}

/// How many of these conversations' reports carry an embedding.
pub async fn count_embeddings_of(tx: &mut Tx, org: OrgId, conversations: &[ConversationId]) -> Result<u64> {
    batch::count_of_conversations(tx, "reports", "embedding IS NOT NULL", org, conversations).await
}

/// The match texts of these conversations' reports (what pair examples are learned from).
pub async fn match_texts_of(tx: &mut Tx, org: OrgId, conversations: &[ConversationId]) -> Result<Vec<String>> {
    let mut texts = Vec::new();
    for chunk in conversations.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT match_text FROM reports WHERE org_id = $1 AND conversation_id IN ({})",
            batch::list(2, chunk.len())
        ));
        let found: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sql).bind(org.as_uuid());
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_all(c).await
        })?;
        texts.extend(found);
    }
    Ok(texts)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Report {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ReportId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub work_item_id: WorkItemId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub conversation_id: ConversationId,
    pub conversation_subject: String,
    pub customer_name: String,
    pub customer_email: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub excerpt: String,
    pub similarity: Option<f64>,
    #[sqlx(try_from = "String")]
    pub source: Decider,
    pub created_at: DateTime<Utc>,
    pub match_text: String,
    /// The nearest earlier report this one was matched to, when it still exists: the explanation.
    pub matched_subject: Option<String>,
    pub matched_text: Option<String>,
}

/// The columns of [`Report`], with the matched earlier report (the match's explanation).
macro_rules! select_reports {
    () => {
        "SELECT r.id, r.work_item_id, r.conversation_id, c.subject AS conversation_subject,
                cu.name AS customer_name, cu.email AS customer_email, r.category, r.excerpt, r.similarity,
                r.source, c.created_at, r.match_text, mc.subject AS matched_subject, mr.match_text AS matched_text
         FROM reports r JOIN conversations c ON c.id = r.conversation_id JOIN customers cu ON cu.id = r.customer_id
         LEFT JOIN reports mr ON mr.id = r.matched_report_id AND mr.org_id = r.org_id
         LEFT JOIN conversations mc ON mc.id = mr.conversation_id "
    };
}

/// One page of a work item's reports, oldest conversation first: `limit` after skipping `offset`.
pub async fn page_for_work_item(
    db: &Db,
    org: OrgId,
    work_item: WorkItemId,
    offset: i64,
    limit: i64,
) -> Result<Vec<Report>> {
    let sql = concat!(
        select_reports!(),
        "WHERE r.org_id = $1 AND r.work_item_id = $2 ORDER BY c.created_at, r.ordinal, r.id LIMIT $3 OFFSET $4"
    );
    Ok(on_pool!(db, |p| sqlx::query_as(sql)
        .bind(org.as_uuid())
        .bind(work_item.as_uuid())
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)?)
}

/// Every report of a work item (for the issue draft and the like; pages use [`page_for_work_item`]).
pub async fn for_work_item(db: &Db, org: OrgId, work_item: WorkItemId) -> Result<Vec<Report>> {
    let sql =
        concat!(select_reports!(), "WHERE r.org_id = $1 AND r.work_item_id = $2 ORDER BY c.created_at, r.ordinal");
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(work_item.as_uuid()).fetch_all(p).await)?)
}

/// A report as the matcher sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatchCandidate {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ReportId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub work_item_id: WorkItemId,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub match_text: String,
    pub embedding: Option<Vec<u8>>,
}

/// Every report of the product's unmerged, unresolved work items: what a new report may join.
pub async fn match_candidates(tx: &mut Tx, org: OrgId, product: ProductId) -> Result<Vec<MatchCandidate>> {
    let sql = "SELECT r.id, r.work_item_id, r.category, r.match_text, r.embedding FROM reports r
               JOIN work_items w ON w.id = r.work_item_id
               WHERE w.org_id = $1 AND w.product_id = $2 AND w.merged_into IS NULL AND w.status <> 'resolved'
               ORDER BY r.id";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_all(c).await)?)
}

/// Moves a report to another work item of the same product; returns the item it left.
pub async fn move_to(tx: &mut Tx, org: OrgId, report: ReportId, to: WorkItemId) -> Result<WorkItemId> {
    let find = "SELECT r.work_item_id, w.product_id FROM reports r JOIN work_items w ON w.id = r.work_item_id
                WHERE r.org_id = $1 AND r.id = $2";
    let (from, product): (uuid::Uuid, uuid::Uuid) =
        on_tx!(tx, |c| sqlx::query_as(find).bind(org.as_uuid()).bind(report.as_uuid()).fetch_one(c).await)?;
    let target = crate::work_items::get_in_tx(tx, org, to).await?;
    if target.product_id.as_uuid() != product || target.merged_into.is_some() {
        return Err(StoreError::Conflict("a report can only move to an unmerged item of the same product".into()));
    }
    let sql = "UPDATE reports SET work_item_id = $1, source = $4 WHERE org_id = $2 AND id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(to.as_uuid())
        .bind(org.as_uuid())
        .bind(report.as_uuid())
        .bind(Decider::Human.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let from = WorkItemId::from(from);
    crate::work_items::recount(tx, &[from, to]).await?;
    crate::products::bump_match_version(tx, product.into()).await?;
    Ok(from)
}

pub async fn for_conversation(db: &Db, org: OrgId, conversation: ConversationId) -> Result<Vec<Report>> {
    let sql = concat!(select_reports!(), "WHERE r.org_id = $1 AND r.conversation_id = $2 ORDER BY r.ordinal");
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(conversation.as_uuid()).fetch_all(p).await)?)
}

/// The work item a report is in.
pub async fn work_item_of(tx: &mut Tx, org: OrgId, report: ReportId) -> Result<Option<WorkItemId>> {
    let sql = "SELECT work_item_id FROM reports WHERE org_id = $1 AND id = $2";
    let id: Option<uuid::Uuid> =
        on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(report.as_uuid()).fetch_optional(c).await)?;
    Ok(id.map(WorkItemId::from))
}
