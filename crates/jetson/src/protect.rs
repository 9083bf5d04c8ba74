//! The privacy step as the app applies it: what replaces each kind of sensitive data in the text
//! Jetson analyses, per organisation (a typed placeholder by default, a mask, a keyed hash that
//! still matches itself across conversations, the value encrypted under the instance key, or
//! nothing), and [`Protect`], which redacts by that choice and seals originals.

use std::collections::HashMap;

use jetson_domain::OrgId;
use jetson_privacy::{Kind, Known, Operator, RedactedText, Redactor};

use crate::sealed::Sealer;

/// The sealing purpose of values kept encrypted in analysis text.
pub const ENCRYPTED_VALUE: &str = "pii_value";
/// The sealing purpose of original subject lines.
pub const SUBJECT: &str = "conversation_subject";

#[derive(Debug, Clone, Default)]
pub struct Operators {
    by_kind: HashMap<Kind, Operator>,
}

impl Operators {
    /// From stored rows (kind label, operator name); unknown names are ignored (the default applies).
    pub fn from_rows(rows: &[(String, String)]) -> Operators {
        let by_kind =
            rows.iter().filter_map(|(kind, op)| Some((Kind::parse_label(kind)?, Operator::parse(op)?))).collect();
        Operators { by_kind }
    }

    /// Why `op` may not be chosen for `kind`, if it may not.
    pub fn refused(kind: Kind, op: Operator) -> Option<&'static str> {
        (kind == Kind::CreditCard && op == Operator::Encrypt)
            .then_some("Card numbers are never kept readable: choose replace, mask, hash or drop.")
    }

    /// The operator for `kind`. Card numbers are never kept readable, so "encrypt" masks them.
    pub fn get(&self, kind: Kind) -> Operator {
        match self.by_kind.get(&kind).copied().unwrap_or_default() {
            Operator::Encrypt if kind == Kind::CreditCard => Operator::Mask,
            op => op,
        }
    }

    /// The replacement for one finding.
    pub fn apply(&self, sealer: &Sealer, org: OrgId, kind: Kind, value: &str) -> String {
        let tag = kind.placeholder().trim_end_matches(']');
        match self.get(kind) {
            Operator::Replace => kind.placeholder().to_string(),
            Operator::Mask => jetson_privacy::mask(kind, value),
            Operator::Hash => format!("{tag}:{}]", sealer.keyed_hash(&format!("{org}:{}", kind.label()), value)),
            Operator::Encrypt => format!("{tag}:{}]", sealer.seal(ENCRYPTED_VALUE, value)),
            Operator::Drop => String::new(),
        }
    }
}

/// What privacy needs to store a conversation: the key and the organisation's operators.
pub struct Protect<'a> {
    pub sealer: &'a Sealer,
    pub org: OrgId,
    pub operators: &'a Operators,
}

impl Protect<'_> {
    /// `text` redacted by the organisation's policy.
    pub fn redact(&self, text: &str, known: &Known) -> RedactedText {
        metrics::counter!(crate::telemetry::TEXTS_REDACTED).increment(1);
        metrics::counter!(crate::telemetry::BYTES_REDACTED).increment(text.len() as u64);
        Redactor.redact_with(text, known, |kind, value| self.operators.apply(self.sealer, self.org, kind, value)).text
    }

    /// A subject line: redacted for analysis, and its original (cards masked) sealed.
    pub fn subject(&self, subject: &str, known: &Known) -> (RedactedText, String) {
        (self.redact(subject, known), self.sealer.seal(SUBJECT, &jetson_privacy::mask_cards(subject)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operator_replaces_as_chosen_and_hashes_match_themselves() {
        let sealer = Sealer::new(&[3; 32]);
        let org = OrgId::new();
        let rows: Vec<(String, String)> =
            [("EMAIL_ADDRESS", "hash"), ("PHONE_NUMBER", "mask"), ("IBAN_CODE", "encrypt")]
                .into_iter()
                .chain([("PERSON", "drop"), ("US_SSN", "shred"), ("CREDIT_CARD", "encrypt")])
                .map(|(k, o)| (k.to_string(), o.to_string()))
                .collect();
        let ops = Operators::from_rows(&rows);
        let email = ops.apply(&sealer, org, Kind::Email, "pat@example.com");
        assert!(email.starts_with("[EMAIL:") && email.len() == "[EMAIL:]".len() + 10, "{email}");
        assert_eq!(email, ops.apply(&sealer, org, Kind::Email, "pat@example.com"));
        assert_ne!(email, ops.apply(&sealer, org, Kind::Email, "ann@example.com"));
        assert_ne!(email, ops.apply(&sealer, OrgId::new(), Kind::Email, "pat@example.com"), "per organisation");
        assert_eq!(ops.apply(&sealer, org, Kind::Phone, "+1 415 555 0100"), "+* *** *** 0100");
        let iban = ops.apply(&sealer, org, Kind::Iban, "DE89370400440532013000");
        let sealed = iban.strip_prefix("[IBAN:").unwrap().strip_suffix(']').unwrap();
        assert_eq!(sealer.open(ENCRYPTED_VALUE, sealed).unwrap(), "DE89370400440532013000");
        assert_eq!(ops.apply(&sealer, org, Kind::Person, "Pat"), "");
        assert_eq!(ops.apply(&sealer, org, Kind::UsSsn, "123-45-6789"), "[SSN]", "unknown operator: the default");
        assert_eq!(ops.apply(&sealer, org, Kind::CreditCard, "4111 1111 1111 1111"), "**** **** **** 1111");
    }
}
