//! `GET /api/2.0/preview/scim/v2/Me`: who the caller is. Not one of the SDK's operations, but
//! the Databricks CLI and the official SDKs call it (`current-user me`, auth checks).

use serde_json::{Value, json};

use crate::api::Call;
use crate::api::params::Params;
use crate::error::ApiError;
use crate::workspace::Workspace;

/// The caller as a SCIM user.
pub(crate) fn me(ws: &mut Workspace, call: &Call, _: &Params) -> Result<Value, ApiError> {
    let name = &call.caller.name;
    let id = ws.users.get(name).map_or(0, |u| u.id).to_string();
    let display = name.split('@').next().unwrap_or(name);
    let groups: Vec<Value> = call
        .caller
        .groups()
        .iter()
        .map(|g| json!({"display": g, "type": "direct", "value": g}))
        .collect();
    Ok(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": id,
        "userName": name,
        "displayName": display,
        "active": true,
        "emails": [{"value": name, "type": "work", "primary": true}],
        "groups": groups,
    }))
}
