//! Closed vocabularies. Each is stored as its `as_str` text in both databases and parsed back with
//! `TryFrom<String>`, so an unknown value in the database is an error, never a silent default.

use serde::{Deserialize, Serialize};

use crate::ParseError;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Result<Self, ParseError> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(ParseError(format!(
                        "`{other}` is not a valid {}; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        [$($text),*].join(", ")
                    ))),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, ParseError> {
                Self::parse(&s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(Category { Bug => "bug", Feature => "feature", NoAction => "no_action" });
text_enum!(Priority { Low => "low", Medium => "medium", High => "high", Urgent => "urgent" });
text_enum!(WorkItemStatus {
    Open => "open",
    InProgress => "in_progress",
    Resolved => "resolved",
    Deferred => "deferred",
});
text_enum!(Role { Owner => "owner", Admin => "admin", Member => "member", Viewer => "viewer" });
text_enum!(Author { Customer => "customer", Agent => "agent", Note => "note" });
text_enum!(
    /// Who decided a conversation's category or a report's work item: a person (a correction, which
    /// the model then learns from) or the model.
    Decider { Human => "human", Model => "model" });
text_enum!(
    /// A GitHub issue's state, as GitHub names it.
    IssueState { Open => "open", Closed => "closed" });
text_enum!(
    /// Where a work item stands in the GitHub approval queue: waiting for a person to create its
    /// issue, or dismissed (automatic creation leaves it alone).
    Approval { Waiting => "waiting", Dismissed => "dismissed" });
text_enum!(
    /// A conversation held out of analysis after screening: held (waiting for a person), released
    /// into analysis, or kept out for good.
    HoldState { Held => "held", Released => "released", KeptOut => "kept_out" });

impl Category {
    /// Bugs and feature requests become work; everything else is support traffic.
    pub fn is_actionable(&self) -> bool {
        !matches!(self, Category::NoAction)
    }

    pub fn label(&self) -> &'static str {
        match self {
            Category::Bug => "Bug",
            Category::Feature => "Feature request",
            Category::NoAction => "No action",
        }
    }
}

impl WorkItemStatus {
    pub fn label(&self) -> &'static str {
        match self {
            WorkItemStatus::Open => "Open",
            WorkItemStatus::InProgress => "In progress",
            WorkItemStatus::Resolved => "Resolved",
            WorkItemStatus::Deferred => "Deferred",
        }
    }
}

impl Role {
    /// Viewers read; everyone else may change work items (see `permissions::TABLE`).
    pub fn can_write(&self) -> bool {
        self.may(crate::Permission::Write)
    }

    /// Owners and admins manage integrations and settings (see `permissions::TABLE`).
    pub fn can_administer(&self) -> bool {
        self.may(crate::Permission::Administer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_through_its_text() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), *c);
        }
        for s in WorkItemStatus::ALL {
            assert_eq!(WorkItemStatus::try_from(s.as_str().to_string()).unwrap(), *s);
        }
        for d in Decider::ALL {
            assert_eq!(Decider::parse(d.as_str()).unwrap(), *d);
        }
        for i in IssueState::ALL {
            assert_eq!(IssueState::parse(i.as_str()).unwrap(), *i);
        }
        for a in Approval::ALL {
            assert_eq!(Approval::parse(a.as_str()).unwrap(), *a);
        }
        for h in HoldState::ALL {
            assert_eq!(HoldState::parse(h.as_str()).unwrap(), *h);
        }
    }

    #[test]
    fn an_unknown_value_names_the_valid_ones() {
        let err = Priority::parse("critical").unwrap_err();
        assert!(err.0.contains("low, medium, high, urgent"), "{err}");
    }
}
