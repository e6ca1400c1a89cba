//! The Cluster Policies API and policy families, and the enforcement of policies on cluster
//! create and edit ([`enforce_on_cluster`]): a cluster naming a `policy_id` gets the policy's
//! fixed values (and, with `apply_policy_default_values`, its defaults) and is refused naming
//! the first attribute that breaks a rule ([`rules`]). Non-admins need `CAN_USE` on the policy
//! (Permissions API) to create or edit a cluster under it, and see only those policies in
//! `list`; only admins create, edit and delete policies.

mod rules;

use std::collections::BTreeMap;

use azure_databricks_sdk::PolicyDefinition;
use azure_databricks_sdk::models::{
    CreatePolicyRequest, ListPoliciesRequest, ListPoliciesResponse, ListPolicyFamiliesRequest,
    ListPolicyFamiliesResponse, Policy, PolicyFamily,
};
use serde_json::{Map, Value, json};

use crate::api::params::{Params, Shape};
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::services::permissions;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// The policies of the workspace, by id.
#[derive(Debug, Default)]
pub(crate) struct Policies {
    by_id: BTreeMap<String, Policy>,
}

impl Policies {
    /// The policy with this id.
    pub(crate) fn get(&self, id: &str) -> Result<&Policy, ApiError> {
        self.by_id
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("Cluster policy {id} does not exist")))
    }
}

/// The built-in policy families: id, name, description, definition.
const FAMILIES: &[(&str, &str, &str, &str)] = &[
    (
        "personal-vm",
        "Personal Compute",
        "Single-node clusters for one user.",
        r#"{"node_type_id":{"type":"allowlist","values":["Standard_DS3_v2","Standard_DS4_v2","Standard_DS5_v2"],"defaultValue":"Standard_DS3_v2"},"num_workers":{"type":"fixed","value":0,"hidden":true},"autotermination_minutes":{"type":"fixed","value":4320,"hidden":true}}"#,
    ),
    (
        "job-cluster",
        "Job Compute",
        "Clusters of jobs.",
        r#"{"cluster_type":{"type":"fixed","value":"job"},"autoscale.max_workers":{"type":"range","maxValue":20,"defaultValue":8}}"#,
    ),
    (
        "power-user",
        "Power User Compute",
        "Larger autoscaling clusters for power users.",
        r#"{"autoscale.max_workers":{"type":"range","maxValue":50,"defaultValue":10},"autotermination_minutes":{"type":"range","maxValue":240,"defaultValue":120}}"#,
    ),
];

fn family(id: &str) -> Result<PolicyFamily, ApiError> {
    FAMILIES
        .iter()
        .find(|f| f.0 == id)
        .map(|(id, name, description, definition)| PolicyFamily {
            policy_family_id: Some((*id).into()),
            name: Some((*name).into()),
            description: Some((*description).into()),
            definition: Some((*definition).into()),
            ..Default::default()
        })
        .ok_or_else(|| ApiError::not_found(format!("Policy family {id} does not exist")))
}

/// Refuses callers who are not workspace admins.
fn admins_only(call: &Call) -> Result<(), ApiError> {
    call.caller
        .require_admin("create, edit and delete cluster policies")
}

/// The rules of a definition document.
fn parse(definition: &str) -> Result<PolicyDefinition, ApiError> {
    PolicyDefinition::parse(definition)
        .map_err(|e| ApiError::invalid_parameter(format!("Invalid policy definition: {e}")))
}

/// The effective definition of a request: its own, or its family's with the overrides.
fn definition_of(request: &CreatePolicyRequest) -> Result<String, ApiError> {
    match (&request.policy_family_id, &request.definition) {
        (Some(id), _) => {
            let mut rules = parse(&family(id)?.definition.unwrap_or_default())?;
            if let Some(overrides) = &request.policy_family_definition_overrides {
                rules.rules.extend(parse(overrides)?.rules);
            }
            rules
                .to_json_string()
                .map_err(|e| ApiError::internal(e.to_string()))
        }
        (None, Some(definition)) => {
            parse(definition)?;
            Ok(definition.clone())
        }
        (None, None) => Ok("{}".into()),
    }
}

fn check_name(
    ws: &Workspace,
    request: &CreatePolicyRequest,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let name = request.name.as_deref().unwrap_or_default();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid_parameter(
            "A policy name has 1 to 100 characters",
        ));
    }
    let taken = ws
        .policies
        .by_id
        .values()
        .any(|p| p.name.as_deref() == Some(name) && p.policy_id.as_deref() != except);
    if taken {
        return Err(ApiError::invalid_parameter(format!(
            "Policy with name {name} already exists"
        )));
    }
    Ok(())
}

/// `POST policies/clusters/create` (admins).
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let request: CreatePolicyRequest = params.decode(&["name"])?;
    check_name(ws, &request, None)?;
    let definition = definition_of(&request)?;
    let id = ws.env.rng.hex(16).to_uppercase();
    let policy = Policy {
        policy_id: Some(id.clone()),
        name: request.name,
        definition: Some(definition),
        description: request.description,
        creator_user_name: Some(call.caller.name.clone()),
        created_at_timestamp: Some(call.now),
        is_default: Some(false),
        max_clusters_per_user: request.max_clusters_per_user,
        policy_family_id: request.policy_family_id,
        policy_family_definition_overrides: request.policy_family_definition_overrides,
        libraries: request.libraries,
        ..Default::default()
    };
    ws.policies.by_id.insert(id.clone(), policy);
    Ok(json!({"policy_id": id}))
}

