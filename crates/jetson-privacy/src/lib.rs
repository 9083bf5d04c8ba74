//! Sensitive data, found and redacted before anything is stored for analysis or leaves the process.
//!
//! Start with [`Redactor::redact`]: recognizers propose candidate spans (regular expressions, which
//! run in linear time), validators confirm them (Luhn for cards, mod-97 for IBANs, digit counts for
//! phones), overlapping findings are resolved in favour of the longer one, and each is replaced by a
//! typed placeholder such as `[EMAIL]`. A [`Finding`] records the type and location, never the value.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kind {
    Email,
    CreditCard,
    Iban,
    Phone,
    Person,
}

impl Kind {
    pub fn placeholder(&self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::CreditCard => "[CARD]",
            Kind::Iban => "[IBAN]",
            Kind::Phone => "[PHONE]",
            Kind::Person => "[NAME]",
        }
    }
}

/// A detection: its type and byte range in the input. Never the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    pub text: String,
    pub findings: Vec<Finding>,
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b").expect("valid regex"));
static CARD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:\d[ \-]?){12,18}\d\b").expect("valid regex"));
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b").expect("valid regex"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:\+|\b)\d[\d \-().]{6,18}\d\b").expect("valid regex"));

/// People the conversation names in its metadata (the customer, the agents), matched exactly.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Redactor;

impl Redactor {
    pub fn find(&self, text: &str, known: &Known) -> Vec<Finding> {
        let mut found = Vec::new();
        let spans = |re: &Regex, kind: Kind, ok: &dyn Fn(&str) -> bool, out: &mut Vec<Finding>| {
            for m in re.find_iter(text) {
                if ok(m.as_str()) {
                    out.push(Finding { kind, start: m.start(), end: m.end() });
                }
            }
        };
        spans(&EMAIL, Kind::Email, &|_| true, &mut found);
        spans(&CARD, Kind::CreditCard, &luhn_valid, &mut found);
        spans(&IBAN, Kind::Iban, &iban_valid, &mut found);
        spans(&PHONE, Kind::Phone, &phone_like, &mut found);
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

    pub fn redact(&self, text: &str, known: &Known) -> Redacted {
        let findings = self.find(text, known);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &findings {
            out.push_str(&text[at..f.start]);
            out.push_str(f.kind.placeholder());
            at = f.end;
        }
        out.push_str(&text[at..]);
        Redacted { text: out, findings }
    }
}

/// Keeps the longest of overlapping findings (earliest first on ties), sorted by position.
fn resolve_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(a.start.cmp(&b.start)));
    let mut kept: Vec<Finding> = Vec::new();
    for f in found {
        if kept.iter().all(|k| f.end <= k.start || f.start >= k.end) {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| f.start);
    kept
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

pub fn luhn_valid(s: &str) -> bool {
    let d = digits(s);
    if !(13..=19).contains(&d.len()) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| if i % 2 == 1 { if x * 2 > 9 { x * 2 - 9 } else { x * 2 } } else { x })
        .sum();
    sum.is_multiple_of(10)
}

pub fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for digit in v.to_string().chars() {
            rem = (rem * 10 + digit.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

/// 8 to 15 digits, not a date or a plain number with separators only at thousands.
fn phone_like(s: &str) -> bool {
    let n = digits(s).len();
    (8..=15).contains(&n) && (s.starts_with('+') || s.contains(' ') || s.contains('-') || s.contains('('))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(t: &str) -> String {
        Redactor.redact(t, &Known { names: vec!["Maria Lopez".into()] }).text
    }

    #[test]
    fn typed_placeholders_replace_sensitive_values() {
        assert_eq!(redact("Mail maria@acme.io please"), "Mail [EMAIL] please");
        assert_eq!(redact("Card 4111 1111 1111 1111 was charged"), "Card [CARD] was charged");
        assert_eq!(redact("IBAN DE89 3704 0044 0532 0130 00 thanks"), "IBAN [IBAN] thanks");
        assert_eq!(redact("Call me at +49 30 1234 5678."), "Call me at [PHONE].");
        assert_eq!(redact("Best, Maria Lopez"), "Best, [NAME] [NAME]");
    }

    #[test]
    fn look_alikes_are_left_alone() {
        assert_eq!(redact("Card 4111 1111 1111 1112 fails Luhn"), "Card 4111 1111 1111 1112 fails Luhn");
        assert_eq!(redact("Order 12345 costs 1,200"), "Order 12345 costs 1,200");
        assert_eq!(redact("Mariachi band"), "Mariachi band");
    }

    #[test]
    fn findings_hold_positions_not_values() {
        let r = Redactor.redact("x a@b.co y", &Known::default());
        assert_eq!(r.findings, vec![Finding { kind: Kind::Email, start: 2, end: 8 }]);
    }

    #[test]
    fn a_huge_line_finishes() {
        let line = "1 ".repeat(500_000);
        let _ = Redactor.redact(&line, &Known::default());
    }
}
