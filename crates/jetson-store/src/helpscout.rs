//! A Help Scout connection per organisation, its mailboxes (each linked to a product), and the
//! history imports (`sync_runs`) with their resumable cursors. Secrets arrive here already
//! encrypted; this module never sees them in the clear.

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, ProductId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Connection {
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    /// Public and unguessable: it names the connection in the webhook URL.
    pub id: uuid::Uuid,
    pub grant_type: String,
    pub client_id: String,
    pub client_secret_enc: String,
    pub oauth_state_hash: Option<String>,
    pub access_token_enc: Option<String>,
    pub refresh_token_enc: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// None while an OAuth consent is pending.
    pub connected_at: Option<DateTime<Utc>>,
    pub webhook_id: Option<i64>,
    pub webhook_secret_enc: Option<String>,
    pub webhook_state: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub poll_watermark: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "org_id, id, grant_type, client_id, client_secret_enc, oauth_state_hash, access_token_enc,
    refresh_token_enc, token_expires_at, connected_at, webhook_id, webhook_secret_enc, webhook_state, last_sync_at,
    poll_watermark, last_error, last_error_at, created_at";

pub async fn connection(db: &Db, org: OrgId) -> Result<Option<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM helpscout_connections WHERE org_id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_optional(p).await)?)
}

/// The connection a webhook delivery names in its URL.
pub async fn connection_by_id(db: &Db, id: uuid::Uuid) -> Result<Option<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM helpscout_connections WHERE id = $1"));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await)?)
}

pub async fn connections(db: &Db) -> Result<Vec<Connection>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM helpscout_connections WHERE connected_at IS NOT NULL ORDER BY created_at"
    ));
    Ok(on_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await)?)
}

/// Starts (or restarts) a connection with the app's credentials; tokens come later.
pub async fn begin_connection(
    db: &Db,
    org: OrgId,
    grant_type: &str,
    client_id: &str,
    client_secret_enc: &str,
    oauth_state_hash: Option<&str>,
) -> Result<uuid::Uuid> {
    let sql = "INSERT INTO helpscout_connections (org_id, id, grant_type, client_id, client_secret_enc,
                 oauth_state_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (org_id) DO UPDATE SET grant_type = excluded.grant_type, client_id = excluded.client_id,
                 client_secret_enc = excluded.client_secret_enc, oauth_state_hash = excluded.oauth_state_hash,
                 access_token_enc = NULL, refresh_token_enc = NULL, token_expires_at = NULL, connected_at = NULL,
                 last_error = NULL, last_error_at = NULL
               RETURNING id";
    let id = uuid::Uuid::now_v7();
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(id)
        .bind(grant_type)
        .bind(client_id)
        .bind(client_secret_enc)
        .bind(oauth_state_hash)
        .bind(crate::now())
        .fetch_one(p)
        .await)?)
}

