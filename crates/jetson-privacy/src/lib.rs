//! Sensitive data, found and redacted before anything is stored for analysis or leaves the process.
//!
//! Start with [`Redactor::redact`]: recognizers propose candidate spans (regular expressions, which
//! run in linear time), validators confirm them (Luhn for cards, mod-97 for IBANs, digit counts for
//! phones), overlapping findings are resolved in favour of the longer one, and each is replaced by a
//! typed placeholder such as `[EMAIL]`. A [`Finding`] records the type and location, never the value.

use serde::Serialize;

mod recognizers;
mod redacted_text;
pub mod screen;

pub use redacted_text::RedactedText;

pub use recognizers::{iban_valid, luhn_valid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    #[serde(rename = "EMAIL_ADDRESS")]
    Email,
    #[serde(rename = "CREDIT_CARD")]
    CreditCard,
    #[serde(rename = "IBAN_CODE")]
    Iban,
    #[serde(rename = "PHONE_NUMBER")]
    Phone,
    #[serde(rename = "US_SSN")]
    UsSsn,
    #[serde(rename = "IP_ADDRESS")]
    IpAddress,
    #[serde(rename = "STREET_ADDRESS")]
    StreetAddress,
    #[serde(rename = "PERSON")]
    Person,
    #[serde(rename = "CREDENTIAL")]
    Credential,
    #[serde(rename = "AGE")]
    Age,
    #[serde(rename = "DATE_OF_BIRTH")]
    DateOfBirth,
    /// A child's age (under 13) or school.
    #[serde(rename = "CHILD")]
    Child,
    /// Conditions, medications, procedures, ICD-10 codes.
    #[serde(rename = "HEALTH")]
    Health,
    /// National insurance, passport, driving licence and other identity numbers.
    #[serde(rename = "NATIONAL_ID")]
    NationalId,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Email,
        Kind::CreditCard,
        Kind::Iban,
        Kind::Phone,
        Kind::UsSsn,
        Kind::IpAddress,
        Kind::StreetAddress,
        Kind::Person,
        Kind::Credential,
        Kind::Age,
        Kind::DateOfBirth,
        Kind::Child,
        Kind::Health,
        Kind::NationalId,
    ];

    pub fn placeholder(&self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::CreditCard => "[CARD]",
            Kind::Iban => "[IBAN]",
            Kind::Phone => "[PHONE]",
            Kind::UsSsn => "[SSN]",
            Kind::IpAddress => "[IP]",
            Kind::StreetAddress => "[ADDRESS]",
            Kind::Person => "[NAME]",
            Kind::Credential => "[SECRET]",
            Kind::Age => "[AGE]",
            Kind::DateOfBirth => "[DOB]",
            Kind::Child => "[CHILD]",
            Kind::Health => "[HEALTH]",
            Kind::NationalId => "[ID]",
        }
    }

    /// The name used in `privacy detect` output and in labelled data (Presidio's names).
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Email => "EMAIL_ADDRESS",
            Kind::CreditCard => "CREDIT_CARD",
            Kind::Iban => "IBAN_CODE",
            Kind::Phone => "PHONE_NUMBER",
            Kind::UsSsn => "US_SSN",
            Kind::IpAddress => "IP_ADDRESS",
            Kind::StreetAddress => "STREET_ADDRESS",
            Kind::Person => "PERSON",
            Kind::Credential => "CREDENTIAL",
            Kind::Age => "AGE",
            Kind::DateOfBirth => "DATE_OF_BIRTH",
            Kind::Child => "CHILD",
            Kind::Health => "HEALTH",
            Kind::NationalId => "NATIONAL_ID",
        }
    }

    pub fn parse_label(label: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.label() == label)
    }
}

