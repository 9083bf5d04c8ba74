//! The HTTP edge: the router, the JSON API and the server-rendered UI, their extractors and errors.

pub mod rate_limit;
