//! Workspace users and the two built-in groups.

use std::collections::BTreeMap;

/// The group every user belongs to.
pub(crate) const USERS_GROUP: &str = "users";
/// The group of workspace admins.
pub(crate) const ADMINS_GROUP: &str = "admins";

/// The user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// User name (an email address).
    pub(crate) name: String,
    /// Member of `admins`: bypasses secret ACLs, may pin clusters.
    pub(crate) admin: bool,
}

/// A workspace user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    /// Numeric id, as SCIM shows it.
    pub(crate) id: u64,
    pub(crate) admin: bool,
}

/// The users of the workspace, by name.
#[derive(Debug, Default)]
pub(crate) struct Users {
    by_name: BTreeMap<String, User>,
    next_id: u64,
}

impl Users {
    /// Adds a user (or makes an existing one an admin); returns its id.
    pub(crate) fn add(&mut self, name: &str, admin: bool) -> u64 {
        if let Some(user) = self.by_name.get_mut(name) {
            user.admin |= admin;
            return user.id;
        }
        self.next_id += 1;
        // SCIM ids are 15- or 16-digit numbers.
        let id = 4_000_000_000_000_000 + self.next_id * 7_919;
        self.by_name.insert(name.to_string(), User { id, admin });
        id
    }

    /// The user with this name.
    pub(crate) fn get(&self, name: &str) -> Option<&User> {
        self.by_name.get(name)
    }

    /// The caller for a user name, if the user exists.
    pub(crate) fn caller(&self, name: &str) -> Option<Caller> {
        self.get(name).map(|user| Caller {
            name: name.to_string(),
            admin: user.admin,
        })
    }

    /// Whether a principal (a user name or a group) exists: ACLs can name only these.
    pub(crate) fn is_principal(&self, principal: &str) -> bool {
        principal == USERS_GROUP
            || principal == ADMINS_GROUP
            || self.by_name.contains_key(principal)
    }
}

impl Caller {
    /// The groups of the caller.
    pub(crate) fn groups(&self) -> &'static [&'static str] {
        if self.admin {
            &[USERS_GROUP, ADMINS_GROUP]
        } else {
            &[USERS_GROUP]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_is_in_users_and_admins_also_in_admins() {
        let mut users = Users::default();
        users.add("admin@example.com", true);
        users.add("alice@example.com", false);
        assert_eq!(
            users.caller("alice@example.com").unwrap().groups(),
            ["users"]
        );
        assert_eq!(
            users.caller("admin@example.com").unwrap().groups(),
            ["users", "admins"]
        );
        assert!(users.caller("bob@example.com").is_none());
    }

    #[test]
    fn principals_are_users_and_the_built_in_groups() {
        let mut users = Users::default();
        let id = users.add("alice@example.com", false);
        assert_eq!(users.add("alice@example.com", false), id);
        for known in ["alice@example.com", "users", "admins"] {
            assert!(users.is_principal(known), "{known}");
        }
        assert!(!users.is_principal("mallory@example.com"));
    }
}
