//! Help Scout Mailbox API v2: types for what it sends ([`types`]), OAuth ([`oauth`]), the API client
//! with its rate-limit and retry rules ([`client`]), and webhook signatures ([`signature`]).

pub mod client;
pub mod oauth;
pub mod signature;
pub mod types;

pub use client::{Account, Client, Error, RateHeaders, Retry};
pub use oauth::{Credentials, Grant, Tokens};

/// Where Help Scout lives. Configurable so that a fake server can stand in for it in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://api.helpscout.net`
    pub api: String,
    /// `https://secure.helpscout.net/authentication/authorizeClientApplication`
    pub authorize: String,
    /// `https://api.helpscout.net/v2/oauth2/token`
    pub token: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints::for_api("https://api.helpscout.net")
    }
}

impl Endpoints {
    /// The token endpoint under the API; the consent page on Help Scout's own site.
    pub fn for_api(api: &str) -> Endpoints {
        let api = api.trim_end_matches('/').to_string();
        Endpoints {
            token: format!("{api}/v2/oauth2/token"),
            authorize: "https://secure.helpscout.net/authentication/authorizeClientApplication".into(),
            api,
        }
    }
}

/// The events Jetson subscribes to: everything that changes a conversation's words or place.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "convo.created",
    "convo.customer.reply.created",
    "convo.agent.reply.created",
    "convo.note.created",
    "convo.status",
    "convo.tags",
    "convo.merged",
    "convo.moved",
    "convo.deleted",
];
