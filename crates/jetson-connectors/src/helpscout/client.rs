//! The Help Scout API client. Every request goes through one loop that
//!
//! - takes its cost (1 for reads, 2 for writes) from the account's per-minute budget, which the
//!   application keeps in its database so that every Jetson process shares it ([`Account`]);
//! - refreshes the access token before it expires, and once more on a 401;
//! - retries 5xx, 429 (after `X-RateLimit-Retry-After`), timeouts, cut-off and malformed bodies
//!   with exponential back-off, then gives up with an error a person can read.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use super::Endpoints;
use super::oauth::{self, Credentials, Grant, Tokens};
use super::types::{ApiError, Conversation, Mailbox, Page, Webhook};
use crate::http::{origin, transport};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("not found")]
    NotFound,
    #[error("Help Scout refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("Help Scout could not be reached or answered badly ({0}); gave up after {1} attempt(s)")]
    Unavailable(String, u32),
    #[error("{0}")]
    Unsafe(String),
    #[error("the shared rate-limit budget could not be read or written: {0}")]
    Budget(String),
}

/// What the application keeps for one Help Scout account, across processes.
pub trait Account: Send + Sync {
    /// Takes `cost` from this minute's budget and returns zero, or returns how long to wait
    /// (without taking anything) when the budget is spent or Help Scout asked us to back off.
    fn reserve(&self, cost: u32) -> impl Future<Output = Result<Duration, String>> + Send;
    /// What the last response said about the budget.
    fn observe(&self, seen: RateHeaders) -> impl Future<Output = Result<(), String>> + Send;
    /// New tokens, to be stored (encrypted) before they are used.
    fn save_tokens(&self, tokens: &Tokens) -> impl Future<Output = Result<(), String>> + Send;
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub retry_after: Option<u32>,
}

impl RateHeaders {
    pub fn read(headers: &HeaderMap) -> RateHeaders {
        let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u32>().ok();
        RateHeaders {
            limit: num("X-RateLimit-Limit-Minute"),
            remaining: num("X-RateLimit-Remaining-Minute"),
            retry_after: num("X-RateLimit-Retry-After").or_else(|| num("Retry-After")),
        }
    }
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { attempts: 6, base: Duration::from_millis(500), max: Duration::from_secs(30) }
    }
}

impl Retry {
    fn delay(&self, attempt: u32) -> Duration {
        self.base.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(self.max)
    }
}

/// Which conversations to list: one mailbox, all statuses, threads embedded, oldest first, by
/// creation date range or by last modification.
#[derive(Debug, Clone, Default)]
pub struct ConversationQuery {
    pub mailbox: u64,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub modified_since: Option<DateTime<Utc>>,
}

pub struct Client<A: Account> {
    http: reqwest::Client,
    endpoints: Endpoints,
    app: Credentials,
    grant: Grant,
    tokens: Mutex<Option<Tokens>>,
    account: A,
    retry: Retry,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl<A: Account> Client<A> {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        app: Credentials,
        grant: Grant,
        tokens: Option<Tokens>,
        account: A,
        retry: Retry,
    ) -> Self {
        Client { http, endpoints, app, grant, tokens: Mutex::new(tokens), account, retry }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Every mailbox of the account, following pagination.
    pub async fn mailboxes(&self) -> Result<Vec<Mailbox>, Error> {
        let mut url = format!("{}/v2/mailboxes", self.endpoints.api);
        let mut out = Vec::new();
        loop {
            let page = self.page(&url).await?;
            out.extend(page.items::<Mailbox>("mailboxes").map_err(malformed)?.into_iter().map(|(m, _)| m));
            match page.next() {
                Some(next) if !page.is_last() => url = next.to_string(),
                _ => return Ok(out),
            }
        }
    }

    pub fn conversations_url(&self, q: &ConversationQuery) -> String {
        let mut url = reqwest::Url::parse(&format!("{}/v2/conversations", self.endpoints.api)).expect("valid base URL");
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("mailbox", &q.mailbox.to_string());
            pairs.append_pair("status", "all");
            pairs.append_pair("embed", "threads");
            if let Some(m) = q.modified_since {
                pairs.append_pair("modifiedSince", &stamp(m));
                pairs.append_pair("sortField", "modifiedAt");
            } else {
                pairs.append_pair("sortField", "createdAt");
            }
            pairs.append_pair("sortOrder", "asc");
            if q.since.is_some() || q.until.is_some() {
                let from = q.since.map_or("*".to_string(), stamp);
                let to = q.until.map_or("*".to_string(), stamp);
                pairs.append_pair("query", &format!("(createdAt:[{from} TO {to}])"));
            }
        }
        url.into()
    }

