//! Argon2id password hashing. Hashing is deliberately slow and takes 19 MiB per password, so it
//! runs off the async threads, a few at a time: at most [`slots`] passwords are hashed at once,
//! a request waits [`WAIT`] for a slot and is then told to come back ([`Busy`]). Verification
//! works in memory kept per slot, so a burst of sign-ins cannot grow the process by 19 MiB each,
//! and what it used is the same few buffers afterwards.

use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::Semaphore;

/// How long a request waits for a hashing slot before it is answered 503.
pub const WAIT: Duration = Duration::from_secs(2);
/// Never more slots than this, whatever the core count: each holds 19 MiB.
const MAX_SLOTS: usize = 4;

/// Every hashing slot stayed taken for [`WAIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server is busy checking passwords; try again in a few seconds")
    }
}

impl std::error::Error for Busy {}

struct Slots {
    permits: Semaphore,
    /// Argon2 working memory, one buffer per slot, reused.
    buffers: Mutex<Vec<Vec<Block>>>,
}

static SLOTS: LazyLock<Slots> =
    LazyLock::new(|| Slots { permits: Semaphore::new(slots()), buffers: Mutex::new(Vec::new()) });

/// Passwords hashed at once: the cores, at most [`MAX_SLOTS`].
pub fn slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_SLOTS)
}

/// Runs `work` on a blocking thread with a slot and its buffer, or gives up after [`WAIT`].
async fn in_slot<T: Send + 'static>(work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Result<T, Busy> {
    let permit = tokio::time::timeout(WAIT, SLOTS.permits.acquire()).await.map_err(|_| Busy)?.map_err(|_| Busy)?;
    let out = tokio::task::spawn_blocking(move || {
        let mut buffer = SLOTS.buffers.lock().map(|mut b| b.pop()).ok().flatten().unwrap_or_default();
        let out = work(&mut buffer);
        if let Ok(mut buffers) = SLOTS.buffers.lock() {
            buffers.push(buffer);
        }
        out
    })
    .await
    .map_err(|_| Busy);
    drop(permit);
    out
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    in_slot(move |_| {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub async fn verify(password: String, stored: String) -> Result<bool, Busy> {
    in_slot(move |buffer| verify_in(buffer, password.as_bytes(), &stored)).await
}

/// Argon2's own verification, with its working memory from `buffer` (grown to fit when a hash
/// asks for more than the buffer holds, as one made with stronger parameters may).
fn verify_in(buffer: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&hash), Algorithm::try_from(hash.algorithm.as_str())) else {
        return false;
    };
    let Ok(version) = hash.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
    let blocks = params.block_count();
    if buffer.len() < blocks {
        buffer.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon.hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut buffer[..blocks]).is_err() {
        return false;
    }
    // Output's equality is constant-time.
    Output::new(&out).is_ok_and(|computed| &computed == expected)
}

/// A hash to verify against when the account does not exist, so that an unknown email costs the
/// same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default().hash_password(b"not a real password").map(|h| h.to_string()).unwrap_or_default()
    })
}

/// Why a new password is refused: too short, too long, or guessable (zxcvbn score below 3, which
/// its authors call "safely unguessable": about 10^8 guesses or more), with zxcvbn's own advice.
pub fn weakness(password: &str, user_inputs: &[&str]) -> Option<String> {
    let chars = password.chars().count();
    if chars < 10 {
        return Some(
            "Use at least 10 characters; a few unrelated words are easy to remember and hard to guess.".into(),
        );
    }
    if chars > 128 {
        return Some("Use at most 128 characters.".into());
    }
    let entropy = zxcvbn::zxcvbn(password, user_inputs);
    if entropy.score() >= zxcvbn::Score::Three {
        return None;
    }
    let mut message = String::from("That password is too easy to guess.");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push_str(&format!(" {warning}"));
        }
        for suggestion in feedback.suggestions() {
            message.push_str(&format!(" {suggestion}"));
        }
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    #[test]
    fn guessable_passwords_are_refused_with_advice() {
        assert!(super::weakness("short", &[]).unwrap().contains("at least 10"));
        let common = super::weakness("password123", &[]).unwrap();
        assert!(common.contains("too easy to guess"), "{common}");
        let own = super::weakness("ada.lovelace", &["ada@example.com", "Ada Lovelace"]).unwrap();
        assert!(own.contains("too easy"), "{own}");
        assert_eq!(super::weakness("correct horse battery staple", &[]), None);
        assert_eq!(super::weakness("tulip-engine-57-quarry", &[]), None);
        assert!(super::weakness(&"x".repeat(500), &[]).unwrap().contains("at most"));
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let h = super::hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_eq!(super::verify("correct horse".into(), h.clone()).await, Ok(true));
        assert_eq!(super::verify("wrong horse".into(), h.clone()).await, Ok(false));
        assert_eq!(super::verify("x".into(), "garbage".into()).await, Ok(false));
        // The same answers as Argon2's own verification, including for other parameters.
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let strong = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(32 * 1024, 3, 1, None).unwrap(),
        )
        .hash_password(b"pw")
        .unwrap()
        .to_string();
        assert!(argon2::Argon2::default().verify_password(b"pw", strong.as_str()).is_ok());
        assert_eq!(super::verify("pw".into(), strong.clone()).await, Ok(true));
        assert_eq!(super::verify("pW".into(), strong).await, Ok(false));
    }
}
