//! `GET /.well-known/databricks-config`: the host metadata a workspace serves to anyone
//! (no token), which the official SDKs ask for when a client is made (to learn the OIDC
//! endpoint, the workspace and account ids and the cloud). Field names as the official
//! Python and Go SDKs read them (`HostMetadata`).

use serde_json::json;

use crate::http::{Request, Response};

/// The path of the host metadata.
pub(crate) const PATH: &str = "/.well-known/databricks-config";

/// The workspace id the emulator reports (the `adb-<workspace id>.<n>.azuredatabricks.net`
/// number of a workspace URL).
pub(crate) const WORKSPACE_ID: &str = "1234567890123456";

/// The account id the emulator reports.
pub(crate) const ACCOUNT_ID: &str = "6f1e2d3c-4b5a-4968-8776-655443322110";

/// Whether the emulator answers `path` here.
pub(crate) fn serves(path: &str) -> bool {
    path == PATH
}

/// The host metadata of this workspace; its OIDC endpoint is on the host the client asked.
pub(crate) fn answer(request: &Request) -> Response {
    if request.method != "GET" {
        return Response::json(
            405,
            &json!({"error_code": "BAD_REQUEST", "message": "only GET is supported"}),
        );
    }
    let host = request.header("host").unwrap_or("127.0.0.1");
    let oidc = format!("http://{host}/oidc");
    Response::json(
        200,
        &json!({
            "oidc_endpoint": oidc,
            "account_id": ACCOUNT_ID,
            "workspace_id": WORKSPACE_ID,
            "cloud": "Azure",
            "host_type": "workspace",
            "token_federation_default_oidc_audiences": [format!("{oidc}/v1/token")],
        }),
    )
}
