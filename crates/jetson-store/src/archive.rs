//! Rows of any table as typed cells, for moving an organisation between Jetson instances (and
//! between SQLite and PostgreSQL). A column's type is read from the PostgreSQL migrations, so a
//! new column is carried without a change here; the SQLite schema stores the same values in its
//! own types (UUIDs as blobs, timestamps and JSON as text), which sqlx converts.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::types::Json;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Uuid,
    Time,
    Json,
    Bytes,
    Bool,
    Int,
    Float,
    Text,
}

/// One value, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Uuid(uuid::Uuid),
    Time(DateTime<Utc>),
    Json(serde_json::Value),
    Bytes(Vec<u8>),
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// (table, column) → type, from every `CREATE TABLE` and `ADD COLUMN` of the PostgreSQL migrations.
static TYPES: LazyLock<HashMap<(String, String), ColumnType>> = LazyLock::new(|| {
    let mut types = HashMap::new();
    for m in crate::MIGRATIONS {
        let mut table: Option<String> = None;
        for line in m.postgres.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                table = rest.split_whitespace().next().map(str::to_string);
                continue;
            }
            if line.starts_with(')') {
                table = None;
                continue;
            }
            let (t, def) = match (line.strip_prefix("ALTER TABLE "), &table) {
                (Some(rest), _) => match rest.split_once(" ADD COLUMN ") {
                    Some((t, def)) => (t.trim().to_string(), def),
                    None => continue,
                },
                (None, Some(t)) => (t.clone(), line),
                (None, None) => continue,
            };
            let mut words = def.split_whitespace();
            let (Some(column), Some(kind)) = (words.next(), words.next()) else { continue };
            if ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "--"].contains(&column) {
                continue;
            }
            let kind = match kind.trim_end_matches([',', ';']).to_ascii_uppercase().as_str() {
                "UUID" => ColumnType::Uuid,
                "TIMESTAMPTZ" => ColumnType::Time,
                "JSONB" => ColumnType::Json,
                "BYTEA" => ColumnType::Bytes,
                "BOOLEAN" => ColumnType::Bool,
                "BIGINT" | "INTEGER" | "INT" | "SMALLINT" => ColumnType::Int,
                "DOUBLE" | "REAL" => ColumnType::Float,
                _ => ColumnType::Text,
            };
            types.insert((t, column.to_string()), kind);
        }
    }
    types
});

pub fn column_type(table: &str, column: &str) -> Option<ColumnType> {
    TYPES.get(&(table.to_string(), column.to_string())).copied()
}

/// The rows of `table` that `condition` selects (SQL with `$1` for `org`), oldest id first when
/// the table has an `id`, as (column, cell) lists.
pub async fn rows(
    db: &Db,
    table: &'static str,
    condition: &'static str,
    order: &'static str,
    org: uuid::Uuid,
) -> Result<Vec<Vec<(String, Cell)>>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT * FROM {table} WHERE {condition} ORDER BY {order}"));
    on_pool!(db, |p| {
        let rows = sqlx::query(sql).bind(org).fetch_all(p).await?;
        rows.iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .map(|c| {
                        let name = sqlx::Column::name(c);
                        let kind = column_type(table, name)
                            .ok_or_else(|| StoreError::Config(format!("{table}.{name}: no type in the migrations")))?;
                        let cell = match kind {
                            ColumnType::Uuid => row.try_get::<Option<uuid::Uuid>, _>(name)?.map(Cell::Uuid),
                            ColumnType::Time => row.try_get::<Option<DateTime<Utc>>, _>(name)?.map(Cell::Time),
                            ColumnType::Json => {
                                row.try_get::<Option<Json<serde_json::Value>>, _>(name)?.map(|j| Cell::Json(j.0))
                            }
                            ColumnType::Bytes => row.try_get::<Option<Vec<u8>>, _>(name)?.map(Cell::Bytes),
                            ColumnType::Bool => row.try_get::<Option<bool>, _>(name)?.map(Cell::Bool),
                            ColumnType::Int => row.try_get::<Option<i64>, _>(name)?.map(Cell::Int),
                            ColumnType::Float => row.try_get::<Option<f64>, _>(name)?.map(Cell::Float),
                            ColumnType::Text => row.try_get::<Option<String>, _>(name)?.map(Cell::Text),
                        };
                        Ok((name.to_string(), cell.unwrap_or(Cell::Null)))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()
    })
}

/// Inserts one row. Returns whether a row was written.
pub async fn insert(tx: &mut Tx, table: &str, row: &[(String, Cell)]) -> Result<bool> {
    // PostgreSQL wants a NULL of the column's type.
    let mut types = Vec::with_capacity(row.len());
    for (name, _) in row {
        types.push(
            column_type(table, name)
                .ok_or_else(|| StoreError::Config(format!("{table}.{name} is not a column this version knows")))?,
        );
    }
    let columns: Vec<&str> = row.iter().map(|(n, _)| n.as_str()).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        crate::batch::list(1, columns.len())
    ));
    let n = on_tx!(tx, |c| {
        let mut q = sqlx::query(sql);
        for ((_, cell), kind) in row.iter().zip(&types) {
            q = match (cell, kind) {
                (Cell::Null, ColumnType::Uuid) => q.bind(None::<uuid::Uuid>),
                (Cell::Null, ColumnType::Time) => q.bind(None::<DateTime<Utc>>),
                (Cell::Null, ColumnType::Json) => q.bind(None::<Json<serde_json::Value>>),
                (Cell::Null, ColumnType::Bytes) => q.bind(None::<Vec<u8>>),
                (Cell::Null, ColumnType::Bool) => q.bind(None::<bool>),
                (Cell::Null, ColumnType::Int) => q.bind(None::<i64>),
                (Cell::Null, ColumnType::Float) => q.bind(None::<f64>),
                (Cell::Null, ColumnType::Text) => q.bind(None::<String>),
                (Cell::Uuid(v), _) => q.bind(*v),
                (Cell::Time(v), _) => q.bind(*v),
                (Cell::Json(v), _) => q.bind(Json(v.clone())),
                (Cell::Bytes(v), _) => q.bind(v.clone()),
                (Cell::Bool(v), _) => q.bind(*v),
                (Cell::Int(v), _) => q.bind(*v),
                (Cell::Float(v), _) => q.bind(*v),
                (Cell::Text(v), _) => q.bind(v.clone()),
            };
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_come_from_the_postgres_migrations() {
        assert_eq!(column_type("conversations", "id"), Some(ColumnType::Uuid));
        assert_eq!(column_type("conversations", "created_at"), Some(ColumnType::Time));
        assert_eq!(column_type("conversations", "explanation"), Some(ColumnType::Json));
        assert_eq!(column_type("conversations", "tags"), Some(ColumnType::Text), "added by ALTER TABLE");
        assert_eq!(column_type("conversations", "needs_review"), Some(ColumnType::Bool));
        assert_eq!(column_type("conversations", "confidence"), Some(ColumnType::Float));
        assert_eq!(column_type("reports", "embedding"), Some(ColumnType::Bytes));
        assert_eq!(column_type("audit_events", "seq"), Some(ColumnType::Int));
        assert_eq!(column_type("conversations", "nonsense"), None);
    }
}
