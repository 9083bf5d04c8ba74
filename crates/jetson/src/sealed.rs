//! Secrets at rest (provider tokens, app secrets, webhook secrets) are sealed with AES-256-GCM
//! under the instance's key. Each value is bound to what it is (`purpose`, as associated data), so
//! a sealed client secret pasted into the access-token column does not open.
//!
//! Format: `v1.` + base64url(12-byte random nonce ‖ ciphertext ‖ tag).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
    /// For keyed hashes (HMAC-SHA256), derived from the instance key and distinct from it.
    hash_key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a stored secret could not be decrypted (wrong JETSON_SECRET_KEY, or the value was altered)")]
pub struct Unsealable;

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        use sha2::Digest;
        let hash_key = sha2::Sha256::new().chain_update(b"jetson keyed hash v1").chain_update(key).finalize().into();
        Sealer { cipher: Aes256Gcm::new_from_slice(key).expect("a 32-byte key"), hash_key }
    }

    /// A short keyed hash of `value` within `context` (hex, 10 characters): the same value gives the
    /// same hash in the same context, and nobody without the key can tell what it was.
    pub fn keyed_hash(&self, context: &str, value: &str) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.hash_key).expect("HMAC takes keys of any length");
        mac.update(&(context.len() as u64).to_le_bytes());
        mac.update(context.as_bytes());
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..5])
    }

    pub fn seal(&self, purpose: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the OS random number generator works");
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext.as_bytes(), aad: purpose.as_bytes() })
            .expect("AES-GCM encryption of an in-memory value cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("v1.{}", URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, Unsealable> {
        let bytes = sealed.strip_prefix("v1.").and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or(Unsealable)?;
        if bytes.len() < 12 + 16 {
            return Err(Unsealable);
        }
        let nonce = Nonce::try_from(&bytes[..12]).map_err(|_| Unsealable)?;
        let plain = self
            .cipher
            .decrypt(&nonce, Payload { msg: &bytes[12..], aad: purpose.as_bytes() })
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

/// 32 random bytes, hex-encoded: what `JETSON_SECRET_KEY` holds.
pub fn generate_key_hex() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the OS random number generator works");
    hex::encode(key)
}

pub fn parse_key_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_purpose() {
        let key = parse_key_hex(&generate_key_hex()).unwrap();
        let s = Sealer::new(&key);
        let sealed = s.seal("token", "hunter2");
        assert!(!sealed.contains("hunter2"));
        assert_ne!(sealed, s.seal("token", "hunter2"), "a fresh nonce each time");
        assert_eq!(s.open("token", &sealed).unwrap(), "hunter2");
        assert!(s.open("secret", &sealed).is_err());
        let other = Sealer::new(&parse_key_hex(&generate_key_hex()).unwrap());
        assert!(other.open("token", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        assert!(s.open("token", &tampered).is_err());
        assert!(s.open("token", "garbage").is_err());
        assert!(parse_key_hex("abcd").is_none());
        assert_eq!(s.keyed_hash("org", "pat@example.com"), s.keyed_hash("org", "pat@example.com"));
        assert_ne!(s.keyed_hash("org", "pat@example.com"), s.keyed_hash("other org", "pat@example.com"));
        assert_ne!(s.keyed_hash("org", "pat@example.com"), other.keyed_hash("org", "pat@example.com"));
    }
}
