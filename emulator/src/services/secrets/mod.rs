//! The Secrets API: secrets, secret ACLs and secret scopes.

mod state;

pub(crate) use state::SecretStore;

use azure_databricks_sdk::models::{
    AclPermission, AzureKeyVaultSecretScopeMetadata, ListAclsResponse, ListScopesResponse,
    ListSecretsResponse,
};
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde_json::{Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::workspace::Workspace;
use state::{Backend, Perm};

type Answer = Result<Value, ApiError>;

/// `GET secrets/list?scope=` (READ).
pub(crate) fn list(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let secrets = ws.secrets.list(&call.caller, params.str("scope")?)?;
    to_json(&ListSecretsResponse {
        unknown_fields: Default::default(),
        secrets,
    })
}

/// `POST secrets/put` (WRITE): exactly one of `string_value` and `bytes_value` (base64).
pub(crate) fn put(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let scope = params.str("scope")?;
    let key = params.str("key")?;
    let value = match (params.has("string_value"), params.has("bytes_value")) {
        (true, false) => params
            .opt_str("string_value")?
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
        (false, true) => decode_base64(params.opt_str("bytes_value")?.unwrap_or_default())?,
        _ => {
            return Err(ApiError::invalid_parameter(
                "Exactly one of string_value or bytes_value must be specified.",
            ));
        }
    };
    ws.secrets.put(&call.caller, scope, key, value, call.now)?;
    Ok(json!({}))
}

/// Base64 as protobuf JSON accepts it: standard or URL-safe alphabet, padded or not.
fn decode_base64(text: &str) -> Result<Vec<u8>, ApiError> {
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    GeneralPurpose::new(&base64::alphabet::STANDARD, lenient)
        .decode(text)
        .or_else(|_| GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient).decode(text))
        .or_else(|_| general_purpose::STANDARD.decode(text))
        .map_err(|_| {
            ApiError::malformed("Could not parse request object: bytes_value is not valid base64")
        })
}

/// `POST secrets/delete` (WRITE).
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    ws.secrets
        .delete(&call.caller, params.str("scope")?, params.str("key")?)?;
    Ok(json!({}))
}

/// `GET secrets/acls/list?scope=` (MANAGE).
pub(crate) fn acls_list(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let items = ws.secrets.acls(&call.caller, params.str("scope")?)?;
    to_json(&ListAclsResponse {
        unknown_fields: Default::default(),
        items,
    })
}

/// `GET secrets/acls/get?scope=&principal=` (MANAGE).
pub(crate) fn acls_get(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let item = ws
        .secrets
        .acl(&call.caller, params.str("scope")?, params.str("principal")?)?;
    to_json(&item)
}

/// `POST secrets/acls/put` (MANAGE): creates or overwrites.
pub(crate) fn acls_put(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let scope = params.str("scope")?;
    let principal = params.str("principal")?;
    let text = params.str("permission")?;
    let perm = Perm::from_model(&AclPermission::from(text)).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "Invalid permission {text}: use READ, WRITE or MANAGE."
        ))
    })?;
    ws.secrets
        .put_acl(&call.caller, &ws.users, scope, principal, perm)?;
    Ok(json!({}))
}

/// `POST secrets/acls/delete` (MANAGE).
pub(crate) fn acls_delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    ws.secrets
        .delete_acl(&call.caller, params.str("scope")?, params.str("principal")?)?;
    Ok(json!({}))
}

/// `GET secrets/scopes/list`: every scope, whatever the caller's ACLs.
pub(crate) fn scopes_list(ws: &mut Workspace, _: &Call, _: &Params) -> Answer {
    to_json(&ListScopesResponse {
        unknown_fields: Default::default(),
        scopes: ws.secrets.list_scopes(),
    })
}

/// `POST secrets/scopes/create`: Databricks-backed, or Azure Key Vault-backed with
/// `backend_azure_keyvault`.
pub(crate) fn scopes_create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let scope = params.str("scope")?;
    let initial = params.opt_str("initial_manage_principal")?;
    let keyvault = params
        .get("backend_azure_keyvault")
        .map(keyvault_metadata)
        .transpose()?;
    let backend = match params.opt_str("scope_backend_type")? {
        None | Some("DATABRICKS") => Backend::Databricks,
        Some("AZURE_KEYVAULT") => Backend::KeyVault(keyvault.ok_or_else(|| {
            ApiError::invalid_parameter(
                "Missing required fields: backend_azure_keyvault.resource_id, backend_azure_keyvault.dns_name",
            )
        })?),
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid scope_backend_type {other}: use DATABRICKS or AZURE_KEYVAULT."
            )));
        }
    };
    ws.secrets
        .create_scope(&call.caller, scope, initial, backend)?;
    Ok(json!({}))
}

/// `backend_azure_keyvault`: both fields, a vault resource id and an `https://` vault URI.
fn keyvault_metadata(value: &Value) -> Result<AzureKeyVaultSecretScopeMetadata, ApiError> {
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let missing: Vec<String> = ["resource_id", "dns_name"]
        .into_iter()
        .filter(|name| field(name).is_none())
        .map(|name| format!("backend_azure_keyvault.{name}"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "Missing required fields: {}",
            missing.join(", ")
        )));
    }
    let resource_id = field("resource_id").unwrap_or_default();
    let dns_name = field("dns_name").unwrap_or_default();
    if !resource_id
        .to_ascii_lowercase()
        .contains("/providers/microsoft.keyvault/vaults/")
    {
        return Err(ApiError::invalid_parameter(format!(
            "backend_azure_keyvault.resource_id {resource_id} is not the resource id of an Azure key vault."
        )));
    }
    if !dns_name.starts_with("https://") {
        return Err(ApiError::invalid_parameter(format!(
            "backend_azure_keyvault.dns_name {dns_name} must be the vault URI, e.g. https://<vault>.vault.azure.net/."
        )));
    }
    Ok(AzureKeyVaultSecretScopeMetadata {
        unknown_fields: Default::default(),
        resource_id: resource_id.to_string(),
        dns_name: dns_name.to_string(),
    })
}

/// `POST secrets/scopes/delete` (MANAGE).
pub(crate) fn scopes_delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    ws.secrets
        .delete_scope(&call.caller, params.str("scope")?)?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_read_in_every_protobuf_flavour() {
        assert_eq!(decode_base64("AJ+Slg==").unwrap(), [0, 159, 146, 150]);
        assert_eq!(decode_base64("AJ+Slg").unwrap(), [0, 159, 146, 150]);
        assert_eq!(decode_base64("AJ-Slg").unwrap(), [0, 159, 146, 150]);
        assert_eq!(
            decode_base64("not base64!").unwrap_err().code(),
            "MALFORMED_REQUEST"
        );
    }

    #[test]
    fn key_vault_metadata_needs_both_fields() {
        let err = keyvault_metadata(&json!({})).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required fields: backend_azure_keyvault.resource_id, backend_azure_keyvault.dns_name"
        );
        let ok = keyvault_metadata(&json!({
            "resource_id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
            "dns_name": "https://v.vault.azure.net/"
        }))
        .unwrap();
        assert_eq!(ok.dns_name, "https://v.vault.azure.net/");
        assert!(keyvault_metadata(&json!({"resource_id": "/x", "dns_name": "https://v"})).is_err());
    }
}
