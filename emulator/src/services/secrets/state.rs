//! Secret scopes, their secrets and their ACLs, with the service's rules: name syntax, value
//! size and count limits, read-only Azure Key Vault scopes, and permissions per principal
//! (READ < WRITE < MANAGE; admins bypass ACLs; every user is in `users`).

use std::collections::BTreeMap;

use azure_databricks_sdk::models::{
    AclItem, AclPermission, AzureKeyVaultSecretScopeMetadata, ScopeBackendType, SecretMetadata,
    SecretScope,
};

use crate::error::ApiError;
use crate::users::{Caller, USERS_GROUP, Users};

use azure_databricks_sdk::rules::{
    SCOPE_NAME, SCOPES_PER_WORKSPACE, SECRET_KEY, SECRET_VALUE, SECRETS_PER_SCOPE,
};

/// Longest scope name or secret key: the SDK's rule (one definition, in the schema).
pub(crate) const MAX_NAME_LEN: usize = SCOPE_NAME.max_len;
/// Largest secret value: the SDK's rule.
pub(crate) const MAX_VALUE_BYTES: usize = SECRET_VALUE.max_bytes as usize;
/// Most secrets in one scope: the SDK's rule.
pub(crate) const MAX_SECRETS_PER_SCOPE: usize = SECRETS_PER_SCOPE.max;
/// Most scopes in one workspace: the SDK's rule.
pub(crate) const MAX_SCOPES: usize = SCOPES_PER_WORKSPACE.max;

/// A permission on a scope; the order is the order of power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Perm {
    Read,
    Write,
    Manage,
}

impl Perm {
    pub(crate) fn from_model(p: &AclPermission) -> Option<Perm> {
        match p {
            AclPermission::Read => Some(Perm::Read),
            AclPermission::Write => Some(Perm::Write),
            AclPermission::Manage => Some(Perm::Manage),
            _ => None,
        }
    }

    fn model(self) -> AclPermission {
        match self {
            Perm::Read => AclPermission::Read,
            Perm::Write => AclPermission::Write,
            Perm::Manage => AclPermission::Manage,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Perm::Read => "READ",
            Perm::Write => "WRITE",
            Perm::Manage => "MANAGE",
        }
    }
}

/// Where a scope keeps its secrets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Backend {
    Databricks,
    /// Secrets live in the vault: the scope is read-only through this API.
    KeyVault(AzureKeyVaultSecretScopeMetadata),
}

#[derive(Debug, Clone)]
struct Secret {
    value: Vec<u8>,
    updated: i64,
}

#[derive(Debug, Clone)]
struct Scope {
    backend: Backend,
    secrets: BTreeMap<String, Secret>,
    acls: BTreeMap<String, Perm>,
}

/// Every scope of the workspace, by name.
#[derive(Debug, Default)]
pub(crate) struct SecretStore {
    scopes: BTreeMap<String, Scope>,
}

/// Whether a key follows the service's rule (the SDK's [`SECRET_KEY`]).
pub(crate) fn valid_name(name: &str) -> bool {
    SECRET_KEY.accepts(name)
}

/// Whether a scope name follows the service's rule (the SDK's [`SCOPE_NAME`]).
pub(crate) fn valid_scope_name(name: &str) -> bool {
    SCOPE_NAME.accepts(name)
}

impl SecretStore {
    /// The scope and the caller's permission on it, which must be at least `need`.
    fn scope_for(&self, caller: &Caller, name: &str, need: Perm) -> Result<&Scope, ApiError> {
        let scope = self
            .scopes
            .get(name)
            .ok_or_else(|| ApiError::not_found(format!("Scope {name} does not exist!")))?;
        let has = if caller.admin {
            Some(Perm::Manage)
        } else {
            std::iter::once(&caller.name)
                .chain(caller.groups())
                .filter_map(|p| scope.acls.get(p.as_str()).copied())
                .max()
        };
        if has < Some(need) {
            return Err(ApiError::permission_denied(format!(
                "User {} does not have {} permission on scope {name} to perform this action.",
                caller.name,
                need.name()
            )));
        }
        Ok(scope)
    }

