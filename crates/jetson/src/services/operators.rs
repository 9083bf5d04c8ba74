//! What replaces each kind of sensitive data in the text Jetson analyses, per organisation:
//! a typed placeholder (the default), a mask, a keyed hash (the same value still matches itself
//! across conversations), the value encrypted under the instance key, or nothing.

use std::collections::HashMap;

use jetson_domain::OrgId;
use jetson_privacy::{Kind, Operator};

use crate::sealed::Sealer;

/// The sealing purpose of values kept encrypted in analysis text.
pub const ENCRYPTED_VALUE: &str = "pii_value";

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

/// Replaces the organisation's choices (kinds not listed get a placeholder) and records it.
pub async fn save(
    state: &crate::state::AppState,
    org: OrgId,
    choices: &[(Kind, Operator)],
    actor: crate::services::actions::Actor<'_>,
) -> anyhow::Result<()> {
    let rows: Vec<(String, String)> = choices
        .iter()
        .filter(|(_, op)| *op != Operator::Replace)
        .map(|(k, op)| (k.label().to_string(), op.as_str().to_string()))
        .collect();
    let mut tx = state.db.begin().await?;
    jetson_store::operators::set(&mut tx, org, &rows).await?;
    actor.record(&mut tx, org, "settings.privacy_operators", "organization", &serde_json::to_string(&rows)?).await?;
    tx.commit().await?;
    Ok(())
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