/// `POST policies/clusters/edit` (admins): name, definition and settings replaced.
pub(crate) fn edit(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let request: CreatePolicyRequest = params.decode(&["policy_id", "name"])?;
    let id = request.policy_id.clone().unwrap_or_default();
    ws.policies.get(&id)?;
    check_name(ws, &request, Some(&id))?;
    let definition = definition_of(&request)?;
    if let Some(policy) = ws.policies.by_id.get_mut(&id) {
        policy.name = request.name;
        policy.definition = Some(definition);
        policy.description = request.description;
        policy.max_clusters_per_user = request.max_clusters_per_user;
        policy.policy_family_id = request.policy_family_id;
        policy.policy_family_definition_overrides = request.policy_family_definition_overrides;
        policy.libraries = request.libraries;
    }
    Ok(json!({}))
}

/// `POST policies/clusters/delete` (admins).
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let id = params.str("policy_id")?;
    ws.policies.get(id)?;
    ws.policies.by_id.remove(id);
    ws.permissions.forget("cluster-policies", id);
    Ok(json!({}))
}

/// `GET policies/clusters/get?policy_id=`.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    to_json(ws.policies.get(params.str("policy_id")?)?)
}

/// Whether the caller may create clusters under a policy.
fn may_use(ws: &mut Workspace, call: &Call, id: &str) -> bool {
    permissions::require_on(ws, call, "cluster-policies", id, None, "CAN_USE").is_ok()
}

/// `GET policies/clusters/list`: newest first unless asked otherwise; non-admins see the
/// policies they may use.
pub(crate) fn list(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: ListPoliciesRequest = params.decode_query(&[])?;
    let ids: Vec<String> = ws.policies.by_id.keys().cloned().collect();
    let usable: Vec<String> = ids.into_iter().filter(|id| may_use(ws, call, id)).collect();
    let mut policies: Vec<Policy> = usable
        .iter()
        .filter_map(|id| ws.policies.by_id.get(id).cloned())
        .collect();
    let by_name = request
        .sort_column
        .as_ref()
        .is_some_and(|c| c.as_str() == "POLICY_NAME");
    if by_name {
        policies.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        policies.sort_by_key(|p| p.created_at_timestamp);
    }
    let ascending = request
        .sort_order
        .as_ref()
        .is_some_and(|o| o.as_str() == "ASC");
    if !ascending {
        policies.reverse();
    }
    to_json(&ListPoliciesResponse {
        policies,
        ..Default::default()
    })
}

/// `GET policy-families/{id}`.
pub(crate) fn families_get(_: &mut Workspace, _: &Call, params: &Params) -> Answer {
    to_json(&family(params.str("policy_family_id")?)?)
}

/// `GET policy-families`: pages of `max_results` (all by default); the page token is the
/// offset of the next page.
pub(crate) fn families_list(_: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let request: ListPolicyFamiliesRequest = params.decode_query(&[("max_results", Shape::Int)])?;
    let start: usize = match request.page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .parse()
            .map_err(|_| ApiError::invalid_parameter(format!("Invalid page token {token}")))?,
    };
    let size = usize::try_from(request.max_results.unwrap_or(100).max(1)).unwrap_or(100);
    let families = FAMILIES
        .iter()
        .skip(start)
        .take(size)
        .map(|f| family(f.0))
        .collect::<Result<Vec<_>, _>>()?;
    let next = start + families.len();
    to_json(&ListPolicyFamiliesResponse {
        next_page_token: (next < FAMILIES.len()).then(|| next.to_string()),
        policy_families: families,
        ..Default::default()
    })
}

/// Applies the policy a cluster's settings name, if any: `CAN_USE` for non-admins, fixed
/// values and (with `apply_policy_default_values`) defaults filled in, every rule checked.
///
/// # Errors
///
/// 400 for an unknown policy or a broken rule (naming the attribute), 403 without `CAN_USE`.
pub(crate) fn enforce_on_cluster(
    ws: &mut Workspace,
    call: &Call,
    cluster: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(id) = cluster
        .get("policy_id")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Ok(());
    };
    let policy = ws
        .policies
        .get(&id)
        .map_err(|_| ApiError::invalid_parameter(format!("Cluster policy {id} does not exist")))?
        .clone();
    if !may_use(ws, call, &id) {
        return Err(ApiError::permission_denied(format!(
            "User {} does not have CAN_USE permission on cluster policy {id}.",
            call.caller.name
        )));
    }
    let defaults = cluster.get("apply_policy_default_values") == Some(&Value::Bool(true));
    let rules = parse(policy.definition.as_deref().unwrap_or("{}"))?;
    rules::enforce(&rules.rules, cluster, defaults)
}
