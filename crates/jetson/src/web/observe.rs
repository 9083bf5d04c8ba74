//! The outermost middleware: gives every request an id, and records what it did.
//!
//! The id is the caller's `X-Request-Id` when it is a sane token (a proxy's, so one id follows the
//! request through both logs), else a new one. It comes back in the `X-Request-Id` response
//! header, in every API error body (`error.request_id`), and in every log line written while the
//! request runs (the `request` span), so a user's error report leads to its log lines.
//!
//! Each request counts once in `jetson_http_requests_total` and
//! `jetson_http_request_duration_seconds` under its route's pattern (`/items/{id}`, never the
//! concrete path, so ids neither leak into metrics nor explode their cardinality); webhook
//! deliveries also count as accepted or rejected per provider.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::telemetry;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if this runs inside one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string);
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req).instrument(span.clone())).await;
    let status = response.status();
    let elapsed = started.elapsed();
    span.in_scope(|| tracing::debug!(status = status.as_u16(), ms = elapsed.as_millis() as u64, "answered"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status_label = status.as_u16().to_string();
    if let Some(provider) = route.strip_prefix("/webhooks/").and_then(|r| r.split('/').next()) {
        let outcome = if status.is_success() { "accepted" } else { "rejected" };
        metrics::counter!(telemetry::WEBHOOKS, "provider" => provider.to_string(), "outcome" => outcome).increment(1);
    }
    metrics::counter!(telemetry::HTTP_REQUESTS, "route" => route.clone(), "method" => method.clone(), "status" => status_label)
        .increment(1);
    metrics::histogram!(telemetry::HTTP_DURATION, "route" => route, "method" => method).record(elapsed.as_secs_f64());
    response
}
