//! Sign-in attempts counted per key (an account's or a client address's hash) in a fixed window,
//! shared by every Jetson process through the database. An attempt is reserved before its
//! password is checked, in one statement, so that parallel attempts cannot all be checked before
//! any is counted; the attempt that reaches the limit locks the key for a while. Times are
//! milliseconds since the epoch, passed in so that tests can move the clock.

use crate::db::on_pool;
use crate::{Db, Result};

/// How many attempts a key may make within what window, and how long it is locked after.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Check the password. `locks`: this attempt reached the limit, so the key is locked now
    /// unless it succeeds (and a success clears the key).
    Allowed { locks: bool },
    /// Too many attempts: refused without checking, for this many more milliseconds.
    Locked { retry_after_ms: i64 },
}

/// Counts one attempt at `key` and says whether it may be checked.
pub async fn reserve(db: &Db, key: &str, limit: Limit, now_ms: i64) -> Result<Reservation> {
    // Every expression reads the row as it was: `locked` is a lock still running, `fresh` a
    // window (or lock) that has ended, so counting starts again. Attempts during a lock are
    // still counted, which keeps them above the limit and so refused.
    let sql = "INSERT INTO sign_in_throttle (key, window_started_ms, failures, locked_until_ms)
               VALUES ($1, $2, 1, CASE WHEN 1 >= $4 THEN $2 + $5 ELSE 0 END)
               ON CONFLICT (key) DO UPDATE SET
                 failures = CASE
                   WHEN sign_in_throttle.locked_until_ms > $2 THEN sign_in_throttle.failures + 1
                   WHEN sign_in_throttle.locked_until_ms > 0 OR $2 - sign_in_throttle.window_started_ms >= $3 THEN 1
                   ELSE sign_in_throttle.failures + 1 END,
                 window_started_ms = CASE
                   WHEN sign_in_throttle.locked_until_ms > $2 THEN sign_in_throttle.window_started_ms
                   WHEN sign_in_throttle.locked_until_ms > 0 OR $2 - sign_in_throttle.window_started_ms >= $3 THEN $2
                   ELSE sign_in_throttle.window_started_ms END,
                 locked_until_ms = CASE
                   WHEN sign_in_throttle.locked_until_ms > $2 THEN sign_in_throttle.locked_until_ms
                   WHEN sign_in_throttle.locked_until_ms > 0 OR $2 - sign_in_throttle.window_started_ms >= $3
                     THEN CASE WHEN 1 >= $4 THEN $2 + $5 ELSE 0 END
                   WHEN sign_in_throttle.failures + 1 >= $4 THEN $2 + $5
                   ELSE 0 END
               RETURNING failures, locked_until_ms";
    let (attempt, locked_until): (i64, i64) = on_pool!(db, |p| sqlx::query_as(sql)
        .bind(key)
        .bind(now_ms)
        .bind(limit.window_ms)
        .bind(limit.failures)
        .bind(limit.lock_ms)
        .fetch_one(p)
        .await)?;
    Ok(if attempt > limit.failures {
        Reservation::Locked { retry_after_ms: (locked_until - now_ms).max(1) }
    } else {
        Reservation::Allowed { locks: attempt == limit.failures }
    })
}

/// Milliseconds until `key` is unlocked; 0 when it is not locked.
pub async fn locked_for(db: &Db, key: &str, now_ms: i64) -> Result<i64> {
    let sql = "SELECT locked_until_ms FROM sign_in_throttle WHERE key = $1";
    let until: Option<i64> = on_pool!(db, |p| sqlx::query_scalar(sql).bind(key).fetch_optional(p).await)?;
    Ok(until.map_or(0, |u| (u - now_ms).max(0)))
}

/// Gives back an attempt that turned out right (a right password, or a whole sign-in from an
/// address): it no longer counts, and a lock it brought on is lifted.
pub async fn refund(db: &Db, key: &str, limit: Limit) -> Result<()> {
    let sql = "UPDATE sign_in_throttle SET failures = failures - 1,
                 locked_until_ms = CASE WHEN failures - 1 < $2 THEN 0 ELSE locked_until_ms END
               WHERE key = $1 AND failures > 0";
    on_pool!(db, |p| sqlx::query(sql).bind(key).bind(limit.failures).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets a key's attempts (after a successful sign-in).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    let sql = "DELETE FROM sign_in_throttle WHERE key = $1";
    on_pool!(db, |p| sqlx::query(sql).bind(key).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
