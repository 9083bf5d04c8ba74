//! Organisations: the tenants.

use chrono::{DateTime, Utc};
use jetson_domain::OrgId;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Org {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

pub async fn create(tx: &mut Tx, name: &str) -> Result<Org> {
    let sql = "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) RETURNING id, name, created_at";
    let (id, now) = (OrgId::new().as_uuid(), crate::now());
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(id).bind(name).bind(now).fetch_one(c).await)?)
}

pub async fn find_by_name(db: &Db, name: &str) -> Result<Option<Org>> {
    let sql = "SELECT id, name, created_at FROM organizations WHERE name = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(name).fetch_optional(p).await)?)
}

pub async fn get(db: &Db, id: OrgId) -> Result<Org> {
    let sql = "SELECT id, name, created_at FROM organizations WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id.as_uuid()).fetch_one(p).await)?)
}

pub async fn list(db: &Db) -> Result<Vec<Org>> {
    let sql = "SELECT id, name, created_at FROM organizations ORDER BY created_at";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await)?)
}

/// What an organisation asks of its people's security (Settings → Privacy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SecurityPolicy {
    /// Everyone signs in with two factors.
    pub require_two_factor: bool,
    /// A burst of reveals or exports pauses that person's reveals and exports for a while.
    pub pause_on_burst: bool,
}

pub async fn security_policy(db: &Db, id: OrgId) -> Result<SecurityPolicy> {
    let sql = "SELECT require_two_factor, pause_on_burst FROM organizations WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(id.as_uuid()).fetch_one(p).await)?)
}

pub async fn set_security_policy(tx: &mut Tx, id: OrgId, policy: SecurityPolicy) -> Result<()> {
    let sql = "UPDATE organizations SET require_two_factor = $1, pause_on_burst = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(policy.require_two_factor)
        .bind(policy.pause_on_burst)
        .bind(id.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the organisation and, through the schema's cascades, everything it holds: products,
/// customers, conversations, messages, reports, work items, connections, learned models, audit
/// events, retention settings. People stay (they may belong to other organisations); their
/// membership goes. Queued jobs for it find nothing and end.
pub async fn delete(tx: &mut Tx, id: OrgId) -> Result<bool> {
    let sql = "DELETE FROM organizations WHERE id = $1";
    let n = on_tx!(tx, |c| sqlx::query(sql).bind(id.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
