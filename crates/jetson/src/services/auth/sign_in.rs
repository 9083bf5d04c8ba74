//! Signing in: checking a password and opening a session. Unknown accounts cost the same time as
//! wrong passwords (a dummy hash is verified), so timing does not reveal who has an account.
//!
//! Failures are counted per account (a hash of the address typed, whether or not it has an
//! account, so a lockout reveals nothing either) and per client address; too many lock that key
//! for a while, across every Jetson process. Sign-ins and failures of real accounts go to the
//! audit trail of the organisation signed into.

use std::net::IpAddr;

use jetson_domain::{Email, OrgId};
use jetson_store::sign_in_throttle::{self, Limit, Reservation};
use jetson_store::{sessions, two_factor, users};

use super::password;
use crate::secret;
use crate::services::actions::Actor;
use crate::state::AppState;
use crate::telemetry;

pub const SESSION_DAYS: i64 = 7;

/// Five wrong passwords for one account within 15 minutes lock it for 15 minutes.
const PER_ACCOUNT: Limit = Limit { failures: 5, window_ms: 15 * 60_000, lock_ms: 15 * 60_000 };
/// Twenty failures from one address (any accounts) within 15 minutes lock the address.
const PER_ADDRESS: Limit = Limit { failures: 20, window_ms: 15 * 60_000, lock_ms: 15 * 60_000 };

pub enum Outcome {
    /// The new session's token.
    SignedIn(String),
    /// The password was right and the person has two-factor on: the token of the sign-in waiting
    /// for the second factor.
    SecondFactor(String),
    /// Wrong email or password (or no organisation to sign into).
    Refused,
    /// Too many failures: try again after this many seconds.
    Locked { retry_after_s: i64 },
    /// Every password-hashing slot stayed taken: try again in a moment.
    Busy,
}

enum Reserved {
    Allowed { account_locks: bool },
    Locked { retry_after_s: i64 },
}

/// Counts this attempt against every key before anything is checked (see
/// [`sign_in_throttle::reserve`]); refused when any key is over its limit.
async fn reserve(state: &AppState, keys: &[(String, Limit)], now_ms: i64) -> anyhow::Result<Reserved> {
    let mut account_locks = false;
    for (i, (key, limit)) in keys.iter().enumerate() {
        match sign_in_throttle::reserve(&state.db, key, *limit, now_ms).await? {
            Reservation::Allowed { locks } => account_locks |= i == 0 && locks,
            Reservation::Locked { retry_after_ms } => {
                return Ok(Reserved::Locked { retry_after_s: (retry_after_ms + 999) / 1000 });
            }
        }
    }
    Ok(Reserved::Allowed { account_locks })
}

/// Gives back the attempt [`reserve`] counted against each key.
async fn refund(state: &AppState, keys: &[(String, Limit)]) -> anyhow::Result<()> {
    for (key, limit) in keys {
        sign_in_throttle::refund(&state.db, key, *limit).await?;
    }
    Ok(())
}

/// What an attempt counts against: the account typed (first), and the client's address.
fn throttle_keys(email: &str, address: Option<IpAddr>) -> Vec<(String, Limit)> {
    std::iter::once((account_key(email), PER_ACCOUNT)).chain(address.map(|a| (address_key(a), PER_ADDRESS))).collect()
}

fn account_key(email: &str) -> String {
    format!("account:{}", secret::hash(&email.trim().to_lowercase()))
}

fn address_key(address: IpAddr) -> String {
    format!("address:{}", secret::hash(&address.to_string()))
}

fn actor(user: &users::User) -> Actor<'_> {
    Actor { user_id: user.id, email: &user.email }
}

fn target(user: &users::User) -> String {
    format!("user:{}", user.id)
}

