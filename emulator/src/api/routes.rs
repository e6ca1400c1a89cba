//! Which handler answers which request. The SDK's operations table
//! ([`azure_databricks_sdk::operations`]) gives the method, path template and API versions of
//! every operation (aliases such as "the clusters API also answers under 2.0" are data of the
//! schema), and [`handler`] names the function that answers each one: an exhaustive `match` on
//! [`OperationId`], so that an operation added to the schema does not compile until the
//! emulator answers it. Routes of the emulator that are not operations of the SDK are in
//! [`EXTRA_ROUTES`].

use azure_databricks_sdk::Operation;
use azure_databricks_sdk::operations::{self, OperationId};
use serde_json::Value;

use super::Call;
use crate::api::params::Params;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::services::{
    cluster_policies, clusters, dbfs, files, instance_pools, jobs, libraries, permissions, scim,
    secrets, token_management, tokens, workspace,
};
use crate::workspace::Workspace;

/// A handler of one operation that answers JSON.
pub(crate) type JsonHandler = fn(&mut Workspace, &Call, &Params) -> Result<Value, ApiError>;

/// A handler of one operation that reads the request itself (a streamed body, headers such
/// as `Range`) and makes its own answer (a file, raw bytes, headers).
pub(crate) type RawHandler =
    fn(&mut Workspace, &Call, &Params, &Request) -> Result<Response, ApiError>;

/// A handler of one operation.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handler {
    /// Answers JSON (200 with the value).
    Json(JsonHandler),
    /// Answers a [`Response`] of its own.
    Raw(RawHandler),
}