    fn scope_for_mut(
        &mut self,
        caller: &Caller,
        name: &str,
        need: Perm,
    ) -> Result<&mut Scope, ApiError> {
        self.scope_for(caller, name, need)?;
        self.scopes
            .get_mut(name)
            .ok_or_else(|| ApiError::internal("scope vanished"))
    }

    /// Creates a scope. The creator gets MANAGE, or `users` does when
    /// `initial_manage_principal` is `users` (the only other value the service supports).
    pub(crate) fn create_scope(
        &mut self,
        caller: &Caller,
        name: &str,
        initial_manage_principal: Option<&str>,
        backend: Backend,
    ) -> Result<(), ApiError> {
        if !valid_scope_name(name) {
            return Err(ApiError::invalid_parameter(format!(
                "Scope name {name:?} is invalid: it must consist of alphanumeric characters, dashes, underscores and periods, and may not exceed {MAX_NAME_LEN} characters."
            )));
        }
        let manager = match initial_manage_principal {
            None | Some("") => caller.name.as_str(),
            Some(USERS_GROUP) => USERS_GROUP,
            Some(other) => {
                return Err(ApiError::invalid_parameter(format!(
                    "initial_manage_principal must be \"users\" or omitted; got {other:?}"
                )));
            }
        };
        if self.scopes.contains_key(name) {
            return Err(ApiError::already_exists(format!(
                "Scope {name} already exists!"
            )));
        }
        if self.scopes.len() >= MAX_SCOPES {
            return Err(ApiError::limit_exceeded(format!(
                "The workspace has reached the limit of {MAX_SCOPES} secret scopes."
            )));
        }
        let scope = Scope {
            backend,
            secrets: BTreeMap::new(),
            acls: BTreeMap::from([(manager.to_string(), Perm::Manage)]),
        };
        self.scopes.insert(name.to_string(), scope);
        Ok(())
    }

    /// Deletes a scope and its secrets (MANAGE).
    pub(crate) fn delete_scope(&mut self, caller: &Caller, name: &str) -> Result<(), ApiError> {
        self.scope_for(caller, name, Perm::Manage)?;
        self.scopes.remove(name);
        Ok(())
    }

    /// Every scope: listing scopes needs no permission on them.
    pub(crate) fn list_scopes(&self) -> Vec<SecretScope> {
        self.scopes
            .iter()
            .map(|(name, scope)| SecretScope {
                unknown_fields: Default::default(),
                name: name.clone(),
                backend_type: Some(match scope.backend {
                    Backend::Databricks => ScopeBackendType::Databricks,
                    Backend::KeyVault(_) => ScopeBackendType::AzureKeyvault,
                }),
                keyvault_metadata: match &scope.backend {
                    Backend::Databricks => None,
                    Backend::KeyVault(meta) => Some(meta.clone()),
                },
            })
            .collect()
    }

    /// Creates or replaces a secret (WRITE).
    pub(crate) fn put(
        &mut self,
        caller: &Caller,
        scope_name: &str,
        key: &str,
        value: Vec<u8>,
        now: i64,
    ) -> Result<(), ApiError> {
        check_key(key)?;
        if value.len() > MAX_VALUE_BYTES {
            return Err(ApiError::invalid_parameter(format!(
                "The secret value has {} bytes; the limit is {MAX_VALUE_BYTES} bytes.",
                value.len()
            )));
        }
        let scope = self.scope_for_mut(caller, scope_name, Perm::Write)?;
        read_write(scope, scope_name)?;
        if !scope.secrets.contains_key(key) && scope.secrets.len() >= MAX_SECRETS_PER_SCOPE {
            return Err(ApiError::limit_exceeded(format!(
                "Scope {scope_name} has reached the limit of {MAX_SECRETS_PER_SCOPE} secrets."
            )));
        }
        scope.secrets.insert(
            key.to_string(),
            Secret {
                value,
                updated: now,
            },
        );
        Ok(())
    }

