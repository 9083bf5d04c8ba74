//! The JSON API under `/api/v1`, one file per action. Handlers extract, call [`crate::services::actions`] or
//! the store, and map the result; errors are [`crate::web::error::ApiError`].

pub mod conversation_get;
pub mod conversation_reclassify;
pub mod conversations_list;
pub mod extract;
pub mod github_webhook;
pub mod healthz;
pub mod helpscout_webhook;
pub mod metrics;
pub mod openapi;
pub mod readyz;
pub mod report_move;
pub mod views;
pub mod work_item_get;
pub mod work_item_merge;
pub mod work_item_status;
pub mod work_item_unmerge;
pub mod work_items_list;

/// Page sizes: default and the most a caller may ask for.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;
