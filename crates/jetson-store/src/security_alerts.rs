//! Unusual activity noticed for an organisation (see `jetson::alerts`), and the devices people
//! have signed in from.

use chrono::{DateTime, Utc};
use jetson_domain::{AlertId, OrgId, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Alert {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: AlertId,
    pub kind: String,
    pub detail: String,
    pub created_at: DateTime<Utc>,
    pub seen_at: Option<DateTime<Utc>>,
}

pub async fn raise(tx: &mut Tx, org: OrgId, kind: &str, user: Option<UserId>, detail: &str) -> Result<AlertId> {
    let sql =
        "INSERT INTO security_alerts (id, org_id, kind, user_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    let id = AlertId::new();
    let now = crate::now();
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.as_uuid())
        .bind(org.as_uuid())
        .bind(kind)
        .bind(user.map(|u| u.as_uuid()))
        .bind(detail)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Whether an alert of this kind about this person was raised since `since` (one alert per burst).
pub async fn raised_since(tx: &mut Tx, org: OrgId, kind: &str, user: UserId, since: DateTime<Utc>) -> Result<bool> {
    let sql =
        "SELECT COUNT(*) FROM security_alerts WHERE org_id = $1 AND kind = $2 AND user_id = $3 AND created_at > $4";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .bind(kind)
        .bind(user.as_uuid())
        .bind(since)
        .fetch_one(c)
        .await)?;
    Ok(n > 0)
}

/// The organisation's alerts, newest first.
pub async fn list(db: &Db, org: OrgId, limit: i64) -> Result<Vec<Alert>> {
    let sql = "SELECT id, kind, detail, created_at, seen_at FROM security_alerts WHERE org_id = $1
               ORDER BY created_at DESC LIMIT $2";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(limit).fetch_all(p).await)?)
}

pub async fn unseen(db: &Db, org: OrgId) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM security_alerts WHERE org_id = $1 AND seen_at IS NULL";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(org.as_uuid()).fetch_one(p).await)?)
}

pub async fn mark_all_seen(tx: &mut Tx, org: OrgId) -> Result<u64> {
    let sql = "UPDATE security_alerts SET seen_at = $1 WHERE org_id = $2 AND seen_at IS NULL";
    let now = crate::now();
    Ok(on_tx!(tx, |c| sqlx::query(sql).bind(now).bind(org.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Records a device; returns (whether it is new, whether the person had any device before).
pub async fn see_device(tx: &mut Tx, user: UserId, fingerprint: &str) -> Result<(bool, bool)> {
    let count = "SELECT COUNT(*) FROM known_devices WHERE user_id = $1";
    let before: i64 = on_tx!(tx, |c| sqlx::query_scalar(count).bind(user.as_uuid()).fetch_one(c).await)?;
    let sql = "INSERT INTO known_devices (user_id, fingerprint, first_seen_at) VALUES ($1, $2, $3)
               ON CONFLICT (user_id, fingerprint) DO NOTHING";
    let now = crate::now();
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(user.as_uuid())
        .bind(fingerprint)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((n == 1, before > 0))
}
