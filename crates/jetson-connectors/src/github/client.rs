//! The GitHub REST client. Every request goes through one loop that
//!
//! - authenticates with a personal access token, or as a GitHub App installation (the
//!   installation token is minted, cached and renewed five minutes before it expires, and once
//!   more on a 401);
//! - waits out an exhausted budget (`X-RateLimit-Remaining: 0` until `X-RateLimit-Reset`) and
//!   secondary limits (403/429 with `Retry-After`), up to a bound, then says when to come back;
//! - retries 5xx, timeouts and cut-off bodies with exponential back-off;
//! - never repeats a create whose outcome is unknown (a timeout or 5xx after the request went
//!   out): it answers [`Error::Uncertain`], so the caller looks for the issue before trying again.

use jetson_privacy::RedactedText;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::RepoName;
use super::app::AppKey;
use super::headers::{RateHeaders, next_link};
use super::types::{
    ApiError, Comment, Comparison, Hook, InstallationToken, Issue, IssueEvent, NewIssue, Release, Repository,
    SearchResults, User,
};
use crate::http::{origin, transport};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("GitHub refused access: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("it was deleted on GitHub")]
    Gone,
    #[error("GitHub refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("GitHub's rate limit is spent until {until}")]
    RateLimited { until: DateTime<Utc> },
    #[error("GitHub could not be reached or answered badly ({0}); gave up after {1} attempt(s)")]
    Unavailable(String, u32),
    #[error("GitHub did not confirm the request ({0}); it may or may not have been done")]
    Uncertain(String),
    #[error("{0}")]
    Unsafe(String),
}

/// Rate-limit waits within one call before it gives up.
const MAX_RATE_WAITS: u32 = 5;

/// How Jetson proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A personal access token (classic or fine-grained).
    Token(String),
    /// A GitHub App installed on the repository's account.
    App { key: Box<AppKey>, installation_id: u64 },
}

/// How often and how patiently to retry, and how long to wait for a rate limit to lift inside one
/// call before giving up with [`Error::RateLimited`] (a job then comes back later).
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
    pub max_rate_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
            max_rate_wait: Duration::from_secs(90),
        }
    }
}

impl Retry {
    fn delay(&self, attempt: u32) -> Duration {
        self.base.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(self.max)
    }
}

/// A conditional read: unchanged since the ETag we had, or new content with its ETag.
#[derive(Debug, Clone, PartialEq)]
pub enum Conditional<T> {
    NotModified,
    Fresh { value: T, etag: Option<String> },
}

/// Whether a request may be sent again when its outcome is unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    /// PATCH, PUT, DELETE: the same request twice has the same effect.
    Idempotent,
    /// POST that makes something: never blindly twice.
    Create,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// What a connection check found.
#[derive(Debug, Clone)]
pub struct Health {
    /// The account (token) or `app N` (installation).
    pub identity: String,
    /// A classic token's scopes (`X-OAuth-Scopes`); fine-grained tokens and apps have none.
    pub scopes: Option<String>,
    pub rate: RateHeaders,
}

pub struct Client {
    http: reqwest::Client,
    api: String,
    auth: Auth,
    installation: Mutex<Option<InstallationToken>>,
    retry: Retry,
    rate: std::sync::Mutex<RateHeaders>,
}

impl Client {
    pub fn new(http: reqwest::Client, api: &str, auth: Auth, retry: Retry) -> Client {
        Client {
            http,
            api: api.trim_end_matches('/').to_string(),
            auth,
            installation: Mutex::new(None),
            retry,
            rate: std::sync::Mutex::new(RateHeaders::default()),
        }
    }

