//! One-off upkeep an instance has done (sealing bodies stored by an older version, say), so that
//! start-up checks a row instead of scanning a table every time.

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx};

pub async fn is_done(db: &Db, name: &str) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM instance_tasks WHERE name = $1";
    let n: i64 = on_pool!(db, |p| sqlx::query_scalar(sql).bind(name).fetch_one(p).await)?;
    Ok(n > 0)
}

pub async fn mark_done(tx: &mut Tx, name: &str) -> Result<()> {
    let sql = "INSERT INTO instance_tasks (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    on_tx!(tx, |c| sqlx::query(sql).bind(name).bind(crate::now()).execute(c).await.map(|_| ()))?;
    Ok(())
}
