//! The Instance Pools API, and pools feeding clusters: a cluster with `instance_pool_id` takes
//! the pool's node type (and with `driver_instance_pool_id`, its driver takes that pool's),
//! and a pool's statistics count the nodes of its live clusters as used and keeps
//! `min_idle_instances` idle (within `max_capacity`). Instances are acquired at once: nothing
//! is ever pending.

use std::collections::BTreeMap;

use azure_databricks_sdk::models::{
    InstancePoolAndStats, InstancePoolAttributes, InstancePoolSpec, InstancePoolState,
    InstancePoolStats, ListInstancePoolsResponse,
};
use serde_json::{Map, Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::ids;
use crate::services::clusters::Clusters;
use crate::services::clusters::lifecycle::Phase;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// A pool as the workspace keeps it.
#[derive(Debug, Clone)]
struct Pool {
    spec: InstancePoolSpec,
    creator: String,
}

/// The instance pools of the workspace, by id.
#[derive(Debug, Default)]
pub(crate) struct Pools {
    by_id: BTreeMap<String, Pool>,
}

impl Pools {
    fn get(&self, id: &str) -> Result<&Pool, ApiError> {
        self.by_id
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("Instance pool {id} does not exist")))
    }

    /// Whether a pool with this id exists.
    pub(crate) fn exists(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }
}

/// Nodes of live clusters taken from the pool `id`.
fn used(clusters: &Clusters, id: &str) -> i32 {
    clusters
        .list()
        .filter(|c| !matches!(c.phase, Phase::Terminated | Phase::Terminating))
        .map(|c| {
            let spec = &c.spec;
            let workers = spec
                .num_workers
                .or_else(|| spec.autoscale.as_ref().and_then(|a| a.min_workers))
                .unwrap_or(0);
            let from_pool = spec.instance_pool_id.as_deref() == Some(id);
            let driver_pool = spec
                .driver_instance_pool_id
                .as_deref()
                .or(spec.instance_pool_id.as_deref());
            (if from_pool { workers } else { 0 }) + i32::from(driver_pool == Some(id))
        })
        .sum()
}

fn answer(ws: &Workspace, id: &str, pool: &Pool) -> InstancePoolAndStats {
    let used = used(&ws.clusters, id);
    let room = pool
        .spec
        .max_capacity
        .map_or(i32::MAX, |max| (max - used).max(0));
    let idle = pool.spec.min_idle_instances.unwrap_or(0).min(room);
    let mut info = InstancePoolAndStats::from(pool.spec.clone());
    info.instance_pool_id = id.to_string();
    info.state = Some(InstancePoolState::Active);
    info.default_tags = [
        ("Vendor", "Databricks"),
        ("DatabricksInstancePoolCreatorId", pool.creator.as_str()),
        ("DatabricksInstancePoolId", id),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    info.stats = Some(InstancePoolStats {
        idle_count: Some(idle),
        used_count: Some(used),
        pending_idle_count: Some(0),
        pending_used_count: Some(0),
        ..Default::default()
    });
    info
}

fn check(
    ws: &Workspace,
    request: &InstancePoolAttributes,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if request.instance_pool_name.is_empty() || request.instance_pool_name.chars().count() > 100 {
        return Err(ApiError::invalid_parameter(
            "instance_pool_name has 1 to 100 characters",
        ));
    }
    if !ws
        .catalog
        .node_types
        .iter()
        .any(|n| n.node_type_id == request.node_type_id)
    {
        return Err(ApiError::invalid_parameter(format!(
            "Node type {} is not supported",
            request.node_type_id
        )));
    }
    let taken = ws.pools.by_id.iter().any(|(id, p)| {
        p.spec.instance_pool_name.as_deref() == Some(request.instance_pool_name.as_str())
            && Some(id.as_str()) != except
    });
    if taken {
        return Err(ApiError::invalid_parameter(format!(
            "Instance pool with name {} already exists",
            request.instance_pool_name
        )));
    }
    let (min, max) = (
        request.min_idle_instances.unwrap_or(0),
        request.max_capacity,
    );
    if min < 0 || max.is_some_and(|max| max < min || max < 0) {
        return Err(ApiError::invalid_parameter(
            "min_idle_instances must be between 0 and max_capacity",
        ));
    }
    if request.preloaded_spark_versions.len() > 1 {
        return Err(ApiError::invalid_parameter(
            "At most one preloaded Spark version",
        ));
    }
    Ok(())
}

/// `POST instance-pools/create`.
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: InstancePoolAttributes = params.decode(&["instance_pool_name", "node_type_id"])?;
    check(ws, &request, None)?;
    let stamp = ids::cluster_id(call.now, &mut ws.env.rng);
    let id = format!("{}-pool-{}", &stamp[..11], ws.env.rng.alnum(8));
    let pool = Pool {
        spec: InstancePoolSpec::from(&request),
        creator: call.caller.name.clone(),
    };
    ws.pools.by_id.insert(id.clone(), pool);
    Ok(json!({"instance_pool_id": id}))
}