    /// The budget as the last response told it.
    pub fn rate(&self) -> RateHeaders {
        *self.rate.lock().expect("rate lock")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// Checks the credentials: who they are, what they may do, and the budget left.
    pub async fn check(&self) -> Result<Health, Error> {
        match &self.auth {
            Auth::Token(_) => {
                let a = self.send(Method::GET, &self.url("/user"), None, None, Kind::Read).await?;
                let user: User = parse(&a.body)?;
                let scopes = a.headers.get("x-oauth-scopes").and_then(|v| v.to_str().ok()).map(str::to_string);
                Ok(Health { identity: user.login, scopes, rate: self.rate() })
            }
            Auth::App { key, installation_id } => {
                self.send(Method::GET, &self.url("/installation/repositories?per_page=1"), None, None, Kind::Read)
                    .await?;
                Ok(Health {
                    identity: format!("app {} (installation {installation_id})", key.app_id),
                    scopes: None,
                    rate: self.rate(),
                })
            }
        }
    }

    pub async fn repository(&self, repo: &RepoName) -> Result<Repository, Error> {
        self.get_json(&self.url(&format!("/repos/{repo}"))).await
    }

    /// Issues (not pull requests) of a repository, most recently updated first, page after page
    /// up to `max_pages`. `state` is `open`, `closed` or `all`; `labels` keeps those with the
    /// label. Reading stops after the page that reaches issues updated before `stop_before`.
    /// `etag` (of the first page) makes the read conditional: an unchanged repository costs one
    /// request and none of the budget.
    pub async fn list_issues(
        &self,
        repo: &RepoName,
        state: &str,
        labels: Option<&str>,
        etag: Option<&str>,
        stop_before: Option<DateTime<Utc>>,
        max_pages: usize,
    ) -> Result<Conditional<Vec<Issue>>, Error> {
        let mut url = reqwest::Url::parse(&self.url(&format!("/repos/{repo}/issues"))).map_err(unsafe_url)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("state", state);
            q.append_pair("sort", "updated");
            q.append_pair("direction", "desc");
            q.append_pair("per_page", "100");
            if let Some(l) = labels {
                q.append_pair("labels", l);
            }
        }
        let first = self.send(Method::GET, url.as_str(), None, etag, Kind::Read).await?;
        if first.status == StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        let new_etag = first.headers.get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut issues: Vec<Issue> = parse(&first.body)?;
        let old_enough = |page: &[Issue]| stop_before.is_some_and(|t| page.last().is_some_and(|i| i.updated_at < t));
        let mut next = if old_enough(&issues) { None } else { link_of(&first.headers) };
        let mut pages = 1;
        while let Some(url) = next.take() {
            if pages >= max_pages {
                break;
            }
            let a = self.send(Method::GET, &url, None, None, Kind::Read).await?;
            let page: Vec<Issue> = parse(&a.body)?;
            next = if old_enough(&page) { None } else { link_of(&a.headers) };
            issues.extend(page);
            pages += 1;
        }
        issues.retain(|i| !i.is_pull_request());
        Ok(Conditional::Fresh { value: issues, etag: new_etag })
    }

