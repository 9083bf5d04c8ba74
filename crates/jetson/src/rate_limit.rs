//! Request rate limits, per key, kept in this process's memory (each `jetson serve` limits what it
//! serves itself) by `governor`'s keyed limiter: GCRA, so each request costs the same whatever the
//! number of keys, and a key's budget of `per_minute` refills evenly over the minute. Keys whose
//! budget is full again are forgotten every [`PRUNE_EVERY`] checks, so memory holds only the keys
//! of the last minute. The middleware that keys requests by verified API token or client address
//! is `web::rate_limit`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Checks between two sweeps of keys that are no longer limited.
const PRUNE_EVERY: u64 = 4096;

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A verified API token, by its id.
    Token(uuid::Uuid),
    /// The client's address: requests without a token, or with one that is not valid.
    Address(Option<IpAddr>),
}

pub struct RateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<Key>>,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_minute` 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        let limiter = NonZeroU32::new(per_minute).map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)));
        RateLimiter { limiter, checks: AtomicU64::new(0) }
    }

    /// Counts a request for `key`; over the limit, how long until it may come back.
    pub fn check(&self, key: &Key) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// How many keys are held now (for tests and the curious).
    pub fn keys(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| {
            l.retain_recent();
            l.len()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_budget_others_keep_theirs_and_zero_turns_it_off() {
        let limiter = RateLimiter::new(3);
        let a = Key::Address(Some([10, 0, 0, 1].into()));
        for _ in 0..3 {
            assert!(limiter.check(&a).is_ok());
        }
        let wait = limiter.check(&a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "one request back within a third of a minute: {wait:?}"
        );
        assert!(limiter.check(&Key::Token(uuid::Uuid::nil())).is_ok(), "keys do not share");
        assert_eq!(limiter.keys(), 2);
        let off = RateLimiter::new(0);
        assert!((0..1000).all(|_| off.check(&a).is_ok()), "0 turns it off");
    }
}
