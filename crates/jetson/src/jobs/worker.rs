//! The worker loop: claim a due job under a lease, keep the lease alive while it runs, record
//! success (inside the job's own transaction) or failure (retry with exponential back-off and
//! jitter), and stop cleanly when asked.

use std::time::Duration;

use jetson_store::jobs;
use tokio::sync::watch;

use crate::state::AppState;
use crate::telemetry;

/// Short enough that a crashed worker's job is picked up again soon; the heartbeat keeps a live
/// worker's lease from running out.
const LEASE_MS: i64 = 20_000;
const IDLE_POLL: Duration = Duration::from_millis(250);
/// A job whose product another worker is analysing waits this long before it is due again.
const BUSY_RETRY_MS: i64 = 200;

pub fn worker_name() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

/// Claims and runs one job. Returns false when nothing was due.
pub async fn run_one(state: &AppState, worker: &str) -> anyhow::Result<bool> {
    run_one_until(state, worker, std::future::pending()).await
}

/// Claims and runs one job; if `cut_off` completes first, the job is abandoned (its open
/// transaction rolls back) and handed back to the queue for the next worker.
async fn run_one_until(state: &AppState, worker: &str, cut_off: impl Future<Output = ()>) -> anyhow::Result<bool> {
    let Some(job) = jobs::claim(&state.db, worker, LEASE_MS).await? else {
        return Ok(false);
    };
    let heartbeat = {
        let (db, id, worker) = (state.db.clone(), job.id, worker.to_string());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(LEASE_MS as u64 / 3)).await;
                if !matches!(jobs::heartbeat(&db, id, &worker, LEASE_MS).await, Ok(true)) {
                    break;
                }
            }
        })
    };
    let result = tokio::select! {
        result = crate::jobs::run(state, &job, worker) => Some(result),
        () = cut_off => None,
    };
    heartbeat.abort();
    let Some(result) = result else {
        let released = jobs::release(&state.db, job.id, worker, 0).await?;
        metrics::counter!(telemetry::JOBS_FINISHED, "kind" => job.kind.clone(), "outcome" => "released").increment(1);
        tracing::warn!(job.kind = %job.kind, job.id = %job.id, released, "stopping: the job ran past the grace period and goes back to the queue");
        return Ok(true);
    };
    if let Err(e) = &result
        && e.downcast_ref::<crate::services::pipeline::ProductBusy>().is_some()
    {
        jobs::release(&state.db, job.id, worker, BUSY_RETRY_MS).await?;
        metrics::counter!(telemetry::JOBS_FINISHED, "kind" => job.kind.clone(), "outcome" => "deferred").increment(1);
        return Ok(true);
    }
    let outcome = if result.is_ok() { "done" } else { "failed" };
    metrics::counter!(telemetry::JOBS_FINISHED, "kind" => job.kind.clone(), "outcome" => outcome).increment(1);
    if let Err(e) = result {
        let delay = backoff_ms(job.attempts);
        tracing::warn!(job.kind = %job.kind, job.id = %job.id, job.attempts = job.attempts, error = %format!("{e:#}"), "job failed");
        jobs::fail(&state.db, &job, worker, &format!("{e:#}"), delay).await?;
    }
    Ok(true)
}

/// Runs jobs until none is queued or running (used by tests). A job leased by a worker that died
/// is waited for until its lease runs out, then run here.
pub async fn drain(state: &AppState, progress: impl FnMut(i64)) -> anyhow::Result<()> {
    let (_keep, never) = watch::channel(false);
    drain_until_stopped(state, progress, never).await.map(|_| ())
}

/// [`drain`], stopping early when `stop` turns true: the job in hand finishes, or goes back to the
/// queue after the grace period. Returns false when it stopped with work left.
pub async fn drain_until_stopped(
    state: &AppState,
    mut progress: impl FnMut(i64),
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<bool> {
    let worker = worker_name();
    let grace = state.settings.shutdown_grace;
    let mut told = false;
    loop {
        if *stop.borrow() {
            return Ok(jobs::pending(&state.db).await? == 0);
        }
        let mut stopped = stop.clone();
        if run_one_until(state, &worker, grace_after(&mut stopped, grace)).await? {
            progress(jobs::pending(&state.db).await?);
            continue;
        }
        if jobs::pending(&state.db).await? == 0 {
            return Ok(true);
        }
        if !told {
            eprintln!("waiting for work held by another (or a stopped) worker; it is taken over when its lease ends");
            told = true;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Runs jobs until `stop` turns true; finishes the job in hand before returning, or, if that
/// takes longer than the shutdown grace period, hands it back to the queue.
pub async fn run_until_stopped(state: AppState, mut stop: watch::Receiver<bool>) {
    let worker = worker_name();
    tracing::info!(worker = %worker, "worker started");
    let grace = state.settings.shutdown_grace;
    while !*stop.borrow() {
        let mut stopped = stop.clone();
        match run_one_until(&state, &worker, grace_after(&mut stopped, grace)).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "worker could not reach the job queue"),
        }
        tokio::select! {
            _ = tokio::time::sleep(IDLE_POLL) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!(worker = %worker, "worker stopped");
}

/// Completes `grace` after `stop` turns true (never, if its sender goes without saying stop).
async fn grace_after(stop: &mut watch::Receiver<bool>, grace: Duration) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(grace).await;
}

/// 2^attempts seconds, capped at an hour, plus up to 25% jitter so retries do not stampede.
fn backoff_ms(attempts: i64) -> i64 {
    let base = 1000i64.saturating_mul(1 << attempts.clamp(0, 12)).min(3_600_000);
    let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as i64 * base / 4000;
    base + jitter
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        let a = super::backoff_ms(1);
        assert!((2000..=2500).contains(&a), "{a}");
        assert!(super::backoff_ms(30) <= 3_600_000 * 5 / 4);
    }
}
