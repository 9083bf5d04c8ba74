//! The rate-limit middleware: the caller's API token if it sent one, else its address, is the key
//! of a [`RateLimiter`](crate::rate_limit::RateLimiter) window. A request over the limit gets 429
//! with `Retry-After`. Webhooks (signed by the provider, which retries) and static assets are not
//! limited.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::secret;
use crate::state::AppState;
use crate::web::caller::ClientAddress;
use crate::web::error::ApiError;

/// The middleware: the caller's API token if it sent one, else its address, is the key.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/webhooks/") || path.starts_with("/assets/") || path == "/healthz" {
        return next.run(req).await;
    }
    let token = req.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    let key = match token {
        Some(t) => format!("token:{}", secret::hash(t)),
        None => {
            let address = ClientAddress::of(req.headers(), req.extensions(), state.settings.behind_proxy);
            format!("address:{}", address.0.map(|a| a.to_string()).unwrap_or_default())
        }
    };
    match state.rate_limiter.check(&key, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(wait, path.starts_with("/api/")),
    }
}

fn too_many(wait: Duration, api: bool) -> Response {
    let seconds = wait.as_secs().max(1);
    let retry = [(header::RETRY_AFTER, seconds.to_string())];
    if api {
        (retry, ApiError::TooManyRequests).into_response()
    } else {
        (StatusCode::TOO_MANY_REQUESTS, retry, "Too many requests. Wait a minute and try again.").into_response()
    }
}
