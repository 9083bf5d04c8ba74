//! The key canary: one value sealed under the instance key, kept so that start-up can tell
//! whether the key it was given is the one this database's sealed data was made with.

use crate::db::on_pool;
use crate::{Db, Result};

/// The canary as stored, if the database has one yet.
pub async fn get(db: &Db) -> Result<Option<String>> {
    let sql = "SELECT sealed FROM key_canary ORDER BY id LIMIT 1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).fetch_optional(p).await)?)
}

/// Stores the canary (the first one stays when two processes start at once).
pub async fn put(db: &Db, sealed: &str) -> Result<()> {
    let sql = "INSERT INTO key_canary (id, sealed) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM key_canary)";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(uuid::Uuid::now_v7())
        .bind(sealed)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