/// The handler of every operation of the SDK's table. No wildcard arm: a new operation is a
/// compile error here until it has a handler. Arms give a [`JsonHandler`]; those that answer
/// with a response of their own `return` a [`Handler::Raw`].
fn handler(id: OperationId) -> Handler {
    use OperationId as Op;
    let json: JsonHandler = match id {
        Op::ClustersList => clusters::list,
        Op::ClustersListNodeTypes => clusters::list_node_types,
        Op::ClustersSparkVersions => clusters::spark_versions,
        Op::ClustersGet => clusters::get,
        Op::ClustersEvents => clusters::events,
        Op::ClustersPin => clusters::pin,
        Op::ClustersUnpin => clusters::unpin,
        Op::ClustersDelete => clusters::delete,
        Op::ClustersPermanentDelete => clusters::permanent_delete,
        Op::ClustersResize => clusters::resize,
        Op::ClustersRestart => clusters::restart,
        Op::ClustersStart => clusters::start,
        Op::ClustersCreate => clusters::create,
        Op::ClustersEdit => clusters::edit,
        Op::ClustersUpdate => clusters::update,
        Op::TokensList => tokens::list,
        Op::TokensCreate => tokens::create,
        Op::TokensDelete => tokens::delete,
        Op::SecretsList => secrets::list,
        Op::SecretsPut => secrets::put,
        Op::SecretsDelete => secrets::delete,
        Op::SecretsAclsList => secrets::acls_list,
        Op::SecretsAclsGet => secrets::acls_get,
        Op::SecretsAclsPut => secrets::acls_put,
        Op::SecretsAclsDelete => secrets::acls_delete,
        Op::SecretsScopesList => secrets::scopes_list,
        Op::SecretsScopesCreate => secrets::scopes_create,
        Op::SecretsScopesDelete => secrets::scopes_delete,
        Op::FilesUpload => return Handler::Raw(files::upload),
        Op::FilesDownload => return Handler::Raw(files::read),
        Op::FilesGetMetadata => return Handler::Raw(files::read),
        Op::FilesDelete => files::delete,
        Op::FilesCreateDirectory => files::create_directory,
        Op::FilesGetDirectoryMetadata => return Handler::Raw(files::get_directory_metadata),
        Op::FilesListDirectoryContents => files::list_directory_contents,
        Op::FilesDeleteDirectory => files::delete_directory,
        Op::FilesUploadAction => files::upload_action,
        Op::FilesCreateUploadPartUrls => return Handler::Raw(files::create_upload_part_urls),
        Op::FilesCreateAbortUploadUrl => return Handler::Raw(files::create_abort_upload_url),
        Op::JobsCreate => jobs::create,
        Op::JobsGet => jobs::get,
        Op::JobsList => jobs::list,
        Op::JobsUpdate => jobs::update,
        Op::JobsReset => jobs::reset,
        Op::JobsDelete => jobs::delete,
        Op::JobsRunNow => jobs::run_now,
        Op::JobsSubmit => jobs::submit,
        Op::JobsGetRun => jobs::get_run,
        Op::JobsListRuns => jobs::list_runs,
        Op::JobsGetRunOutput => jobs::get_run_output,
        Op::JobsExportRun => jobs::export_run,
        Op::JobsCancelRun => jobs::cancel_run,
        Op::JobsCancelAllRuns => jobs::cancel_all_runs,
        Op::JobsDeleteRun => jobs::delete_run,
        Op::JobsRepairRun => jobs::repair_run,
        Op::JobsGetPermissions => jobs::get_permissions,
        Op::JobsSetPermissions => jobs::set_permissions,
        Op::JobsUpdatePermissions => jobs::update_permissions,
        Op::JobsGetPermissionLevels => jobs::get_permission_levels,
        Op::DbfsPut => dbfs::put,
        Op::DbfsCreate => dbfs::create,
        Op::DbfsAddBlock => dbfs::add_block,
        Op::DbfsClose => dbfs::close,
        Op::DbfsRead => dbfs::read,
        Op::DbfsList => dbfs::list,
        Op::DbfsGetStatus => dbfs::get_status,
        Op::DbfsMkdirs => dbfs::mkdirs,
        Op::DbfsMove => dbfs::rename,
        Op::DbfsDelete => dbfs::delete,
        Op::WorkspaceList => workspace::list,
        Op::WorkspaceGetStatus => workspace::get_status,
        Op::WorkspaceMkdirs => workspace::mkdirs,
        Op::WorkspaceDelete => workspace::delete,
        Op::WorkspaceImport => return Handler::Raw(workspace::import),
        Op::WorkspaceExport => return Handler::Raw(workspace::export),
        Op::PermissionsGet => permissions::get,
        Op::PermissionsGetPermissionLevels => permissions::get_permission_levels,
        Op::PermissionsSet => permissions::set,
        Op::PermissionsUpdate => permissions::update,
        Op::TokenManagementList => token_management::list,
        Op::TokenManagementGet => token_management::get,
        Op::TokenManagementDelete => token_management::delete,
        Op::TokenManagementCreateOboToken => token_management::create_obo_token,
        Op::CurrentUserMe => scim::me,
        Op::UsersCreate => scim::users_create,
        Op::UsersGet => scim::users_get,
        Op::UsersList => scim::users_list,
        Op::UsersReplace => scim::users_replace,
        Op::UsersPatch => scim::users_patch,
        Op::UsersDelete => scim::users_delete,
        Op::GroupsCreate => scim::groups_create,
        Op::GroupsGet => scim::groups_get,
        Op::GroupsList => scim::groups_list,
        Op::GroupsReplace => scim::groups_replace,
        Op::GroupsPatch => scim::groups_patch,
        Op::GroupsDelete => scim::groups_delete,
        Op::ServicePrincipalsCreate => scim::service_principals_create,
        Op::ServicePrincipalsGet => scim::service_principals_get,
        Op::ServicePrincipalsList => scim::service_principals_list,
        Op::ServicePrincipalsReplace => scim::service_principals_replace,
        Op::ServicePrincipalsPatch => scim::service_principals_patch,
        Op::ServicePrincipalsDelete => scim::service_principals_delete,
        Op::ClusterPoliciesCreate => cluster_policies::create,
        Op::ClusterPoliciesEdit => cluster_policies::edit,
        Op::ClusterPoliciesDelete => cluster_policies::delete,
        Op::ClusterPoliciesGet => cluster_policies::get,
        Op::ClusterPoliciesList => cluster_policies::list,
        Op::PolicyFamiliesGet => cluster_policies::families_get,
        Op::PolicyFamiliesList => cluster_policies::families_list,
        Op::InstancePoolsCreate => instance_pools::create,
        Op::InstancePoolsEdit => instance_pools::edit,
        Op::InstancePoolsDelete => instance_pools::delete,
        Op::InstancePoolsGet => instance_pools::get,
        Op::InstancePoolsList => instance_pools::list,
        Op::LibrariesInstall => libraries::install,
        Op::LibrariesUninstall => libraries::uninstall,
        Op::LibrariesClusterStatus => libraries::cluster_status,
        Op::LibrariesAllClusterStatuses => libraries::all_cluster_statuses,
    };
    Handler::Json(json)
}

/// A route of the emulator that is not an operation of the SDK.
struct ExtraRoute {
    method: &'static str,
    /// The full path, version included.
    path: &'static str,
    handler: JsonHandler,
}

/// Routes the emulator serves besides the SDK's operations: none today (`GET
/// preview/scim/v2/Me`, which the Databricks CLI and the official SDKs call, is the operation
/// `current_user.me`).
const EXTRA_ROUTES: &[ExtraRoute] = &[];

/// The handler of a request and what its path said.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) handler: Handler,
    /// The API version the path called, e.g. `2.0`.
    pub(crate) version: &'static str,
    /// The path parameters, percent-decoded.
    pub(crate) path_params: Vec<(&'static str, String)>,
    /// The operation of the SDK's table, when the route is one.
    pub(crate) operation: Option<&'static Operation>,
}

