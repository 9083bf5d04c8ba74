//! `X-HelpScout-Signature`: base64 of the HMAC-SHA1 of the raw request body, keyed by the
//! webhook's secret. Compared in constant time; anything unparsable is simply not valid.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

pub fn verify(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(given) = header.and_then(|h| STANDARD.decode(h.trim()).ok()) else { return false };
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let sig = sign("s3cret", b"{\"id\":1}");
        assert!(verify("s3cret", b"{\"id\":1}", Some(&sig)));
        assert!(!verify("s3cret", b"{\"id\":2}", Some(&sig)));
        assert!(!verify("other", b"{\"id\":1}", Some(&sig)));
        assert!(!verify("s3cret", b"{\"id\":1}", None));
        assert!(!verify("s3cret", b"{\"id\":1}", Some("not base64!")));
    }
}
