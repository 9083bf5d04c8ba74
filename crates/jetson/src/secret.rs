//! Random secrets (session tokens, API tokens, CSRF tokens, passwords) and their stored hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 256 random bits from the OS (two v4 UUIDs carry 244 of them), URL-safe, with a prefix that
/// says what the secret is for (`jt_` for API tokens), which makes leaked tokens easy to spot.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database stores instead of a token. Tokens are random and long, so a fast hash is
/// enough (unlike passwords).
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time equality for secrets compared in memory (CSRF tokens).
pub fn equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_unique_prefixed_and_hashed_stably() {
        let a = super::generate("jt_");
        assert!(a.starts_with("jt_") && a.len() > 40);
        assert_ne!(a, super::generate("jt_"));
        assert_eq!(super::hash(&a), super::hash(&a));
        assert!(super::equal(&a, &a.clone()) && !super::equal(&a, "jt_x"));
    }
}
