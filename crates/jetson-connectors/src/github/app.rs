//! GitHub App authentication: a JSON Web Token signed with the app's private key (RS256) proves
//! the app's identity for ten minutes at most; the client trades it for an installation token
//! (one hour) and trades again before that expires. The token is made by `jsonwebtoken`.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// An app's id and private key, parsed once.
#[derive(Clone)]
pub struct AppKey {
    pub app_id: u64,
    key: EncodingKey,
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppKey({}, ..)", self.app_id)
    }
}

/// The claims GitHub reads: issued at, expires at, and the app's id as the issuer.
#[derive(Serialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: String,
}

const NOT_RSA: &str = "the private key is not an RSA key in PEM form (the .pem file GitHub gave you)";

impl AppKey {
    /// The `.pem` GitHub hands out (PKCS#1, `BEGIN RSA PRIVATE KEY`), or the same key as PKCS#8.
    /// The key is tried once here, so a bad one is refused when it is saved, not at first use.
    pub fn parse(app_id: u64, pem: &str) -> Result<AppKey, String> {
        let key = EncodingKey::from_rsa_pem(pem.trim().as_bytes()).map_err(|_| NOT_RSA.to_string())?;
        let app = AppKey { app_id, key };
        app.jwt(Utc::now()).map_err(|_| NOT_RSA.to_string())?;
        Ok(app)
    }

    /// A token GitHub accepts for nine minutes: issued a minute in the past (clocks drift), and
    /// under GitHub's ten-minute ceiling.
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<String, String> {
        let claims = Claims { iat: now.timestamp() - 60, exp: now.timestamp() + 9 * 60, iss: self.app_id.to_string() };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| format!("the GitHub App token could not be signed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    /// A throwaway key made for this test with `openssl genrsa 2048`, and its public half
    /// (`openssl rsa -pubout`).
    const TEST_KEY: &str = include_str!("../../tests/data/test_app_key.pem");
    const TEST_PUBLIC_KEY: &str = include_str!("../../tests/data/test_app_key.pub.pem");

    #[derive(serde::Deserialize)]
    struct Read {
        iat: i64,
        exp: i64,
        iss: String,
    }

    #[test]
    fn the_app_token_is_an_rs256_jwt_that_verifies_with_the_apps_public_key() {
        let app = AppKey::parse(12345, TEST_KEY).unwrap();
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let jwt = app.jwt(now).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false; // the token is from 2023
        validation.set_issuer(&["12345"]);
        let key = DecodingKey::from_rsa_pem(TEST_PUBLIC_KEY.as_bytes()).unwrap();
        let claims = jsonwebtoken::decode::<Read>(&jwt, &key, &validation).unwrap().claims;
        assert_eq!((claims.iss.as_str(), claims.iat, claims.exp), ("12345", 1_700_000_000 - 60, 1_700_000_000 + 540));
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
    }

    #[test]
    fn a_key_that_is_not_an_rsa_pem_is_refused_with_a_reason() {
        let e = AppKey::parse(1, "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----").unwrap_err();
        assert!(e.contains("PEM"), "{e}");
    }
}
