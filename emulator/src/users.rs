//! The directory of the workspace: users, service principals and groups (the built-in `users`,
//! which everyone is in, and `admins`, whose members are the workspace admins), with the SCIM
//! attributes they were created with.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// The group every user belongs to.
pub(crate) const USERS_GROUP: &str = "users";
/// The group of workspace admins.
pub(crate) const ADMINS_GROUP: &str = "admins";

/// The user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// User name (an email address), or a service principal's application id.
    pub(crate) name: String,
    /// Member of `admins`: bypasses secret ACLs and permissions, may pin clusters.
    pub(crate) admin: bool,
    /// The names of the groups the caller is in (`users` always).
    pub(crate) groups: Vec<String>,
}

/// A user or a service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    ServicePrincipal,
}

/// A workspace user or service principal, by its name (user name or application id).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct User {
    /// Numeric id, as SCIM shows it.
    pub(crate) id: u64,
    pub(crate) admin: bool,
    pub(crate) kind: Kind,
    /// SCIM attributes other than those the directory keeps itself (id, name, groups).
    pub(crate) doc: Map<String, Value>,
}

/// A group: its name, its members' ids and its other SCIM attributes. The members of the
/// built-in groups are not kept here: everyone is in `users`, admins in `admins`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) members: BTreeSet<u64>,
    pub(crate) doc: Map<String, Value>,
}

/// The users, service principals and groups of the workspace.
#[derive(Debug)]
pub(crate) struct Users {
    by_name: BTreeMap<String, User>,
    groups: BTreeMap<u64, Group>,
    next_id: u64,
}

impl Default for Users {
    fn default() -> Self {
        let mut users = Self {
            by_name: BTreeMap::new(),
            groups: BTreeMap::new(),
            next_id: 0,
        };
        for name in [USERS_GROUP, ADMINS_GROUP] {
            users.add_group(name, Map::new());
        }
        users
    }
}

