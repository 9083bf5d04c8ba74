//! What each role may do: one table, [`TABLE`]. Handlers ask [`Role::may`]; `docs/SECURITY.md`
//! shows the same table (a test below holds the two together), and the integration test
//! `every_role_gets_what_the_table_says` walks it through the product.

use crate::{ParseError, Role};

/// Something a person may or may not do in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read work items, conversations and reports (pages, and the API with any token).
    Read,
    /// Change work: status, merge, move, reclassify, file GitHub issues.
    Write,
    /// See a message's original text rather than its redacted one.
    RevealOriginals,
    /// Release a held conversation into analysis, or keep it out.
    DecideHeld,
    /// Connect integrations; change products, privacy and GitHub settings.
    Administer,
    /// Browse and export the audit trail.
    ReadAudit,
    /// Invite and remove members, change roles, give password-reset links. (Only owners make or
    /// unmake owners.)
    ManageMembers,
    /// One's own sessions, password and API tokens.
    OwnAccount,
}

/// Each permission, how `docs/SECURITY.md` words it, and whether viewer, member, admin and owner
/// (in that order) have it.
pub const TABLE: &[(Permission, &str, [bool; 4])] = &[
    (Permission::Read, "read work items, conversations and reports", [true, true, true, true]),
    (Permission::Write, "change status, merge, move, reclassify, file GitHub issues", [false, true, true, true]),
    (Permission::RevealOriginals, "reveal original messages", [false, false, true, true]),
    (Permission::DecideHeld, "release or keep out held conversations", [false, false, true, true]),
    (Permission::Administer, "integrations; products, privacy and GitHub settings", [false, false, true, true]),
    (Permission::ReadAudit, "browse and export the audit trail", [false, false, true, true]),
    (
        Permission::ManageMembers,
        "invite and remove members, change roles, give password-reset links",
        [false, false, true, true],
    ),
    (Permission::OwnAccount, "own sessions, password and API tokens", [true, true, true, true]),
];

/// The roles in the table's column order.
pub const COLUMNS: [Role; 4] = [Role::Viewer, Role::Member, Role::Admin, Role::Owner];

impl Role {
    pub fn may(&self, permission: Permission) -> bool {
        let column = COLUMNS.iter().position(|r| r == self).expect("every role is a column");
        TABLE.iter().find(|(p, _, _)| *p == permission).is_some_and(|(_, _, allowed)| allowed[column])
    }
}

/// What an API token may be used for. The token acts with the lesser of its scope and its owner's
/// role, so a token never outranks the person who made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Scope, ParseError> {
        match s {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(ParseError(format!("`{other}` is not a token scope; expected read, write or admin"))),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Scope::Read => "Read",
            Scope::Write => "Read and write",
            Scope::Admin => "Everything your role allows",
        }
    }

    /// `read` reads; `write` also changes work; `admin` may do whatever the owner's role may.
    pub fn permits(&self, permission: Permission) -> bool {
        match self {
            Scope::Read => permission == Permission::Read,
            Scope::Write => matches!(permission, Permission::Read | Permission::Write),
            Scope::Admin => true,
        }
    }

    /// The widest scope worth giving a token of someone with `role`.
    pub fn widest_for(role: Role) -> Scope {
        if role.may(Permission::Administer) {
            Scope::Admin
        } else if role.may(Permission::Write) {
            Scope::Write
        } else {
            Scope::Read
        }
    }
}

impl TryFrom<String> for Scope {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Scope::parse(&s)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_admins_administer_members_write_viewers_read() {
        assert!(Role::Viewer.may(Permission::Read) && !Role::Viewer.may(Permission::Write));
        assert!(Role::Member.may(Permission::Write) && !Role::Member.may(Permission::RevealOriginals));
        assert!(Role::Admin.may(Permission::ReadAudit) && Role::Owner.may(Permission::Administer));
        assert!(Role::ALL.iter().all(|r| r.may(Permission::OwnAccount)));
        assert_eq!(Scope::widest_for(Role::Viewer), Scope::Read);
        assert_eq!(Scope::widest_for(Role::Member), Scope::Write);
        assert!(!Scope::Write.permits(Permission::Administer) && Scope::Admin.permits(Permission::Administer));
    }

    /// `docs/SECURITY.md` carries the table as people read it; this keeps it the table in force.
    #[test]
    fn the_security_document_shows_this_table() {
        let doc = include_str!("../../../docs/SECURITY.md");
        let rows: Vec<(String, Vec<bool>)> = doc
            .lines()
            .skip_while(|l| !l.starts_with("## Roles"))
            .filter(|l| l.starts_with("| ") && (l.ends_with("| yes |") || l.ends_with("| no |")))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                (cells[0].to_string(), cells[1..].iter().map(|c| *c == "yes").collect())
            })
            .collect();
        let expected: Vec<(String, Vec<bool>)> =
            TABLE.iter().map(|(_, words, allowed)| (words.to_string(), allowed.to_vec())).collect();
        assert_eq!(rows, expected, "docs/SECURITY.md's role table differs from permissions::TABLE");
        assert!(doc.contains("| | viewer | member | admin | owner |"));
    }
}

/// Which of the organisation's products someone sees (need-to-know). Owners and admins see every
/// product; a member or viewer may be limited to some, and then sees nothing of the others: not
/// in lists, and 404 for their objects, as if they were another organisation's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProductAccess {
    #[default]
    All,
    Only(Vec<crate::ProductId>),
}

impl ProductAccess {
    /// A membership's access: its limit applies to members and viewers only.
    pub fn for_role(role: Role, limited_to: Option<Vec<crate::ProductId>>) -> ProductAccess {
        match limited_to {
            Some(products) if !role.may(Permission::Administer) => ProductAccess::Only(products),
            _ => ProductAccess::All,
        }
    }

    pub fn allows(&self, product: crate::ProductId) -> bool {
        match self {
            ProductAccess::All => true,
            ProductAccess::Only(products) => products.contains(&product),
        }
    }

    pub fn is_limited(&self) -> bool {
        matches!(self, ProductAccess::Only(_))
    }
}

#[cfg(test)]
mod product_access_tests {
    use super::*;
    use crate::ProductId;

    #[test]
    fn a_limit_binds_members_and_viewers_but_not_admins() {
        let (a, b) = (ProductId::new(), ProductId::new());
        for role in [Role::Viewer, Role::Member] {
            let access = ProductAccess::for_role(role, Some(vec![a]));
            assert!(access.allows(a) && !access.allows(b) && access.is_limited());
        }
        for role in [Role::Admin, Role::Owner] {
            assert_eq!(ProductAccess::for_role(role, Some(vec![a])), ProductAccess::All);
        }
        assert!(!ProductAccess::for_role(Role::Member, Some(vec![])).allows(a), "limited to none sees none");
        assert!(ProductAccess::for_role(Role::Member, None).allows(b));
    }
}