    /// The issues Jetson's account opened lately, newest first: where a create whose answer was
    /// lost is looked for.
    pub async fn recent_issues(&self, repo: &RepoName, since: DateTime<Utc>) -> Result<Vec<Issue>, Error> {
        let url = format!(
            "/repos/{repo}/issues?state=all&sort=created&direction=desc&per_page=50&since={}",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let issues: Vec<Issue> = self.get_json(&self.url(&url)).await?;
        Ok(issues.into_iter().filter(|i| !i.is_pull_request()).collect())
    }

    /// The first page of `GET /search/issues` for `query` (GitHub's search syntax).
    pub async fn search_issues(&self, query: &str) -> Result<SearchResults<Issue>, Error> {
        let mut url = reqwest::Url::parse(&self.url("/search/issues")).map_err(unsafe_url)?;
        url.query_pairs_mut().append_pair("q", query).append_pair("per_page", "30");
        self.get_json(url.as_str()).await
    }

    /// One issue; `None` when it does not exist (any more).
    pub async fn issue(&self, repo: &RepoName, number: u64) -> Result<Option<Issue>, Error> {
        match self.get_json(&self.url(&format!("/repos/{repo}/issues/{number}"))).await {
            Ok(i) => Ok(Some(i)),
            Err(Error::NotFound | Error::Gone) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn create_issue(&self, repo: &RepoName, issue: &NewIssue) -> Result<Issue, Error> {
        let body = serde_json::to_value(issue).expect("an issue serialises");
        let a = self
            .send(Method::POST, &self.url(&format!("/repos/{repo}/issues")), Some(&body), None, Kind::Create)
            .await?;
        parse(&a.body)
    }

    /// Closes (`completed` or `not_planned`) or reopens an issue.
    pub async fn set_issue_state(
        &self,
        repo: &RepoName,
        number: u64,
        state: &str,
        reason: Option<&str>,
    ) -> Result<Issue, Error> {
        let mut body = json!({ "state": state });
        if let Some(r) = reason {
            body["state_reason"] = json!(r);
        }
        let url = self.url(&format!("/repos/{repo}/issues/{number}"));
        let a = self.send(Method::PATCH, &url, Some(&body), None, Kind::Idempotent).await?;
        parse(&a.body)
    }

    pub async fn comment(&self, repo: &RepoName, number: u64, text: &RedactedText) -> Result<Comment, Error> {
        let url = self.url(&format!("/repos/{repo}/issues/{number}/comments"));
        let a = self.send(Method::POST, &url, Some(&json!({ "body": text.as_str() })), None, Kind::Create).await?;
        parse(&a.body)
    }

    /// The commit that closed an issue last: a merged pull request's merge commit, or a pushed
    /// commit that said "fixes #n". `None` when it was closed by hand.
    pub async fn closing_commit(&self, repo: &RepoName, number: u64) -> Result<Option<String>, Error> {
        let mut next = Some(self.url(&format!("/repos/{repo}/issues/{number}/events?per_page=100")));
        let mut last = None;
        while let Some(url) = next.take() {
            let a = self.send(Method::GET, &url, None, None, Kind::Read).await?;
            let events: Vec<IssueEvent> = parse(&a.body)?;
            for e in events {
                match e.event.as_str() {
                    "closed" => last = e.commit_id,
                    "reopened" => last = None,
                    _ => {}
                }
            }
            next = link_of(&a.headers);
        }
        Ok(last)
    }

    /// Published releases (no drafts), oldest first.
    pub async fn releases(&self, repo: &RepoName) -> Result<Vec<Release>, Error> {
        let mut all: Vec<Release> = self.get_json(&self.url(&format!("/repos/{repo}/releases?per_page=100"))).await?;
        all.retain(|r| !r.draft && r.published_at.is_some());
        all.sort_by_key(|r| r.published_at);
        Ok(all)
    }

    /// Whether `sha` is in the history of `tag`.
    pub async fn tag_contains(&self, repo: &RepoName, tag: &str, sha: &str) -> Result<bool, Error> {
        let tag: String = url_segment(tag);
        let sha: String = url_segment(sha);
        match self.get_json::<Comparison>(&self.url(&format!("/repos/{repo}/compare/{tag}...{sha}"))).await {
            Ok(c) => Ok(c.status == "behind" || c.status == "identical"),
            Err(Error::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Registers a repository webhook for issue and release events, signed with `secret`.
    pub async fn create_hook(&self, repo: &RepoName, url: &str, secret: &str) -> Result<Hook, Error> {
        let body = json!({
            "name": "web",
            "active": true,
            "events": ["issues", "release"],
            "config": { "url": url, "content_type": "json", "secret": secret, "insecure_ssl": "0" }
        });
        let a = self
            .send(Method::POST, &self.url(&format!("/repos/{repo}/hooks")), Some(&body), None, Kind::Create)
            .await?;
        parse(&a.body)
    }

    pub async fn hook(&self, repo: &RepoName, id: u64) -> Result<Option<Hook>, Error> {
        match self.get_json(&self.url(&format!("/repos/{repo}/hooks/{id}"))).await {
            Ok(h) => Ok(Some(h)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        let a = self.send(Method::GET, url, None, None, Kind::Read).await?;
        parse(&a.body)
    }

    /// A token for the next request: the personal token, or a fresh installation token.
    async fn token(&self, rejected: bool) -> Result<String, Error> {
        let (key, installation_id) = match &self.auth {
            Auth::Token(t) => return Ok(t.clone()),
            Auth::App { key, installation_id } => (key, *installation_id),
        };
        let mut held = self.installation.lock().await;
        if let Some(t) = held.as_ref()
            && !rejected
            && t.expires_at - chrono::Duration::minutes(5) > Utc::now()
        {
            return Ok(t.token.clone());
        }
        let url = self.url(&format!("/app/installations/{installation_id}/access_tokens"));
        let mut attempt = 0;
        let minted = loop {
            attempt += 1;
            let jwt = key.jwt(Utc::now()).map_err(Error::Unauthorized)?;
            let sent = self
                .http
                .post(&url)
                .bearer_auth(jwt)
                .header(header::ACCEPT, "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .send()
                .await;
            let failure = match sent {
                Err(e) => transport(&e),
                Ok(r) if r.status().is_success() => match r.bytes().await {
                    Ok(b) => break parse::<InstallationToken>(&b)?,
                    Err(e) => transport(&e),
                },
                Ok(r) if r.status().is_server_error() => format!("server error {}", r.status().as_u16()),
                Ok(r) => {
                    let status = r.status().as_u16();
                    let message = error_message(&r.bytes().await.unwrap_or_default(), status);
                    return Err(Error::Unauthorized(format!(
                        "GitHub would not issue an installation token ({status}): {message}; check the app id, its private key and the installation id"
                    )));
                }
            };
            if attempt >= self.retry.attempts {
                return Err(Error::Unavailable(failure, attempt));
            }
            tokio::time::sleep(self.retry.delay(attempt)).await;
        };
        let token = minted.token.clone();
        *held = Some(minted);
        Ok(token)
    }

    /// Waits until the budget the last response reported has refilled, if it is spent.
    async fn wait_for_budget(&self) -> Result<(), Error> {
        let seen = self.rate();
        if let (true, Some(reset)) = (seen.exhausted(), seen.reset) {
            let wait = (reset - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1);
            if reset > Utc::now() {
                if wait > self.retry.max_rate_wait {
                    return Err(Error::RateLimited { until: reset });
                }
                tracing::debug!(wait_ms = wait.as_millis() as u64, "github.budget.wait");
                tokio::time::sleep(wait).await;
            }
            // Whatever the wait, the next response says what is left.
            self.rate.lock().expect("rate lock").remaining = None;
        }
        Ok(())
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        etag: Option<&str>,
        kind: Kind,
    ) -> Result<Answer, Error> {
        if origin(url).is_none() || origin(url) != origin(&self.api) {
            return Err(Error::Unsafe(format!("refusing to send our token outside the GitHub API: {url}")));
        }
        let mut attempt = 0;
        let mut refreshed = false;
        let mut rejected = false;
        // Waiting out a rate limit is not a failed attempt, but it is bounded too.
        let mut rate_waits = 0;
        loop {
            attempt += 1;
            self.wait_for_budget().await?;
            let token = self.token(rejected).await?;
            rejected = false;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&token)
                .header(header::ACCEPT, "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28");
            if let Some(tag) = etag {
                request = request.header(header::IF_NONE_MATCH, tag);
            }
            if let Some(b) = body {
                request = request.json(b);
            }
            let mut wait = None;
            let failure = match request.send().await {
                Err(e) if kind == Kind::Create && !e.is_connect() => {
                    return Err(Error::Uncertain(transport(&e)));
                }
                Err(e) => transport(&e),
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let seen = RateHeaders::read(&headers);
                    if seen.remaining.is_some() || seen.reset.is_some() {
                        *self.rate.lock().expect("rate lock") = seen;
                    }
                    let bytes = match response.bytes().await {
                        Ok(b) => b.to_vec(),
                        Err(e) if kind == Kind::Create => {
                            return Err(Error::Uncertain(transport(&e)));
                        }
                        Err(e) => {
                            let failure = format!("the response was cut off: {}", transport(&e));
                            if attempt >= self.retry.attempts {
                                return Err(Error::Unavailable(failure, attempt));
                            }
                            tokio::time::sleep(self.retry.delay(attempt)).await;
                            continue;
                        }
                    };
                    let message = || error_message(&bytes, status.as_u16());
                    match status {
                        s if s.is_success() || s == StatusCode::NOT_MODIFIED => {
                            return Ok(Answer { status, headers, body: bytes });
                        }
                        StatusCode::UNAUTHORIZED if matches!(self.auth, Auth::App { .. }) && !refreshed => {
                            refreshed = true;
                            rejected = true;
                            attempt -= 1;
                            continue;
                        }
                        StatusCode::UNAUTHORIZED => {
                            return Err(Error::Unauthorized(format!("GitHub refused the credentials: {}", message())));
                        }
                        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
                            if seen.retry_after.is_some() || message().contains("secondary rate limit") =>
                        {
                            // A secondary limit: wait as long as GitHub asks (at least a minute
                            // when it does not say, per its documentation, but bounded here).
                            let asked = Duration::from_secs(seen.retry_after.unwrap_or(60) as u64);
                            if asked > self.retry.max_rate_wait {
                                return Err(Error::RateLimited {
                                    until: Utc::now() + chrono::Duration::from_std(asked).unwrap_or_default(),
                                });
                            }
                            wait = Some(asked);
                            rate_waits += 1;
                            format!("secondary rate limit ({})", status.as_u16())
                        }
                        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS if seen.exhausted() => {
                            // The top of the loop waits for the reset (or says when to return).
                            wait = Some(Duration::ZERO);
                            rate_waits += 1;
                            "rate limit exhausted".to_string()
                        }
                        StatusCode::FORBIDDEN => return Err(Error::Forbidden(message())),
                        StatusCode::NOT_FOUND => return Err(Error::NotFound),
                        StatusCode::GONE => return Err(Error::Gone),
                        s if s.is_server_error() && kind == Kind::Create => {
                            return Err(Error::Uncertain(format!("server error {}", s.as_u16())));
                        }
                        s if s.is_server_error() => format!("server error {}: {}", s.as_u16(), message()),
                        s => return Err(Error::Rejected { status: s.as_u16(), message: message() }),
                    }
                }
            };
            if wait.is_some() && rate_waits <= MAX_RATE_WAITS {
                attempt -= 1;
            } else if attempt >= self.retry.attempts {
                return Err(Error::Unavailable(failure, attempt));
            }
            tracing::debug!(attempt, error = %failure, "github.retry");
            tokio::time::sleep(wait.unwrap_or_else(|| self.retry.delay(attempt))).await;
        }
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Unavailable(format!("malformed response: {e}"), 1))
}

fn error_message(body: &[u8], status: u16) -> String {
    serde_json::from_slice::<ApiError>(body).map(|e| e.describe()).unwrap_or_else(|_| {
        StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("no explanation").to_string()
    })
}

fn link_of(headers: &HeaderMap) -> Option<String> {
    headers.get(header::LINK).and_then(|v| v.to_str().ok()).and_then(next_link)
}

fn unsafe_url(e: impl std::fmt::Display) -> Error {
    Error::Unsafe(format!("not a URL: {e}"))
}

/// A tag or sha as one path segment (tags may hold `/`).
fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(350),
            ..Default::default()
        };
        assert_eq!(r.delay(1), Duration::from_millis(100));
        assert_eq!(r.delay(3), Duration::from_millis(350));
    }

    #[test]
    fn tags_are_escaped_as_one_segment() {
        assert_eq!(url_segment("release/v1.2"), "release%2Fv1.2");
        assert_eq!(url_segment("v1.0.0"), "v1.0.0");
    }

    #[test]
    fn error_bodies_are_read_or_named_by_status() {
        let body =
            br#"{"message":"Validation Failed","errors":[{"resource":"Label","code":"invalid","field":"color"}]}"#;
        assert_eq!(error_message(body, 422), "Validation Failed (color: invalid)");
        assert_eq!(error_message(b"<html>", 502), "Bad Gateway");
    }
}
