//! The integration suite: the real application on a free port, a fresh database per test
//! (PostgreSQL when `JETSON_TEST_POSTGRES_URL` is set, SQLite otherwise).

mod account;
mod alerts;
mod api;
mod browser;
mod cli;
mod demo_quality;
mod documented;
#[cfg(feature = "embeddings")]
mod embedding_tier;
mod fake_github;
mod fake_helpscout;
mod fake_smtp;
mod github;
mod helpers;
mod helpscout;
mod layering;
mod learning;
mod log_watch;
mod mail;
mod members;
mod need_to_know;
mod operations;
mod pages;
mod privacy;
mod security;
mod two_factor;
mod workers;
