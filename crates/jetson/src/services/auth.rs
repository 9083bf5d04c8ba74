//! Who may sign in: passwords, two-factor codes and recovery codes, and the sign-in itself with
//! its throttling. The extractors that turn a request into a caller are `web::caller`; token
//! generation and hashing is [`crate::secret`].

pub mod password;
pub mod sign_in;
pub mod totp;
pub mod two_factor;
