//! History imports from Help Scout. Each run keeps its cursor (the next page to read) and its
//! counts; a page's conversations and the cursor past them commit together, so a run stopped or
//! killed at any point continues where it was and never stores a conversation twice.

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, ProductId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

pub const RUNNING: &str = "running";
pub const STOPPED: &str = "stopped";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SyncRun {
    pub id: uuid::Uuid,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub product_id: ProductId,
    pub mailbox_id: i64,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub status: String,
    /// The next page to read; None before the first page and after the last.
    pub cursor: Option<String>,
    /// Creation time of the newest conversation stored, to restart from if a page vanishes.
    pub watermark: Option<DateTime<Utc>>,
    pub total: Option<i64>,
    pub done: i64,
    pub inserted: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, org_id, product_id, mailbox_id, since, until, status, cursor, watermark, total, done,
    inserted, changed, unchanged, skipped, error, started_at, updated_at, finished_at";

/// What one page added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

pub async fn create(
    db: &Db,
    org: OrgId,
    product: ProductId,
    mailbox: i64,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<uuid::Uuid> {
    let sql = "INSERT INTO sync_runs (id, org_id, product_id, mailbox_id, since, until, status, started_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $7)";
    let id = uuid::Uuid::now_v7();
    on_pool!(db, |p| sqlx::query(sql)
        .bind(id)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .bind(mailbox)
        .bind(since)
        .bind(until)
        .bind(crate::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn get(db: &Db, org: OrgId, id: uuid::Uuid) -> Result<Option<SyncRun>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM sync_runs WHERE org_id = $1 AND id = $2"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id).fetch_optional(p).await)?)
}

pub async fn list(db: &Db, org: OrgId, limit: i64) -> Result<Vec<SyncRun>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sync_runs WHERE org_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    ));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(limit).fetch_all(p).await)?)
}

/// The running import of this product, if any (one at a time per product).
pub async fn running_for_product(db: &Db, org: OrgId, product: ProductId) -> Result<Option<SyncRun>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sync_runs WHERE org_id = $1 AND product_id = $2 AND status = 'running' LIMIT 1"
    ));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_optional(p).await)?)
}

/// Moves the cursor past a page, in the transaction that stored the page's conversations. Does
/// nothing (and returns false) unless the run is still running, so a stop wins over a page in flight.
pub async fn advance(
    tx: &mut Tx,
    id: uuid::Uuid,
    cursor: Option<&str>,
    watermark: Option<DateTime<Utc>>,
    total: Option<i64>,
    c: Counts,
) -> Result<bool> {
    let sql = "UPDATE sync_runs SET cursor = $1, watermark = COALESCE($2, watermark), total = COALESCE(total, $3),
                 done = done + $4 + $5 + $6 + $7, inserted = inserted + $4, changed = changed + $5,
                 unchanged = unchanged + $6, skipped = skipped + $7, updated_at = $8, error = NULL
               WHERE id = $9 AND status = 'running'";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(cursor)
        .bind(watermark)
        .bind(total)
        .bind(c.inserted)
        .bind(c.changed)
        .bind(c.unchanged)
        .bind(c.skipped)
        .bind(crate::now())
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Sets the status; `done`, `failed` and `stopped` record when. An error is kept for the view.
pub async fn set_status(db: &Db, id: uuid::Uuid, status: &str, error: Option<&str>) -> Result<()> {
    let sql = "UPDATE sync_runs SET status = $1, error = COALESCE($2, error), updated_at = $3,
                 finished_at = CASE WHEN $1 = 'running' THEN NULL ELSE $3 END WHERE id = $4";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(status)
        .bind(error)
        .bind(crate::now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failure that will be retried, leaving the run running.
pub async fn note_error(db: &Db, id: uuid::Uuid, error: &str) -> Result<()> {
    let sql = "UPDATE sync_runs SET error = $1, updated_at = $2 WHERE id = $3";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(error)
        .bind(crate::now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn status(db: &Db, id: uuid::Uuid) -> Result<Option<String>> {
    let sql = "SELECT status FROM sync_runs WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(id).fetch_optional(p).await)?)
}

pub async fn get_any(db: &Db, id: uuid::Uuid) -> Result<Option<SyncRun>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM sync_runs WHERE id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await)?)
}