    /// Deletes a secret (WRITE).
    pub(crate) fn delete(
        &mut self,
        caller: &Caller,
        scope_name: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        let scope = self.scope_for_mut(caller, scope_name, Perm::Write)?;
        read_write(scope, scope_name)?;
        scope.secrets.remove(key).map(|_| ()).ok_or_else(|| {
            ApiError::not_found(format!(
                "Secret {key} does not exist in scope {scope_name}."
            ))
        })
    }

    /// The keys of a scope and when they changed (READ); never the values.
    pub(crate) fn list(
        &self,
        caller: &Caller,
        scope_name: &str,
    ) -> Result<Vec<SecretMetadata>, ApiError> {
        let scope = self.scope_for(caller, scope_name, Perm::Read)?;
        Ok(scope
            .secrets
            .iter()
            .map(|(key, s)| SecretMetadata {
                unknown_fields: Default::default(),
                key: key.clone(),
                last_updated_timestamp: Some(s.updated),
            })
            .collect())
    }

    /// The value of a secret, for [`crate::Emulator::secret_value`] (no permission check).
    pub(crate) fn value(&self, scope_name: &str, key: &str) -> Option<Vec<u8>> {
        Some(self.scopes.get(scope_name)?.secrets.get(key)?.value.clone())
    }

    /// The ACLs of a scope (MANAGE).
    pub(crate) fn acls(&self, caller: &Caller, scope_name: &str) -> Result<Vec<AclItem>, ApiError> {
        let scope = self.scope_for(caller, scope_name, Perm::Manage)?;
        Ok(scope
            .acls
            .iter()
            .map(|(principal, perm)| AclItem {
                unknown_fields: Default::default(),
                principal: principal.clone(),
                permission: perm.model(),
            })
            .collect())
    }

    /// The ACL of one principal (MANAGE).
    pub(crate) fn acl(
        &self,
        caller: &Caller,
        scope_name: &str,
        principal: &str,
    ) -> Result<AclItem, ApiError> {
        let scope = self.scope_for(caller, scope_name, Perm::Manage)?;
        let perm = scope
            .acls
            .get(principal)
            .ok_or_else(|| no_acl(scope_name, principal))?;
        Ok(AclItem {
            unknown_fields: Default::default(),
            principal: principal.to_string(),
            permission: perm.model(),
        })
    }

    /// Creates or overwrites the ACL of a principal (MANAGE); the principal must exist.
    pub(crate) fn put_acl(
        &mut self,
        caller: &Caller,
        users: &Users,
        scope_name: &str,
        principal: &str,
        perm: Perm,
    ) -> Result<(), ApiError> {
        let scope = self.scope_for_mut(caller, scope_name, Perm::Manage)?;
        if !users.is_principal(principal) {
            return Err(ApiError::invalid_parameter(format!(
                "Principal {principal} does not exist: give a user name, a service principal or a group."
            )));
        }
        scope.acls.insert(principal.to_string(), perm);
        Ok(())
    }

    /// Removes the ACL of a principal (MANAGE).
    pub(crate) fn delete_acl(
        &mut self,
        caller: &Caller,
        scope_name: &str,
        principal: &str,
    ) -> Result<(), ApiError> {
        let scope = self.scope_for_mut(caller, scope_name, Perm::Manage)?;
        scope
            .acls
            .remove(principal)
            .map(|_| ())
            .ok_or_else(|| no_acl(scope_name, principal))
    }

