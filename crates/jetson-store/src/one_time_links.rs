//! One-time links: an invitation to join an organisation with a role, or a password reset for one
//! of its members. The caller keeps the token; the database keeps its hash. A link works once,
//! until it expires.

use chrono::{DateTime, Utc};
use jetson_domain::{LinkId, OrgId, Role, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invite,
    PasswordReset,
}

impl Kind {
    fn as_str(&self) -> &'static str {
        match self {
            Kind::Invite => "invite",
            Kind::PasswordReset => "password_reset",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: LinkId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    /// For invitations: the role the person joins with.
    pub role: Option<String>,
    /// For resets: whose password.
    pub user_id: Option<uuid::Uuid>,
    /// Who it is for, in the inviter's words (an email address, say).
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Link {
    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(|r| Role::parse(r).ok())
    }
}

pub struct NewLink<'a> {
    pub kind: Kind,
    pub token_hash: &'a str,
    pub org_id: OrgId,
    pub role: Option<Role>,
    pub user_id: Option<UserId>,
    pub note: &'a str,
    pub created_by: UserId,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(tx: &mut Tx, l: NewLink<'_>) -> Result<LinkId> {
    let sql = "INSERT INTO one_time_links (id, token_hash, kind, org_id, role, user_id, note, created_by, created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let id = LinkId::new();
    let now = crate::now();
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.as_uuid())
        .bind(l.token_hash)
        .bind(l.kind.as_str())
        .bind(l.org_id.as_uuid())
        .bind(l.role.map(|r| r.as_str()))
        .bind(l.user_id.map(|u| u.as_uuid()))
        .bind(l.note)
        .bind(l.created_by.as_uuid())
        .bind(now)
        .bind(l.expires_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(id)
}

const COLUMNS: &str = "id, org_id, role, user_id, note, created_at, expires_at";

/// The unused, unexpired link of this kind with this hash.
pub async fn find(db: &Db, kind: Kind, token_hash: &str) -> Result<Option<Link>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM one_time_links
         WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3"
    ));
    let now = crate::now();
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).bind(kind.as_str()).bind(now).fetch_optional(p).await)?)
}

/// Marks the link used; false when someone used it first (it works once).
pub async fn use_up(tx: &mut Tx, id: LinkId) -> Result<bool> {
    let sql = "UPDATE one_time_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL";
    let now = crate::now();
    let n = on_tx!(tx, |c| sqlx::query(sql).bind(now).bind(id.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The organisation's invitations still open, newest first.
pub async fn open_invites(db: &Db, org: OrgId) -> Result<Vec<Link>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM one_time_links
         WHERE org_id = $1 AND kind = 'invite' AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC"
    ));
    let now = crate::now();
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(now).fetch_all(p).await)?)
}

/// Withdraws one of the organisation's links; false when there is no such open link.
pub async fn revoke(tx: &mut Tx, org: OrgId, id: LinkId) -> Result<bool> {
    let sql = "DELETE FROM one_time_links WHERE id = $1 AND org_id = $2 AND used_at IS NULL";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.as_uuid())
        .bind(org.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many password-reset links were made for this person since then (to limit the ones a
/// stranger can have emailed to them).
pub async fn resets_since(tx: &mut Tx, user: UserId, since: DateTime<Utc>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM one_time_links WHERE user_id = $1 AND kind = 'password_reset' AND created_at > $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql).bind(user.as_uuid()).bind(since).fetch_one(c).await)?)
}
