//! What people taught a product, and the classifier trained from it.
//!
//! Every correction is kept as a labelled example: a conversation reclassified is a category
//! example; a report moved, or work items merged or unmerged, is a pair of texts that describe the
//! same problem or different ones. Training reads them back; reset forgets them.

use chrono::{DateTime, Utc};
use jetson_domain::{Category, OrgId, ProductId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

pub const CATEGORY: &str = "category";
pub const SAME: &str = "same";
pub const DIFFERENT: &str = "different";

pub async fn record_category(
    tx: &mut Tx,
    org: OrgId,
    product: ProductId,
    category: Category,
    text: &str,
    source: &str,
) -> Result<()> {
    insert(tx, org, product, CATEGORY, Some(category.as_str()), text, None, source).await
}

/// Two texts a person said describe the same problem (`same`) or different ones.
pub async fn record_pair(
    tx: &mut Tx,
    org: OrgId,
    product: ProductId,
    same: bool,
    text: &str,
    other: &str,
    source: &str,
) -> Result<()> {
    insert(tx, org, product, if same { SAME } else { DIFFERENT }, None, text, Some(other), source).await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    org: OrgId,
    product: ProductId,
    kind: &str,
    category: Option<&str>,
    text: &str,
    other: Option<&str>,
    source: &str,
) -> Result<()> {
    let sql =
        "INSERT INTO product_examples (id, org_id, product_id, kind, category, text, other_text, source, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(uuid::Uuid::now_v7())
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .bind(kind)
        .bind(category)
        .bind(text)
        .bind(other)
        .bind(source)
        .bind(crate::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The category examples, oldest first. A conversation corrected twice counts with its latest
/// category only once the trainer sees both: the later one wins because it comes last.
pub async fn category_examples(db: &Db, org: OrgId, product: ProductId) -> Result<Vec<(Category, String)>> {
    let sql = "SELECT category, text FROM product_examples WHERE org_id = $1 AND product_id = $2 AND kind = 'category'
               ORDER BY created_at, id";
    let rows: Vec<(String, String)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_all(p).await)?;
    Ok(rows.into_iter().filter_map(|(c, t)| Category::parse(&c).ok().map(|c| (c, t))).collect())
}

/// The pairs: (same problem?, text, other text), oldest first.
pub async fn pairs(db: &Db, org: OrgId, product: ProductId) -> Result<Vec<(bool, String, String)>> {
    let sql = "SELECT kind, text, other_text FROM product_examples
               WHERE org_id = $1 AND product_id = $2 AND kind IN ('same', 'different') ORDER BY created_at, id";
    let rows: Vec<(String, String, Option<String>)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(k, t, o)| (k == SAME, t, o.unwrap_or_default())).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductModel {
    pub model: Vec<u8>,
    /// How many of the product's own examples it was trained with.
    pub examples: i64,
    pub trained_at: DateTime<Utc>,
}

const SELECT_MODEL: &str =
    "SELECT model, examples, trained_at FROM product_models WHERE org_id = $1 AND product_id = $2";

pub async fn model(db: &Db, org: OrgId, product: ProductId) -> Result<Option<ProductModel>> {
    Ok(on_pool!(db, |p| sqlx::query_as(SELECT_MODEL)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .fetch_optional(p)
        .await)?)
}

/// When the product's model was last trained, without loading it (to check a cached copy).
pub async fn model_trained_at(tx: &mut Tx, org: OrgId, product: ProductId) -> Result<Option<DateTime<Utc>>> {
    let sql = "SELECT trained_at FROM product_models WHERE org_id = $1 AND product_id = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_optional(c).await)?)
}

pub async fn save_model(tx: &mut Tx, org: OrgId, product: ProductId, model: &[u8], examples: i64) -> Result<()> {
    let sql = "INSERT INTO product_models (product_id, org_id, model, examples, trained_at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (product_id) DO UPDATE SET model = $3, examples = $4, trained_at = $5";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(product.as_uuid())
        .bind(org.as_uuid())
        .bind(model)
        .bind(examples)
        .bind(crate::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many of the product's pairs its match threshold has learned from.
pub async fn learned_pairs(tx: &mut Tx, org: OrgId, product: ProductId) -> Result<i64> {
    let sql = "SELECT learned_pairs FROM products WHERE org_id = $1 AND id = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_one(c).await)?)
}

pub async fn set_learned_pairs(tx: &mut Tx, org: OrgId, product: ProductId, n: i64) -> Result<()> {
    let sql = "UPDATE products SET learned_pairs = $1 WHERE org_id = $2 AND id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(n)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets what the product learned: its examples and its model (its thresholds stay as they
/// are). Returns the examples deleted.
pub async fn reset(tx: &mut Tx, org: OrgId, product: ProductId) -> Result<u64> {
    set_learned_pairs(tx, org, product, 0).await?;
    let models = "DELETE FROM product_models WHERE org_id = $1 AND product_id = $2";
    on_tx!(tx, |c| sqlx::query(models)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let examples = "DELETE FROM product_examples WHERE org_id = $1 AND product_id = $2";
    Ok(on_tx!(tx, |c| sqlx::query(examples)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?)
}

/// The text a report was matched on.
pub async fn report_text(tx: &mut Tx, org: OrgId, report: jetson_domain::ReportId) -> Result<String> {
    let sql = "SELECT match_text FROM reports WHERE org_id = $1 AND id = $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(report.as_uuid()).fetch_one(c).await)?)
}

/// The text of a work item's first report other than `except`, if it has one: what a person
/// compares a report with when they move it in or out.
pub async fn item_text(
    tx: &mut Tx,
    org: OrgId,
    item: jetson_domain::WorkItemId,
    except: Option<jetson_domain::ReportId>,
) -> Result<Option<String>> {
    let sql = "SELECT match_text FROM reports WHERE org_id = $1 AND work_item_id = $2 AND id <> $3
               ORDER BY created_at, id LIMIT 1";
    let except = except.map_or(uuid::Uuid::nil(), |r| r.as_uuid());
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(item.as_uuid())
        .bind(except)
        .fetch_optional(c)
        .await)?)
}

/// Loads the product's model inside a transaction (when a cached copy is stale).
pub async fn model_in_tx(tx: &mut Tx, org: OrgId, product: ProductId) -> Result<Option<ProductModel>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(SELECT_MODEL)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .fetch_optional(c)
        .await)?)
}

/// How many examples of each kind the product has: (category, same, different).
pub async fn counts(db: &Db, org: OrgId, product: ProductId) -> Result<(i64, i64, i64)> {
    let sql = "SELECT kind, COUNT(*) FROM product_examples WHERE org_id = $1 AND product_id = $2 GROUP BY kind";
    let rows: Vec<(String, i64)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_all(p).await)?;
    let get = |k: &str| rows.iter().find(|(kind, _)| kind == k).map_or(0, |r| r.1);
    Ok((get(CATEGORY), get(SAME), get(DIFFERENT)))
}

/// The product's conversations the model classified confidently and nobody corrected, newest
/// first: they anchor the product's own vocabulary in every class, so that learning from
/// corrections alone (which are all the model's mistakes) does not tilt it.
pub async fn confident_conversations(
    db: &Db,
    org: OrgId,
    product: ProductId,
    min_confidence: f64,
    limit: i64,
) -> Result<Vec<jetson_domain::ConversationId>> {
    let sql = "SELECT id FROM conversations WHERE org_id = $1 AND product_id = $2 AND category_source = 'model'
               AND NOT needs_review AND confidence >= $3 ORDER BY created_at DESC, id LIMIT $4";
    let ids: Vec<uuid::Uuid> = on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(product.as_uuid())
        .bind(min_confidence)
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(ids.into_iter().map(Into::into).collect())
}

/// Deletes the examples learned from any of these texts (a customer's conversations and reports,
/// when they are erased). Returns how many.
pub async fn forget_texts(tx: &mut Tx, org: OrgId, texts: &[String]) -> Result<u64> {
    let sql = "DELETE FROM product_examples WHERE org_id = $1 AND (text = $2 OR other_text = $2)";
    let mut deleted = 0;
    for text in texts {
        deleted += on_tx!(tx, |c| sqlx::query(sql)
            .bind(org.as_uuid())
            .bind(text)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(deleted)
}
