//! The one error type at the HTTP edge of the API.
//!
//! The rule: every error the API returns is `{"error": {"code", "message", "fields"?,
//! "request_id"}}` with a stable `code` from the table below. 5xx responses say nothing about the
//! cause; the cause is logged once, here, under the same request id.
//!
//! | code               | status | when                                          |
//! |--------------------|--------|-----------------------------------------------|
//! | `unauthorized`     | 401    | no or unknown credentials, or a bad webhook signature |
//! | `token_expired`    | 401    | the API token is past its expiry date         |
//! | `token_revoked`    | 401    | the API token was revoked                     |
//! | `two_factor_required` | 403 | the organisation requires two-factor and the token's owner has not set it up |
//! | `forbidden`        | 403    | valid credentials, not allowed to do this     |
//! | `not_found`        | 404    | no such object in the caller's organisation   |
//! | `conflict`         | 409    | the change contradicts the current state      |
//! | `invalid_request`  | 422    | a parameter or body field is invalid          |
//! | `rate_limited`     | 429    | too many requests; `Retry-After` says when to retry |
//! | `unavailable`      | 503    | the database cannot be reached                |
//! | `internal`         | 500    | anything else                                 |

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jetson_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required: send `Authorization: Bearer <token>`")]
    Unauthorized,
    #[error("missing or wrong signature")]
    BadSignature,
    #[error("this API token has expired: make a new one under Account → API tokens")]
    TokenExpired,
    #[error("this API token was revoked: make a new one under Account → API tokens")]
    TokenRevoked,
    #[error(
        "this organisation requires two-factor sign-in: its owner must set it up (Account → Two-factor) before their tokens work"
    )]
    TwoFactorRequired,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    Invalid { message: String, fields: Vec<(String, String)> },
    #[error("too many requests: wait as long as Retry-After says")]
    TooManyRequests,
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Invalid { message: format!("`{field}`: {message}"), fields: vec![(field.to_string(), message)] }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized | ApiError::BadSignature => "unauthorized",
            ApiError::TokenExpired => "token_expired",
            ApiError::TokenRevoked => "token_revoked",
            ApiError::TwoFactorRequired => "two_factor_required",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Invalid { .. } => "invalid_request",
            ApiError::TooManyRequests => "rate_limited",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::BadSignature | ApiError::TokenExpired | ApiError::TokenRevoked => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::TwoFactorRequired => StatusCode::FORBIDDEN,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Unavailable(_) => ApiError::Unavailable,
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<StoreError>() {
            Ok(store) => store.into(),
            Err(e) => ApiError::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = %format!("{cause:#}"), "request failed");
        }
        let mut body = json!({ "code": self.code(), "message": self.to_string() });
        if let Some(id) = crate::web::observe::request_id() {
            body["request_id"] = id.into();
        }
        if let ApiError::Invalid { fields, .. } = &self {
            body["fields"] = fields.iter().map(|(f, m)| json!({ "field": f, "message": m })).collect();
        }
        (self.status(), Json(json!({ "error": body }))).into_response()
    }
}
