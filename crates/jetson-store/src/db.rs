//! The database handle: an enum over the two pools, and the macros that run one query text on either.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::{Result, StoreError};

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A transaction on either database. Dropping it without `commit` rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$p` bound to the pool of whichever database `$db` is. The body is compiled
/// once per database, so binds stay typed for each.
macro_rules! on_pool {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Like [`on_pool!`], for a [`Tx`]: `$c` is the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

pub(crate) use {on_pool, on_tx};

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL `{}`: use sqlite://PATH or postgres://…",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Db::Sqlite(_) => DbKind::Sqlite,
            Db::Postgres(_) => DbKind::Postgres,
        }
    }

    /// A transaction that is allowed to write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write transaction never fails half way with SQLITE_BUSY.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Answers whether the database is reachable (for `/healthz`).
    pub async fn ping(&self) -> bool {
        let q = "SELECT 1";
        on_pool!(self, |p| sqlx::query(q).execute(p).await.map(|r| r.rows_affected()).is_ok())
    }

    /// A consistent copy of a SQLite database in `path` (which must not exist), taken while others
    /// keep reading and writing (`VACUUM INTO`). PostgreSQL is backed up with its own tools.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<()> {
        let Db::Sqlite(pool) = self else {
            return Err(StoreError::Config(
                "online backup is for SQLite; back up PostgreSQL with pg_dump (see the README)".into(),
            ));
        };
        let path = path.to_str().ok_or_else(|| StoreError::Config("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await?;
        Ok(())
    }

    /// SQLite's own consistency check: None when the file is sound, else its first complaint.
    pub async fn sqlite_integrity_problem(&self) -> Result<Option<String>> {
        let Db::Sqlite(pool) = self else { return Ok(None) };
        let answer: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await?;
        Ok((answer != "ok").then_some(answer))
    }

    /// The names of the migrations applied to this database, in order.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        let sql = "SELECT name FROM jetson_migrations ORDER BY name";
        Ok(on_pool!(self, |p| sqlx::query_scalar(sql).fetch_all(p).await)?)
    }

    /// Runs one statement the caller wrote (database administration: `CREATE DATABASE …`).
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        on_pool!(self, |p| sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Rows in one table (for reports on a whole database).
    pub async fn count_rows(&self, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        Ok(on_pool!(self, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).fetch_one(p).await)?)
    }

    /// (open connections, idle connections) in this process's pool.
    pub fn pool_use(&self) -> (u32, usize) {
        on_pool!(self, |p| (p.size(), p.num_idle()))
    }

    pub async fn close(&self) {
        on_pool!(self, |p| p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
