//! Migrations, embedded in the binary. Both folders hold the same file names (a test checks it);
//! each file runs once, in order, inside a transaction, and is recorded in `jetson_migrations`.

use crate::db::on_pool;
use crate::{Db, Result};

pub struct Migration {
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Append-only: never edit a migration that has shipped; add a new one.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_init"),
    migration!("0002_helpscout"),
    migration!("0003_learning"),
    migration!("0004_report_embeddings"),
    migration!("0005_github"),
    migration!("0006_privacy"),
    migration!("0007_retention"),
    migration!("0008_security"),
    migration!("0009_two_factor"),
    migration!("0010_product_access"),
    migration!("0011_merge_issue_link"),
    migration!("0012_issue_links"),
    migration!("0013_sealed_subjects"),
];

impl Db {
    /// Applies the migrations this database has not seen yet. Returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let create = "CREATE TABLE IF NOT EXISTS jetson_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)";
        on_pool!(self, |p| sqlx::query(create).execute(p).await.map(|r| r.rows_affected()))?;
        let done: Vec<String> =
            on_pool!(self, |p| { sqlx::query_scalar("SELECT name FROM jetson_migrations").fetch_all(p).await })?;
        let mut applied = 0;
        for m in MIGRATIONS.iter().filter(|m| !done.iter().any(|d| d == m.name)) {
            let sql = match self {
                Db::Sqlite(_) => m.sqlite,
                Db::Postgres(_) => m.postgres,
            };
            let mut tx = self.begin().await?;
            crate::db::on_tx!(&mut tx, |c| {
                sqlx::raw_sql(sql).execute(&mut *c).await.map(|r| r.rows_affected())?;
                sqlx::query("INSERT INTO jetson_migrations (name, applied_at) VALUES ($1, $2)")
                    .bind(m.name)
                    .bind(crate::now().to_rfc3339())
                    .execute(&mut *c)
                    .await?;
            });
            tx.commit().await?;
            tracing::info!(migration = m.name, "applied migration");
            applied += 1;
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn names(dir: &str) -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".sql").to_string())
            .collect()
    }

    #[test]
    fn both_databases_have_the_same_migrations_and_all_are_embedded() {
        let sqlite = names("sqlite");
        assert_eq!(sqlite, names("postgres"));
        let embedded: BTreeSet<String> = super::MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
        assert_eq!(sqlite, embedded);
    }
}
