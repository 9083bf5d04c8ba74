//! Plain types shared by every Jetson crate. Nothing here does IO.
//!
//! Start with [`ids`] (UUIDv7 newtypes), then [`enums`] (the closed vocabularies stored as text) and
//! [`values`] (validated values constructed only through `parse`); [`permissions`] is the role table.

pub mod enums;
pub mod ids;
pub mod inbox;
pub mod permissions;
pub mod values;

pub use enums::{Approval, Author, Category, Decider, HoldState, IssueState, Priority, Role, WorkItemStatus};
pub use ids::*;
pub use inbox::{InboxMinimum, in_inbox};
pub use permissions::{Permission, ProductAccess, Scope};
pub use values::{Email, ProductName};

/// A value that failed to parse into a domain type; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);
