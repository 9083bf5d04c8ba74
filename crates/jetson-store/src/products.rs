//! Products: what Help Scout calls a mailbox. Each holds its own thresholds.

use chrono::{DateTime, Utc};
use jetson_domain::{InboxMinimum, OrgId, ProductId, ProductName};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Product {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ProductId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    pub name: String,
    /// The inbox shows open work items with at least this many distinct customers.
    #[sqlx(try_from = "i64")]
    pub inbox_min_customers: InboxMinimum,
    /// Below this classification confidence a conversation waits for review instead of creating work.
    pub review_threshold: f64,
    /// The similarity above which a report joins an existing work item.
    pub match_threshold: f64,
    /// Bumped by every change to the product's reports or work items, so matchers know when a cached
    /// index is stale.
    pub match_version: i64,
    pub created_at: DateTime<Utc>,
    /// The product's own priority definitions as JSON (see `jetson_analysis::priority`), if any.
    pub priority_definitions: Option<String>,
}

const COLUMNS: &str =
    "id, org_id, name, inbox_min_customers, review_threshold, match_threshold, match_version, created_at,
     priority_definitions";

/// The product with this name in the organisation, created with default thresholds if missing.
pub async fn get_or_create(tx: &mut Tx, org: OrgId, name: &ProductName) -> Result<Product> {
    let insert = "INSERT INTO products (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)
                  ON CONFLICT (org_id, name) DO NOTHING";
    let (id, now) = (ProductId::new().as_uuid(), crate::now());
    on_tx!(tx, |c| sqlx::query(insert)
        .bind(id)
        .bind(org.as_uuid())
        .bind(name.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let select = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM products WHERE org_id = $1 AND name = $2"));
    Ok(on_tx!(tx, |c| sqlx::query_as(select).bind(org.as_uuid()).bind(name.as_str()).fetch_one(c).await)?)
}

pub async fn list(db: &Db, org: OrgId) -> Result<Vec<Product>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM products WHERE org_id = $1 ORDER BY name"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

pub async fn get(db: &Db, org: OrgId, id: ProductId) -> Result<Product> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM products WHERE org_id = $1 AND id = $2"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(p).await)?)
}

pub async fn get_in_tx(tx: &mut Tx, org: OrgId, id: ProductId) -> Result<Product> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM products WHERE org_id = $1 AND id = $2"));
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_one(c).await)?)
}

pub async fn find_by_name(db: &Db, org: OrgId, name: &str) -> Result<Option<Product>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM products WHERE org_id = $1 AND name = $2"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(name).fetch_optional(p).await)?)
}

/// Marks the product's matching state as changed; returns the new version.
pub async fn bump_match_version(tx: &mut Tx, product: ProductId) -> Result<i64> {
    let sql = "UPDATE products SET match_version = match_version + 1 WHERE id = $1 RETURNING match_version";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(product.as_uuid()).fetch_one(c).await)?)
}

/// Sets a product's thresholds (from Settings or an evaluation); marks its matching state changed.
pub async fn set_thresholds(tx: &mut Tx, org: OrgId, id: ProductId, review: f64, matching: f64) -> Result<()> {
    let sql = "UPDATE products SET review_threshold = $1, match_threshold = $2, match_version = match_version + 1
               WHERE org_id = $3 AND id = $4";
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(review)
            .bind(matching)
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many distinct customers put an item of the product in the inbox.
pub async fn set_inbox_minimum(tx: &mut Tx, org: OrgId, id: ProductId, minimum: InboxMinimum) -> Result<()> {
    let sql = "UPDATE products SET inbox_min_customers = $1 WHERE org_id = $2 AND id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(minimum.get())
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_priority_definitions(tx: &mut Tx, org: OrgId, id: ProductId, json: Option<&str>) -> Result<()> {
    let sql = "UPDATE products SET priority_definitions = $1 WHERE org_id = $2 AND id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(json)
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
