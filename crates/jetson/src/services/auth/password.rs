//! Argon2id password hashing. Hashing is deliberately slow, so it runs off the async threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), stored.as_str()).is_ok())
        .await
        .unwrap_or(false)
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
        assert!(super::verify("correct horse".into(), h.clone()).await);
        assert!(!super::verify("wrong horse".into(), h).await);
        assert!(!super::verify("x".into(), "garbage".into()).await);
    }
}