/// Signs a person in to their oldest organisation.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    given_password: String,
    address: Option<IpAddr>,
    user_agent: &str,
) -> anyhow::Result<Outcome> {
    let now_ms = jetson_store::now().timestamp_millis();
    let keys = throttle_keys(email, address);
    let account_locks = match reserve(state, &keys, now_ms).await? {
        Reserved::Allowed { account_locks } => account_locks,
        Reserved::Locked { retry_after_s } => {
            metrics::counter!(telemetry::SIGN_IN_FAILURES, "reason" => "throttled").increment(1);
            return Ok(Outcome::Locked { retry_after_s });
        }
    };
    let user = match Email::parse(email) {
        Ok(email) => users::find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().map_or_else(|| password::dummy_hash().to_string(), |u| u.password_hash.clone());
    let ok = match password::verify(given_password, stored).await {
        Ok(ok) => ok,
        Err(password::Busy) => return Ok(Outcome::Busy),
    };
    let org = match &user {
        Some(u) => users::memberships(&state.db, u.id).await?.into_iter().next().map(|(org, _)| org),
        None => None,
    };
    let (Some(user), Some(org), true) = (&user, org, ok) else {
        metrics::counter!(telemetry::SIGN_IN_FAILURES, "reason" => "password").increment(1);
        if let (Some(user), Some(org)) = (&user, org) {
            let mut tx = state.db.begin().await?;
            actor(user).record(&mut tx, org, "auth.sign_in_failed", &target(user), "wrong password").await?;
            tx.commit().await?;
            if account_locks {
                crate::services::alerts::account_locked(state, org, user.id, &user.email, PER_ACCOUNT.lock_ms / 60_000)
                    .await?;
            }
        }
        return Ok(Outcome::Refused);
    };
    // The password was right: this attempt does not count against the address, nor (until the
    // second factor decides) against the account.
    refund(state, &keys).await?;
    // With two-factor on, the account's failures are forgiven only once the code is right too:
    // otherwise someone with the password could guess codes forever, a few per sign-in.
    if jetson_store::two_factor::get(&state.db, user.id).await?.enabled() {
        let token = secret::generate("");
        let expires = chrono::Utc::now() + chrono::Duration::minutes(CHALLENGE_MINUTES);
        let mut tx = state.db.begin().await?;
        two_factor::create_challenge(&mut tx, &secret::hash(&token), user.id, org, user_agent, expires).await?;
        tx.commit().await?;
        return Ok(Outcome::SecondFactor(token));
    }
    sign_in_throttle::clear(&state.db, &account_key(email)).await?;
    let token = open_session(state, user, org, user_agent, address, "password").await?;
    Ok(Outcome::SignedIn(token))
}

/// How long a sign-in waits for its second factor, and how many wrong codes it takes.
pub const CHALLENGE_MINUTES: i64 = 5;
const CHALLENGE_ATTEMPTS: i64 = 5;

pub enum SecondFactorOutcome {
    SignedIn(String),
    /// A wrong code; the sign-in still waits.
    Wrong,
    /// No such sign-in waiting: it expired, or took too many wrong codes. Start again.
    Expired,
}

/// The second factor of a sign-in whose password was right. Wrong codes count against the
/// sign-in (five end it) and against the account's throttle, like wrong passwords.
pub async fn second_factor(
    state: &AppState,
    challenge_token: &str,
    typed: &str,
    address: Option<IpAddr>,
) -> anyhow::Result<SecondFactorOutcome> {
    let hash = secret::hash(challenge_token);
    let Some(challenge) = two_factor::find_challenge(&state.db, &hash).await? else {
        return Ok(SecondFactorOutcome::Expired);
    };
    let user = users::get(&state.db, challenge.user_id).await?;
    let now_ms = jetson_store::now().timestamp_millis();
    // Each code counts against the account (and address) before it is checked, like a password;
    // locked meanwhile (wrong codes or passwords elsewhere): this sign-in is over.
    let keys = throttle_keys(&user.email, address);
    let account_locks = match reserve(state, &keys, now_ms).await? {
        Reserved::Allowed { account_locks } => account_locks,
        Reserved::Locked { .. } => return Ok(SecondFactorOutcome::Expired),
    };
    let factor = if challenge.attempts >= CHALLENGE_ATTEMPTS {
        None
    } else {
        super::two_factor::check(state, user.id, typed).await?
    };
    let Some(factor) = factor else {
        metrics::counter!(telemetry::SIGN_IN_FAILURES, "reason" => "second_factor").increment(1);
        if account_locks {
            let minutes = PER_ACCOUNT.lock_ms / 60_000;
            crate::services::alerts::account_locked(state, challenge.org_id, user.id, &user.email, minutes).await?;
        }
        let attempts = two_factor::challenge_failed(&state.db, &hash).await?;
        let mut tx = state.db.begin().await?;
        let org = challenge.org_id;
        actor(&user).record(&mut tx, org, "auth.sign_in_failed", &target(&user), "wrong two-factor code").await?;
        if attempts >= CHALLENGE_ATTEMPTS {
            two_factor::delete_challenge(&mut tx, &hash).await?;
        }
        tx.commit().await?;
        return Ok(if attempts >= CHALLENGE_ATTEMPTS {
            SecondFactorOutcome::Expired
        } else {
            SecondFactorOutcome::Wrong
        });
    };
    let how = match factor {
        super::two_factor::Factor::Code => "password and authenticator code".to_string(),
        super::two_factor::Factor::RecoveryCode { left } => {
            format!("password and recovery code ({left} left)")
        }
    };
    refund(state, &keys[1..]).await?;
    sign_in_throttle::clear(&state.db, &account_key(&user.email)).await?;
    let mut tx = state.db.begin().await?;
    two_factor::delete_challenge(&mut tx, &hash).await?;
    tx.commit().await?;
    let token = open_session(state, &user, challenge.org_id, &challenge.user_agent, address, &how).await?;
    Ok(SecondFactorOutcome::SignedIn(token))
}

/// A new session for `user` in `org`, recorded as a sign-in by `how`.
pub(crate) async fn open_session(
    state: &AppState,
    user: &users::User,
    org: OrgId,
    user_agent: &str,
    address: Option<IpAddr>,
    how: &str,
) -> anyhow::Result<String> {
    let token = secret::generate("");
    let mut tx = state.db.begin().await?;
    sessions::create(
        &mut tx,
        sessions::NewSession {
            token_hash: &secret::hash(&token),
            user_id: user.id,
            org_id: org,
            csrf_token: &secret::generate(""),
            expires_at: chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS),
            user_agent,
        },
    )
    .await?;
    actor(user).record(&mut tx, org, "auth.sign_in", &target(user), how).await?;
    crate::services::alerts::signed_in(&mut tx, org, user.id, &user.email, user_agent, address).await?;
    tx.commit().await?;
    Ok(token)
}