pub async fn save_tokens(
    db: &Db,
    org: OrgId,
    access_enc: &str,
    refresh_enc: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET access_token_enc = $1,
                 refresh_token_enc = COALESCE($2, refresh_token_enc), token_expires_at = $3 WHERE org_id = $4";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(access_enc)
        .bind(refresh_enc)
        .bind(expires_at)
        .bind(org.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn mark_connected(db: &Db, org: OrgId) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET connected_at = $1, oauth_state_hash = NULL WHERE org_id = $2";
    exec(db, sql, org, Some(crate::now())).await
}

pub async fn set_webhook(db: &Db, org: OrgId, id: Option<i64>, secret_enc: Option<&str>, state: &str) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET webhook_id = $1, webhook_secret_enc = COALESCE($2, webhook_secret_enc),
                 webhook_state = $3 WHERE org_id = $4";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(id)
        .bind(secret_enc)
        .bind(state)
        .bind(org.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A successful sync clears the last error.
pub async fn record_success(db: &Db, org: OrgId) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET last_sync_at = $1, last_error = NULL, last_error_at = NULL
               WHERE org_id = $2";
    exec(db, sql, org, Some(crate::now())).await
}

pub async fn record_error(db: &Db, org: OrgId, message: &str) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET last_error = $1, last_error_at = $2 WHERE org_id = $3";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(message)
        .bind(crate::now())
        .bind(org.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_poll_watermark(db: &Db, org: OrgId, at: DateTime<Utc>) -> Result<()> {
    let sql = "UPDATE helpscout_connections SET poll_watermark = $1 WHERE org_id = $2";
    exec(db, sql, org, Some(at)).await
}

/// Forgets the connection (tokens, secrets, webhook); mailboxes and imported data stay.
pub async fn delete_connection(db: &Db, org: OrgId) -> Result<bool> {
    let sql = "DELETE FROM helpscout_connections WHERE org_id = $1";
    Ok(on_pool!(db, |p| sqlx::query(sql).bind(org.as_uuid()).execute(p).await.map(|r| r.rows_affected()))? > 0)
}

async fn exec(db: &Db, sql: &'static str, org: OrgId, at: Option<DateTime<Utc>>) -> Result<()> {
    on_pool!(db, |p| sqlx::query(sql).bind(at).bind(org.as_uuid()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Mailbox {
    pub mailbox_id: i64,
    pub name: String,
    pub email: Option<String>,
    product_id: Option<uuid::Uuid>,
}

impl Mailbox {
    /// The product this mailbox's conversations go to, once chosen.
    pub fn product(&self) -> Option<ProductId> {
        self.product_id.map(ProductId::from)
    }
}

/// Records the account's mailboxes as Help Scout lists them; links to products are kept.
pub async fn save_mailboxes(db: &Db, org: OrgId, boxes: &[(i64, &str, Option<&str>)]) -> Result<()> {
    let mut tx = db.begin().await?;
    for (id, name, email) in boxes {
        let sql = "INSERT INTO helpscout_mailboxes (org_id, mailbox_id, name, email) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (org_id, mailbox_id) DO UPDATE SET name = excluded.name, email = excluded.email";
        on_tx!(&mut tx, |c| sqlx::query(sql)
            .bind(org.as_uuid())
            .bind(id)
            .bind(name)
            .bind(email)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn mailboxes(db: &Db, org: OrgId) -> Result<Vec<Mailbox>> {
    let sql = "SELECT mailbox_id, name, email, product_id FROM helpscout_mailboxes WHERE org_id = $1 ORDER BY name";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(p).await)?)
}

/// Links a mailbox to a product (one product per mailbox, one mailbox per product).
pub async fn link_mailbox(tx: &mut Tx, org: OrgId, mailbox: i64, product: Option<ProductId>) -> Result<bool> {
    if let Some(product) = product {
        let unlink = "UPDATE helpscout_mailboxes SET product_id = NULL WHERE org_id = $1 AND product_id = $2";
        on_tx!(tx, |c| sqlx::query(unlink)
            .bind(org.as_uuid())
            .bind(product.as_uuid())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let sql = "UPDATE helpscout_mailboxes SET product_id = $1 WHERE org_id = $2 AND mailbox_id = $3";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(product.map(|p| p.as_uuid()))
        .bind(org.as_uuid())
        .bind(mailbox)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn product_for_mailbox(db: &Db, org: OrgId, mailbox: i64) -> Result<Option<ProductId>> {
    let sql = "SELECT product_id FROM helpscout_mailboxes WHERE org_id = $1 AND mailbox_id = $2";
    let id: Option<Option<uuid::Uuid>> =
        on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(mailbox).fetch_optional(p).await)?;
    Ok(id.flatten().map(ProductId::from))
}

pub async fn mailbox_for_product(db: &Db, org: OrgId, product: ProductId) -> Result<Option<i64>> {
    let sql = "SELECT mailbox_id FROM helpscout_mailboxes WHERE org_id = $1 AND product_id = $2";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(product.as_uuid()).fetch_optional(p).await)?)
}
