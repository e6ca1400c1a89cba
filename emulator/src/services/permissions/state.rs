//! What the Permissions API remembers: the direct grants of each object, and the permission
//! levels each kind of object accepts.

use std::collections::{BTreeMap, BTreeSet};

use azure_databricks_sdk::models::{
    AccessControlResponse, ObjectPermissions, Permission, PermissionLevel, PermissionsDescription,
};

use crate::error::ApiError;
use crate::users::{ADMINS_GROUP, Caller};

/// A kind of object: its path segment, its name in answers, and its levels from lowest to
/// highest (the last one is what workspace admins hold on every object).
#[derive(Debug)]
pub(crate) struct Kind {
    pub(crate) path: &'static str,
    pub(crate) singular: &'static str,
    pub(crate) levels: &'static [(&'static str, &'static str)],
}

const MANAGE: (&str, &str) = ("CAN_MANAGE", "Can manage: change settings and permissions");
const FILE_LEVELS: &[(&str, &str)] = &[
    ("CAN_READ", "Can read"),
    ("CAN_RUN", "Can run"),
    ("CAN_EDIT", "Can edit"),
    MANAGE,
];

/// The kinds of objects the emulator keeps permissions of.
pub(crate) const KINDS: &[Kind] = &[
    Kind {
        path: "clusters",
        singular: "cluster",
        levels: &[
            ("CAN_ATTACH_TO", "Can attach notebooks and jobs"),
            ("CAN_RESTART", "Can start, restart and terminate"),
            MANAGE,
        ],
    },
    Kind {
        path: "instance-pools",
        singular: "instance-pool",
        levels: &[("CAN_ATTACH_TO", "Can attach clusters"), MANAGE],
    },
    Kind {
        path: "cluster-policies",
        singular: "cluster-policy",
        levels: &[("CAN_USE", "Can create clusters under the policy")],
    },
    Kind {
        path: "jobs",
        singular: "job",
        levels: &[
            ("CAN_VIEW", "Can view"),
            ("CAN_MANAGE_RUN", "Can run and cancel runs"),
            ("IS_OWNER", "Is the owner"),
            MANAGE,
        ],
    },
    Kind {
        path: "notebooks",
        singular: "notebook",
        levels: FILE_LEVELS,
    },
    Kind {
        path: "directories",
        singular: "directory",
        levels: FILE_LEVELS,
    },
    Kind {
        path: "files",
        singular: "file",
        levels: FILE_LEVELS,
    },
    Kind {
        path: "authorization",
        singular: "tokens",
        levels: &[("CAN_USE", "Can use"), MANAGE],
    },
];

impl Kind {
    /// The kind of a path segment.
    pub(crate) fn of(path: &str) -> Result<&'static Kind, ApiError> {
        KINDS.iter().find(|k| k.path == path).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "Invalid object type: {path}. Known types: {}",
                KINDS.iter().map(|k| k.path).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The rank of a level (0 = lowest), if the kind accepts it.
    fn rank(&self, level: &str) -> Option<usize> {
        self.levels.iter().position(|(l, _)| *l == level)
    }

