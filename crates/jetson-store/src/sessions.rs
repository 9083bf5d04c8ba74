//! Browser sessions. Only a hash of the session token is stored, so a leaked database does not
//! leak live sessions.

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, Role, SessionId, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// A live session joined with what a request needs to know about its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionInfo {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: SessionId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub user_id: UserId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    pub csrf_token: String,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(tx: &mut Tx, s: NewSession<'_>) -> Result<SessionId> {
    let sql = "INSERT INTO sessions (id, token_hash, user_id, org_id, csrf_token, created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let id = SessionId::new();
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(id.as_uuid())
            .bind(s.token_hash)
            .bind(s.user_id.as_uuid())
            .bind(s.org_id.as_uuid())
            .bind(s.csrf_token)
            .bind(now)
            .bind(s.expires_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// The session with this token hash, if it exists, has not expired, and its user is still a member.
pub async fn find_live(db: &Db, token_hash: &str) -> Result<Option<SessionInfo>> {
    let sql = "SELECT s.id, s.user_id, s.org_id, s.csrf_token, u.email, u.name, m.role, s.expires_at
               FROM sessions s
               JOIN users u ON u.id = s.user_id
               JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
               WHERE s.token_hash = $1 AND s.expires_at > $2";
    let now = crate::now();
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).bind(now).fetch_optional(p).await)?)
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<()> {
    let sql = "DELETE FROM sessions WHERE token_hash = $1";
    on_pool!(db, |p| sqlx::query(sql).bind(token_hash).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
