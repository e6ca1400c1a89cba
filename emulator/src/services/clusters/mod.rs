//! The Clusters API: the catalogs of node types and runtime versions, clusters and their
//! lifecycle, events.

pub(crate) mod catalog;
mod cluster_info;
mod cluster_spec;
mod events;
pub(crate) mod lifecycle;
mod state;

pub(crate) use state::Clusters;

use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterEventRequest, ClusterResizeRequest, ListClustersRequest,
    ListClustersResponse, ListNodeTypesResponse, SparkVersionsResponse,
};
use serde_json::{Value, json};

use crate::api::params::{Params, Shape};
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::services::{cluster_policies, instance_pools, permissions};
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// The API version whose `clusters/list` has no filters and no pages.
const UNPAGED_LIST_VERSION: &str = "2.0";

/// `GET /api/2.0/clusters/list`: every cluster, newest first, in one answer; `{}` when there
/// are none.
fn list_all(ws: &mut Workspace) -> Answer {
    let clusters = ws
        .clusters
        .list()
        .map(|c| c.info(&ws.catalog))
        .collect::<Result<Vec<_>, _>>()?;
    to_json(&ListClustersResponse {
        clusters,
        ..Default::default()
    })
}

/// How the query parameters of `GET /api/2.1/clusters/list` are typed.
const LIST_QUERY: &[(&str, Shape)] = &[
    ("filter_by.cluster_states", Shape::List),
    ("filter_by.cluster_sources", Shape::List),
    ("filter_by.is_pinned", Shape::Bool),
    ("page_size", Shape::Int),
];

/// `GET /api/2.1/clusters/list`: filtered, sorted and paged (`filter_by.*`, `sort_by.*`,
/// `page_size`, `page_token`), with `next_page_token` and `prev_page_token`. Under API 2.0,
/// every cluster in one answer.
pub(crate) fn list(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    if call.version == UNPAGED_LIST_VERSION {
        return list_all(ws);
    }
    let request: ListClustersRequest = params.decode_query(LIST_QUERY)?;
    let page = ws.clusters.list_page(&request)?;
    let clusters = page
        .items
        .iter()
        .map(|c| c.info(&ws.catalog))
        .collect::<Result<Vec<_>, _>>()?;
    to_json(&ListClustersResponse {
        clusters,
        next_page_token: page.next,
        prev_page_token: page.prev,
        ..Default::default()
    })
}

/// `GET clusters/list-node-types`.
pub(crate) fn list_node_types(ws: &mut Workspace, _: &Call, _: &Params) -> Answer {
    to_json(&ListNodeTypesResponse {
        unknown_fields: Default::default(),
        node_types: ws.catalog.node_types.clone(),
    })
}

/// `GET clusters/spark-versions`.
pub(crate) fn spark_versions(ws: &mut Workspace, _: &Call, _: &Params) -> Answer {
    to_json(&SparkVersionsResponse {
        unknown_fields: Default::default(),
        versions: ws.catalog.versions.clone(),
    })
}

/// `GET clusters/get?cluster_id=`: the cluster with its `spec`.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let cluster = ws.clusters.get(params.str("cluster_id")?)?;
    to_json(&cluster.details(&ws.catalog)?)
}

/// `POST clusters/events`.
pub(crate) fn events(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: ClusterEventRequest = params.decode(&["cluster_id"])?;
    let cluster = ws.clusters.get(&request.cluster_id)?;
    to_json(&events::query(&cluster.events, &request, call.now)?)
}

fn pin_or_unpin(ws: &mut Workspace, call: &Call, params: &Params, pinned: bool) -> Answer {
    let id = params.str("cluster_id")?;
    let cluster = ws.clusters.get_mut(id)?;
    if !call.caller.admin {
        return Err(ApiError::permission_denied(format!(
            "Only workspace admins can pin or unpin clusters; {} is not an admin.",
            call.caller.name
        )));
    }
    cluster.set_pinned(pinned, &call.caller.name, call.now, &mut ws.env);
    Ok(json!({}))
}

/// `POST clusters/pin` (workspace admins only).
pub(crate) fn pin(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    pin_or_unpin(ws, call, params, true)
}

