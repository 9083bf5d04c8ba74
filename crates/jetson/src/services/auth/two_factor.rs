//! Two-factor sign-in for a person: setting it up (a secret shown as a QR code, confirmed by a
//! code from the app), ten one-time recovery codes (shown once, stored hashed), checking the
//! second factor of a sign-in, and turning it off. Every change is audited.

use anyhow::Context;
use jetson_domain::{OrgId, UserId};
use jetson_store::two_factor;

use super::totp;
use crate::secret;
use crate::services::actions::Actor;
use crate::state::AppState;

/// What the secret is sealed for (it is sealed under the instance key, like other secrets).
pub const SEALED_SECRET: &str = "users.totp_secret";

const RECOVERY_CODES: usize = 10;

/// A secret being set up: what the page shows.
pub struct SetUp {
    /// The secret in base32, for typing by hand.
    pub secret: String,
    /// The `otpauth://` address as an SVG QR code.
    pub qr_svg: String,
}

/// Starts (or restarts) setting up two-factor: a new secret waits until a code confirms it.
pub async fn start(state: &AppState, user: UserId, email: &str) -> anyhow::Result<SetUp> {
    let secret = totp::new_secret();
    let encoded = totp::base32(&secret);
    let mut tx = state.db.begin().await?;
    two_factor::set_pending(&mut tx, user, &state.sealer()?.seal(SEALED_SECRET, &encoded)).await?;
    tx.commit().await?;
    Ok(SetUp { qr_svg: totp::qr_svg(&totp::otpauth_uri("Jetson", email, &secret))?, secret: encoded })
}

/// The secret being set up, to show again after a wrong code.
pub async fn pending(state: &AppState, user: UserId, email: &str) -> anyhow::Result<Option<SetUp>> {
    let Some(sealed) = two_factor::get(&state.db, user).await?.totp_pending_enc else { return Ok(None) };
    let encoded = state.sealer()?.open(SEALED_SECRET, &sealed).context("the pending secret does not open")?;
    let secret = totp::from_base32(&encoded).context("the pending secret is not base32")?;
    Ok(Some(SetUp { qr_svg: totp::qr_svg(&totp::otpauth_uri("Jetson", email, &secret))?, secret: encoded }))
}

/// Confirms the set-up with a code from the app; returns the recovery codes (to show once), or
/// `None` when the code is wrong.
pub async fn enable(
    state: &AppState,
    org: OrgId,
    actor: Actor<'_>,
    typed: &str,
) -> anyhow::Result<Option<Vec<String>>> {
    let Some(setup) = pending(state, actor.user_id, actor.email).await? else {
        anyhow::bail!("there is no two-factor set-up waiting: start again");
    };
    let secret = totp::from_base32(&setup.secret).context("the pending secret is not base32")?;
    let Some(step) = totp::matching_step(&secret, typed, jetson_store::now().timestamp()) else { return Ok(None) };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    two_factor::enable(&mut tx, actor.user_id, step, &hashes).await?;
    actor
        .record(&mut tx, org, "auth.two_factor_enabled", &format!("user:{}", actor.user_id), "authenticator app")
        .await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// New recovery codes replace the old ones (all of which stop working).
pub async fn renew_recovery_codes(state: &AppState, org: OrgId, actor: Actor<'_>) -> anyhow::Result<Vec<String>> {
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    two_factor::replace_recovery_codes(&mut tx, actor.user_id, &hashes).await?;
    actor.record(&mut tx, org, "auth.recovery_codes_renewed", &format!("user:{}", actor.user_id), "").await?;
    tx.commit().await?;
    Ok(codes)
}

pub async fn disable(state: &AppState, org: OrgId, actor: Actor<'_>) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    two_factor::disable(&mut tx, actor.user_id).await?;
    actor.record(&mut tx, org, "auth.two_factor_disabled", &format!("user:{}", actor.user_id), "").await?;
    tx.commit().await?;
    Ok(())
}

/// How a second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Code,
    /// A recovery code, with how many are left.
    RecoveryCode {
        left: i64,
    },
}

/// Checks the second factor a person typed: a current code from their app, each accepted once,
/// or one of their unused recovery codes. `None` when it is neither.
pub async fn check(state: &AppState, user: UserId, typed: &str) -> anyhow::Result<Option<Factor>> {
    let Some(sealed) = two_factor::get(&state.db, user).await?.totp_secret_enc else { return Ok(None) };
    let encoded = state.sealer()?.open(SEALED_SECRET, &sealed).context("the two-factor secret does not open")?;
    let secret = totp::from_base32(&encoded).context("the two-factor secret is not base32")?;
    if let Some(step) = totp::matching_step(&secret, typed, jetson_store::now().timestamp()) {
        // A code already used (or an older one) is refused: someone may have watched it typed.
        return Ok(two_factor::use_step(&state.db, user, step).await?.then_some(Factor::Code));
    }
    if two_factor::use_recovery_code(&state.db, user, &recovery_hash(typed)).await? {
        let left = two_factor::recovery_codes_left(&state.db, user).await?;
        return Ok(Some(Factor::RecoveryCode { left }));
    }
    Ok(None)
}

/// Ten codes like `k7q2m-x9fwd` (50 random bits each).
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            getrandom::fill(&mut bytes).expect("the OS random number generator works");
            let text = totp::base32(&bytes).to_lowercase();
            format!("{}-{}", &text[..5], &text[5..10])
        })
        .collect()
}

/// Recovery codes are compared without case, spaces or dashes, as people retype them.
fn recovery_hash(typed: &str) -> String {
    let normal: String = typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    secret::hash(&format!("recovery:{normal}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recovery_codes_are_ten_distinct_and_forgiving_to_retype() {
        let codes = super::new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(super::recovery_hash("K7Q2M X9FWD"), super::recovery_hash("k7q2m-x9fwd"));
    }
}
