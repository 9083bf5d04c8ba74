//! The only places where SQLite and PostgreSQL need different SQL.

use crate::Result;
use crate::db::Tx;

/// Serialises writers of one product's work items for the rest of the transaction. Matching reads
/// the product's work items and then writes, so two workers must not interleave. On SQLite the
/// transaction already holds the database's write lock (`BEGIN IMMEDIATE`); on PostgreSQL we take
/// a transaction-scoped advisory lock keyed by the product.
pub async fn lock_product(tx: &mut Tx, product: jetson_domain::ProductId) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        let key = i64::from_le_bytes(product.as_uuid().as_bytes()[8..16].try_into().expect("8 bytes"));
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut **t).await?;
    }
    Ok(())
}

/// [`lock_product`] without waiting: false when another transaction holds the product (a worker
/// analysing it), so the caller can do other work meanwhile. Always true on SQLite.
pub async fn try_lock_product(tx: &mut Tx, product: jetson_domain::ProductId) -> Result<bool> {
    if let Tx::Postgres(t) = tx {
        let key = i64::from_le_bytes(product.as_uuid().as_bytes()[8..16].try_into().expect("8 bytes"));
        let locked: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(key).fetch_one(&mut **t).await?;
        return Ok(locked);
    }
    Ok(true)
}

/// Serialises writers of one organisation's audit trail (each record names the one before it).
pub async fn lock_audit(tx: &mut Tx, org: jetson_domain::OrgId) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        let key = i64::from_le_bytes(org.as_uuid().as_bytes()[8..16].try_into().expect("8 bytes")) ^ 0x000a_0d17;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut **t).await?;
    }
    Ok(())
}

/// The claim query for the job queue: PostgreSQL skips rows other workers hold; SQLite has one
/// writer at a time, so the plain subquery is already exclusive.
pub const CLAIM_JOB_SQLITE: &str =
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, locked_by = $2
     WHERE id = (SELECT id FROM jobs
                 WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)
                 ORDER BY run_at, id LIMIT 1)
     RETURNING id, kind, payload, attempts, max_attempts";

pub const CLAIM_JOB_POSTGRES: &str =
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, locked_by = $2
     WHERE id = (SELECT id FROM jobs
                 WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)
                 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, attempts, max_attempts";
