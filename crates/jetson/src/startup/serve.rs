//! Serving HTTP with the limits `axum::serve` has no setting for: a slow client may take at most
//! the header timeout to send a request's headers (the same clock runs while a kept-alive
//! connection waits for its next request, so it is the idle timeout too), and at most
//! `max_connections` connections are served at once; more wait in the listen queue until one
//! closes. Hundreds of clients trickling headers therefore cannot hold the server: they are cut
//! off, and the connections left serve everyone else.
//!
//! The loop is axum's own `serve` with those two settings added (hyper's header-read timeout
//! needs a timer, which axum does not give it).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::{Service, ServiceExt};

pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    /// How long open requests may take to finish once `shutdown` completes.
    pub shutdown_grace: Duration,
}

/// Serves `router` until `shutdown` completes, then stops accepting and lets open requests finish
/// for up to the grace period.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Dropping `stop` tells every connection to finish; `done` closes when the last one has.
    let (stop, stopping) = watch::channel(());
    let (done, all_done) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = make_service.call(peer).await.unwrap_or_else(|e: Infallible| match e {});
        let service = TowerToHyperService::new(service.map_request(|req: Request<Incoming>| req.map(Body::new)));
        let mut stopping = stopping.clone();
        let all_done = all_done.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
            builder.http2().timer(TokioTimer::new()).keep_alive_interval(header_timeout);
            let mut conn = pin!(builder.serve_connection_with_upgrades(TokioIo::new(stream), service));
            let mut finishing = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = stopping.changed(), if !finishing => {
                        finishing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop((permit, all_done));
        });
    }
    drop(listener);
    drop(stop);
    drop(all_done);
    if tokio::time::timeout(limits.shutdown_grace, done.closed()).await.is_err() {
        tracing::warn!("stopping: requests still open after the grace period are cut off");
    }
    Ok(())
}
