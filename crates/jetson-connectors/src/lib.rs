//! Jetson's integrations with outside services. Start at [`helpscout`]: its [`helpscout::Client`]
//! speaks the Mailbox API v2 (OAuth, rate limits, retries), and [`helpscout::signature`] checks
//! webhook deliveries. Every client is built on [`http::client`], the one hardened HTTP client.
//!
//! Nothing here touches the database: what must outlive a request (tokens, the shared rate
//! budget) goes through a trait the application implements ([`helpscout::Account`]).

pub mod github;
pub mod helpscout;
pub mod http;
