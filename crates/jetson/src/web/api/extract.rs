//! Body and query extractors whose rejections are API errors (JSON with a code), not plain text.
//! Unknown fields are rejected by the target types (`deny_unknown_fields`), so a typo in a filter
//! is an error instead of being silently ignored.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::web::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(e) => Err(ApiError::Invalid { message: e.body_text(), fields: Vec::new() }),
        }
    }
}

pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError::Invalid { message: e.body_text(), fields: Vec::new() }),
        }
    }
}

/// Parses an optional text parameter with a domain parser, naming the parameter on failure.
pub fn parse_opt<T, E: std::fmt::Display>(
    field: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).map_err(|e| ApiError::invalid(field, e.to_string())),
    }
}

pub fn limit(v: Option<i64>) -> Result<i64, ApiError> {
    limit_of("limit", v)
}

/// A page size given as `field`: 1 to [`super::MAX_LIMIT`], [`super::DEFAULT_LIMIT`] when absent.
pub fn limit_of(field: &str, v: Option<i64>) -> Result<i64, ApiError> {
    match v {
        None => Ok(super::DEFAULT_LIMIT),
        Some(n) if (1..=super::MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(field, format!("must be between 1 and {}", super::MAX_LIMIT))),
    }
}

/// A typed id from the path: one that does not parse names nothing, so it is a 404.
pub struct ApiId<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr + Send> FromRequestParts<S> for ApiId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        raw.parse().map(ApiId).map_err(|_| ApiError::NotFound)
    }
}
