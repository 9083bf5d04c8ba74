//! `GET /api/v1/openapi.json`. The document is written by hand (`crates/jetson/openapi.json`);
//! a test checks that it and the router list the same operations.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("../../../openapi.json");

pub async fn handler() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
