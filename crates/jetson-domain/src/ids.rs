//! Typed identifiers. Every id is a UUIDv7, so ids sort by creation time, which the API's cursor
//! pagination relies on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ParseError;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| ParseError(format!("`{s}` is not a valid id")))
            }
        }
    )*};
}

id_type!(
    OrgId,
    UserId,
    SessionId,
    ApiTokenId,
    LinkId,
    AlertId,
    ProductId,
    CustomerId,
    ConversationId,
    MessageId,
    WorkItemId,
    ReportId,
    MergeId,
    JobId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = WorkItemId::new();
        assert_eq!(id.to_string().parse::<WorkItemId>().unwrap(), id);
        assert!("not-an-id".parse::<WorkItemId>().is_err());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = ConversationId::new();
        let b = ConversationId::new();
        assert!(a < b);
    }
}
