//! The Libraries API: libraries installed on clusters, moving PENDING → INSTALLING →
//! INSTALLED in emulated time once their cluster runs ([`INSTALLING_AFTER`],
//! [`INSTALLED_AFTER`] after it is first seen running), or FAILED for a library named to fail
//! ([`FAIL_MARKER`]). Installing needs `CAN_MANAGE` on the cluster; a terminated cluster is
//! not started by it. Uninstalling marks INSTALLED libraries `UNINSTALL_ON_RESTART` (they stay
//! listed) and forgets the others.

use std::collections::BTreeMap;

use azure_databricks_sdk::models::{
    ClusterLibraryStatuses, InstallLibrariesRequest, Library, LibraryFullStatus,
    LibraryInstallStatus, ListAllClusterLibraryStatusesResponse,
};
use serde_json::{Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::services::clusters::lifecycle::Phase;
use crate::services::permissions;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// A library whose package, coordinates or path contains this text fails to install, with
/// a message.
pub(crate) const FAIL_MARKER: &str = "does-not-exist";
/// Emulated ms from the cluster running to INSTALLING (RESOLVING before).
pub(crate) const INSTALLING_AFTER: i64 = 10_000;
/// Emulated ms from the cluster running to INSTALLED (or FAILED).
pub(crate) const INSTALLED_AFTER: i64 = 30_000;

#[derive(Debug, Clone)]
struct Installed {
    library: Library,
    /// When the cluster was first seen running since the install.
    running_since: Option<i64>,
    uninstalled: bool,
}

/// The libraries of every cluster, by cluster id.
#[derive(Debug, Default)]
pub(crate) struct LibraryStore {
    by_cluster: BTreeMap<String, Vec<Installed>>,
}

fn fails(library: &Library) -> bool {
    serde_json::to_string(library).is_ok_and(|text| text.contains(FAIL_MARKER))
}

fn status(installed: &Installed, now: i64) -> (LibraryInstallStatus, Vec<String>) {
    if installed.uninstalled {
        return (LibraryInstallStatus::UninstallOnRestart, Vec::new());
    }
    let Some(since) = installed.running_since else {
        return (LibraryInstallStatus::Pending, Vec::new());
    };
    let elapsed = now - since;
    if elapsed < INSTALLING_AFTER {
        (LibraryInstallStatus::Resolving, Vec::new())
    } else if elapsed < INSTALLED_AFTER {
        (LibraryInstallStatus::Installing, Vec::new())
    } else if fails(&installed.library) {
        let text = serde_json::to_string(&installed.library).unwrap_or_default();
        (
            LibraryInstallStatus::Failed,
            vec![format!(
                "Library installation failed for library due to user error. Error messages: {text} could not be found"
            )],
        )
    } else {
        (LibraryInstallStatus::Installed, Vec::new())
    }
}

/// Notes when each cluster with libraries is running, and forgets those of clusters gone
/// (called with every request and every move of the clock).
pub(crate) fn settle(ws: &mut Workspace, now: i64) {
    let store = &mut ws.libraries;
    store.by_cluster.retain(|id, _| ws.clusters.get(id).is_ok());
    for (id, libraries) in &mut store.by_cluster {
        let running = ws
            .clusters
            .get(id)
            .is_ok_and(|c| matches!(c.phase, Phase::Running | Phase::Resizing));
        let terminated = ws
            .clusters
            .get(id)
            .is_ok_and(|c| matches!(c.phase, Phase::Terminated | Phase::Terminating));
        // A terminated cluster drops uninstalled libraries; the others install again when it
        // next runs.
        if terminated {
            libraries.retain(|l| !l.uninstalled);
            for library in libraries.iter_mut() {
                library.running_since = None;
            }
        }
        for library in libraries.iter_mut() {
            if running && library.running_since.is_none() {
                library.running_since = Some(now);
            }
        }
    }
}

fn statuses(ws: &Workspace, id: &str, now: i64) -> ClusterLibraryStatuses {
    let library_statuses = ws
        .libraries
        .by_cluster
        .get(id)
        .map(|libraries| {
            libraries
                .iter()
                .map(|installed| {
                    let (status, messages) = status(installed, now);
                    LibraryFullStatus {
                        library: Some(installed.library.clone()),
                        status: Some(status),
                        messages,
                        is_library_for_all_clusters: Some(false),
                        ..Default::default()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    ClusterLibraryStatuses {
        cluster_id: Some(id.to_string()),
        library_statuses,
        ..Default::default()
    }
}

fn request(
    ws: &mut Workspace,
    call: &Call,
    params: &Params,
) -> Result<InstallLibrariesRequest, ApiError> {
    let request: InstallLibrariesRequest = params.decode(&["cluster_id"])?;
    permissions::require_on_cluster(ws, call, &request.cluster_id, "CAN_MANAGE")?;
    if request.libraries.is_empty() {
        return Err(ApiError::missing("libraries"));
    }
    for library in &request.libraries {
        let kinds = [
            library.jar.is_some(),
            library.whl.is_some(),
            library.egg.is_some(),
            library.requirements.is_some(),
            library.pypi.is_some(),
            library.maven.is_some(),
            library.cran.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(ApiError::invalid_parameter(
                "A library has exactly one of jar, whl, egg, requirements, pypi, maven and cran",
            ));
        }
    }
    Ok(request)
}

/// `POST libraries/install`: new libraries are PENDING; one already there stays as it is.
pub(crate) fn install(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request = request(ws, call, params)?;
    let libraries = ws
        .libraries
        .by_cluster
        .entry(request.cluster_id)
        .or_default();
    for library in request.libraries {
        match libraries.iter_mut().find(|l| l.library == library) {
            Some(existing) => existing.uninstalled = false,
            None => libraries.push(Installed {
                library,
                running_since: None,
                uninstalled: false,
            }),
        }
    }
    settle(ws, call.now);
    Ok(json!({}))
}

/// `POST libraries/uninstall`.
pub(crate) fn uninstall(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request = request(ws, call, params)?;
    let now = call.now;
    if let Some(libraries) = ws.libraries.by_cluster.get_mut(&request.cluster_id) {
        libraries.retain_mut(|installed| {
            if !request.libraries.contains(&installed.library) {
                return true;
            }
            let (current, _) = status(installed, now);
            installed.uninstalled = true;
            current == LibraryInstallStatus::Installed
        });
    }
    Ok(json!({}))
}

/// `GET libraries/cluster-status?cluster_id=`.
pub(crate) fn cluster_status(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = params.str("cluster_id")?.to_string();
    ws.clusters.get(&id)?;
    settle(ws, call.now);
    to_json(&statuses(ws, &id, call.now))
}

/// `GET libraries/all-cluster-statuses`: clusters with libraries.
pub(crate) fn all_cluster_statuses(ws: &mut Workspace, call: &Call, _: &Params) -> Answer {
    settle(ws, call.now);
    let ids: Vec<String> = ws.libraries.by_cluster.keys().cloned().collect();
    let statuses = ids
        .iter()
        .map(|id| statuses(ws, id, call.now))
        .filter(|s| !s.library_statuses.is_empty())
        .collect();
    to_json(&ListAllClusterLibraryStatusesResponse {
        statuses,
        ..Default::default()
    })
}
