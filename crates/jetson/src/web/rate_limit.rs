//! The rate-limit middleware. An API request's bearer token is looked up here, once: a valid one
//! is the key of its budget, and anything else (no header, a made-up or expired token) spends the
//! client address's budget, so inventing headers buys nothing and adds no keys. What the lookup
//! found is left in the request for [`crate::web::caller::ApiCaller`]. A request over the limit
//! gets 429 with `Retry-After`. Webhooks (signed by the provider, which retries), static assets,
//! `/healthz`, `/readyz` and `/metrics` (a scraper's) are not limited.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jetson_store::tokens::{self, Authenticated};

use crate::rate_limit::Key;
use crate::secret;
use crate::state::AppState;
use crate::web::caller::{ClientAddress, PresentedToken, bearer};
use crate::web::error::ApiError;

pub async fn limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/webhooks/")
        || path.starts_with("/assets/")
        || path == "/healthz"
        || path == "/readyz"
        || path == "/metrics"
    {
        return next.run(req).await;
    }
    let api = path.starts_with("/api/");
    let address = Key::Address(ClientAddress::of(req.headers(), req.extensions(), state.settings.behind_proxy).0);
    let header = req.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    let key = match bearer(header).filter(|_| api) {
        Some(token) => match tokens::authenticate(&state.db, &secret::hash(token)).await {
            Ok(found) => {
                let key = match &found {
                    Authenticated::Valid(t) => Key::Token(t.id.as_uuid()),
                    _ => address,
                };
                req.extensions_mut().insert(PresentedToken(found));
                key
            }
            // The database is down: the handler's own lookup will say so.
            Err(_) => address,
        },
        None => address,
    };
    match state.rate_limiter.check(&key) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(wait, api),
    }
}

fn too_many(wait: Duration, api: bool) -> Response {
    metrics::counter!(crate::telemetry::RATE_LIMITED).increment(1);
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let retry = [(header::RETRY_AFTER, seconds.to_string())];
    if api {
        (retry, ApiError::TooManyRequests).into_response()
    } else {
        (StatusCode::TOO_MANY_REQUESTS, retry, "Too many requests. Wait a minute and try again.").into_response()
    }
}
