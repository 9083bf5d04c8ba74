//! Jetson, the application: CLI, configuration, server (API and UI), jobs, import, demo.
//!
//! Where to start: [`startup::Application::build`] wires a database, the analyzer and the router
//! ([`router`]) and is what the tests start; [`pipeline`] is what happens to a conversation after
//! it is stored; [`jobs`] runs that work in the background; [`cli`] is every command.

pub mod accounts;
pub mod actions;
pub mod alerts;
pub mod api;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod devices;
pub mod embeddings;
pub mod erasure;
pub mod error;
pub mod eval;
pub mod github;
pub mod helpscout;
pub mod import;
pub mod jobs;
pub mod keys;
pub mod learning;
pub mod mail;
pub mod matchers;
pub mod members;
pub mod models;
pub mod need_to_know;
pub mod operators;
pub mod org_archive;
pub mod pipeline;
pub mod privacy_eval;
pub mod progress;
pub mod queue;
pub mod rate_limit;
pub mod retention;
pub mod router;
pub mod screen_eval;
pub mod sealed;
pub mod startup;
pub mod state;
pub mod ui;
pub mod web;
