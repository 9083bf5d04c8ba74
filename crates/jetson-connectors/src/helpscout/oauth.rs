//! OAuth 2 with Help Scout: the consent redirect and code exchange of the authorization-code flow,
//! client credentials for self-hosters with their own app, and refreshing either.

use chrono::{DateTime, Duration, Utc};

use super::Endpoints;
use super::client::Error;
use super::types::{ApiError, TokenResponse};

/// The app Jetson authenticates as.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// How new access tokens are obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The app's own id and secret (a self-hoster's private app).
    ClientCredentials,
    /// A user consented; new tokens come from the refresh token.
    AuthorizationCode,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::AuthorizationCode => "authorization_code",
        }
    }

    pub fn parse(s: &str) -> Option<Grant> {
        match s {
            "client_credentials" => Some(Grant::ClientCredentials),
            "authorization_code" => Some(Grant::AuthorizationCode),
            _ => None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl Tokens {
    /// Refresh a minute early: a token that expires in flight fails the request it was sent with.
    pub fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - Duration::seconds(60) > now
    }
}

/// The consent page a user is sent to; Help Scout comes back to the app's redirect URL with
/// `code` and our `state`.
pub fn authorize_url(endpoints: &Endpoints, client_id: &str, state: &str) -> String {
    let mut url = reqwest::Url::parse(&endpoints.authorize).unwrap_or_else(|_| {
        reqwest::Url::parse("https://secure.helpscout.net/authentication/authorizeClientApplication").expect("valid")
    });
    url.query_pairs_mut().append_pair("client_id", client_id).append_pair("state", state);
    url.into()
}

pub async fn client_credentials(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app: &Credentials,
) -> Result<Tokens, Error> {
    token_request(http, endpoints, app, &[("grant_type", "client_credentials")]).await
}

pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app: &Credentials,
    code: &str,
) -> Result<Tokens, Error> {
    token_request(http, endpoints, app, &[("grant_type", "authorization_code"), ("code", code)]).await
}

pub async fn refresh(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app: &Credentials,
    refresh_token: &str,
) -> Result<Tokens, Error> {
    token_request(http, endpoints, app, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

async fn token_request(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app: &Credentials,
    grant: &[(&str, &str)],
) -> Result<Tokens, Error> {
    let mut form: Vec<(&str, &str)> = grant.to_vec();
    form.push(("client_id", &app.client_id));
    form.push(("client_secret", &app.client_secret));
    let response = http.post(&endpoints.token).form(&form).send().await.map_err(|e| {
        Error::Unavailable(format!("the token endpoint did not answer: {}", crate::http::transport(&e)), 1)
    })?;
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    if status.is_success() {
        let t: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| Error::Unavailable(format!("the token endpoint sent an unreadable answer: {e}"), 1))?;
        return Ok(Tokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at: Utc::now() + Duration::seconds(t.expires_in.min(i64::MAX as u64) as i64),
        });
    }
    let message = serde_json::from_slice::<ApiError>(&body).map(|e| e.describe()).unwrap_or_default();
    if status.is_server_error() {
        return Err(Error::Unavailable(format!("the token endpoint failed ({status}) {message}"), 1));
    }
    Err(Error::Unauthorized(format!("Help Scout did not accept the app's credentials ({status}): {message}")))
}