    /// Number of secrets in a scope (tests).
    #[cfg(test)]
    pub(crate) fn secret_count(&self, scope_name: &str) -> Option<usize> {
        self.scopes.get(scope_name).map(|s| s.secrets.len())
    }
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if valid_name(key) {
        return Ok(());
    }
    Err(ApiError::invalid_parameter(format!(
        "Secret key {key:?} is invalid: it must consist of alphanumeric characters, dashes, underscores and periods, and may not exceed {MAX_NAME_LEN} characters."
    )))
}

/// Azure Key Vault-backed scopes are read-only through the Secrets API.
fn read_write(scope: &Scope, scope_name: &str) -> Result<(), ApiError> {
    match scope.backend {
        Backend::Databricks => Ok(()),
        Backend::KeyVault(_) => Err(ApiError::bad_request(format!(
            "Scope {scope_name} is backed by Azure Key Vault and is read-only: manage its secrets in the key vault."
        ))),
    }
}

fn no_acl(scope_name: &str, principal: &str) -> ApiError {
    ApiError::not_found(format!(
        "No ACL for principal {principal} on scope {scope_name}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (SecretStore, Users, Caller, Caller, Caller) {
        let mut users = Users::default();
        users.add("admin@example.com", true);
        users.add("alice@example.com", false);
        users.add("bob@example.com", false);
        let admin = users.caller("admin@example.com").unwrap();
        let alice = users.caller("alice@example.com").unwrap();
        let bob = users.caller("bob@example.com").unwrap();
        (SecretStore::default(), users, admin, alice, bob)
    }

    #[test]
    fn the_creator_gets_manage_and_others_nothing() {
        let (mut store, _, admin, alice, bob) = setup();
        store
            .create_scope(&bob, "bobs", None, Backend::Databricks)
            .unwrap();
        assert_eq!(
            store.acls(&bob, "bobs").unwrap(),
            [AclItem {
                unknown_fields: Default::default(),
                principal: "bob@example.com".into(),
                permission: AclPermission::Manage
            }]
        );
        store.put(&bob, "bobs", "k", b"v".to_vec(), 1).unwrap();
        let err = store.list(&alice, "bobs").unwrap_err();
        assert_eq!((err.status, err.code()), (403, "PERMISSION_DENIED"));
        assert!(err.message.contains("READ"), "{}", err.message);
        // Admins bypass ACLs.
        assert_eq!(store.list(&admin, "bobs").unwrap().len(), 1);
    }

    #[test]
    fn permissions_are_ordered_read_write_manage() {
        let (mut store, users, _, alice, bob) = setup();
        store
            .create_scope(&bob, "s", None, Backend::Databricks)
            .unwrap();
        store
            .put_acl(&bob, &users, "s", "alice@example.com", Perm::Read)
            .unwrap();
        assert!(store.list(&alice, "s").is_ok());
        assert_eq!(
            store.put(&alice, "s", "k", vec![], 1).unwrap_err().status,
            403
        );
        store
            .put_acl(&bob, &users, "s", "alice@example.com", Perm::Write)
            .unwrap();
        store.put(&alice, "s", "k", vec![], 1).unwrap();
        assert_eq!(store.acls(&alice, "s").unwrap_err().status, 403);
        store
            .put_acl(&bob, &users, "s", "alice@example.com", Perm::Manage)
            .unwrap();
        assert_eq!(store.acls(&alice, "s").unwrap().len(), 2);
    }

    #[test]
    fn a_grant_to_users_reaches_everyone() {
        let (mut store, users, _, alice, bob) = setup();
        store
            .create_scope(&bob, "s", None, Backend::Databricks)
            .unwrap();
        store
            .put_acl(&bob, &users, "s", "users", Perm::Read)
            .unwrap();
        assert!(store.list(&alice, "s").is_ok());
        let err = store
            .put_acl(&bob, &users, "s", "mallory@example.com", Perm::Read)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
    }

    #[test]
    fn initial_manage_principal_users_gives_manage_to_users_only() {
        let (mut store, _, _, alice, bob) = setup();
        store
            .create_scope(&bob, "shared", Some("users"), Backend::Databricks)
            .unwrap();
        let acls = store.acls(&alice, "shared").unwrap();
        assert_eq!(acls.len(), 1);
        assert_eq!(acls[0].principal, "users");
        let err = store
            .create_scope(&bob, "x", Some("alice@example.com"), Backend::Databricks)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
    }

    #[test]
    fn scope_and_key_names_follow_the_rule() {
        let (mut store, _, admin, _, _) = setup();
        for bad in ["", "has space", "a/b", &"x".repeat(129)] {
            let err = store
                .create_scope(&admin, bad, None, Backend::Databricks)
                .unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE", "{bad:?}");
        }
        store
            .create_scope(&admin, &"x".repeat(128), None, Backend::Databricks)
            .unwrap();
        store
            .create_scope(&admin, "s", None, Backend::Databricks)
            .unwrap();
        let err = store.put(&admin, "s", "bad key", vec![], 1).unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
        let dup = store
            .create_scope(&admin, "s", None, Backend::Databricks)
            .unwrap_err();
        assert_eq!((dup.status, dup.code()), (400, "RESOURCE_ALREADY_EXISTS"));
    }

    #[test]
    fn value_size_and_count_limits() {
        let (mut store, _, admin, _, _) = setup();
        store
            .create_scope(&admin, "s", None, Backend::Databricks)
            .unwrap();
        store
            .put(&admin, "s", "max", vec![0; MAX_VALUE_BYTES], 1)
            .unwrap();
        let err = store
            .put(&admin, "s", "big", vec![0; MAX_VALUE_BYTES + 1], 1)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
        for i in 1..MAX_SECRETS_PER_SCOPE {
            store
                .put(&admin, "s", &format!("k{i}"), vec![1], 1)
                .unwrap();
        }
        let err = store
            .put(&admin, "s", "one-too-many", vec![1], 1)
            .unwrap_err();
        assert_eq!(err.code(), "RESOURCE_LIMIT_EXCEEDED");
        // Overwriting an existing key is not a new secret.
        store.put(&admin, "s", "k1", vec![2], 2).unwrap();
        assert_eq!(store.secret_count("s"), Some(MAX_SECRETS_PER_SCOPE));
    }

    #[test]
    fn key_vault_scopes_refuse_put_and_delete_but_list_and_delete_as_scopes() {
        let (mut store, _, admin, _, _) = setup();
        let meta = AzureKeyVaultSecretScopeMetadata {
            unknown_fields: Default::default(),
            resource_id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"
                .into(),
            dns_name: "https://v.vault.azure.net/".into(),
        };
        store
            .create_scope(&admin, "akv", None, Backend::KeyVault(meta.clone()))
            .unwrap();
        let put = store.put(&admin, "akv", "k", vec![1], 1).unwrap_err();
        assert_eq!((put.status, put.code()), (400, "BAD_REQUEST"));
        let del = store.delete(&admin, "akv", "k").unwrap_err();
        assert_eq!(del.code(), "BAD_REQUEST");
        let listed = store.list_scopes();
        assert_eq!(
            listed[0].backend_type,
            Some(ScopeBackendType::AzureKeyvault)
        );
        assert_eq!(listed[0].keyvault_metadata, Some(meta));
        store.delete_scope(&admin, "akv").unwrap();
        assert!(store.list_scopes().is_empty());
    }

    #[test]
    fn missing_scopes_secrets_and_acls_are_404() {
        let (mut store, _, admin, _, _) = setup();
        assert_eq!(store.list(&admin, "nope").unwrap_err().status, 404);
        store
            .create_scope(&admin, "s", None, Backend::Databricks)
            .unwrap();
        assert_eq!(store.delete(&admin, "s", "nope").unwrap_err().status, 404);
        assert_eq!(store.acl(&admin, "s", "users").unwrap_err().status, 404);
        assert_eq!(
            store.delete_acl(&admin, "s", "users").unwrap_err().status,
            404
        );
    }
}
