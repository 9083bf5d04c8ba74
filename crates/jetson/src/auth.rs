//! Who is asking: passwords, secrets (session and API tokens), and the extractors that turn a
//! request into an authenticated caller.

pub mod extract;
pub mod password;
pub mod secret;
pub mod sign_in;
pub mod totp;
pub mod two_factor;

pub use extract::{ApiCaller, UiUser};

#[cfg(test)]
mod properties;
