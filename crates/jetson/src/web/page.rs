//! What every page shares below the pages themselves: rendering a template, and the page-level
//! error ([`UiError`]), which the UI's extractors answer with too. (The API's error is
//! [`crate::web::error::ApiError`].)

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::services::auth::password::Busy;

/// What a 503 asks a client to wait, in seconds: a password-hashing slot frees in well under that.
pub const BUSY_RETRY_AFTER_S: &str = "5";

pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong rendering this page.").into_response()
        }
    }
}

/// A page-level error: what went wrong in plain words, logged when it is our fault.
pub struct UiError(StatusCode, String);

impl UiError {
    pub fn bad_request(message: impl Into<String>) -> UiError {
        UiError(StatusCode::BAD_REQUEST, message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> UiError {
        UiError(StatusCode::FORBIDDEN, message.into())
    }

    pub fn not_found(message: impl Into<String>) -> UiError {
        UiError(StatusCode::NOT_FOUND, message.into())
    }
}

impl From<anyhow::Error> for UiError {
    fn from(e: anyhow::Error) -> Self {
        if let Some(busy) = e.downcast_ref::<Busy>() {
            return (*busy).into();
        }
        match e.downcast_ref::<jetson_store::StoreError>() {
            Some(jetson_store::StoreError::NotFound) => {
                UiError(StatusCode::NOT_FOUND, "That page does not exist.".into())
            }
            Some(jetson_store::StoreError::Conflict(m)) => {
                UiError(StatusCode::CONFLICT, format!("That change was not made: {m}."))
            }
            _ => {
                tracing::error!(error = %format!("{e:#}"), "page failed");
                UiError(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. The error was logged.".into())
            }
        }
    }
}

impl From<Busy> for UiError {
    fn from(_: Busy) -> Self {
        UiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy checking passwords. Try again in a few seconds.".into(),
        )
    }
}

impl From<jetson_store::StoreError> for UiError {
    fn from(e: jetson_store::StoreError) -> Self {
        anyhow::Error::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let page = ErrorPage { status: self.0.as_u16(), message: &self.1 };
        let mut response = (self.0, render(&page)).into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(BUSY_RETRY_AFTER_S));
        }
        response
    }
}

/// `path` when it is a path on this site (`/messages?review=1`): it starts with one `/`, and holds
/// no backslash or control character. Browsers read `//host` and `/\host` as another site.
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path[1..].starts_with(['/', '\\'])
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= 2048;
    local.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_local() {
        for ok in ["/", "/messages?review=1", "/conversations/01a2#thread"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in
            ["//evil.example", "/\\evil.example", "/a\\b", "https://evil.example", "evil", "", "/a\nb", "/a\u{7}"]
        {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
