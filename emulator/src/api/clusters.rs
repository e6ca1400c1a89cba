//! The Clusters API operations.

use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterEventRequest, ClusterResizeRequest, ListClustersResponse,
    ListNodeTypesResponse, SparkVersionsResponse,
};
use serde_json::{Value, json};

use super::{Call, to_json};
use crate::api::params::Params;
use crate::error::ApiError;
use crate::state::Workspace;
use crate::state::cluster_spec;
use crate::state::events;

type Answer = Result<Value, ApiError>;

/// `GET clusters/list`: newest first; `{}` when there are none.
pub(crate) fn list(ws: &mut Workspace, _: &Call, _: &Params) -> Answer {
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

/// `GET clusters/get?cluster_id=`.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let cluster = ws.clusters.get(params.str("cluster_id")?)?;
    to_json(&cluster.info(&ws.catalog)?)
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

/// `POST clusters/delete`: terminate.
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let cluster = ws.clusters.get_mut(params.str("cluster_id")?)?;
    cluster.terminate(&call.caller.name, call.now, &mut ws.env);
    Ok(json!({}))
}

/// `POST clusters/permanent-delete`.
pub(crate) fn permanent_delete(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    ws.clusters.remove(params.str("cluster_id")?)?;
    Ok(json!({}))
}

/// `POST clusters/resize`: exactly one of `num_workers` and `autoscale`.
pub(crate) fn resize(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: ClusterResizeRequest = params.decode(&["cluster_id"])?;
    let size = cluster_spec::size(request.num_workers, request.autoscale.as_ref())?;
    let cluster = ws.clusters.get_mut(&request.cluster_id)?;
    cluster.resize(size, &call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/restart`.
pub(crate) fn restart(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let cluster = ws.clusters.get_mut(params.str("cluster_id")?)?;
    cluster.restart(&call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/start`.
pub(crate) fn start(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let cluster = ws.clusters.get_mut(params.str("cluster_id")?)?;
    cluster.start(&call.caller.name, call.now, &mut ws.env)?;
    Ok(json!({}))
}

/// `POST clusters/create`: `{"cluster_id": ...}`.
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let spec: ClusterAttributes = params.decode(&["spark_version"])?;
    let id = ws
        .clusters
        .create(spec, &call.caller.name, call.now, &mut ws.env, &ws.catalog)?;
    Ok(json!({"cluster_id": id}))
}

/// `POST clusters/edit`: a full new specification.
/// `POST clusters/update`: the fields named in `update_mask` from `cluster`, the others kept;
/// then like `clusters/edit`.
pub(crate) fn update(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?.to_string();
    let mask = params.str("update_mask")?.to_string();
    let changes = params
        .get("cluster")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let current = ws.clusters.get(&id)?.spec.clone();
    let mut merged = to_json(&current)?;
    let fields: Vec<&str> = mask
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    for field in &fields {
        match (*field, &changes) {
            ("*", Value::Object(all)) => {
                merged = Value::Object(all.clone());
                merged["spark_version"] = current.spark_version.clone().into();
            }
            (name, Value::Object(all)) => match all.get(name) {
                Some(value) => merged[name] = value.clone(),
                None => {
                    if let Value::Object(m) = &mut merged {
                        m.remove(name);
                    }
                }
            },
            _ => {
                return Err(ApiError::invalid_parameter(
                    "cluster must be a JSON object".to_string(),
                ));
            }
        }
    }
    let spec: ClusterAttributes = serde_json::from_value(merged)
        .map_err(|e| ApiError::invalid_parameter(format!("Invalid cluster: {e}")))?;
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

pub(crate) fn edit(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let mut spec: ClusterAttributes = params.decode(&["cluster_id", "spark_version"])?;
    let id = spec.cluster_id.take().unwrap_or_default();
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
