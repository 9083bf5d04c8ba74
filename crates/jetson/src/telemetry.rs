//! Prometheus metrics: the names, the one recorder per process, and what is read from the database
//! at scrape time. Counters are recorded where things happen (the HTTP middleware, the worker, the
//! import writer, the analysis pipeline, redaction, sign-in); gauges that describe shared state
//! (the job queue, the connection pool) are read fresh on every scrape, so every process reports
//! the same queue and none keeps a stale copy.
//!
//! The names are listed in `docs/DEPLOY.md` and drawn in `docs/grafana-dashboard.json`.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use jetson_store::jobs::KindQueue;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "jetson_http_requests_total";
pub const HTTP_DURATION: &str = "jetson_http_request_duration_seconds";
pub const WEBHOOKS: &str = "jetson_webhooks_total";
pub const JOBS_FINISHED: &str = "jetson_jobs_finished_total";
pub const CONVERSATIONS_WRITTEN: &str = "jetson_conversations_written_total";
pub const CONVERSATIONS_ANALYSED: &str = "jetson_conversations_analysed_total";
pub const TEXTS_REDACTED: &str = "jetson_texts_redacted_total";
pub const BYTES_REDACTED: &str = "jetson_redacted_bytes_total";
pub const SIGN_IN_FAILURES: &str = "jetson_sign_in_failures_total";
pub const RATE_LIMITED: &str = "jetson_rate_limited_total";
const JOBS_QUEUED: &str = "jetson_jobs_queued";
const JOBS_RUNNING: &str = "jetson_jobs_running";
const JOBS_OLDEST_DUE: &str = "jetson_jobs_oldest_due_seconds";
const POOL_CONNECTIONS: &str = "jetson_db_pool_connections";
const POOL_IDLE: &str = "jetson_db_pool_idle_connections";

/// Request latency buckets, in seconds: pages take milliseconds, imports and exports seconds.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls, as in tests with many apps in one process,
/// reuse it). Before this, recording a metric does nothing.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), LATENCY_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder (a test harness's) may already be installed: keep ours for rendering.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by route, method and status");
    metrics::describe_histogram!(HTTP_DURATION, metrics::Unit::Seconds, "HTTP request latency, by route and method");
    metrics::describe_counter!(WEBHOOKS, "Webhook deliveries, by provider and outcome (accepted or rejected)");
    metrics::describe_counter!(JOBS_FINISHED, "Jobs finished, by kind and outcome (done, failed, released, deferred)");
    metrics::describe_counter!(
        CONVERSATIONS_WRITTEN,
        "Conversations written by imports, syncs and webhooks, by outcome"
    );
    metrics::describe_counter!(CONVERSATIONS_ANALYSED, "Conversations analysed");
    metrics::describe_counter!(TEXTS_REDACTED, "Texts passed through the redactor");
    metrics::describe_counter!(BYTES_REDACTED, metrics::Unit::Bytes, "Bytes passed through the redactor");
    metrics::describe_counter!(SIGN_IN_FAILURES, "Refused sign-ins, by reason (credentials or throttled)");
    metrics::describe_counter!(RATE_LIMITED, "Requests refused with 429 by the rate limiter");
    metrics::describe_gauge!(JOBS_QUEUED, "Jobs waiting in the queue, by kind (all processes)");
    metrics::describe_gauge!(JOBS_RUNNING, "Jobs being run, by kind (all processes)");
    metrics::describe_gauge!(
        JOBS_OLDEST_DUE,
        metrics::Unit::Seconds,
        "How long the oldest due job has waited, by kind"
    );
    metrics::describe_gauge!(POOL_CONNECTIONS, "Open database connections in this process's pool");
    metrics::describe_gauge!(POOL_IDLE, "Idle database connections in this process's pool");
}

/// The Prometheus text page: the shared gauges as just read (the queue of every process, this
/// process's pool), then everything recorded.
pub fn render(queues: &[KindQueue], (open, idle): (u32, usize)) -> String {
    static KINDS_SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let handle = install();
    let mut seen = KINDS_SEEN.lock().unwrap_or_else(|e| e.into_inner());
    // A kind whose queue emptied is absent from `queues` but must read 0, not its last value.
    for kind in seen.iter().filter(|k| !queues.iter().any(|q| &q.kind == *k)) {
        metrics::gauge!(JOBS_QUEUED, "kind" => kind.clone()).set(0.0);
        metrics::gauge!(JOBS_RUNNING, "kind" => kind.clone()).set(0.0);
        metrics::gauge!(JOBS_OLDEST_DUE, "kind" => kind.clone()).set(0.0);
    }
    for q in queues {
        seen.insert(q.kind.clone());
        metrics::gauge!(JOBS_QUEUED, "kind" => q.kind.clone()).set(q.queued as f64);
        metrics::gauge!(JOBS_RUNNING, "kind" => q.kind.clone()).set(q.running as f64);
        metrics::gauge!(JOBS_OLDEST_DUE, "kind" => q.kind.clone()).set(q.oldest_due_ms as f64 / 1000.0);
    }
    metrics::gauge!(POOL_CONNECTIONS).set(open as f64);
    metrics::gauge!(POOL_IDLE).set(idle as f64);
    handle.render()
}
