//! The inbox rule: which open work items a team sees first. The store's inbox query restates it
//! in SQL (`jetson_store::work_items::inbox`); a store test holds the two to the same answers.

use crate::{ParseError, Priority};

/// How many distinct customers put a work item in its product's inbox (Settings → Products).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxMinimum(i64);

impl InboxMinimum {
    pub const DEFAULT: InboxMinimum = InboxMinimum(2);
    pub const MAX: i64 = 10_000;

    pub fn parse(n: i64) -> Result<InboxMinimum, ParseError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(InboxMinimum(n))
        } else {
            Err(ParseError(format!("the inbox minimum must be between 1 and {} customers", Self::MAX)))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for InboxMinimum {
    type Error = ParseError;
    fn try_from(n: i64) -> Result<InboxMinimum, ParseError> {
        InboxMinimum::parse(n)
    }
}

/// An open work item is in the inbox when at least the product's minimum of distinct customers
/// reported it, or when it is urgent (one customer losing data is enough).
pub fn in_inbox(customers: i64, priority: Priority, minimum: InboxMinimum) -> bool {
    customers >= minimum.get() || priority == Priority::Urgent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enough_customers_or_urgency_puts_an_item_in_the_inbox() {
        let two = InboxMinimum::DEFAULT;
        assert!(in_inbox(2, Priority::Low, two));
        assert!(!in_inbox(1, Priority::High, two));
        assert!(in_inbox(1, Priority::Urgent, two));
        assert!(in_inbox(1, Priority::Low, InboxMinimum::parse(1).unwrap()));
    }

    #[test]
    fn the_minimum_is_at_least_one_customer() {
        assert!(InboxMinimum::parse(0).is_err());
        assert!(InboxMinimum::parse(-3).is_err());
        assert!(InboxMinimum::parse(InboxMinimum::MAX + 1).is_err());
        assert_eq!(InboxMinimum::parse(5).unwrap().get(), 5);
    }
}
