//! Browser sessions. Only a hash of the session token is stored, so a leaked database does not
//! leak live sessions. A session ends at its absolute expiry, or when it has not been used for
//! [`IDLE`]; people see their own sessions (browser, when opened, last used) and revoke them.

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, Role, SessionId, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// A session unused for this long has ended.
pub const IDLE: chrono::Duration = chrono::Duration::hours(24);
/// How stale `last_seen_at` may get before a request refreshes it (one write per few minutes, not
/// per request).
pub const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);

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
    /// When a request last used it (its start, until one did).
    pub last_seen_at: DateTime<Utc>,
    /// The organisation requires two factors and this person has not set them up: pages send
    /// them to set it up first.
    pub must_set_up_two_factor: bool,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
    /// The browser's `User-Agent`, as sent (shortened), to tell sessions apart.
    pub user_agent: &'a str,
}

/// One of a person's live sessions, as their sessions page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: SessionId,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(tx: &mut Tx, s: NewSession<'_>) -> Result<SessionId> {
    let sql = "INSERT INTO sessions (id, token_hash, user_id, org_id, csrf_token, created_at, expires_at, user_agent,
                                     last_seen_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6)";
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
            .bind(s.user_agent.chars().take(300).collect::<String>())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// The session with this token hash, if it exists, has not expired or idled out, and its user is
/// still a member. Refreshes its last use when that is older than [`TOUCH_EVERY`].
pub async fn find_live(db: &Db, token_hash: &str) -> Result<Option<SessionInfo>> {
    let sql = "SELECT s.id, s.user_id, s.org_id, s.csrf_token, u.email, u.name, m.role, s.expires_at,
                      COALESCE(s.last_seen_at, s.created_at) AS last_seen_at,
                      (o.require_two_factor AND u.totp_secret_enc IS NULL) AS must_set_up_two_factor
               FROM sessions s
               JOIN users u ON u.id = s.user_id
               JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
               JOIN organizations o ON o.id = s.org_id
               WHERE s.token_hash = $1 AND s.expires_at > $2 AND COALESCE(s.last_seen_at, s.created_at) > $3";
    let now = crate::now();
    let found: Option<SessionInfo> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).bind(now).bind(now - IDLE).fetch_optional(p).await)?;
    if let Some(s) = &found
        && now - s.last_seen_at > TOUCH_EVERY
    {
        let touch = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
        on_pool!(db, |p| sqlx::query(touch)
            .bind(s.id.as_uuid())
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(found)
}

/// A person's live sessions, most recently used first.
pub async fn list_for_user(db: &Db, user: UserId) -> Result<Vec<Listed>> {
    let sql = "SELECT id, user_agent, created_at, COALESCE(last_seen_at, created_at) AS last_seen_at, expires_at
               FROM sessions
               WHERE user_id = $1 AND expires_at > $2 AND COALESCE(last_seen_at, created_at) > $3
               ORDER BY COALESCE(last_seen_at, created_at) DESC";
    let now = crate::now();
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(user.as_uuid()).bind(now).bind(now - IDLE).fetch_all(p).await)?)
}

/// Ends one of a person's own sessions; false when they have no such session.
pub async fn revoke(db: &Db, user: UserId, id: SessionId) -> Result<bool> {
    let sql = "DELETE FROM sessions WHERE id = $1 AND user_id = $2";
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Ends every session of a person but `keep` (signing out everywhere else, or after a password
/// change). Returns how many.
pub async fn revoke_others(tx: &mut Tx, user: UserId, keep: SessionId) -> Result<u64> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
    Ok(on_tx!(tx, |c| sqlx::query(sql)
        .bind(user.as_uuid())
        .bind(keep.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?)
}

/// Moves a session to another organisation the person belongs to (after joining one).
pub async fn set_org(tx: &mut Tx, session: SessionId, org: OrgId) -> Result<()> {
    let sql = "UPDATE sessions SET org_id = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(org.as_uuid())
        .bind(session.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a person (after a password reset).
pub async fn revoke_all(tx: &mut Tx, user: UserId) -> Result<u64> {
    let sql = "DELETE FROM sessions WHERE user_id = $1";
    Ok(on_tx!(tx, |c| sqlx::query(sql).bind(user.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?)
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<()> {
    let sql = "DELETE FROM sessions WHERE token_hash = $1";
    on_pool!(db, |p| sqlx::query(sql).bind(token_hash).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
