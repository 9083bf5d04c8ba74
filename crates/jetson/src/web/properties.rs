//! Property tests for what is parsed from requests and typed by people: bearer headers, the
//! proxy's address header, token scopes, two-factor codes and their secrets, recovery codes. Each
//! holds for any input, hostile ones included: no panic, and only well-formed input is accepted.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, HeaderValue};
use jetson_domain::{Permission, Scope};
use proptest::prelude::*;

use super::caller::{ClientAddress, bearer};
use crate::services::auth::totp;

proptest! {
    #[test]
    fn a_bearer_header_yields_its_trimmed_token_and_nothing_else_does(token in "[A-Za-z0-9_\\-]{1,80}", junk in ".{0,80}") {
        let (plain, loose) = (format!("Bearer {token}"), format!("bearer  {token} "));
        prop_assert_eq!(bearer(Some(&plain)), Some(token.as_str()));
        prop_assert_eq!(bearer(Some(&loose)), Some(token.as_str()));
        if !junk.starts_with("Bearer ") && !junk.starts_with("bearer ") {
            prop_assert_eq!(bearer(Some(&junk)), None);
        }
        if let Some(t) = bearer(Some(&junk)) {
            prop_assert!(!t.is_empty() && t == t.trim());
        }
    }

    #[test]
    fn behind_a_proxy_the_last_forwarded_address_counts_and_junk_falls_back_to_the_peer(
        header in "[ -~]{0,120}",
        last in any::<[u8; 4]>(),
    ) {
        let peer: SocketAddr = "10.9.8.7:4000".parse().unwrap();
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(peer));
        let mut headers = HeaderMap::new();
        let forwarded = format!("{header},{}", IpAddr::from(last));
        if let Ok(value) = HeaderValue::from_str(&forwarded) {
            headers.insert("x-forwarded-for", value);
            prop_assert_eq!(ClientAddress::of(&headers, &extensions, true).0, Some(IpAddr::from(last)));
        }
        let mut junk = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&header) {
            junk.insert("x-forwarded-for", value);
            let got = ClientAddress::of(&junk, &extensions, true).0.unwrap();
            let last_entry = header.rsplit(',').next().unwrap_or("").trim().parse::<IpAddr>().ok();
            prop_assert_eq!(got, last_entry.unwrap_or(peer.ip()));
        }
        // Not behind a proxy, the header is the client's to invent and is ignored.
        prop_assert_eq!(ClientAddress::of(&headers, &extensions, false).0, Some(peer.ip()));
    }

    #[test]
    fn only_the_three_scope_names_parse_and_a_scope_never_exceeds_admin(text in ".{0,12}") {
        match Scope::parse(&text) {
            Ok(scope) => prop_assert_eq!(scope.as_str(), text.as_str()),
            Err(_) => prop_assert!(!["read", "write", "admin"].contains(&text.as_str())),
        }
        for scope in Scope::ALL {
            prop_assert!(!scope.permits(Permission::Write) || scope >= Scope::Write);
        }
    }

    #[test]
    fn secrets_survive_base32_and_codes_are_six_digits(secret in proptest::collection::vec(any::<u8>(), 1..64), step in any::<i64>()) {
        prop_assert_eq!(totp::from_base32(&totp::base32(&secret)), Some(secret.clone()));
        let code = totp::code(&secret, step);
        prop_assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{}", code);
    }

    #[test]
    fn any_typed_code_is_checked_without_panicking_and_only_six_digits_can_match(typed in ".{0,40}", now in 0i64..4_000_000_000) {
        let secret = b"12345678901234567890";
        if totp::matching_step(secret, &typed, now).is_some() {
            let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()));
        }
        prop_assert!(totp::from_base32(&typed).is_none() || typed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b' '));
    }
}
