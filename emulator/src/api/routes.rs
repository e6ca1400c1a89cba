//! Which handler answers which method and path: the SDK's operations table
//! ([`azure_databricks_sdk::operations`]) gives the method and path of every operation, and
//! [`handler`] names the function that answers each one.

use azure_databricks_sdk::Operation;
use azure_databricks_sdk::operations;
use serde_json::Value;

use super::Call;
use crate::api::params::Params;
use crate::error::ApiError;
use crate::services::{clusters, scim, secrets, tokens};
use crate::workspace::Workspace;

/// A handler of one operation.
pub(crate) type Handler = fn(&mut Workspace, &Call, &Params) -> Result<Value, ApiError>;

/// The handler of an operation of the SDK's table, by its name. A test checks that every
/// operation has one.
fn handler(operation: &Operation) -> Option<Handler> {
    Some(match operation.name {
        "clusters.list" => clusters::list,
        "clusters.list_node_types" => clusters::list_node_types,
        "clusters.spark_versions" => clusters::spark_versions,
        "clusters.get" => clusters::get,
        "clusters.events" => clusters::events,
        "clusters.pin" => clusters::pin,
        "clusters.unpin" => clusters::unpin,
        "clusters.delete" => clusters::delete,
        "clusters.permanent_delete" => clusters::permanent_delete,
        "clusters.resize" => clusters::resize,
        "clusters.restart" => clusters::restart,
        "clusters.start" => clusters::start,
        "clusters.create" => clusters::create,
        "clusters.edit" => clusters::edit,
        "clusters.update" => clusters::update,
        "tokens.list" => tokens::list,
        "tokens.create" => tokens::create,
        "tokens.delete" => tokens::delete,
        "secrets.list" => secrets::list,
        "secrets.put" => secrets::put,
        "secrets.delete" => secrets::delete,
        "secrets.acls.list" => secrets::acls_list,
        "secrets.acls.get" => secrets::acls_get,
        "secrets.acls.put" => secrets::acls_put,
        "secrets.acls.delete" => secrets::acls_delete,
        "secrets.scopes.list" => secrets::scopes_list,
        "secrets.scopes.create" => secrets::scopes_create,
        "secrets.scopes.delete" => secrets::scopes_delete,
        _ => return None,
    })
}

/// Routes the emulator serves besides the SDK's operations: `GET preview/scim/v2/Me`.
const EXTRA_ROUTES: &[(&str, &str, Handler)] = &[("GET", "preview/scim/v2/Me", scim::me)];

/// Operations whose answer depends on the API version: (method, version, route, handler).
/// `clusters/list` under 2.0 answers every cluster at once, without filters or pages.
const BY_VERSION: &[(&str, &str, &str, Handler)] =
    &[("GET", "2.0", "clusters/list", clusters::list_2_0)];

/// Whether an operation of the table answers under API `version`: its own version, and
/// `2.0` for every operation (clients written for the 2.0 API); the clusters API under both
/// `2.0` and `2.1`, where the official SDKs call it today.
fn serves(operation: &Operation, version: &str) -> bool {
    version == operation.version()
        || version == "2.0"
        || (version == "2.1" && operation.route().starts_with("clusters/"))
}

/// The handler of `method path`.
///
/// # Errors
///
/// 404 `ENDPOINT_NOT_FOUND` for anything else (a known path with another method too).
pub(crate) fn find(method: &str, path: &str) -> Result<Handler, ApiError> {
    let (version, route) = path
        .strip_prefix("/api/")
        .and_then(|p| p.split_once('/'))
        .filter(|(v, _)| matches!(*v, "2.0" | "2.1"))
        .ok_or_else(|| ApiError::endpoint_not_found(method, path))?;
    let not_found = || ApiError::endpoint_not_found(method, &format!("/{route}"));
    if let Some((_, _, _, handler)) = BY_VERSION
        .iter()
        .find(|(m, v, r, _)| *m == method && *v == version && *r == route)
    {
        return Ok(*handler);
    }
    if let Some(operation) = operations::ALL
        .iter()
        .find(|op| op.method.as_str() == method && op.route() == route && serves(op, version))
    {
        return handler(operation).ok_or_else(not_found);
    }
    EXTRA_ROUTES
        .iter()
        .find(|(m, r, _)| *m == method && *r == route && version == "2.0")
        .map(|(_, _, handler)| *handler)
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_sdk_has_a_handler_and_a_route() {
        for op in operations::ALL {
            assert!(handler(op).is_some(), "no emulator handler for {}", op.name);
            assert!(
                find(op.method.as_str(), op.path).is_ok(),
                "{} {} is not routed",
                op.method,
                op.path
            );
        }
        assert!(find("GET", "/api/2.0/preview/scim/v2/Me").is_ok());
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
