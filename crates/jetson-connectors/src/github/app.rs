//! GitHub App authentication: a JSON Web Token signed with the app's private key (RS256) proves
//! the app's identity for ten minutes at most; the client trades it for an installation token
//! (one hour) and trades again before that expires.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};

/// An app's id and private key, parsed once.
#[derive(Clone)]
pub struct AppKey {
    pub app_id: u64,
    key: SigningKey<Sha256>,
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppKey({}, ..)", self.app_id)
    }
}

impl AppKey {
    /// The `.pem` GitHub hands out (PKCS#1, `BEGIN RSA PRIVATE KEY`), or the same key as PKCS#8.
    pub fn parse(app_id: u64, pem: &str) -> Result<AppKey, String> {
        let pem = pem.trim();
        let key = rsa::PrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| rsa::PrivateKey::from_pkcs8_pem(pem))
            .map_err(|_| "the private key is not an RSA key in PEM form (the .pem file GitHub gave you)".to_string())?;
        Ok(AppKey { app_id, key: SigningKey::<Sha256>::new(key) })
    }

    /// A token GitHub accepts for nine minutes: issued a minute in the past (clocks drift), and
    /// under GitHub's ten-minute ceiling.
    pub fn jwt(&self, now: DateTime<Utc>) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iat": now.timestamp() - 60,
            "exp": now.timestamp() + 9 * 60,
            "iss": self.app_id.to_string(),
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::VerifyingKey;
    use rsa::signature::{Keypair, Verifier};

    /// A throwaway key made for this test with `openssl genrsa 2048`.
    const TEST_KEY: &str = include_str!("../../tests/data/test_app_key.pem");

    #[test]
    fn the_app_token_is_an_rs256_jwt_that_verifies_with_the_apps_public_key() {
        let app = AppKey::parse(12345, TEST_KEY).unwrap();
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let jwt = app.jwt(now);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "12345");
        assert_eq!(claims["iat"], 1_700_000_000 - 60);
        assert_eq!(claims["exp"], 1_700_000_000 + 540);
        let verifying: VerifyingKey<Sha256> = app.key.verifying_key();
        let sig = rsa::pkcs1v15::Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
        verifying.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).unwrap();
    }

    #[test]
    fn a_key_that_is_not_an_rsa_pem_is_refused_with_a_reason() {
        let e = AppKey::parse(1, "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----").unwrap_err();
        assert!(e.contains("PEM"), "{e}");
    }
}
