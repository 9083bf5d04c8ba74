//! API tokens: hashed, scoped to one organisation, optionally expiring.

use chrono::{DateTime, Utc};
use jetson_domain::{ApiTokenId, OrgId, Role, Scope, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// A valid token joined with its owner's current role in the token's organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenInfo {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ApiTokenId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub user_id: UserId,
    #[sqlx(try_from = "String")]
    pub scope: Scope,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

pub struct NewToken<'a> {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scope: Scope,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn create(tx: &mut Tx, t: NewToken<'_>) -> Result<ApiTokenId> {
    let sql = "INSERT INTO api_tokens (id, org_id, user_id, name, token_hash, scope, created_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let id = ApiTokenId::new();
    let now = crate::now();
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(id.as_uuid())
            .bind(t.org_id.as_uuid())
            .bind(t.user_id.as_uuid())
            .bind(t.name)
            .bind(t.token_hash)
            .bind(t.scope.as_str())
            .bind(now)
            .bind(t.expires_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// What a presented token turned out to be.
#[derive(Debug, Clone)]
pub enum Authenticated {
    Valid(TokenInfo),
    /// Past its expiry date.
    Expired,
    /// Revoked by its owner.
    Revoked,
    /// The organisation requires two-factor and the token's owner has not set it up.
    TwoFactorRequired,
    /// No such token, or its owner is no longer a member.
    Unknown,
}

impl Authenticated {
    /// The token, when it may be used.
    pub fn valid(self) -> Option<TokenInfo> {
        match self {
            Authenticated::Valid(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Presented {
    #[sqlx(flatten)]
    info: TokenInfo,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    lacks_two_factor: bool,
}

/// The token with this hash, and whether it may be used now; records the use of a valid one.
pub async fn authenticate(db: &Db, token_hash: &str) -> Result<Authenticated> {
    let sql = "SELECT t.id, t.org_id, t.user_id, t.scope, m.role, t.expires_at, t.revoked_at,
                      (o.require_two_factor AND u.totp_secret_enc IS NULL) AS lacks_two_factor
               FROM api_tokens t
               JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id
               JOIN users u ON u.id = t.user_id
               JOIN organizations o ON o.id = t.org_id
               WHERE t.token_hash = $1";
    let now = crate::now();
    let found: Option<Presented> = on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).fetch_optional(p).await)?;
    let Some(t) = found else { return Ok(Authenticated::Unknown) };
    if t.revoked_at.is_some() {
        return Ok(Authenticated::Revoked);
    }
    if t.expires_at.is_some_and(|at| at <= now) {
        return Ok(Authenticated::Expired);
    }
    if t.lacks_two_factor {
        return Ok(Authenticated::TwoFactorRequired);
    }
    let touch = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
    on_pool!(db, |p| sqlx::query(touch)
        .bind(now)
        .bind(t.info.id.as_uuid())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Authenticated::Valid(t.info))
}

/// A token as its owner sees it on the API tokens page: never the token itself.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: ApiTokenId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Listed {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= crate::now())
    }
}

/// The user's tokens for this organisation, newest first, expired ones included (they say so).
pub async fn list_for_user(db: &Db, org: OrgId, user: UserId) -> Result<Vec<Listed>> {
    let sql = "SELECT id, name, scope, created_at, expires_at, last_used_at FROM api_tokens
               WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(org.as_uuid()).bind(user.as_uuid()).fetch_all(p).await)?)
}

/// Revokes one of the user's tokens in this organisation; false when there is no such token (or
/// it was revoked already).
pub async fn revoke(tx: &mut Tx, org: OrgId, user: UserId, id: ApiTokenId) -> Result<bool> {
    let sql = "UPDATE api_tokens SET revoked_at = $4 WHERE id = $1 AND org_id = $2 AND user_id = $3
               AND revoked_at IS NULL";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.as_uuid())
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .bind(crate::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
