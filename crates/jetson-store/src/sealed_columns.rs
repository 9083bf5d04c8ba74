//! Reading and rewriting the columns that hold values sealed under the instance key, for key
//! rotation. Which columns these are (and what each value is sealed for) is the caller's list;
//! this module only pages through them by primary key.

use crate::db::on_tx;
use crate::{Result, Tx};

/// A column of sealed values and the table's primary key.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    pub key: &'static str,
    pub column: &'static str,
}

/// Up to `limit` (key, value) pairs after `after`, in key order, non-empty values only (a body
/// emptied by retention stays empty); with
/// `plain_only`, only values that are not sealed (no `v1.` prefix).
pub async fn page(
    tx: &mut Tx,
    col: SealedColumn,
    after: Option<uuid::Uuid>,
    limit: i64,
    plain_only: bool,
) -> Result<Vec<(uuid::Uuid, String)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''
           AND ($1 IS NULL OR {key} > $1)
           AND ($3 = FALSE OR {column} NOT LIKE 'v1.%')
         ORDER BY {key} LIMIT $2",
        key = col.key,
        column = col.column,
        table = col.table
    ));
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).bind(after).bind(limit).bind(plain_only).fetch_all(c).await)?)
}

pub async fn set(tx: &mut Tx, col: SealedColumn, key: uuid::Uuid, value: &str) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET {column} = $1 WHERE {key} = $2",
        key = col.key,
        column = col.column,
        table = col.table
    ));
    on_tx!(tx, |c| sqlx::query(sql).bind(value).bind(key).execute(c).await.map(|_| ()))?;
    Ok(())
}
