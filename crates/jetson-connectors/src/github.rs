//! GitHub REST: types for what it sends ([`types`]), `Link` pagination and rate-limit headers
//! ([`headers`]), GitHub App authentication ([`app`]), the API client with its rate-limit and retry
//! rules ([`client`]), webhook signatures and events ([`signature`], [`webhook`]).

pub mod app;
pub mod client;
pub mod headers;
pub mod signature;
pub mod types;
pub mod webhook;

pub use app::AppKey;
pub use client::{Auth, Client, Conditional, Error, Retry};
pub use headers::{RateHeaders, next_link};

/// `https://api.github.com`; configurable (`JETSON_GITHUB_API_URL`) for GitHub Enterprise and for
/// a fake server in tests.
pub const DEFAULT_API: &str = "https://api.github.com";

/// A repository as `owner/name`, checked once so that it can go into URL paths safely.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoName(String);

impl RepoName {
    pub fn parse(text: &str) -> Result<RepoName, String> {
        let t = text.trim().trim_start_matches("https://github.com/").trim_end_matches('/').trim_end_matches(".git");
        let ok_part = |p: &str| {
            !p.is_empty()
                && p.len() <= 100
                && p != "."
                && p != ".."
                && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match t.split_once('/') {
            Some((owner, name)) if ok_part(owner) && ok_part(name) => Ok(RepoName(format!("{owner}/{name}"))),
            _ => Err(format!("`{text}` is not a repository; write it as owner/name")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RepoName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        RepoName::parse(&s)
    }
}

impl From<RepoName> for String {
    fn from(r: RepoName) -> String {
        r.0
    }
}

#[cfg(test)]
mod tests {
    use super::RepoName;

    #[test]
    fn repository_names_are_owner_slash_name_and_nothing_else() {
        assert_eq!(RepoName::parse(" acme/widgets ").unwrap().as_str(), "acme/widgets");
        assert_eq!(RepoName::parse("https://github.com/acme/widgets.git").unwrap().as_str(), "acme/widgets");
        for bad in ["acme", "acme/", "/w", "acme/w/x", "acme/../x", "a b/c", "acme/w?x=1", "../.."] {
            assert!(RepoName::parse(bad).is_err(), "{bad}");
        }
    }
}
