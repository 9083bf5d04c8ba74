//! Building and running the application. Tests start it exactly the way `jetson serve` does.

use std::future::Future;

use anyhow::{Context, bail};
use jetson_store::Db;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Settings;
use crate::progress::Progress;
use crate::state::AppState;

mod serve;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, and binds the port (0 picks a free one).
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        settings.prepare()?;
        crate::telemetry::install();
        let db = Db::connect(&settings.database_url).await.context("connecting to the database")?;
        db.migrate().await.context("migrating the database")?;
        let listener = TcpListener::bind((settings.host, settings.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
        if settings.public_url.is_none() {
            let port = listener.local_addr().map(|a| a.port()).unwrap_or(settings.port);
            settings.public_url = Some(format!("http://{}:{port}", settings.host));
        }
        let state = AppState::new(db, settings)?;
        crate::services::keys::check_key(&state).await?;
        // Bodies stored by a version that kept them in the clear are sealed before anyone is served.
        if state.sealer().is_ok() {
            let sealed =
                crate::services::keys::seal_legacy_bodies(&state).await.context("sealing stored message bodies")?;
            if sealed > 0 {
                tracing::info!(sealed, "sealed message bodies stored before bodies were encrypted");
            }
            // Subjects and titles stored before they were redacted, likewise.
            if let Some(r) =
                crate::services::redaction::once_at_start(&state).await.context("redacting stored subjects")?
                && r.subjects_sealed + r.subjects_changed + r.work_items_changed > 0
            {
                tracing::info!(
                    subjects_sealed = r.subjects_sealed,
                    subjects_changed = r.subjects_changed,
                    work_items_changed = r.work_items_changed,
                    "re-redacted subjects and work-item titles stored before they were redacted"
                );
            }
        }
        Ok(Application { listener, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, running a job worker alongside when configured; lets
    /// both finish what they are doing before returning.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self
            .state
            .settings
            .run_worker
            .then(|| tokio::spawn(crate::jobs::worker::run_until_stopped(self.state.clone(), stop_rx)));
        if self.state.settings.run_worker
            && let Err(e) = crate::queue::helpscout_poll::schedule_all(&self.state).await
        {
            tracing::warn!(error = %format!("{e:#}"), "could not schedule Help Scout polling");
        }
        if self.state.settings.run_worker
            && let Err(e) = crate::queue::github_poll::schedule_all(&self.state).await
        {
            tracing::warn!(error = %format!("{e:#}"), "could not schedule GitHub polling");
        }
        if self.state.settings.run_worker
            && let Err(e) = crate::queue::retention::schedule_all(&self.state).await
        {
            tracing::warn!(error = %format!("{e:#}"), "could not schedule retention");
        }
        let app = crate::web::router::build(self.state.clone());
        let limits = serve::Limits {
            header_timeout: self.state.settings.header_timeout,
            max_connections: self.state.settings.max_connections,
            shutdown_grace: self.state.settings.shutdown_grace,
        };
        let served = serve::serve(self.listener, app, limits, async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await;
        if let Some(w) = worker {
            let _ = w.await;
        }
        self.state.db.close().await;
        served.context("serving HTTP")
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// A connected, migrated database and the shared state, for commands that do not serve HTTP.
pub async fn open(mut settings: Settings) -> anyhow::Result<AppState> {
    settings.prepare()?;
    let db = Db::connect(&settings.database_url).await.context("connecting to the database")?;
    db.migrate().await.context("migrating the database")?;
    let state = AppState::new(db, settings)?;
    crate::services::keys::check_key(&state).await?;
    Ok(state)
}

/// Runs every queued job now, with a progress bar over the conversations analysed. Ctrl-C or
/// SIGTERM stops it cleanly: the job in hand finishes (or goes back to the queue after the grace
/// period), and running the same command again does the rest.
pub async fn analyse_pending(state: &AppState) -> anyhow::Result<()> {
    let total = jetson_store::jobs::pending(&state.db).await?;
    let mut bar = Progress::new("analysing", total as u64);
    let (stop, stopping) = watch::channel(false);
    let signal = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let finished =
        crate::jobs::worker::drain_until_stopped(state, |left| bar.set((total - left).max(0) as u64), stopping).await;
    signal.abort();
    bar.finish();
    if !finished? {
        let left = jetson_store::jobs::pending(&state.db).await?;
        bail!("stopped with {left} job(s) still queued; nothing is lost: run the same command again to finish them");
    }
    let failed = jetson_store::jobs::failed(&state.db).await?;
    if !failed.is_empty() {
        bail!("{} job(s) failed; first error: {}", failed.len(), failed[0].last_error.as_deref().unwrap_or("unknown"));
    }
    Ok(())
}