    /// The highest level, which admins hold.
    fn top(&self) -> &'static str {
        self.levels.last().map_or("CAN_MANAGE", |(l, _)| l)
    }

    /// The levels as the service lists them.
    pub(crate) fn descriptions(&self) -> Vec<PermissionsDescription> {
        self.levels
            .iter()
            .map(|(level, description)| PermissionsDescription {
                permission_level: Some(PermissionLevel::from(*level)),
                description: Some((*description).to_string()),
                ..Default::default()
            })
            .collect()
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grantee {
    User(String),
    Group(String),
    ServicePrincipal(String),
}

/// Direct grants of one object: principal → levels.
type Acl = BTreeMap<Grantee, BTreeSet<String>>;

/// The direct grants of every object, by (kind path, object id). An object nobody has granted
/// anything on yet has its owner (the cluster's creator) as `CAN_MANAGE`.
#[derive(Debug, Default)]
pub(crate) struct PermissionStore {
    acls: BTreeMap<(String, String), Acl>,
}

impl PermissionStore {
    fn acl(&mut self, kind: &Kind, id: &str, owner: Option<&str>) -> &mut Acl {
        self.acls
            .entry((kind.path.to_string(), id.to_string()))
            .or_insert_with(|| {
                let mut acl = Acl::new();
                if let Some(owner) = owner {
                    acl.insert(
                        Grantee::User(owner.to_string()),
                        BTreeSet::from([kind.top().to_string()]),
                    );
                }
                acl
            })
    }

    /// The level the caller holds on an object (through the user or its groups); admins hold
    /// the highest level of every object.
    pub(crate) fn rank_of(
        &mut self,
        kind: &Kind,
        id: &str,
        owner: Option<&str>,
        caller: &Caller,
        groups: &[String],
    ) -> Option<usize> {
        if caller.admin {
            return Some(kind.levels.len().saturating_sub(1));
        }
        let acl = self.acl(kind, id, owner);
        acl.iter()
            .filter(|(grantee, _)| match grantee {
                Grantee::User(name) | Grantee::ServicePrincipal(name) => *name == caller.name,
                Grantee::Group(group) => groups.contains(group),
            })
            .flat_map(|(_, levels)| levels.iter().filter_map(|l| kind.rank(l)))
            .max()
    }

    /// Refuses with `PERMISSION_DENIED` unless the caller holds at least `level`.
    pub(crate) fn require(
        &mut self,
        kind: &Kind,
        id: &str,
        owner: Option<&str>,
        caller: &Caller,
        groups: &[String],
        level: &str,
    ) -> Result<(), ApiError> {
        if caller.admin {
            // Admins may do anything, also what no level of the kind grants (managing the
            // permissions of a cluster policy).
            return Ok(());
        }
        let needed = kind.rank(level).unwrap_or(usize::MAX);
        match self.rank_of(kind, id, owner, caller, groups) {
            Some(held) if held >= needed => Ok(()),
            _ => Err(ApiError::permission_denied(format!(
                "User {} does not have {level} permission on {} {id}.",
                caller.name, kind.singular
            ))),
        }
    }

    /// Replaces (`replace`) or adds to the direct grants of an object.
    pub(crate) fn grant(
        &mut self,
        kind: &Kind,
        id: &str,
        owner: Option<&str>,
        grants: Vec<(Grantee, String)>,
        replace: bool,
    ) -> Result<(), ApiError> {
        for (_, level) in &grants {
            if kind.rank(level).is_none() {
                return Err(ApiError::invalid_parameter(format!(
                    "Permission {level} is not supported on {}; valid levels: {}",
                    kind.singular,
                    kind.levels
                        .iter()
                        .map(|(l, _)| *l)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let acl = self.acl(kind, id, owner);
        if replace {
            acl.clear();
        }
        for (grantee, level) in grants {
            acl.entry(grantee).or_default().insert(level);
        }
        Ok(())
    }

    /// Forgets the grants of an object that is gone.
    pub(crate) fn forget(&mut self, kind: &str, id: &str) {
        self.acls.remove(&(kind.to_string(), id.to_string()));
    }

    /// The access control list of an object as the service answers it: direct grants, then
    /// the `admins` group's inherited top level.
    pub(crate) fn answer(
        &mut self,
        kind: &Kind,
        id: &str,
        owner: Option<&str>,
    ) -> ObjectPermissions {
        let acl = self.acl(kind, id, owner);
        let mut list: Vec<AccessControlResponse> = acl
            .iter()
            .map(|(grantee, levels)| {
                let mut entry = AccessControlResponse {
                    all_permissions: levels
                        .iter()
                        .map(|l| Permission {
                            permission_level: Some(PermissionLevel::from(l.as_str())),
                            inherited: Some(false),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                };
                match grantee {
                    Grantee::User(name) => {
                        entry.display_name = name.split('@').next().map(str::to_string);
                        entry.user_name = Some(name.clone());
                    }
                    Grantee::Group(name) => entry.group_name = Some(name.clone()),
                    Grantee::ServicePrincipal(name) => {
                        entry.service_principal_name = Some(name.clone());
                    }
                }
                entry
            })
            .collect();
        list.push(AccessControlResponse {
            group_name: Some(ADMINS_GROUP.to_string()),
            all_permissions: vec![Permission {
                permission_level: Some(PermissionLevel::from(kind.top())),
                inherited: Some(true),
                inherited_from_object: vec![format!("/{}/", kind.path)],
                ..Default::default()
            }],
            ..Default::default()
        });
        ObjectPermissions {
            object_id: Some(format!("/{}/{id}", kind.path)),
            object_type: Some(kind.singular.to_string()),
            access_control_list: list,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(name: &str, admin: bool) -> Caller {
        Caller {
            name: name.into(),
            admin,
            groups: vec!["users".into()],
        }
    }

    #[test]
    fn owners_manage_others_need_a_grant_and_admins_always_manage() {
        let mut store = PermissionStore::default();
        let kind = Kind::of("clusters").unwrap();
        let users = vec!["users".to_string()];
        let alice = caller("alice@example.com", false);
        let bob = caller("bob@example.com", false);
        let owner = Some("alice@example.com");
        assert!(
            store
                .require(kind, "c1", owner, &alice, &users, "CAN_MANAGE")
                .is_ok()
        );
        let denied = store
            .require(kind, "c1", owner, &bob, &users, "CAN_RESTART")
            .unwrap_err();
        assert_eq!((denied.status, denied.code()), (403, "PERMISSION_DENIED"));
        assert!(denied.message.contains("CAN_RESTART"), "{}", denied.message);
        let grant = (Grantee::Group("users".into()), "CAN_RESTART".to_string());
        store.grant(kind, "c1", owner, vec![grant], false).unwrap();
        assert!(
            store
                .require(kind, "c1", owner, &bob, &users, "CAN_RESTART")
                .is_ok()
        );
        assert!(
            store
                .require(kind, "c1", owner, &bob, &users, "CAN_MANAGE")
                .is_err()
        );
        // set replaces: alice's ownership grant goes too, admins keep theirs.
        let grant = (
            Grantee::User("bob@example.com".into()),
            "CAN_MANAGE".to_string(),
        );
        store.grant(kind, "c1", owner, vec![grant], true).unwrap();
        assert!(
            store
                .require(kind, "c1", owner, &alice, &users, "CAN_ATTACH_TO")
                .is_err()
        );
        let admin = caller("admin@example.com", true);
        assert!(
            store
                .require(kind, "c1", owner, &admin, &users, "CAN_MANAGE")
                .is_ok()
        );
    }

    #[test]
    fn levels_the_kind_does_not_accept_are_refused() {
        let mut store = PermissionStore::default();
        let kind = Kind::of("clusters").unwrap();
        let grant = (Grantee::Group("users".into()), "CAN_USE".to_string());
        let err = store
            .grant(kind, "c1", None, vec![grant], false)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
        assert!(Kind::of("nope").is_err());
    }
}
