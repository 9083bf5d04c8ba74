//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL database when
//! `JETSON_TEST_POSTGRES_URL` is set (CI sets it). Each test gets its own, so tests never see each
//! other's data.

use crate::{Db, Result, StoreError};

/// The URL of a new, empty database for one test, or `None` when PostgreSQL is not configured.
pub async fn fresh_postgres_url() -> Result<Option<String>> {
    let Ok(admin_url) = std::env::var("JETSON_TEST_POSTGRES_URL") else {
        skipped(
            "JETSON_TEST_POSTGRES_URL is not set, so these tests ran on SQLite only (CI runs them on PostgreSQL too)",
        );
        return Ok(None);
    };
    let admin = Db::connect(&admin_url).await?;
    let name = format!("jetson_test_{}", uuid::Uuid::new_v4().simple());
    let Db::Postgres(pool) = &admin else {
        return Err(StoreError::Config("JETSON_TEST_POSTGRES_URL must be a postgres:// URL".into()));
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await?;
    admin.close().await;
    Ok(Some(with_database(&admin_url, &name)))
}

/// Says once per test process that tests skipped part of their work, and why. It writes to the
/// terminal directly: the test harness captures `eprintln!` of passing tests, and a skip that
/// nobody sees reads as a pass.
pub fn skipped(reason: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    if SAID.lock().unwrap_or_else(|e| e.into_inner()).insert(reason.to_string()) {
        let _ = writeln!(std::io::stderr(), "note: skipped: {reason}");
    }
}

/// `postgres://u@h:5432/old?x=y` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Every `table.column` holding text (JSON included) in which `needle` appears, in any row: for
/// tests that promise a value is stored nowhere in plain text.
pub async fn columns_containing(db: &Db, needle: &str) -> Result<Vec<String>> {
    let columns: Vec<(String, String)> = match db {
        Db::Sqlite(p) => {
            let sql = "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
                       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
            sqlx::query_as(sql).fetch_all(p).await?
        }
        Db::Postgres(p) => {
            let sql = "SELECT table_name::text, column_name::text FROM information_schema.columns
                       WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb')";
            sqlx::query_as(sql).fetch_all(p).await?
        }
    };
    let pattern = format!("%{}%", needle.replace('%', "\\%").replace('_', "\\_"));
    let mut found = Vec::new();
    for (table, column) in columns {
        let hits: i64 = match db {
            Db::Sqlite(p) => {
                let sql =
                    format!("SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1 ESCAPE '\\'");
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&pattern).fetch_one(p).await?
            }
            Db::Postgres(p) => {
                let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\"::text ILIKE $1 ESCAPE '\\'");
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&pattern).fetch_one(p).await?
            }
        };
        if hits > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    Ok(found)
}

/// A migrated SQLite database in a new temporary directory (kept alive by the returned guard).
pub async fn fresh_sqlite() -> Result<(Db, tempfile_guard::TempDir)> {
    let dir = tempfile_guard::TempDir::new()?;
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("test.db").display())).await?;
    db.migrate().await?;
    Ok((db, dir))
}

/// A minimal temporary directory that removes itself, so the store needs no test-only dependency.
pub mod tempfile_guard {
    use std::path::{Path, PathBuf};

    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new() -> crate::Result<TempDir> {
            let p = std::env::temp_dir().join(format!("jetson-store-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).map_err(|e| crate::StoreError::Config(format!("temp dir: {e}")))?;
            Ok(TempDir(p))
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_replaced_and_options_kept() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(super::with_database("postgres://h/db?sslmode=disable", "t"), "postgres://h/t?sslmode=disable");
        assert_eq!(super::with_database("postgres://h", "t"), "postgres://h/t");
    }
}
