//! Extractors: [`UiUser`] for pages (session cookie, redirect to the login page otherwise) and
//! [`ApiCaller`] for the JSON API (bearer token, 401 otherwise).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use jetson_domain::{OrgId, Permission, ProductAccess, Role, Scope, SessionId, UserId};
use jetson_store::{sessions, tokens};

use crate::secret;
use crate::services::need_to_know::SeesProducts;
use crate::state::AppState;
use crate::web::error::ApiError;

pub const SESSION_COOKIE: &str = "jetson_session";

/// A signed-in person using the web UI.
#[derive(Debug, Clone)]
pub struct UiUser {
    /// The session this request came with (to mark it on the sessions page).
    pub session_id: SessionId,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub csrf_token: String,
    /// For owners and admins: held conversations that are escalated (threats, self-harm), shown
    /// in the navigation on every page so that they are seen first.
    pub escalations: i64,
    /// For those who read the audit trail: security alerts not yet seen.
    pub alerts: i64,
    /// The products this person sees (need-to-know).
    pub products: ProductAccess,
}

/// What a person with this role in this organisation sees: owners and admins every product
/// (without a query), members and viewers what their membership limits them to.
async fn product_access(state: &AppState, org: OrgId, user: UserId, role: Role) -> jetson_store::Result<ProductAccess> {
    if role.may(Permission::Administer) {
        return Ok(ProductAccess::All);
    }
    Ok(ProductAccess::for_role(role, jetson_store::product_access::limited_to(&state.db, org, user).await?))
}

impl SeesProducts for UiUser {
    fn org(&self) -> OrgId {
        self.org_id
    }
    fn user(&self) -> UserId {
        self.user_id
    }
    fn access(&self) -> &ProductAccess {
        &self.products
    }
}

impl UiUser {
    /// This person as the audit trail names them.
    pub fn actor(&self) -> crate::services::actions::Actor<'_> {
        crate::services::actions::Actor { user_id: self.user_id, email: &self.email }
    }
}