/// A detection: its type and byte range in the input. Never the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Finding {
    /// How sure the recognizer is: validated by a checksum or a parser, by shape, or by context.
    pub fn score(&self) -> f64 {
        match self.kind {
            Kind::CreditCard | Kind::Iban | Kind::IpAddress | Kind::Email => 0.95,
            Kind::UsSsn | Kind::Credential => 0.9,
            Kind::Phone => 0.8,
            Kind::Person | Kind::StreetAddress | Kind::Child | Kind::NationalId | Kind::DateOfBirth => 0.7,
            Kind::Age | Kind::Health => 0.6,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    pub text: RedactedText,
    pub findings: Vec<Finding>,
}

/// People the conversation names in its metadata (the customer, the agents), matched exactly.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Redactor;

impl Redactor {
    /// Every finding in `text`, as byte ranges, overlaps resolved.
    pub fn find(&self, text: &str, known: &Known) -> Vec<Finding> {
        let mut found = recognizers::find_all(text);
        // What an earlier pass put in is not found again (a sealed value's letters and digits
        // are not a secret or a phone number), so redacting twice changes nothing.
        let placeholders = recognizers::placeholders(text);
        if !placeholders.is_empty() {
            found.retain(|f| !placeholders.iter().any(|(s, e)| f.start < *e && *s < f.end));
        }
        for name in known.names.iter().flat_map(|n| n.split_whitespace()).filter(|p| p.chars().count() >= 3) {
            let mut from = 0;
            while let Some(i) = text[from..].find(name) {
                let (start, end) = (from + i, from + i + name.len());
                let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
                if boundary(text[..start].chars().next_back()) && boundary(text[end..].chars().next()) {
                    found.push(Finding { kind: Kind::Person, start, end });
                }
                from = end;
            }
        }
        resolve_overlaps(found)
    }

    /// Replaces each finding with its typed placeholder (`[EMAIL]`).
    pub fn redact(&self, text: &str, known: &Known) -> Redacted {
        self.redact_with(text, known, |kind, _| kind.placeholder().to_string())
    }

    /// Replaces each finding with what `replace(kind, value)` gives: the organisation's chosen
    /// operator for that kind (see [`Operator`]).
    pub fn redact_with(&self, text: &str, known: &Known, mut replace: impl FnMut(Kind, &str) -> String) -> Redacted {
        let findings = self.find(text, known);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &findings {
            out.push_str(&text[at..f.start]);
            out.push_str(&replace(f.kind, &text[f.start..f.end]));
            at = f.end;
        }
        out.push_str(&text[at..]);
        Redacted { text: RedactedText::redacted(out), findings }
    }
}

/// The text with every payment card number masked but its last four digits
/// (`**** **** **** 1111`), separators kept. For what is kept verbatim, such as a message's
/// original body: card numbers are never stored unmasked anywhere.
pub fn mask_cards(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 12 {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut cards = Vec::new();
    recognizers::find_cards(text, &mut cards);
    if cards.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for card in cards {
        let span = &text[card.start..card.end];
        let total = span.bytes().filter(u8::is_ascii_digit).count();
        let mut seen = 0;
        let masked: String = span
            .chars()
            .map(|c| {
                if !c.is_ascii_digit() {
                    return c;
                }
                seen += 1;
                if seen > total - 4 { c } else { '*' }
            })
            .collect();
        out.replace_range(card.start..card.end, &masked);
    }
    std::borrow::Cow::Owned(out)
}

/// What replaces a finding of a given kind, chosen per organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// A typed placeholder: `[EMAIL]`.
    #[default]
    Replace,
    /// Most characters starred, a few kept to recognise it: `p***@acme.io`, `**** 1111`.
    Mask,
    /// A keyed hash in the placeholder, `[EMAIL:3f9a1c2b7d]`: the same value gives the same
    /// placeholder across conversations (so reports from one address still match) and cannot be
    /// read back. The key is the caller's.
    Hash,
    /// The value sealed in the placeholder, readable again with the instance key. The sealing is
    /// the caller's.
    Encrypt,
    /// Removed without a trace.
    Drop,
}

impl Operator {
    pub const ALL: [Operator; 5] =
        [Operator::Replace, Operator::Mask, Operator::Hash, Operator::Encrypt, Operator::Drop];

    pub fn as_str(&self) -> &'static str {
        match self {
            Operator::Replace => "replace",
            Operator::Mask => "mask",
            Operator::Hash => "hash",
            Operator::Encrypt => "encrypt",
            Operator::Drop => "drop",
        }
    }

    pub fn parse(s: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// `value` with most characters starred: an email keeps its first letter and its domain, numbers
/// (cards, phones, IBANs, SSNs) their last four digits, anything else its first letter.
pub fn mask(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Email => match value.split_once('@') {
            Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
            None => "***".into(),
        },
        Kind::CreditCard | Kind::Phone | Kind::Iban | Kind::UsSsn => {
            let total = value.chars().filter(char::is_ascii_alphanumeric).count();
            let mut seen = 0;
            value
                .chars()
                .map(|c| {
                    if !c.is_ascii_alphanumeric() {
                        return c;
                    }
                    seen += 1;
                    if seen + 4 > total { c } else { '*' }
                })
                .collect()
        }
        _ => {
            let first = value.chars().next().unwrap_or('*');
            format!("{first}{}", "*".repeat(value.chars().count().saturating_sub(1).min(12)))
        }
    }
}

/// Byte ranges to character ranges, in one pass over the text.
pub fn char_offsets(text: &str, found: &[Finding]) -> Vec<(usize, usize)> {
    // chars_before[b]: how many characters precede the character at byte b.
    let mut chars_before = Vec::with_capacity(text.len() + 1);
    for (n, c) in text.chars().enumerate() {
        chars_before.extend(std::iter::repeat_n(n, c.len_utf8()));
    }
    chars_before.push(text.chars().count());
    found.iter().map(|f| (chars_before[f.start], chars_before[f.end])).collect()
}

/// Keeps the longest of overlapping findings (earliest first on ties, then the recognizer that
/// ran first), sorted by position. Kept spans sit in an ordered map, so this is O(n log n).
fn resolve_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(a.start.cmp(&b.start)));
    // One finding or none, as most texts have: nothing to resolve, and no map to allocate.
    if found.len() < 2 {
        return found;
    }
    let mut kept: std::collections::BTreeMap<usize, Finding> = std::collections::BTreeMap::new();
    for f in found {
        let before_ok = kept.range(..f.end).next_back().is_none_or(|(_, k)| k.end <= f.start);
        if before_ok {
            kept.insert(f.start, f);
        }
    }
    kept.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(t: &str) -> String {
        Redactor.redact(t, &Known { names: vec!["Maria Lopez".into()] }).text.into_string()
    }

    #[test]
    fn redacting_twice_changes_nothing_whatever_the_placeholders_hold() {
        let known = Known { names: vec!["Maria Lopez".into()] };
        let text = "Maria Lopez, maria@acme.io, card 4111 1111 1111 1111, call +44 20 7946 0958";
        for op in [
            |k: Kind, _: &str| k.placeholder().to_string(),
            |k: Kind, _: &str| {
                format!("{}:v1.QUJDMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw]", k.placeholder().trim_end_matches(']'))
            },
            |k: Kind, _: &str| format!("{}:3f9a1c2b7d]", k.placeholder().trim_end_matches(']')),
        ] {
            let once = Redactor.redact_with(text, &known, op).text;
            let twice = Redactor.redact_with(once.as_str(), &known, op).text;
            assert_eq!(once, twice);
        }
    }

    #[test]
    fn typed_placeholders_replace_sensitive_values() {
        assert_eq!(redact("Mail maria@acme.io please"), "Mail [EMAIL] please");
        assert_eq!(redact("Card 4111 1111 1111 1111 was charged"), "Card [CARD] was charged");
        assert_eq!(redact("IBAN DE89 3704 0044 0532 0130 00 thanks"), "IBAN [IBAN] thanks");
        assert_eq!(redact("Call me at +49 30 1234 5678."), "Call me at [PHONE].");
        assert_eq!(redact("Best, Maria Lopez"), "Best, [NAME]");
    }

    #[test]
    fn look_alikes_are_left_alone() {
        assert_eq!(redact("Order 4111 1111 1111 1112 fails Luhn"), "Order 4111 1111 1111 1112 fails Luhn");
        // After the word "card", a card-shaped number is redacted even when it fails Luhn.
        assert_eq!(redact("my card 4111 1111 1111 1112 fails"), "my card [CARD] fails");
        assert_eq!(redact("Order 12345 costs 1,200"), "Order 12345 costs 1,200");
        assert_eq!(redact("Mariachi band"), "Mariachi band");
    }

    #[test]
    fn card_numbers_are_masked_to_their_last_four_digits() {
        assert_eq!(
            mask_cards("<p>Card 4111 1111 1111 1111, exp 12/27</p>"),
            "<p>Card **** **** **** 1111, exp 12/27</p>"
        );
        assert_eq!(mask_cards("5500-0000-0000-0004 and 4012888888881881"), "****-****-****-0004 and ************1881");
        assert!(matches!(mask_cards("Order 12345, invoice 2026-11-01"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(mask_cards("Order 4111 1111 1111 1112"), "Order 4111 1111 1111 1112", "fails Luhn, no cue");
    }

    #[test]
    fn operators_replace_mask_or_drop_and_the_caller_can_hash() {
        let text = "Mail maria@acme.io or call +49 30 1234 5678";
        let known = Known::default();
        assert_eq!(Redactor.redact_with(text, &known, mask).text, "Mail m***@acme.io or call +** ** **** 5678");
        assert_eq!(Redactor.redact_with(text, &known, |_, _| String::new()).text, "Mail  or call ");
        let hashed =
            |t: &str| Redactor.redact_with(t, &known, |k, v| format!("[{}:{}]", k.label(), v.len())).text.into_string();
        assert_eq!(hashed("a maria@acme.io"), "a [EMAIL_ADDRESS:13]");
        assert_eq!(Operator::parse("hash"), Some(Operator::Hash));
        assert_eq!(Operator::parse("shred"), None);
    }

    #[test]
    fn findings_hold_positions_not_values() {
        let r = Redactor.redact("x a@b.co y", &Known::default());
        assert_eq!(r.findings, vec![Finding { kind: Kind::Email, start: 2, end: 8 }]);
    }

    #[test]
    fn a_ten_megabyte_line_of_near_misses_finishes() {
        // Digits with separators (cards, phones), hex and colons (IPv6), capitalised runs (names),
        // street words and cue words: every recognizer gets work, none may backtrack.
        let piece = "1-2 3.4 ab:cd:ef:: Aa Bb Cc street 12 Rd my name is Zz call 55 card 4111 ";
        let line = piece.repeat(10 * 1024 * 1024 / piece.len());
        assert!(line.len() >= 10_000_000 - piece.len());
        let r = Redactor.redact(&line, &Known::default());
        assert!(r.text.as_str().len() <= line.len() * 2);
    }

    #[test]
    fn a_huge_line_finishes() {
        let line = "1 ".repeat(500_000);
        let _ = Redactor.redact(&line, &Known::default());
    }
}