/// `POST clusters/unpin` (workspace admins only).
pub(crate) fn unpin(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    pin_or_unpin(ws, call, params, false)
}

/// `POST clusters/delete`: terminate (`CAN_RESTART`).
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?;
    permissions::require_on_cluster(ws, call, id, "CAN_RESTART")?;
    let cluster = ws.clusters.get_mut(id)?;
    cluster.terminate(&call.caller.name, call.now, &mut ws.env);
    Ok(json!({}))
}

/// `POST clusters/permanent-delete`: refused with `INVALID_STATE` "… unpin the cluster
/// first" while the cluster is pinned.
pub(crate) fn permanent_delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?;
    permissions::require_on_cluster(ws, call, id, "CAN_MANAGE")?;
    ws.clusters.remove(id)?;
    ws.permissions.forget("clusters", id);
    Ok(json!({}))
}

/// `POST clusters/resize`: exactly one of `num_workers` and `autoscale`.
pub(crate) fn resize(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: ClusterResizeRequest = params.decode(&["cluster_id"])?;
    let size = cluster_spec::size(request.num_workers, request.autoscale.as_ref())?;
    permissions::require_on_cluster(ws, call, &request.cluster_id, "CAN_MANAGE")?;
    let cluster = ws.clusters.get_mut(&request.cluster_id)?;
    cluster.resize(size, &call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/restart` (`CAN_RESTART`).
pub(crate) fn restart(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?;
    permissions::require_on_cluster(ws, call, id, "CAN_RESTART")?;
    let cluster = ws.clusters.get_mut(id)?;
    cluster.restart(&call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/start` (`CAN_RESTART`).
pub(crate) fn start(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?;
    permissions::require_on_cluster(ws, call, id, "CAN_RESTART")?;
    let cluster = ws.clusters.get_mut(id)?;
    cluster.start(&call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/create`: `{"cluster_id": ...}`. With `clone_from`, the source cluster's
/// settings under those of the request. With the `idempotency_token` of a cluster that is not
/// `TERMINATED`, that cluster's id (nothing is created).
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request = match params.to_json() {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    let mut merged = ws.clusters.with_clone_source(request)?;
    cluster_policies::enforce_on_cluster(ws, call, &mut merged)?;
    instance_pools::apply_to_cluster(ws, &mut merged)?;
    let merged = Params::from_json(Value::Object(merged));
    let spec: ClusterAttributes = merged.decode(&["spark_version"])?;
    let id = ws
        .clusters
        .create(spec, &call.caller.name, call.now, &mut ws.env, &ws.catalog)?;
    Ok(json!({"cluster_id": id}))
}

/// `POST clusters/update`: the settings named in `update_mask` from `cluster` (set, or
/// cleared when `cluster` lacks them; `*` for all), the others kept; then like
/// `clusters/edit`: a running cluster restarts, a terminated one stays terminated, other
/// states answer `INVALID_STATE`; an `EDITED` event is recorded.
pub(crate) fn update(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?.to_string();
    let mask = params.str("update_mask")?.to_string();
    permissions::require_on_cluster(ws, call, &id, "CAN_MANAGE")?;
    let cluster = match params.get("cluster") {
        None => Default::default(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(ApiError::malformed(
                "Could not parse request object: cluster must be an object",
            ));
        }
    };
    ws.clusters.update(
        &id,
        &cluster,
        &mask,
        &call.caller.name,
        call.now,
        &mut ws.env,
        &ws.catalog,
    )?;
    Ok(json!({}))
}

/// `POST clusters/edit`: a full new specification (`CAN_MANAGE`).
pub(crate) fn edit(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?.to_string();
    permissions::require_on_cluster(ws, call, &id, "CAN_MANAGE")?;
    let mut settings = match params.to_json() {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    cluster_policies::enforce_on_cluster(ws, call, &mut settings)?;
    instance_pools::apply_to_cluster(ws, &mut settings)?;
    let mut spec: ClusterAttributes =
        Params::from_json(Value::Object(settings)).decode(&["cluster_id", "spark_version"])?;
    spec.cluster_id = None;
    ws.clusters.edit(
        &id,
        spec,
        &call.caller.name,
        call.now,
        &mut ws.env,
        &ws.catalog,
    )?;
    Ok(json!({}))
}
