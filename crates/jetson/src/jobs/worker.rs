//! The worker loop: claim a due job under a lease, keep the lease alive while it runs, record
//! success (inside the job's own transaction) or failure (retry with exponential back-off and
//! jitter), and stop cleanly when asked.

use std::time::Duration;

use jetson_store::jobs;
use tokio::sync::watch;

use crate::state::AppState;

/// Short enough that a crashed worker's job is picked up again soon; the heartbeat keeps a live
/// worker's lease from running out.
const LEASE_MS: i64 = 20_000;
const IDLE_POLL: Duration = Duration::from_millis(250);

pub fn worker_name() -> String {
    format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

/// Claims and runs one job. Returns false when nothing was due.
pub async fn run_one(state: &AppState, worker: &str) -> anyhow::Result<bool> {
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
    let result = crate::jobs::run(state, &job, worker).await;
    heartbeat.abort();
    if let Err(e) = result {
        let delay = backoff_ms(job.attempts);
        tracing::warn!(job.kind = %job.kind, job.id = %job.id, job.attempts = job.attempts, error = %format!("{e:#}"), "job failed");
        jobs::fail(&state.db, &job, worker, &format!("{e:#}"), delay).await?;
    }
    Ok(true)
}

/// Runs jobs until none is queued or running (used by the CLI and by tests). A job leased by a
/// worker that died is waited for until its lease runs out, then run here.
pub async fn drain(state: &AppState, mut progress: impl FnMut(i64)) -> anyhow::Result<()> {
    let worker = worker_name();
    let mut told = false;
    loop {
        if run_one(state, &worker).await? {
            progress(jobs::pending(&state.db).await?);
            continue;
        }
        if jobs::pending(&state.db).await? == 0 {
            return Ok(());
        }
        if !told {
            eprintln!("waiting for work held by another (or a stopped) worker; it is taken over when its lease ends");
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Runs jobs until `stop` turns true; finishes the job in hand before returning.
pub async fn run_until_stopped(state: AppState, mut stop: watch::Receiver<bool>) {
    let worker = worker_name();
    tracing::info!(worker = %worker, "worker started");
    while !*stop.borrow() {
        match run_one(&state, &worker).await {
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
