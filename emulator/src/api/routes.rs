//! Which handler answers which method and path.

use serde_json::Value;

use super::{Call, clusters, scim, secrets, tokens};
use crate::api::params::Params;
use crate::error::ApiError;
use crate::state::Workspace;

/// A handler of one operation.
pub(crate) type Handler = fn(&mut Workspace, &Call, &Params) -> Result<Value, ApiError>;

/// (method, path after `/api/2.x/`, handler).
const ROUTES: &[(&str, &str, Handler)] = &[
    ("GET", "clusters/list", clusters::list),
    ("GET", "clusters/list-node-types", clusters::list_node_types),
    ("GET", "clusters/spark-versions", clusters::spark_versions),
    ("GET", "clusters/get", clusters::get),
    ("POST", "clusters/events", clusters::events),
    ("POST", "clusters/pin", clusters::pin),
    ("POST", "clusters/unpin", clusters::unpin),
    ("POST", "clusters/delete", clusters::delete),
    (
        "POST",
        "clusters/permanent-delete",
        clusters::permanent_delete,
    ),
    ("POST", "clusters/resize", clusters::resize),
    ("POST", "clusters/restart", clusters::restart),
    ("POST", "clusters/start", clusters::start),
    ("POST", "clusters/create", clusters::create),
    ("POST", "clusters/edit", clusters::edit),
    ("GET", "token/list", tokens::list),
    ("POST", "token/create", tokens::create),
    ("POST", "token/delete", tokens::delete),
    ("GET", "secrets/list", secrets::list),
    ("POST", "secrets/put", secrets::put),
    ("POST", "secrets/delete", secrets::delete),
    ("GET", "secrets/acls/list", secrets::acls_list),
    ("GET", "secrets/acls/get", secrets::acls_get),
    ("POST", "secrets/acls/put", secrets::acls_put),
    ("POST", "secrets/acls/delete", secrets::acls_delete),
    ("GET", "secrets/scopes/list", secrets::scopes_list),
    ("POST", "secrets/scopes/create", secrets::scopes_create),
    ("POST", "secrets/scopes/delete", secrets::scopes_delete),
    ("GET", "preview/scim/v2/Me", scim::me),
];

/// The handler of `method path`. Everything is under `/api/2.0/`; the clusters operations
/// also under `/api/2.1/`, where the official SDKs call them today.
///
/// # Errors
///
/// 404 `ENDPOINT_NOT_FOUND` for anything else (a known path with another method too).
pub(crate) fn find(method: &str, path: &str) -> Result<Handler, ApiError> {
    let (version, operation) = ["2.0", "2.1"]
        .into_iter()
        .find_map(|v| {
            path.strip_prefix("/api/")
                .and_then(|p| p.strip_prefix(v))
                .and_then(|p| p.strip_prefix('/'))
                .map(|op| (v, op))
        })
        .ok_or_else(|| ApiError::endpoint_not_found(method, path))?;
    ROUTES
        .iter()
        .find(|(m, p, _)| {
            *m == method && *p == operation && (version == "2.0" || p.starts_with("clusters/"))
        })
        .map(|(_, _, handler)| *handler)
        .ok_or_else(|| ApiError::endpoint_not_found(method, &format!("/{operation}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_27_operations_and_scim_me_are_routed() {
        assert_eq!(ROUTES.len(), 28);
        for (method, path, _) in ROUTES {
            assert!(find(method, &format!("/api/2.0/{path}")).is_ok(), "{path}");
        }
    }

    #[test]
    fn only_clusters_answer_under_2_1() {
        assert!(find("GET", "/api/2.1/clusters/list").is_ok());
        assert!(find("POST", "/api/2.1/clusters/create").is_ok());
        assert!(find("GET", "/api/2.1/secrets/scopes/list").is_err());
        assert!(find("GET", "/api/2.2/clusters/list").is_err());
    }

    #[test]
    fn unknown_paths_and_methods_are_endpoint_not_found() {
        let err = find("GET", "/api/2.0/clusters/nope").unwrap_err();
        assert_eq!((err.status, err.code()), (404, "ENDPOINT_NOT_FOUND"));
        assert_eq!(err.message, "No API found for 'GET /clusters/nope'");
        assert_eq!(
            find("POST", "/api/2.0/clusters/list").unwrap_err().status,
            404
        );
        assert_eq!(
            find("GET", "/").unwrap_err().message,
            "No API found for 'GET /'"
        );
        assert!(find("GET", "/api/2.0clusters/list").is_err());
    }
}
