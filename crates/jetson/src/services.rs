//! What Jetson does, below the HTTP edge and the job runner: each module is one area of the
//! product (accounts, actions on work items, the analysis pipeline, learning, integrations,
//! erasure and retention, …). Handlers and jobs call these; these call the store and the pure
//! crates, and queue background work through [`crate::queue`]. A service never imports `web`,
//! `jobs`, `cli` or `tools`.

pub mod accounts;
pub mod actions;
pub mod alerts;
pub mod auth;
pub mod backup;
pub mod devices;
pub mod erasure;
pub mod github;
pub mod helpscout;
pub mod import;
pub mod keys;
pub mod learning;
pub mod members;
pub mod need_to_know;
pub mod operators;
pub mod org_archive;
pub mod pipeline;
pub mod readiness;
pub mod redaction;
pub mod retention;