/// The handler of `method path` (`path` without its query string).
///
/// # Errors
///
/// 404 `ENDPOINT_NOT_FOUND` for anything else (a known path with another method too).
pub(crate) fn find(method: &str, path: &str) -> Result<Route, ApiError> {
    // The most specific template wins: `permissions/jobs/{job_id}` (the Jobs API's own
    // operation) over `permissions/{object_type}/{object_id}`.
    let operation = operations::ALL
        .iter()
        .filter(|op| op.method.as_str() == method)
        .filter_map(|op| Some((op, op.match_path(path)?)))
        .max_by_key(|(op, _)| literal_len(op));
    if let Some((op, matched)) = operation {
        return Ok(Route {
            handler: handler(op.id),
            version: matched.version,
            path_params: matched.params,
            operation: Some(op),
        });
    }
    if let Some(extra) = EXTRA_ROUTES
        .iter()
        .find(|r| r.method == method && r.path == path)
    {
        return Ok(Route {
            handler: Handler::Json(extra.handler),
            version: split_version(path).map_or("", |(v, _)| v),
            path_params: Vec::new(),
            operation: None,
        });
    }
    let shown = split_version(path).map_or(path.to_string(), |(_, route)| format!("/{route}"));
    Err(ApiError::endpoint_not_found(method, &shown))
}

/// How much of an operation's path is literal (placeholders not counted): the longer, the more
/// specific the route.
fn literal_len(op: &Operation) -> usize {
    let placeholders: usize = op
        .path
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}'))
        .map(|(name, _)| name.len() + 2)
        .sum();
    op.path.len() - placeholders
}

/// `("2.1", "clusters/list")` for `/api/2.1/clusters/list`: the API version, when it is one an
/// operation of the SDK's table answers under, and the path after it.
pub(crate) fn split_version(path: &str) -> Option<(&'static str, &str)> {
    let (version, route) = path.strip_prefix("/api/")?.split_once('/')?;
    let known = operations::ALL
        .iter()
        .flat_map(|op| op.versions.iter())
        .find(|v| **v == version)?;
    Some((known, route))
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_databricks_sdk::Operation;

    /// A request path of `op` under `version`, with a sample value for each path parameter.
    fn sample_path(op: &Operation, version: &str) -> String {
        let mut path = format!("/api/{version}/");
        let mut rest = op.route();
        while let Some(start) = rest.find('{') {
            path.push_str(&rest[..start]);
            let glued = !rest[..start].is_empty() && !rest[..start].ends_with('/');
            path.push_str(if glued { "/a/b.txt" } else { "x" });
            rest = rest[start..].split_once('}').map_or("", |(_, after)| after);
        }
        path.push_str(rest);
        path
    }

    #[test]
    fn every_operation_of_the_sdk_is_routed_under_each_of_its_versions_and_only_those() {
        for op in operations::ALL {
            assert!(!op.versions.is_empty(), "{} has no version", op.name);
            for version in op.versions {
                let path = sample_path(op, version);
                let route = find(op.method.as_str(), &path)
                    .unwrap_or_else(|e| panic!("{} {path} is not routed: {e:?}", op.method));
                assert_eq!(route.version, *version, "{path}");
                assert_eq!(route.operation.map(|o| o.name), Some(op.name), "{path}");
                // No other operation of the same method claims the path as specifically:
                // routing is not decided by the order of the table.
                let claimants: Vec<&str> = operations::ALL
                    .iter()
                    .filter(|other| other.method == op.method)
                    .filter(|other| other.match_path(&path).is_some())
                    .filter(|other| literal_len(other) >= literal_len(op))
                    .map(|other| other.name)
                    .collect();
                assert_eq!(claimants, [op.name], "{path}");
            }
            let unknown = sample_path(op, "9.9");
            assert!(find(op.method.as_str(), &unknown).is_err(), "{unknown}");
        }
        assert!(find("GET", "/api/2.0/preview/scim/v2/Me").is_ok());
    }

    #[test]
    fn the_versions_come_from_the_table() {
        assert_eq!(
            find("GET", "/api/2.1/clusters/list").unwrap().version,
            "2.1"
        );
        assert_eq!(
            find("GET", "/api/2.0/clusters/list").unwrap().version,
            "2.0"
        );
        assert!(find("POST", "/api/2.1/clusters/create").is_ok());
        assert!(find("GET", "/api/2.1/secrets/scopes/list").is_err());
        assert!(find("GET", "/api/2.2/clusters/list").is_err());
        assert_eq!(split_version("/api/2.1/a/b"), Some(("2.1", "a/b")));
        assert_eq!(split_version("/api/2.2/a/b"), Some(("2.2", "a/b")));
        assert_eq!(split_version("/api/2.9/a/b"), None);
        assert_eq!(find("GET", "/api/2.2/jobs/list").unwrap().version, "2.2");
        assert_eq!(split_version("/oidc/v1/token"), None);
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
        assert!(find("GET", "/api/2.1/preview/scim/v2/Me").is_err());
    }
}
