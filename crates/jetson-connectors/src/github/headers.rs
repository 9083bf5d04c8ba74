//! What GitHub says in response headers: the rate-limit budget, and `Link` pagination.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    /// When the budget refills (`X-RateLimit-Reset`, epoch seconds).
    pub reset: Option<DateTime<Utc>>,
    /// Seconds to wait (`Retry-After`), sent with secondary rate limits.
    pub retry_after: Option<u32>,
}

impl RateHeaders {
    pub fn read(headers: &HeaderMap) -> RateHeaders {
        RateHeaders::from_pairs(headers.iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?))))
    }

    /// From `(name, value)` pairs in any case, as recorded sessions hold them.
    pub fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> RateHeaders {
        let mut r = RateHeaders::default();
        for (name, value) in pairs {
            let num = || value.trim().parse::<u64>().ok();
            match name.to_ascii_lowercase().as_str() {
                "x-ratelimit-limit" => r.limit = num().map(|n| n.min(u32::MAX as u64) as u32),
                "x-ratelimit-remaining" => r.remaining = num().map(|n| n.min(u32::MAX as u64) as u32),
                "x-ratelimit-reset" => r.reset = num().and_then(|s| DateTime::from_timestamp(s as i64, 0)),
                "retry-after" => r.retry_after = num().map(|n| n.min(u32::MAX as u64) as u32),
                _ => {}
            }
        }
        r
    }

    /// The budget is spent until `reset`.
    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// The `rel="next"` target of a `Link` header, if any.
pub fn next_link(link: &str) -> Option<String> {
    links(link).into_iter().find(|(rel, _)| rel == "next").map(|(_, url)| url)
}

/// Every `<url>; rel="name"` of a `Link` header (a link may carry several rels).
pub fn links(link: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in link.split(',') {
        let mut pieces = part.split(';');
        let Some(url) = pieces.next().map(str::trim).and_then(|u| u.strip_prefix('<')?.strip_suffix('>')) else {
            continue;
        };
        for param in pieces {
            if let Some(rels) = param.trim().strip_prefix("rel=") {
                for rel in rels.trim_matches('"').split_whitespace() {
                    out.push((rel.to_string(), url.to_string()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_give_each_relation() {
        let h = r#"<https://api.github.com/repositories/1000/issues?per_page=3&page=2>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last""#;
        assert_eq!(next_link(h).unwrap(), "https://api.github.com/repositories/1000/issues?per_page=3&page=2");
        assert_eq!(links(h).len(), 2);
        assert_eq!(next_link(r#"<https://x/1>; rel="prev first""#), None);
        assert_eq!(links(r#"<https://x/1>; rel="prev first""#).len(), 2);
        assert_eq!(next_link("garbage, <unterminated; rel=next"), None);
    }

    #[test]
    fn rate_headers_are_read_in_any_case_and_junk_ignored() {
        let r = RateHeaders::from_pairs(
            [
                ("X-RateLimit-Limit", "5000"),
                ("x-ratelimit-remaining", "0"),
                ("X-RateLimit-Reset", "1700000000"),
                ("Retry-After", "soon"),
            ]
            .into_iter(),
        );
        assert_eq!(r.limit, Some(5000));
        assert!(r.exhausted());
        assert_eq!(r.reset.unwrap().timestamp(), 1_700_000_000);
        assert_eq!(r.retry_after, None);
    }
}
