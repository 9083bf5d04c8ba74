//! Failed sign-ins counted per key (an account's or a client address's hash) in a fixed window,
//! shared by every Jetson process through the database. Too many failures lock the key for a
//! while. Times are milliseconds since the epoch, passed in so that tests can move the clock.

use crate::db::on_pool;
use crate::{Db, Result};

/// How many failures lock a key, within what window, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
}

/// Milliseconds until `key` is unlocked; 0 when it is not locked.
pub async fn locked_for(db: &Db, key: &str, now_ms: i64) -> Result<i64> {
    let sql = "SELECT locked_until_ms FROM sign_in_throttle WHERE key = $1";
    let until: Option<i64> = on_pool!(db, |p| sqlx::query_scalar(sql).bind(key).fetch_optional(p).await)?;
    Ok(until.map_or(0, |u| (u - now_ms).max(0)))
}

/// Counts one failure; returns the milliseconds the key is now locked for (0: not locked).
pub async fn record_failure(db: &Db, key: &str, limit: Limit, now_ms: i64) -> Result<i64> {
    let count = "INSERT INTO sign_in_throttle (key, window_started_ms, failures, locked_until_ms)
                 VALUES ($1, $2, 1, 0)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN $2 - sign_in_throttle.window_started_ms >= $3 THEN 1
                                   ELSE sign_in_throttle.failures + 1 END,
                   window_started_ms = CASE WHEN $2 - sign_in_throttle.window_started_ms >= $3 THEN $2
                                            ELSE sign_in_throttle.window_started_ms END
                 RETURNING failures";
    let failures: i64 =
        on_pool!(db, |p| sqlx::query_scalar(count).bind(key).bind(now_ms).bind(limit.window_ms).fetch_one(p).await)?;
    if failures < limit.failures {
        return Ok(0);
    }
    // Locked: the count starts again after the lock.
    let lock = "UPDATE sign_in_throttle SET locked_until_ms = $2, failures = 0, window_started_ms = $3 WHERE key = $1";
    on_pool!(db, |p| sqlx::query(lock)
        .bind(key)
        .bind(now_ms + limit.lock_ms)
        .bind(now_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(limit.lock_ms)
}

/// Forgets a key's failures (after a successful sign-in).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    let sql = "DELETE FROM sign_in_throttle WHERE key = $1";
    on_pool!(db, |p| sqlx::query(sql).bind(key).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
