//! Request rate limits per API token and per client address: a fixed one-minute window per key,
//! kept in this process's memory (each `jetson serve` limits what it serves itself). A request
//! over the limit gets 429 with `Retry-After`. Webhooks (signed by the provider, which retries)
//! and static assets are not limited.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::extract::ClientAddress;
use crate::auth::secret;
use crate::error::ApiError;
use crate::state::AppState;

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many keys, windows that have ended are dropped, so memory stays bounded.
const PRUNE_AT: usize = 10_000;

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// `per_minute` 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a request for `key`; over the limit, how long until its window ends.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= PRUNE_AT {
            windows.retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
        }
        let (started, count) = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(*started) >= WINDOW {
            *started = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            return Err(WINDOW - now.duration_since(*started));
        }
        *count += 1;
        Ok(())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_minute_and_others_are_not_affected() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("a", t0).is_ok());
        }
        let wait = limiter.check("a", t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40), "until the window ends");
        assert!(limiter.check("b", t0).is_ok(), "keys do not share");
        assert!(limiter.check("a", t0 + Duration::from_secs(60)).is_ok(), "a new window");
        assert!(RateLimiter::new(0).check("a", t0).is_ok(), "0 turns it off");
    }
}