/// `POST instance-pools/edit`: the node type cannot change.
pub(crate) fn edit(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let request: InstancePoolAttributes =
        params.decode(&["instance_pool_id", "instance_pool_name", "node_type_id"])?;
    let id = request.instance_pool_id.clone().unwrap_or_default();
    let current = ws.pools.get(&id)?;
    if current.spec.node_type_id.as_deref() != Some(request.node_type_id.as_str()) {
        return Err(ApiError::invalid_parameter(
            "The node type of an instance pool cannot be changed",
        ));
    }
    check(ws, &request, Some(&id))?;
    if let Some(pool) = ws.pools.by_id.get_mut(&id) {
        let spec = &mut pool.spec;
        spec.instance_pool_name = Some(request.instance_pool_name);
        spec.custom_tags = request.custom_tags;
        spec.min_idle_instances = request.min_idle_instances;
        spec.max_capacity = request.max_capacity;
        spec.idle_instance_autotermination_minutes = request.idle_instance_autotermination_minutes;
    }
    Ok(json!({}))
}

/// `POST instance-pools/delete`.
pub(crate) fn delete(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = params.str("instance_pool_id")?;
    ws.pools.get(id)?;
    ws.pools.by_id.remove(id);
    ws.permissions.forget("instance-pools", id);
    Ok(json!({}))
}

/// `GET instance-pools/get?instance_pool_id=`.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = params.str("instance_pool_id")?;
    let pool = ws.pools.get(id)?;
    to_json(&answer(ws, id, pool))
}

/// `GET instance-pools/list`.
pub(crate) fn list(ws: &mut Workspace, _: &Call, _: &Params) -> Answer {
    let instance_pools = ws
        .pools
        .by_id
        .iter()
        .map(|(id, pool)| answer(ws, id, pool))
        .collect();
    to_json(&ListInstancePoolsResponse {
        instance_pools,
        ..Default::default()
    })
}

/// Gives a cluster's settings the node types of the pools they name.
///
/// # Errors
///
/// 400 `INVALID_PARAMETER_VALUE` for an unknown pool, or a node type other than the pool's.
pub(crate) fn apply_to_cluster(
    ws: &Workspace,
    cluster: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    for (pool_key, node_key) in [
        ("instance_pool_id", "node_type_id"),
        ("driver_instance_pool_id", "driver_node_type_id"),
    ] {
        let Some(id) = cluster.get(pool_key).and_then(Value::as_str) else {
            continue;
        };
        let pool = ws.pools.get(id).map_err(|_| {
            ApiError::invalid_parameter(format!("Instance pool {id} does not exist"))
        })?;
        let node_type = pool.spec.node_type_id.clone().unwrap_or_default();
        match cluster.get(node_key).and_then(Value::as_str) {
            Some(given) if given != node_type => {
                return Err(ApiError::invalid_parameter(format!(
                    "{node_key} {given} differs from the node type {node_type} of instance pool {id}; leave it out"
                )));
            }
            _ => {
                cluster.insert(node_key.into(), json!(node_type));
            }
        }
    }
    // A cluster on a pool without a driver pool has its driver from the same pool.
    if cluster.contains_key("instance_pool_id")
        && !cluster.contains_key("driver_instance_pool_id")
        && let Some(node) = cluster.get("node_type_id").cloned()
    {
        cluster.entry("driver_node_type_id").or_insert(node);
    }
    Ok(())
}
