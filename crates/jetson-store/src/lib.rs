//! Persistence for Jetson: one store over SQLite (the embedded default) and PostgreSQL.
//!
//! Start with [`Db`]: it connects, migrates, and hands out transactions ([`Tx`]). Each aggregate has
//! its own module of plain async functions (`work_items::list`, `jobs::claim`, …). Reads take `&Db`,
//! writes take `&mut Tx` so that callers decide what commits together. Every function that touches
//! tenant data takes the organisation id and filters by it in SQL.
//!
//! One SQL text serves both databases (`$n` placeholders, `RETURNING`, `ON CONFLICT`); the few
//! dialect-specific statements live in [`dialect`].

mod batch;
mod db;
pub mod dialect;
mod error;
mod migrate;

pub mod archive;
pub mod audit;
pub mod conversations;
pub mod customers;
pub mod github;
pub mod github_issues;
pub mod helpscout;
pub mod holds;
pub mod instance_tasks;
pub mod jobs;
pub mod key_canary;
pub mod learning;
pub mod merges;
pub mod one_time_links;
pub mod operators;
pub mod orgs;
pub mod product_access;
pub mod products;
pub mod rate_budgets;
pub mod redaction;
pub mod reports;
pub mod retention;
pub mod sealed_columns;
pub mod security_alerts;
pub mod sessions;
pub mod sign_in_throttle;
pub mod sync_runs;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod work_items;

pub use db::{Db, DbKind, Tx};
pub use error::StoreError;
pub use migrate::MIGRATIONS;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Timestamps are kept to the microsecond so that both databases store and return the same value.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
pub mod testing;
