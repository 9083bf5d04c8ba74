//! Work items: one problem or request, fed by reports from any number of conversations.
//! Customer, company and report counts are kept on the row (see [`recount`]) so that the inbox can
//! sort by them without aggregating.

use chrono::{DateTime, Utc};
use jetson_domain::{Category, OrgId, Priority, ProductId, UserId, WorkItemId, WorkItemStatus};
use jetson_privacy::RedactedText;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, StoreError, Tx, batch};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkItem {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: WorkItemId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub product_id: ProductId,
    pub product_name: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub priority: Priority,
    #[sqlx(try_from = "String")]
    pub status: WorkItemStatus,
    pub customer_count: i64,
    pub company_count: i64,
    pub report_count: i64,
    pub merged_into: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! select_work_items {
    () => {
        "SELECT w.id, w.org_id, w.product_id, p.name AS product_name, w.category, w.title, w.description,
                w.priority, w.status, w.customer_count, w.company_count, w.report_count, w.merged_into,
                w.created_at, w.updated_at
         FROM work_items w JOIN products p ON p.id = w.product_id "
    };
}

/// Work items of the products a limited person sees; the parameter is their id, or NULL for all.
macro_rules! visible_to {
    ($user:literal) => {
        concat!(
            "(",
            $user,
            " IS NULL OR w.product_id IN (SELECT mp.product_id FROM membership_products mp
                                                     WHERE mp.org_id = $1 AND mp.user_id = ",
            $user,
            "))"
        )
    };
}

macro_rules! filter_work_items {
    () => {
        "WHERE w.org_id = $1 AND w.merged_into IS NULL AND w.report_count > 0
           AND ($2 IS NULL OR w.product_id = $2) AND ($3 IS NULL OR w.category = $3)
           AND ($4 IS NULL OR w.priority = $4) AND ($5 IS NULL OR w.status = $5)
           AND w.customer_count >= $6 "
    };
}

pub struct NewWorkItem {
    pub org_id: OrgId,
    pub product_id: ProductId,
    pub category: Category,
    pub title: RedactedText,
    pub description: RedactedText,
    pub priority: Priority,
}

pub async fn create(tx: &mut Tx, w: NewWorkItem) -> Result<WorkItemId> {
    let id = WorkItemId::new();
    create_many(tx, &[(id, w)]).await?;
    Ok(id)
}

/// Creates work items (with ids chosen by the caller) in a few statements.
pub async fn create_many(tx: &mut Tx, items: &[(WorkItemId, NewWorkItem)]) -> Result<()> {
    let now = crate::now();
    for chunk in items.chunks(batch::CHUNK) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO work_items (id, org_id, product_id, category, title, description, priority, status,
             created_at, updated_at) VALUES {}",
            batch::values(chunk.len(), 10)
        ));
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sql);
            for (id, w) in chunk {
                q = q
                    .bind(id.as_uuid())
                    .bind(w.org_id.as_uuid())
                    .bind(w.product_id.as_uuid())
                    .bind(w.category.as_str())
                    .bind(w.title.as_str())
                    .bind(w.description.as_str())
                    .bind(w.priority.as_str())
                    .bind("open")
                    .bind(now)
                    .bind(now);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn get(db: &Db, org: OrgId, id: WorkItemId) -> Result<WorkItem> {
    let sql = concat!(select_work_items!(), "WHERE w.org_id = $1 AND w.id = $2");
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(p).await)?)
}

pub async fn get_in_tx(tx: &mut Tx, org: OrgId, id: WorkItemId) -> Result<WorkItem> {
    let sql = concat!(select_work_items!(), "WHERE w.org_id = $1 AND w.id = $2");
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub product: Option<ProductId>,
    /// Only the products this person is limited to (need-to-know); None: every product.
    pub visible_to: Option<UserId>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<WorkItemStatus>,
    pub min_customers: i64,
}

/// Newest first, for the list and the API; `before` is the cursor (ids are time-ordered).
pub async fn list(db: &Db, org: OrgId, f: &Filter, before: Option<WorkItemId>, limit: i64) -> Result<Vec<WorkItem>> {
    let sql = concat!(
        select_work_items!(),
        filter_work_items!(),
        "AND ($7 IS NULL OR w.id < $7) AND ",
        visible_to!("$9"),
        " ORDER BY w.id DESC LIMIT $8"
    );
    Ok(on_pool!(db, |p| {
        sqlx::query_as(sql)
            .bind(org.as_uuid())
            .bind(f.product.map(|x| x.as_uuid()))
            .bind(f.category.map(|x| x.as_str()))
            .bind(f.priority.map(|x| x.as_str()))
            .bind(f.status.map(|x| x.as_str()))
            .bind(f.min_customers)
            .bind(before.map(|x| x.as_uuid()))
            .bind(limit)
            .bind(f.visible_to.map(|x| x.as_uuid()))
            .fetch_all(p)
            .await
    })?)
}