    /// One page of any list. `url` must point at the API (links Help Scout hands back are checked,
    /// since our token goes with them).
    pub async fn page(&self, url: &str) -> Result<Page, Error> {
        if origin(url).is_none() || origin(url) != origin(&self.endpoints.api) {
            return Err(Error::Unsafe(format!("refusing to follow a link outside the Help Scout API: {url}")));
        }
        self.call(Method::GET, url, None, |body, _| serde_json::from_slice::<Page>(body).map_err(|e| e.to_string()))
            .await
    }

    /// One conversation with its threads, or `None` when it no longer exists.
    pub async fn conversation(&self, id: u64) -> Result<Option<(Conversation, Value)>, Error> {
        let url = format!("{}/v2/conversations/{id}?embed=threads", self.endpoints.api);
        let got = self
            .call(Method::GET, &url, None, |body, _| {
                let raw: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
                let typed: Conversation = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
                Ok((typed, raw))
            })
            .await;
        match got {
            Ok(c) => Ok(Some(c)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Registers a webhook for `events`; returns its id.
    pub async fn create_webhook(&self, url: &str, secret: &str, events: &[&str]) -> Result<u64, Error> {
        let body = serde_json::json!({ "url": url, "events": events, "secret": secret, "payloadVersion": "V2" });
        let endpoint = format!("{}/v2/webhooks", self.endpoints.api);
        self.call(Method::POST, &endpoint, Some(&body), |_, headers| {
            let from_header = headers.get("Resource-ID").and_then(|v| v.to_str().ok()).map(str::to_string);
            let from_location = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| l.rsplit('/').next())
                .map(str::to_string);
            from_header
                .or(from_location)
                .and_then(|id| id.trim().parse().ok())
                .ok_or_else(|| "no Resource-ID or Location header with the new webhook's id".to_string())
        })
        .await
    }

    pub async fn webhook(&self, id: u64) -> Result<Option<Webhook>, Error> {
        let url = format!("{}/v2/webhooks/{id}", self.endpoints.api);
        match self.call(Method::GET, &url, None, |b, _| serde_json::from_slice(b).map_err(|e| e.to_string())).await {
            Ok(w) => Ok(Some(w)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Unregisters a webhook; one that is already gone is fine.
    pub async fn delete_webhook(&self, id: u64) -> Result<(), Error> {
        let url = format!("{}/v2/webhooks/{id}", self.endpoints.api);
        match self.call(Method::DELETE, &url, None, |_, _| Ok(())).await {
            Ok(()) | Err(Error::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A valid access token: the current one, or a new one when it is about to expire or when
    /// `rejected` (the token a 401 came back for) is still the current one.
    async fn access_token(&self, rejected: Option<&str>) -> Result<String, Error> {
        let mut held = self.tokens.lock().await;
        if let Some(t) = held.as_ref()
            && t.fresh(Utc::now())
            && rejected != Some(t.access_token.as_str())
        {
            return Ok(t.access_token.clone());
        }
        let new = match (self.grant, held.as_ref().and_then(|t| t.refresh_token.as_deref())) {
            (Grant::ClientCredentials, _) => oauth::client_credentials(&self.http, &self.endpoints, &self.app).await?,
            (Grant::AuthorizationCode, Some(refresh)) => {
                let mut t = oauth::refresh(&self.http, &self.endpoints, &self.app, refresh).await?;
                // Help Scout may or may not rotate the refresh token.
                if t.refresh_token.is_none() {
                    t.refresh_token = Some(refresh.to_string());
                }
                t
            }
            (Grant::AuthorizationCode, None) => {
                return Err(Error::Unauthorized(
                    "the connection has no refresh token; connect Help Scout again".into(),
                ));
            }
        };
        self.account.save_tokens(&new).await.map_err(Error::Budget)?;
        let token = new.access_token.clone();
        *held = Some(new);
        Ok(token)
    }

    async fn wait_for_budget(&self, cost: u32) -> Result<(), Error> {
        loop {
            let wait = self.account.reserve(cost).await.map_err(Error::Budget)?;
            if wait.is_zero() {
                return Ok(());
            }
            tracing::debug!(wait_ms = wait.as_millis() as u64, "helpscout.budget.wait");
            tokio::time::sleep(wait).await;
        }
    }

    async fn call<T>(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        parse: impl Fn(&[u8], &HeaderMap) -> Result<T, String>,
    ) -> Result<T, Error> {
        let cost = if method == Method::GET { 1 } else { 2 };
        let mut attempt = 0;
        let mut rejected: Option<String> = None;
        let mut refreshed = false;
        loop {
            attempt += 1;
            self.wait_for_budget(cost).await?;
            let token = self.access_token(rejected.as_deref()).await?;
            let mut request = self.http.request(method.clone(), url).bearer_auth(&token);
            if let Some(b) = body {
                request = request.json(b);
            }
            let mut backoff = true;
            let failure = match request.send().await {
                Err(e) => transport(&e),
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let seen = RateHeaders::read(&headers);
                    self.account.observe(seen).await.map_err(Error::Budget)?;
                    let bytes = response.bytes().await;
                    let message = || {
                        bytes
                            .as_ref()
                            .ok()
                            .and_then(|b| serde_json::from_slice::<ApiError>(b).ok())
                            .map(|e| e.describe())
                            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string())
                    };
                    match status {
                        s if s.is_success() => match &bytes {
                            Ok(b) => match parse(b, &headers) {
                                Ok(v) => return Ok(v),
                                Err(m) => format!("malformed response: {m}"),
                            },
                            Err(e) => format!("the response was cut off: {}", transport(e)),
                        },
                        StatusCode::UNAUTHORIZED if !refreshed => {
                            refreshed = true;
                            rejected = Some(token);
                            attempt -= 1;
                            continue;
                        }
                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                            return Err(Error::Unauthorized(format!(
                                "Help Scout refused the access token even after a refresh: {}",
                                message()
                            )));
                        }
                        StatusCode::NOT_FOUND => return Err(Error::NotFound),
                        StatusCode::TOO_MANY_REQUESTS => {
                            // The budget now holds the wait Help Scout asked for.
                            backoff = seen.retry_after.is_none();
                            "rate limit exceeded (429)".to_string()
                        }
                        s if s.is_server_error() => format!("server error {}: {}", s.as_u16(), message()),
                        s => return Err(Error::Rejected { status: s.as_u16(), message: message() }),
                    }
                }
            };
            if attempt >= self.retry.attempts {
                return Err(Error::Unavailable(failure, attempt));
            }
            tracing::debug!(attempt, error = %failure, "helpscout.retry");
            if backoff {
                tokio::time::sleep(self.retry.delay(attempt)).await;
            }
        }
    }
}

fn malformed(m: String) -> Error {
    Error::Unavailable(format!("malformed response: {m}"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let r = Retry { attempts: 5, base: Duration::from_millis(100), max: Duration::from_millis(350) };
        assert_eq!(r.delay(1), Duration::from_millis(100));
        assert_eq!(r.delay(2), Duration::from_millis(200));
        assert_eq!(r.delay(3), Duration::from_millis(350));
    }

    #[test]
    fn rate_headers_are_read_and_junk_ignored() {
        let mut h = HeaderMap::new();
        h.insert("X-RateLimit-Limit-Minute", "400".parse().unwrap());
        h.insert("X-RateLimit-Remaining-Minute", "12".parse().unwrap());
        h.insert("X-RateLimit-Retry-After", "nope".parse().unwrap());
        assert_eq!(RateHeaders::read(&h), RateHeaders { limit: Some(400), remaining: Some(12), retry_after: None });
    }
}
