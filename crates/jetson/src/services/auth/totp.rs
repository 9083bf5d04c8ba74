//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, six digits), as every
//! authenticator app computes them, by `totp-rs`; and what setting one up needs: a random secret in
//! base32, the `otpauth://` address, and that address as a QR code.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: i64 = 30;
const DIGITS: usize = 6;

/// A new 160-bit secret, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    getrandom::fill(&mut secret).expect("the OS random number generator works");
    secret
}

/// `totp-rs` set up as every authenticator app reads a plain `otpauth://totp` address: SHA-1,
/// six digits, 30-second steps.
fn totp(secret: &[u8], issuer: &str, account: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECONDS as u64,
        secret.to_vec(),
        Some(issuer.to_string()),
        account.to_string(),
    )
}

/// The time step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code for one time step.
pub fn code(secret: &[u8], step: i64) -> String {
    totp(secret, "", "").generate(step.max(0).saturating_mul(STEP_SECONDS) as u64)
}

/// The time step whose code `typed` is, allowing one step either side for a clock that is a little
/// off; `None` when it is no current code. The caller accepts each step once, which is why the
/// step is wanted and not only a yes or no.
pub fn matching_step(secret: &[u8], typed: &str, unix_seconds: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - 1..=now + 1).find(|&step| crate::secret::equal(&code(secret, step), &digits))
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret typed by hand.
pub fn base32(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded encodes"),
    }
}

/// Base32 as people type it: any case, spaces and padding ignored.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let clean: String = text.chars().filter(|c| *c != '=' && *c != ' ').collect();
    Secret::Encoded(clean.to_ascii_uppercase()).to_bytes().ok()
}

/// The address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    totp(secret, issuer, account).get_url()
}

/// The address as a QR code, an SVG image (shown through a `data:` URL, which the page's
/// Content-Security-Policy allows for images).
pub fn qr_svg(uri: &str) -> anyhow::Result<String> {
    let code = qrcode::QrCode::new(uri.as_bytes())?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1), the last six digits of its eight.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(code(secret, step_at(time)), format!("{expected:06}"), "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_but_not_further() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let current = code(&secret, step_at(now));
        assert_eq!(matching_step(&secret, &current, now), Some(step_at(now)));
        assert_eq!(matching_step(&secret, &current, now + 30), Some(step_at(now)), "a step late");
        assert_eq!(matching_step(&secret, &current, now + 90), None, "three steps late");
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(matching_step(&secret, &spaced, now), Some(step_at(now)));
    }

    #[test]
    fn base32_round_trips_and_the_address_is_what_apps_read() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(from_base32("MZXW6YTBOI").unwrap(), b"foobar");
        let secret = new_secret();
        assert_eq!(from_base32(&base32(&secret)).unwrap(), secret);
        let uri = otpauth_uri("Jetson", "ann@example.com", b"12345678901234567890");
        assert!(
            uri.starts_with("otpauth://totp/Jetson:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Jetson"), "{uri}");
        assert_eq!(from_base32("mzxw 6ytb oi==").unwrap(), b"foobar", "as people type it");
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }
}
