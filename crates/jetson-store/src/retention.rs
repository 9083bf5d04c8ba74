//! Retention: how long each organisation keeps original message bodies, whole conversations and
//! audit events, what has outlived its time, and the reports of what each run deleted.

use chrono::{DateTime, Utc};
use jetson_domain::{ConversationId, OrgId, ProductId};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// Days to keep each kind of data; None keeps it for good.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Policy {
    pub raw_body_days: Option<i64>,
    pub conversation_days: Option<i64>,
    pub audit_days: Option<i64>,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        self.raw_body_days.is_none() && self.conversation_days.is_none() && self.audit_days.is_none()
    }
}

pub async fn policy(db: &Db, org: OrgId) -> Result<Policy> {
    let sql = "SELECT raw_body_days, conversation_days, audit_days FROM retention_policies WHERE org_id = $1";
    let found: Option<Policy> = on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).fetch_optional(p).await)?;
    Ok(found.unwrap_or_default())
}

pub async fn set_policy(tx: &mut Tx, org: OrgId, p: Policy) -> Result<()> {
    let sql = "INSERT INTO retention_policies (org_id, raw_body_days, conversation_days, audit_days, updated_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (org_id) DO UPDATE SET raw_body_days = excluded.raw_body_days,
                 conversation_days = excluded.conversation_days, audit_days = excluded.audit_days,
                 updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(p.raw_body_days)
        .bind(p.conversation_days)
        .bind(p.audit_days)
        .bind(crate::now())
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Organisations with any retention set.
pub async fn orgs_with_policies(db: &Db) -> Result<Vec<OrgId>> {
    let sql = "SELECT org_id FROM retention_policies
               WHERE raw_body_days IS NOT NULL OR conversation_days IS NOT NULL OR audit_days IS NOT NULL";
    let ids: Vec<uuid::Uuid> = on_pool!(db, |p| sqlx::query_scalar(sql).fetch_all(p).await)?;
    Ok(ids.into_iter().map(OrgId::from).collect())
}

/// Empties the original bodies of messages sent before `before` (their redacted text stays for
/// analysis), and the original subjects of conversations last active before then. Returns how
/// many bodies.
pub async fn drop_raw_bodies(tx: &mut Tx, org: OrgId, before: DateTime<Utc>) -> Result<u64> {
    let subjects = "UPDATE conversations SET subject_sealed = '' WHERE org_id = $1 AND updated_at < $2
                    AND subject_sealed <> ''";
    on_tx!(tx, |c| sqlx::query(subjects).bind(org.as_uuid()).bind(before).execute(c).await.map(|r| r.rows_affected()))?;
    let sql = "UPDATE messages SET body_html = '' WHERE org_id = $1 AND created_at < $2 AND body_html <> ''";
    Ok(on_tx!(tx, |c| sqlx::query(sql).bind(org.as_uuid()).bind(before).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Conversations whose last activity was before `before`.
pub async fn expired_conversations(
    tx: &mut Tx,
    org: OrgId,
    before: DateTime<Utc>,
) -> Result<Vec<(ConversationId, ProductId)>> {
    let sql = "SELECT id, product_id FROM conversations WHERE org_id = $1 AND updated_at < $2 ORDER BY id";
    let rows: Vec<(uuid::Uuid, uuid::Uuid)> =
        on_tx!(tx, |c| sqlx::query_as(sql).bind(org.as_uuid()).bind(before).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(c, p)| (c.into(), p.into())).collect())
}

pub async fn count_audit_events_before(tx: &mut Tx, org: OrgId, before: DateTime<Utc>) -> Result<u64> {
    let sql = "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND at < $2";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql).bind(org.as_uuid()).bind(before).fetch_one(c).await)?;
    Ok(n as u64)
}

/// Deletes audit events recorded before `before`: a prefix of the chain, so what remains still
/// verifies from its first event. Returns how many.
pub async fn drop_audit_events(tx: &mut Tx, org: OrgId, before: DateTime<Utc>) -> Result<u64> {
    let sql = "DELETE FROM audit_events WHERE org_id = $1 AND at < $2";
    Ok(on_tx!(tx, |c| sqlx::query(sql).bind(org.as_uuid()).bind(before).execute(c).await.map(|r| r.rows_affected()))?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Report {
    pub ran_at: DateTime<Utc>,
    pub policy: Json<Policy>,
    pub counts: Json<serde_json::Value>,
}

pub async fn record_report(tx: &mut Tx, org: OrgId, policy: Policy, counts: &serde_json::Value) -> Result<()> {
    let sql = "INSERT INTO deletion_reports (id, org_id, ran_at, policy, counts) VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(uuid::Uuid::now_v7())
        .bind(org.as_uuid())
        .bind(crate::now())
        .bind(Json(policy))
        .bind(Json(counts))
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Newest first.
pub async fn reports(db: &Db, org: OrgId, limit: i64) -> Result<Vec<Report>> {
    let sql = "SELECT ran_at, policy, counts FROM deletion_reports WHERE org_id = $1 ORDER BY ran_at DESC LIMIT $2";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(limit).fetch_all(p).await)?)
}