/// The live session a request carries, if any: for pages anyone may open (an invitation) that
/// behave differently for someone signed in.
pub async fn session_of(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> anyhow::Result<Option<sessions::SessionInfo>> {
    let jar = CookieJar::from_headers(headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else { return Ok(None) };
    Ok(sessions::find_live(&state.db, &secret::hash(&token)).await?)
}

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Several extractors of one request need the person (`Allowed`, `CsrfForm`): look once.
        if let Some(user) = parts.extensions.get::<UiUser>() {
            return Ok(user.clone());
        }
        let to_login = || Redirect::to("/login").into_response();
        let session = session_of(state, &parts.headers).await.map_err(|e| {
            tracing::error!(error = %format!("{e:#}"), "session lookup failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "Jetson cannot reach its database right now.").into_response()
        })?;
        let s = session.ok_or_else(to_login)?;
        // An organisation that requires two factors lets a person without them only set them up
        // (or sign out) until they have.
        let path = parts.uri.path();
        if s.must_set_up_two_factor && !path.starts_with("/account/two-factor") && path != "/logout" {
            return Err(Redirect::to("/account/two-factor").into_response());
        }
        let escalations = if s.role.can_administer() {
            jetson_store::holds::counts(&state.db, s.org_id).await.map(|(_, escalated)| escalated).unwrap_or_default()
        } else {
            0
        };
        let alerts = if s.role.may(Permission::ReadAudit) {
            jetson_store::security_alerts::unseen(&state.db, s.org_id).await.unwrap_or_default()
        } else {
            0
        };
        let products = product_access(state, s.org_id, s.user_id, s.role).await.map_err(|e| {
            tracing::error!(error = %e, "product access lookup failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "Jetson cannot reach its database right now.").into_response()
        })?;
        let user = UiUser {
            escalations,
            alerts,
            products,
            session_id: s.id,
            user_id: s.user_id,
            org_id: s.org_id,
            email: s.email,
            name: s.name,
            role: s.role,
            csrf_token: s.csrf_token,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// The address the request came from: the TCP peer, or behind a reverse proxy
/// (`JETSON_BEHIND_PROXY`) the address the proxy appended to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl ClientAddress {
    pub fn of(headers: &axum::http::HeaderMap, extensions: &axum::http::Extensions, behind_proxy: bool) -> Self {
        if behind_proxy {
            // The last entry is the one our proxy wrote; earlier ones are the client's to invent.
            let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|h| h.to_str().ok()).next_back();
            let last = forwarded.and_then(|f| f.rsplit(',').next()).and_then(|a| a.trim().parse().ok());
            if last.is_some() {
                return ClientAddress(last);
            }
        }
        let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        ClientAddress(peer.map(|c| c.0.ip()))
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress::of(&parts.headers, &parts.extensions, state.settings.behind_proxy))
    }
}

/// The token of an `Authorization: Bearer …` header (the scheme in either case, the token
/// trimmed); `None` for anything else, an empty token included.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    header
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// What the rate-limit middleware found for an API request's bearer token, so that it is looked
/// up once.
#[derive(Clone)]
pub struct PresentedToken(pub tokens::Authenticated);

/// A caller of the JSON API, authenticated by an API token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub role: Role,
    pub scope: Scope,
    /// The products the token's owner sees (need-to-know).
    pub products: ProductAccess,
}

impl SeesProducts for ApiCaller {
    fn org(&self) -> OrgId {
        self.org_id
    }
    fn user(&self) -> UserId {
        self.user_id
    }
    fn access(&self) -> &ProductAccess {
        &self.products
    }
}

impl ApiCaller {
    /// The caller may do what both the token's scope and its owner's current role allow.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.may(permission) && self.scope.permits(permission) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// Writes need a token with `write` or `admin` scope whose owner may write.
    pub fn require_write(&self) -> Result<(), ApiError> {
        self.require(Permission::Write)
    }
}

/// An API caller whose token and role may write; anyone else gets 403.
pub struct ApiWriter(pub ApiCaller);

impl FromRequestParts<AppState> for ApiWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        caller.require_write()?;
        Ok(ApiWriter(caller))
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|h| h.to_str().ok());
        let token = bearer(header).ok_or(ApiError::Unauthorized)?;
        // The rate-limit middleware has usually looked the token up already.
        let found = match parts.extensions.remove::<PresentedToken>() {
            Some(presented) => presented.0,
            None => tokens::authenticate(&state.db, &secret::hash(token)).await?,
        };
        let t = match found {
            tokens::Authenticated::Valid(t) => t,
            tokens::Authenticated::Expired => return Err(ApiError::TokenExpired),
            tokens::Authenticated::Revoked => return Err(ApiError::TokenRevoked),
            tokens::Authenticated::TwoFactorRequired => return Err(ApiError::TwoFactorRequired),
            tokens::Authenticated::Unknown => return Err(ApiError::Unauthorized),
        };
        // What an admin-scoped token changes is audited (reads are not: they are the read scope's).
        if t.scope == Scope::Admin && parts.method != axum::http::Method::GET {
            let owner = jetson_store::users::get(&state.db, t.user_id).await?;
            let actor = crate::services::actions::Actor { user_id: t.user_id, email: &owner.email };
            let request = format!("{} {}", parts.method, parts.uri.path());
            actor.record_alone(state, t.org_id, "token.admin_use", &format!("token:{}", t.id), &request).await?;
        }
        let products = product_access(state, t.org_id, t.user_id, t.role).await?;
        Ok(ApiCaller { org_id: t.org_id, user_id: t.user_id, role: t.role, scope: t.scope, products })
    }
}

#[cfg(test)]
mod tests {
    use super::ClientAddress;
    use axum::extract::ConnectInfo;
    use axum::http::{Extensions, HeaderMap};

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_proxy_appended_one() {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(std::net::SocketAddr::from(([10, 0, 0, 1], 4000))));
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let peer = Some([10, 0, 0, 1].into());
        assert_eq!(ClientAddress::of(&headers, &extensions, false).0, peer, "a client may write the header itself");
        assert_eq!(
            ClientAddress::of(&headers, &extensions, true).0,
            Some([203, 0, 113, 9].into()),
            "the proxy's entry"
        );
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(ClientAddress::of(&headers, &extensions, true).0, peer);
        assert_eq!(ClientAddress::of(&HeaderMap::new(), &Extensions::new(), true).0, None);
    }
}
