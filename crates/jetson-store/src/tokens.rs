//! API tokens: hashed, scoped to one organisation, optionally expiring.

use chrono::{DateTime, Utc};
use jetson_domain::{ApiTokenId, OrgId, Role, UserId};

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
    pub scope: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

pub struct NewToken<'a> {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scope: &'a str,
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
            .bind(t.scope)
            .bind(now)
            .bind(t.expires_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// The token with this hash if it has not expired and its owner is still a member; records its use.
pub async fn authenticate(db: &Db, token_hash: &str) -> Result<Option<TokenInfo>> {
    let sql = "SELECT t.id, t.org_id, t.user_id, t.scope, m.role
               FROM api_tokens t JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id
               WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)";
    let now = crate::now();
    let found: Option<TokenInfo> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).bind(now).fetch_optional(p).await)?;
    if let Some(t) = &found {
        let touch = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
        on_pool!(db, |p| sqlx::query(touch)
            .bind(now)
            .bind(t.id.as_uuid())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(found)
}
