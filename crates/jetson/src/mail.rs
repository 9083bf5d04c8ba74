//! Email, when the operator configures an SMTP server (`JETSON_SMTP_URL` and `JETSON_SMTP_FROM`):
//! invitations, password-reset links and security alerts. Without one, everything still works by
//! links people hand over themselves and alerts in the app.
//!
//! The URL is lettre's: `smtps://user:pass@host` (TLS, port 465), `smtp://user:pass@host?tls=required`
//! (STARTTLS, port 587), or plain `smtp://host:25` for a relay on the same machine. Messages are
//! plain text: they carry a link and a sentence, and no customer's words.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one delivery may take before the caller is told it failed.
const TIMEOUT: Duration = Duration::from_secs(15);

/// The validated SMTP settings. The URL may hold a password, so it is never printed.
#[derive(Clone)]
pub struct SmtpSettings {
    url: String,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings").field("server", &self.server()).field("from", &self.from.to_string()).finish()
    }
}

impl SmtpSettings {
    /// Checks both values now, so a typo stops the server at start instead of at the first invitation.
    pub fn parse(url: &str, from: &str) -> anyhow::Result<SmtpSettings> {
        let from: Mailbox = from.parse().with_context(|| {
            format!("JETSON_SMTP_FROM=`{from}` is not an address such as `Jetson <jetson@example.com>`")
        })?;
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| {
            anyhow::anyhow!(
                "JETSON_SMTP_URL is not a usable SMTP URL ({e}); use smtps://user:pass@host, \
                 smtp://user:pass@host?tls=required or smtp://host:port"
            )
        })?;
        Ok(SmtpSettings { url: url.to_string(), from })
    }

    /// Where mail goes, for logs: the host and port, never the credentials.
    pub fn server(&self) -> String {
        url_host(&self.url)
    }
}

fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or_default().to_string()
}

/// Sends mail through the configured server. Cheap to clone; connections are pooled.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// One message to one person.
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: String,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| anyhow::anyhow!("JETSON_SMTP_URL: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Mailer { transport, from: settings.from.clone() })
    }

    /// Sends one message; the error says what the server or the network answered.
    pub async fn send(&self, email: Email<'_>) -> anyhow::Result<()> {
        let to: Mailbox = email.to.parse().with_context(|| format!("`{}` is not an email address", email.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.body)
            .context("cannot build the message")?;
        self.transport.send(message).await.map_err(|e| anyhow::anyhow!("the mail server refused or failed: {e}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_when_read() {
        assert!(SmtpSettings::parse("smtps://u:p@mail.example.com", "Jetson <jetson@example.com>").is_ok());
        assert!(SmtpSettings::parse("smtp://mail.example.com:587?tls=required", "jetson@example.com").is_ok());
        let bad_scheme = SmtpSettings::parse("http://mail.example.com", "jetson@example.com").unwrap_err();
        assert!(bad_scheme.to_string().contains("JETSON_SMTP_URL"), "{bad_scheme}");
        let bad_from = SmtpSettings::parse("smtp://localhost", "not an address").unwrap_err();
        assert!(bad_from.to_string().contains("JETSON_SMTP_FROM"), "{bad_from}");
    }

    #[test]
    fn the_server_is_named_without_credentials() {
        let s = SmtpSettings::parse("smtps://user:s3cret@mail.example.com:465/ehlo", "a@example.com").unwrap();
        assert_eq!(s.server(), "mail.example.com:465");
        assert!(!format!("{s:?}").contains("s3cret"));
    }
}
