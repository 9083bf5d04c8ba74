//! Jetson, the application: CLI, configuration, server (API and UI), jobs, import, demo.
//!
//! Where to start: [`startup::Application::build`] wires a database, the analyzer and the router
//! ([`router`]) and is what the tests start; [`pipeline`] is what happens to a conversation after
//! it is stored; [`jobs`] runs that work in the background; [`cli`] is every command.

pub mod cli;
pub mod config;
pub mod csv_safe;
pub mod embeddings;
pub mod jobs;
pub mod logs;
pub mod mail;
pub mod matchers;
pub mod models;
pub mod progress;
pub mod protect;
pub mod queue;
pub mod rate_limit;
pub mod sealed;
pub mod secret;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tools;
pub mod web;
