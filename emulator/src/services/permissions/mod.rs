//! The Permissions API: access control lists of workspace objects, and their enforcement.
//!
//! Clusters have real owners (their creator holds `CAN_MANAGE` until a `set` replaces the
//! list) and the clusters API checks the caller's level: starting, restarting and terminating
//! need `CAN_RESTART`; editing, resizing and deleting need `CAN_MANAGE`. Changing any object's
//! permissions needs `CAN_MANAGE` on it; reading them needs no level. Workspace admins hold the
//! highest level of every object. Objects of kinds the emulator does not model otherwise (jobs,
//! notebooks, ...) are taken to exist.

mod state;

pub(crate) use state::PermissionStore;
use state::{Grantee, Kind};

use azure_databricks_sdk::models::{GetPermissionLevelsResponse, SetObjectPermissions};
use serde_json::Value;

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// The groups of the caller, for group grants.
fn groups_of(call: &Call) -> Vec<String> {
    call.caller.groups().to_vec()
}

/// The kind and owner of the object named by the path; 404 for an object of a modelled kind
/// that does not exist.
fn object(
    ws: &Workspace,
    params: &Params,
) -> Result<(&'static Kind, String, Option<String>), ApiError> {
    let kind = Kind::of(params.str("permission_object_type")?)?;
    let id = params.str("permission_object_id")?.to_string();
    let owner = match kind.path {
        "clusters" => match ws.clusters.get(&id) {
            Ok(cluster) => Some(cluster.creator.clone()),
            // The Permissions API answers 404 where the clusters API answers 400.
            Err(_) => return Err(ApiError::not_found(format!("Cluster {id} does not exist"))),
        },
        "cluster-policies" => {
            ws.policies.get(&id)?;
            None
        }
        "instance-pools" if !ws.pools.exists(&id) => {
            return Err(ApiError::not_found(format!(
                "Instance pool {id} does not exist"
            )));
        }
        "authorization" if id != "tokens" && id != "passwords" => {
            return Err(ApiError::not_found(format!(
                "authorization/{id} does not exist; use tokens or passwords"
            )));
        }
        _ => None,
    };
    Ok((kind, id, owner))
}

/// Refuses unless the caller holds `level` on the object `kind`/`id` with this owner.
pub(crate) fn require_on(
    ws: &mut Workspace,
    call: &Call,
    kind: &str,
    id: &str,
    owner: Option<&str>,
    level: &str,
) -> Result<(), ApiError> {
    let kind = Kind::of(kind)?;
    ws.permissions
        .require(kind, id, owner, &call.caller, &groups_of(call), level)
}

/// Refuses unless the caller holds `level` on the cluster `id` (404 for an unknown cluster).
pub(crate) fn require_on_cluster(
    ws: &mut Workspace,
    call: &Call,
    id: &str,
    level: &str,
) -> Result<(), ApiError> {
    let owner = ws.clusters.get(id)?.creator.clone();
    let kind = Kind::of("clusters")?;
    ws.permissions.require(
        kind,
        id,
        Some(&owner),
        &call.caller,
        &groups_of(call),
        level,
    )
}

/// `GET permissions/{type}/{id}`.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let (kind, id, owner) = object(ws, params)?;
    to_json(&ws.permissions.answer(kind, &id, owner.as_deref()))
}

/// `GET permissions/{type}/{id}/permissionLevels`.
pub(crate) fn get_permission_levels(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let (kind, _, _) = object(ws, params)?;
    to_json(&GetPermissionLevelsResponse {
        permission_levels: kind.descriptions(),
        ..Default::default()
    })
}

/// `PUT permissions/{type}/{id}`: the list replaces every direct grant.
pub(crate) fn set(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    change(ws, call, params, true)
}

/// `PATCH permissions/{type}/{id}`: the list is added to the direct grants.
pub(crate) fn update(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    change(ws, call, params, false)
}

fn change(ws: &mut Workspace, call: &Call, params: &Params, replace: bool) -> Answer {
    let (kind, id, owner) = object(ws, params)?;
    ws.permissions.require(
        kind,
        &id,
        owner.as_deref(),
        &call.caller,
        &groups_of(call),
        "CAN_MANAGE",
    )?;
    let request: SetObjectPermissions = params.decode(&[])?;
    let mut grants = Vec::new();
    for entry in request.access_control_list {
        let grantee = match (
            entry.user_name,
            entry.group_name,
            entry.service_principal_name,
        ) {
            (Some(user), None, None) if ws.users.get(&user).is_some() => Grantee::User(user),
            (None, Some(group), None) if ws.users.is_principal(&group) => Grantee::Group(group),
            (None, None, Some(sp)) if ws.users.get(&sp).is_some() => Grantee::ServicePrincipal(sp),
            (user, group, sp) => {
                let named: Vec<String> = [user, group, sp].into_iter().flatten().collect();
                return Err(ApiError::invalid_parameter(match named.as_slice() {
                    [one] => format!("Principal {one} does not exist"),
                    _ => "Each access control entry names exactly one of user_name, group_name and service_principal_name".to_string(),
                }));
            }
        };
        let level = entry
            .permission_level
            .ok_or_else(|| ApiError::missing("permission_level"))?;
        grants.push((grantee, level.as_str().to_string()));
    }
    ws.permissions
        .grant(kind, &id, owner.as_deref(), grants, replace)?;
    to_json(&ws.permissions.answer(kind, &id, owner.as_deref()))
}
