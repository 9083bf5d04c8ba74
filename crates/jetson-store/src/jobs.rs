//! The job queue. A job is claimed under a lease (`locked_until`); a worker that dies simply lets
//! the lease run out and another worker claims the job again. A job that fails is retried with
//! exponential back-off and jitter until `max_attempts`, then marked `failed` with its last error.
//! `dedup_key` is unique, so enqueueing the same work twice is harmless.

use jetson_domain::JobId;
use serde_json::Value;
use sqlx::types::Json;

use crate::db::{on_pool, on_tx};
use crate::{Db, Result, Tx, dialect};

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: Value,
    pub dedup_key: Option<String>,
    pub max_attempts: i64,
}

/// Queues a job unless one with the same dedup key exists. Returns whether it was queued.
pub async fn enqueue(tx: &mut Tx, job: NewJob<'_>) -> Result<bool> {
    enqueue_at(tx, job, now_ms()).await
}

/// Like [`enqueue`], for a job that is not due before `run_at_ms`.
pub async fn enqueue_at(tx: &mut Tx, job: NewJob<'_>, run_at_ms: i64) -> Result<bool> {
    let sql = "INSERT INTO jobs (id, kind, payload, dedup_key, status, attempts, max_attempts, run_at, created_at)
               VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING";
    let now = now_ms();
    let done = on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(JobId::new().as_uuid())
            .bind(job.kind)
            .bind(Json(&job.payload))
            .bind(&job.dedup_key)
            .bind(job.max_attempts)
            .bind(run_at_ms)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: JobId,
    pub kind: String,
    pub payload: Value,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Claims the next due job (or one whose lease ran out) for `worker`, for `lease_ms`.
pub async fn claim(db: &Db, worker: &str, lease_ms: i64) -> Result<Option<Claimed>> {
    let now = now_ms();
    type Row = (uuid::Uuid, String, Json<Value>, i64, i64);
    let row: Option<Row> = match db {
        Db::Sqlite(p) => {
            sqlx::query_as(dialect::CLAIM_JOB_SQLITE)
                .bind(now + lease_ms)
                .bind(worker)
                .bind(now)
                .fetch_optional(p)
                .await?
        }
        Db::Postgres(p) => {
            sqlx::query_as(dialect::CLAIM_JOB_POSTGRES)
                .bind(now + lease_ms)
                .bind(worker)
                .bind(now)
                .fetch_optional(p)
                .await?
        }
    };
    Ok(row.map(|(id, kind, Json(payload), attempts, max_attempts)| Claimed {
        id: id.into(),
        kind,
        payload,
        attempts,
        max_attempts,
    }))
}

/// Extends the lease of a job this worker still holds. Returns false if it lost the job.
pub async fn heartbeat(db: &Db, id: JobId, worker: &str, lease_ms: i64) -> Result<bool> {
    let sql = "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND status = 'running'";
    let until = now_ms() + lease_ms;
    let done = on_pool!(db, |p| sqlx::query(sql)
        .bind(until)
        .bind(id.as_uuid())
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks the job done inside the transaction that holds its effects, so the effects and the
/// completion commit together or not at all. Returns false if another worker took the job over
/// (the caller must then roll back).
pub async fn complete(tx: &mut Tx, id: JobId, worker: &str) -> Result<bool> {
    let sql = "UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = $1
               WHERE id = $2 AND locked_by = $3 AND status = 'running'";
    let now = now_ms();
    let done = on_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(id.as_uuid())
        .bind(worker)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Hands a job this worker holds back to the queue, to run in `run_in_ms`, without counting the
/// attempt: the worker is stopping, or the job's product is busy, not the job failing. Returns
/// false if another worker had taken it over.
pub async fn release(db: &Db, id: JobId, worker: &str, run_in_ms: i64) -> Result<bool> {
    let sql = "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = $1, locked_until = NULL,
               locked_by = NULL WHERE id = $2 AND locked_by = $3 AND status = 'running'";
    let done = on_pool!(db, |p| sqlx::query(sql)
        .bind(now_ms() + run_in_ms)
        .bind(id.as_uuid())
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Records a failure: back to the queue after `retry_in_ms`, or `failed` for good once the job has
/// used its attempts.
pub async fn fail(db: &Db, job: &Claimed, worker: &str, error: &str, retry_in_ms: i64) -> Result<()> {
    let now = now_ms();
    let last = job.attempts >= job.max_attempts;
    let sql = "UPDATE jobs SET status = $1, run_at = $2, locked_until = NULL, last_error = $3, finished_at = $4
               WHERE id = $5 AND locked_by = $6";
    let (status, finished) = if last { ("failed", Some(now)) } else { ("queued", None) };
    let error: String = error.chars().take(2000).collect();
    on_pool!(db, |p| {
        sqlx::query(sql)
            .bind(status)
            .bind(now + retry_in_ms)
            .bind(error)
            .bind(finished)
            .bind(job.id.as_uuid())
            .bind(worker)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Jobs not yet finished (queued or running): what a worker still has to do.
/// Dedup keys of jobs that reschedule themselves for ever (polling); [`pending`] ignores them.
pub const PERIODIC_PREFIX: &str = "periodic:";

/// Jobs queued or running, except periodic ones: what "wait until the work is done" waits for.
pub async fn pending(db: &Db) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')
               AND (dedup_key IS NULL OR dedup_key NOT LIKE 'periodic:%')";
    Ok(on_pool!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn failed(db: &Db) -> Result<Vec<JobRow>> {
    let sql = "SELECT kind, status, attempts, last_error FROM jobs WHERE status = 'failed' ORDER BY created_at";
    Ok(on_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await)?)
}

/// The queue of one job kind, as a metric reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindQueue {
    pub kind: String,
    pub queued: i64,
    pub running: i64,
    /// How long the oldest job that is due has waited (0 when none is due).
    pub oldest_due_ms: i64,
}

/// Queued and running jobs by kind (kinds with neither are absent).
pub async fn queue_by_kind(db: &Db) -> Result<Vec<KindQueue>> {
    let sql = "SELECT kind,
                      SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                      MIN(CASE WHEN status = 'queued' AND run_at <= $1 THEN run_at END)
               FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind ORDER BY kind";
    let now = now_ms();
    let rows: Vec<(String, i64, i64, Option<i64>)> =
        on_pool!(db, |p| sqlx::query_as(sql).bind(now).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(kind, queued, running, oldest)| KindQueue {
            kind,
            queued,
            running,
            oldest_due_ms: oldest.map_or(0, |t| (now - t).max(0)),
        })
        .collect())
}

/// The queue after a benchmark's run, for checking that nothing was lost or done twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterRun {
    pub failed: i64,
    /// Queued or running (periodic jobs aside).
    pub unfinished: i64,
    /// Done, but only on a second or later attempt: a lease ran out, or a run failed and was retried.
    pub run_more_than_once: i64,
    pub unanalysed: i64,
    pub reports: i64,
}

pub async fn check_after_run(db: &Db) -> Result<AfterRun> {
    let one = |sql: &'static str| async move { on_pool!(db, |p| sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await) };
    Ok(AfterRun {
        failed: one("SELECT COUNT(*) FROM jobs WHERE status = 'failed'").await?,
        unfinished: pending(db).await?,
        run_more_than_once: one("SELECT COUNT(*) FROM jobs WHERE status = 'done' AND attempts > 1").await?,
        unanalysed: one("SELECT COUNT(*) FROM conversations WHERE analyzed_at IS NULL").await?,
        reports: one("SELECT COUNT(*) FROM reports").await?,
    })
}
