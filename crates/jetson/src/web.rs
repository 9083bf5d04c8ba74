//! The HTTP edge: the router (every route in one place), the JSON API and the server-rendered UI,
//! the extractors that say who is asking, the rate-limit middleware and the errors each side
//! answers with. Handlers extract, call a service or the store, and map the result.

pub mod api;
pub mod caller;
pub mod error;
pub mod guards;
pub mod observe;
pub mod page;
pub mod rate_limit;
pub mod router;
pub mod ui;

pub use caller::{ApiCaller, UiUser};

#[cfg(test)]
mod properties;
