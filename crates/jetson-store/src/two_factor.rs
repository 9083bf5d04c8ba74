//! Two-factor sign-in: a person's TOTP secret (sealed by the caller), the time step of the last
//! code accepted (so each code works once), hashed one-time recovery codes, sign-ins waiting for
//! their second factor. Whether an organisation requires two factors is `orgs::SecurityPolicy`.

use chrono::{DateTime, Utc};
use jetson_domain::{OrgId, UserId};

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

/// A person's two-factor state.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct TwoFactor {
    /// Sealed; `Some` when two-factor is on.
    pub totp_secret_enc: Option<String>,
    /// Sealed; a secret being set up, not yet confirmed by a code.
    pub totp_pending_enc: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
}

impl TwoFactor {
    pub fn enabled(&self) -> bool {
        self.totp_secret_enc.is_some()
    }
}

pub async fn get(db: &Db, user: UserId) -> Result<TwoFactor> {
    let sql = "SELECT totp_secret_enc, totp_pending_enc, totp_enabled_at FROM users WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(user.as_uuid()).fetch_one(p).await)?)
}

/// Keeps a secret being set up (replacing any earlier one) until a code confirms it.
pub async fn set_pending(tx: &mut Tx, user: UserId, sealed: &str) -> Result<()> {
    let sql = "UPDATE users SET totp_pending_enc = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql).bind(sealed).bind(user.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Turns two-factor on with the pending secret, whose code for `step` was just typed, and replaces
/// the recovery codes.
pub async fn enable(tx: &mut Tx, user: UserId, step: i64, recovery_hashes: &[String]) -> Result<()> {
    let sql = "UPDATE users SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_enabled_at = $1,
               totp_last_step = $2 WHERE id = $3 AND totp_pending_enc IS NOT NULL";
    let now = crate::now();
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(step)
        .bind(user.as_uuid())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Err(crate::StoreError::Conflict("there is no two-factor set-up waiting to be confirmed".into()));
    }
    replace_recovery_codes(tx, user, recovery_hashes).await
}

/// Turns two-factor off: the secret and the recovery codes go.
pub async fn disable(tx: &mut Tx, user: UserId) -> Result<()> {
    let sql = "UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_enabled_at = NULL WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql).bind(user.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    replace_recovery_codes(tx, user, &[]).await
}

pub async fn replace_recovery_codes(tx: &mut Tx, user: UserId, hashes: &[String]) -> Result<()> {
    let delete = "DELETE FROM recovery_codes WHERE user_id = $1";
    on_tx!(tx, |c| sqlx::query(delete).bind(user.as_uuid()).execute(c).await.map(|r| r.rows_affected()))?;
    let insert = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
    for hash in hashes {
        on_tx!(tx, |c| sqlx::query(insert)
            .bind(user.as_uuid())
            .bind(hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Accepts the code of time step `step` once: false when that step or a later one was already
/// used (a replayed code).
pub async fn use_step(db: &Db, user: UserId, step: i64) -> Result<bool> {
    let sql = "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1";
    let n =
        on_pool!(db, |p| sqlx::query(sql).bind(step).bind(user.as_uuid()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Uses up a recovery code; false when it is not one of the person's unused codes.
pub async fn use_recovery_code(db: &Db, user: UserId, code_hash: &str) -> Result<bool> {
    let sql = "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL";
    let now = crate::now();
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(now)
        .bind(user.as_uuid())
        .bind(code_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn recovery_codes_left(db: &Db, user: UserId) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(user.as_uuid()).fetch_one(p).await)?)
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Challenge {
    #[sqlx(try_from = "uuid::Uuid")]
    pub user_id: UserId,
    #[sqlx(try_from = "uuid::Uuid")]
    pub org_id: OrgId,
    pub user_agent: String,
    pub attempts: i64,
}

pub async fn create_challenge(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    org: OrgId,
    user_agent: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let sql = "INSERT INTO sign_in_challenges (token_hash, user_id, org_id, user_agent, expires_at)
               VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(token_hash)
        .bind(user.as_uuid())
        .bind(org.as_uuid())
        .bind(user_agent)
        .bind(expires_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The live challenge with this hash (expired ones are deleted on the way).
pub async fn find_challenge(db: &Db, token_hash: &str) -> Result<Option<Challenge>> {
    let now = crate::now();
    let expired = "DELETE FROM sign_in_challenges WHERE expires_at <= $1";
    on_pool!(db, |p| sqlx::query(expired).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    let sql = "SELECT user_id, org_id, user_agent, attempts FROM sign_in_challenges WHERE token_hash = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).bind(token_hash).fetch_optional(p).await)?)
}

/// Counts a wrong code against the challenge; returns the attempts so far.
pub async fn challenge_failed(db: &Db, token_hash: &str) -> Result<i64> {
    let sql = "UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).bind(token_hash).fetch_optional(p).await)?.unwrap_or(i64::MAX))
}

pub async fn delete_challenge(tx: &mut Tx, token_hash: &str) -> Result<()> {
    let sql = "DELETE FROM sign_in_challenges WHERE token_hash = $1";
    on_tx!(tx, |c| sqlx::query(sql).bind(token_hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
