//! Per-minute request budgets of outside APIs, shared by every Jetson process through the
//! database. A request takes its cost with one conditional UPDATE (atomic on both databases);
//! when that fails the caller is told how long to wait. A twentieth of the limit is left unused
//! so that the budget is never quite spent: others (people, other integrations) share it.

use crate::db::on_pool;
use crate::{Db, Result};

const WINDOW_MS: i64 = 60_000;

/// Takes `cost` from `account`'s budget and returns 0, or returns the milliseconds to wait.
pub async fn reserve(db: &Db, account: &str, cost: i64, default_limit: i64, now_ms: i64) -> Result<i64> {
    let create = "INSERT INTO rate_budgets (account, window_started_ms, used, limit_per_minute, blocked_until_ms)
                  VALUES ($1, $2, 0, $3, 0) ON CONFLICT (account) DO NOTHING";
    on_pool!(db, |p| sqlx::query(create)
        .bind(account)
        .bind(now_ms)
        .bind(default_limit)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    let take = "UPDATE rate_budgets SET
                  used = CASE WHEN $2 - window_started_ms >= 60000 THEN $3 ELSE used + $3 END,
                  window_started_ms = CASE WHEN $2 - window_started_ms >= 60000 THEN $2 ELSE window_started_ms END
                WHERE account = $1 AND blocked_until_ms <= $2
                  AND (CASE WHEN $2 - window_started_ms >= 60000 THEN 0 ELSE used END) + $3
                      <= limit_per_minute - limit_per_minute / 20";
    let taken = on_pool!(db, |p| sqlx::query(take)
        .bind(account)
        .bind(now_ms)
        .bind(cost)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    if taken > 0 {
        return Ok(0);
    }
    let state = "SELECT window_started_ms, blocked_until_ms FROM rate_budgets WHERE account = $1";
    let (window, blocked): (i64, i64) = on_pool!(db, |p| sqlx::query_as(state).bind(account).fetch_one(p).await)?;
    Ok(if blocked > now_ms { blocked - now_ms } else { (window + WINDOW_MS - now_ms).max(1) })
}

/// What the provider said: its limit, what is left of it, and how long to back off after a 429
/// (its minute ends then, so ours is made to end then too).
pub async fn observe(
    db: &Db,
    account: &str,
    limit: Option<i64>,
    remaining: Option<i64>,
    retry_after_s: Option<i64>,
    now_ms: i64,
) -> Result<()> {
    let sql = "UPDATE rate_budgets SET
                 limit_per_minute = COALESCE($2, limit_per_minute),
                 used = CASE WHEN $3 IS NULL OR COALESCE($2, limit_per_minute) - $3 <= used THEN used
                             ELSE COALESCE($2, limit_per_minute) - $3 END,
                 blocked_until_ms = CASE WHEN $4 IS NULL THEN blocked_until_ms ELSE $5 + $4 * 1000 END,
                 window_started_ms = CASE WHEN $4 IS NULL THEN window_started_ms ELSE $5 + $4 * 1000 - 60000 END
               WHERE account = $1";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(account)
        .bind(limit)
        .bind(remaining)
        .bind(retry_after_s)
        .bind(now_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
