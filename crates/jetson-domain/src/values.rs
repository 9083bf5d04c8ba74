//! Validated values. The only way to get one is `parse`, so holding one proves it is well formed.

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A lower-cased email address with one `@`, a non-empty local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim().to_lowercase();
        let bad = || ParseError(format!("`{raw}` is not an email address"));
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let valid = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid { Ok(Self(s)) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl TryFrom<String> for Email {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A product's display name: 1 to 100 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductName(String);

impl ProductName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
            return Err(ParseError(format!("`{raw}` is not a product name (1 to 100 printable characters)")));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductName {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<ProductName> for String {
    fn from(p: ProductName) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let e = Email::parse("  Ann@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ann@example.com");
        assert_eq!(e.domain(), "example.com");
        for bad in ["", "ann", "@example.com", "ann@example", "a b@example.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn product_names_are_bounded() {
        assert_eq!(ProductName::parse(" Ledgerly ").unwrap().as_str(), "Ledgerly");
        assert!(ProductName::parse("   ").is_err());
        assert!(ProductName::parse(&"x".repeat(101)).is_err());
    }
}

/// Free-mail providers: a customer writing from one of these tells us nothing about their company.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.ru",
    "zoho.com",
    "fastmail.com",
    "hey.com",
];

impl Email {
    /// The company a customer belongs to, by email domain, unless the domain is a free-mail provider.
    pub fn company(&self) -> Option<&str> {
        let d = self.domain();
        (!FREE_MAIL.contains(&d)).then_some(d)
    }
}

#[cfg(test)]
mod company_tests {
    use super::*;

    #[test]
    fn free_mail_domains_are_not_companies() {
        assert_eq!(Email::parse("a@acme.io").unwrap().company(), Some("acme.io"));
        assert_eq!(Email::parse("a@gmail.com").unwrap().company(), None);
    }
}