/// The inbox: open items that [`jetson_domain::in_inbox`] admits (at least their product's minimum of
/// distinct customers, or urgent), most customers first. The condition restates that rule in SQL.
/// `visible_to` as in [`Filter`].
pub async fn inbox(
    db: &Db,
    org: OrgId,
    product: Option<ProductId>,
    visible_to: Option<UserId>,
    limit: i64,
) -> Result<Vec<WorkItem>> {
    let sql = concat!(
        select_work_items!(),
        "WHERE w.org_id = $1 AND w.merged_into IS NULL AND w.status = 'open' AND w.report_count > 0
           AND ($2 IS NULL OR w.product_id = $2)
           AND (w.customer_count >= p.inbox_min_customers OR w.priority = $5) AND ",
        visible_to!("$4"),
        " ORDER BY w.customer_count DESC, w.report_count DESC, w.id DESC LIMIT $3"
    );
    Ok(on_pool!(db, |p| {
        sqlx::query_as(sql)
            .bind(org.as_uuid())
            .bind(product.map(|x| x.as_uuid()))
            .bind(limit)
            .bind(visible_to.map(|x| x.as_uuid()))
            .bind(jetson_domain::Priority::Urgent.as_str())
            .fetch_all(p)
            .await
    })?)
}

pub async fn set_status(tx: &mut Tx, org: OrgId, id: WorkItemId, status: WorkItemStatus) -> Result<()> {
    let sql = "UPDATE work_items SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4 AND merged_into IS NULL
               RETURNING product_id";
    let now = crate::now();
    let product: Option<uuid::Uuid> = on_tx!(tx, |c| {
        sqlx::query_scalar(sql)
            .bind(status.as_str())
            .bind(now)
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(c)
            .await
    })?;
    let Some(product) = product else {
        // Not found, or merged into another item: say which, so the change is made there.
        return Err(match get_in_tx(tx, org, id).await?.merged_into {
            Some(target) => StoreError::Conflict(format!(
                "this work item was merged into {target}; change the status of that item (or undo the merge)"
            )),
            None => StoreError::NotFound,
        });
    };
    crate::products::bump_match_version(tx, product.into()).await?;
    Ok(())
}

/// Raises the item's priority to `at_least` if it is lower.
pub async fn raise_priority(tx: &mut Tx, id: WorkItemId, at_least: Priority) -> Result<()> {
    let sql = "UPDATE work_items SET priority = $1 WHERE id = $2
               AND (CASE priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END) < $3";
    let rank = Priority::ALL.iter().position(|p| *p == at_least).unwrap_or(0) as i64;
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(at_least.as_str())
        .bind(id.as_uuid())
        .bind(rank)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Recomputes the stored counts of these items from their reports.
pub async fn recount(tx: &mut Tx, ids: &[WorkItemId]) -> Result<()> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let now = crate::now();
    for chunk in ids.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE work_items SET
               report_count = (SELECT COUNT(*) FROM reports r WHERE r.work_item_id = work_items.id),
               customer_count = (SELECT COUNT(DISTINCT r.customer_id) FROM reports r WHERE r.work_item_id = work_items.id),
               company_count = (SELECT COUNT(DISTINCT r.company) FROM reports r WHERE r.work_item_id = work_items.id),
               updated_at = $1
             WHERE id IN ({})",
            batch::list(2, chunk.len())
        ));
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sql).bind(now);
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The companies (email domains) behind an item's reports.
pub async fn companies(db: &Db, org: OrgId, id: WorkItemId) -> Result<Vec<String>> {
    let sql = "SELECT DISTINCT company FROM reports
               WHERE org_id = $1 AND work_item_id = $2 AND company IS NOT NULL ORDER BY company";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_all(p).await)?)
}

/// How sure the analysis was, on average, of the conversations behind an item's reports.
pub async fn confidence(db: &Db, org: OrgId, id: WorkItemId) -> Result<f64> {
    let sql = "SELECT AVG(c.confidence) FROM reports r JOIN conversations c ON c.id = r.conversation_id
               WHERE r.org_id = $1 AND r.work_item_id = $2";
    let avg: Option<f64> =
        on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(p).await)?;
    Ok(avg.unwrap_or(0.0))
}

/// Items waiting in the GitHub approval queue, most customers first.
pub async fn awaiting_approval(db: &Db, org: OrgId) -> Result<Vec<WorkItem>> {
    let sql = concat!(
        select_work_items!(),
        "JOIN issue_links l ON l.work_item_id = w.id
         WHERE w.org_id = $1 AND l.approval = $2 AND w.merged_into IS NULL AND l.number IS NULL
         ORDER BY w.customer_count DESC, w.id DESC"
    );
    let waiting = jetson_domain::Approval::Waiting.as_str();
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(waiting).fetch_all(p).await)?)
}

/// Removes items that automatic analysis created and that no longer have any report.
pub async fn delete_empty(tx: &mut Tx, ids: &[WorkItemId]) -> Result<u64> {
    let mut deleted = 0;
    for chunk in ids.chunks(batch::CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "DELETE FROM work_items WHERE id IN ({}) AND report_count = 0 AND status = 'open'
             AND NOT EXISTS (SELECT 1 FROM issue_links l WHERE l.work_item_id = work_items.id
                 AND (l.number IS NOT NULL OR l.pending_at IS NOT NULL))
             AND NOT EXISTS (SELECT 1 FROM merges m WHERE m.source_id = work_items.id OR m.target_id = work_items.id)
             AND NOT EXISTS (SELECT 1 FROM work_items o WHERE o.merged_into = work_items.id)",
            batch::list(1, chunk.len())
        ));
        deleted += on_tx!(tx, |c| {
            let mut q = sqlx::query(sql);
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(deleted)
}

/// Items that were merged into this one (each can be unmerged).
pub async fn merged_sources(db: &Db, org: OrgId, id: WorkItemId) -> Result<Vec<WorkItem>> {
    let sql = concat!(select_work_items!(), "WHERE w.org_id = $1 AND w.merged_into = $2 ORDER BY w.id");
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_all(p).await)?)
}