impl Users {
    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        // SCIM ids are 15- or 16-digit numbers.
        4_000_000_000_000_000 + self.next_id * 7_919
    }

    /// Adds a user (or makes an existing one an admin); returns its id.
    pub(crate) fn add(&mut self, name: &str, admin: bool) -> u64 {
        let display = name.split('@').next().unwrap_or(name).to_string();
        let doc = json!({
            "displayName": display,
            "emails": [{"value": name, "type": "work", "primary": true}],
            "active": true,
        });
        self.add_principal(name, Kind::User, admin, object(doc))
    }

    /// Adds a user or service principal with its SCIM attributes, or makes an existing one an
    /// admin; returns its id.
    pub(crate) fn add_principal(
        &mut self,
        name: &str,
        kind: Kind,
        admin: bool,
        doc: Map<String, Value>,
    ) -> u64 {
        if let Some(user) = self.by_name.get_mut(name) {
            user.admin |= admin;
            return user.id;
        }
        let id = self.fresh_id();
        self.by_name.insert(
            name.to_string(),
            User {
                id,
                admin,
                kind,
                doc,
            },
        );
        id
    }

    /// Adds a group; returns its id.
    pub(crate) fn add_group(&mut self, name: &str, doc: Map<String, Value>) -> u64 {
        let id = self.fresh_id();
        self.groups.insert(
            id,
            Group {
                name: name.to_string(),
                members: BTreeSet::new(),
                doc,
            },
        );
        id
    }

    /// The user or service principal with this name.
    pub(crate) fn get(&self, name: &str) -> Option<&User> {
        self.by_name.get(name)
    }

    /// The user or service principal with this id, with its name.
    pub(crate) fn by_id(&self, id: u64) -> Option<(&str, &User)> {
        self.by_name
            .iter()
            .find(|(_, u)| u.id == id)
            .map(|(n, u)| (n.as_str(), u))
    }

    /// The same, to change it.
    pub(crate) fn by_id_mut(&mut self, id: u64) -> Option<&mut User> {
        self.by_name.values_mut().find(|u| u.id == id)
    }

    /// Every user or service principal of a kind, by name.
    pub(crate) fn principals(&self, kind: Kind) -> impl Iterator<Item = (&str, &User)> {
        self.by_name
            .iter()
            .filter(move |(_, u)| u.kind == kind)
            .map(|(n, u)| (n.as_str(), u))
    }

    /// Removes a user or service principal and its memberships.
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.by_name.len();
        self.by_name.retain(|_, u| u.id != id);
        for group in self.groups.values_mut() {
            group.members.remove(&id);
        }
        before != self.by_name.len()
    }

    /// Every group, by id.
    pub(crate) fn groups(&self) -> impl Iterator<Item = (u64, &Group)> {
        self.groups.iter().map(|(id, g)| (*id, g))
    }

    /// The group with this id.
    pub(crate) fn group(&self, id: u64) -> Option<&Group> {
        self.groups.get(&id)
    }

    /// The same, to change it.
    pub(crate) fn group_mut(&mut self, id: u64) -> Option<&mut Group> {
        self.groups.get_mut(&id)
    }

    /// The id of the group with this name.
    pub(crate) fn group_id(&self, name: &str) -> Option<u64> {
        self.groups
            .iter()
            .find(|(_, g)| g.name == name)
            .map(|(id, _)| *id)
    }

    /// Removes a group.
    pub(crate) fn remove_group(&mut self, id: u64) -> bool {
        for group in self.groups.values_mut() {
            group.members.remove(&id);
        }
        self.groups.remove(&id).is_some()
    }

    /// The ids of the members of a group: everyone for `users`, the admins for `admins`.
    pub(crate) fn members(&self, id: u64) -> Vec<u64> {
        let Some(group) = self.groups.get(&id) else {
            return Vec::new();
        };
        match group.name.as_str() {
            USERS_GROUP => self.by_name.values().map(|u| u.id).collect(),
            ADMINS_GROUP => self
                .by_name
                .values()
                .filter(|u| u.admin)
                .map(|u| u.id)
                .collect(),
            _ => group.members.iter().copied().collect(),
        }
    }

    /// The groups (id, name) a user, service principal or group with this id is in.
    pub(crate) fn groups_of(&self, id: u64) -> Vec<(u64, String)> {
        self.groups
            .keys()
            .filter(|gid| self.members(**gid).contains(&id))
            .map(|gid| (*gid, self.groups[gid].name.clone()))
            .collect()
    }

    /// The caller for a user name, if the user exists.
    pub(crate) fn caller(&self, name: &str) -> Option<Caller> {
        self.get(name).map(|user| Caller {
            name: name.to_string(),
            admin: user.admin,
            groups: self
                .groups_of(user.id)
                .into_iter()
                .map(|(_, n)| n)
                .collect(),
        })
    }

    /// Whether a principal (a user or service principal name, or a group) exists: ACLs can
    /// name only these.
    pub(crate) fn is_principal(&self, principal: &str) -> bool {
        self.group_id(principal).is_some() || self.by_name.contains_key(principal)
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Caller {
    /// Refuses with `PERMISSION_DENIED` "Only workspace admins can <what>" unless the caller
    /// is an admin.
    pub(crate) fn require_admin(&self, what: &str) -> Result<(), crate::error::ApiError> {
        if self.admin {
            return Ok(());
        }
        Err(crate::error::ApiError::permission_denied(format!(
            "Only workspace admins can {what}; {} is not an admin.",
            self.name
        )))
    }

    /// The groups of the caller.
    pub(crate) fn groups(&self) -> &[String] {
        &self.groups
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
    fn principals_are_users_and_groups() {
        let mut users = Users::default();
        let id = users.add("alice@example.com", false);
        assert_eq!(users.add("alice@example.com", false), id);
        let engineers = users.add_group("engineers", Map::new());
        users.group_mut(engineers).unwrap().members.insert(id);
        for known in ["alice@example.com", "users", "admins", "engineers"] {
            assert!(users.is_principal(known), "{known}");
        }
        assert!(!users.is_principal("mallory@example.com"));
        assert_eq!(
            users.caller("alice@example.com").unwrap().groups(),
            ["users", "engineers"]
        );
        assert!(users.remove(id));
        assert!(users.members(engineers).is_empty());
    }
}
