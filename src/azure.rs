//! Azure AD (Microsoft Entra ID) credentials that the SDK obtains and refreshes itself: a
//! service principal with a client secret, the Azure CLI, a managed identity.

mod aad;
mod cli;
mod client_secret;
mod cloud;
mod federated;
mod msi;
mod options;
mod tenant;

pub use cli::AzureCli;
pub use client_secret::AzureClientSecret;
pub use cloud::AzureCloud;
pub use federated::AzureFederatedIdentity;
pub use msi::AzureManagedIdentity;
pub(crate) use options::AzureOptions;

use crate::error::ConfigError;
use crate::{Auth, Result};

/// Checks a tenant id: a GUID or a domain name (`contoso.onmicrosoft.com`).
pub(crate) fn check_tenant(method: &str, tenant: &str) -> Result<()> {
    let ok = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    if !ok {
        return Err(ConfigError::attribute(
            "azure_tenant_id",
            format!("{method}: invalid tenant id `{tenant}`: expected a GUID or a domain name"),
        )
        .into());
    }
    Ok(())
}

/// The application (resource) id of Azure Databricks: the audience of its Azure AD tokens, in
/// every Azure cloud.
pub const AZURE_DATABRICKS_RESOURCE_ID: &str = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

impl Auth {
    /// A service principal with a client secret: the SDK gets, caches and refreshes the Azure
    /// Databricks token and the management token itself (see [`AzureClientSecret`]).
    ///
    /// Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the tenant id, client id or secret is empty or malformed,
    /// or the authority is not an `https` URL (plain `http` only for loopback hosts).
    pub fn azure_client_secret(credentials: AzureClientSecret) -> Result<Auth> {
        Ok(credentials.into_headers()?.into_auth())
    }

    /// The account signed in to the Azure CLI (see [`AzureCli`]). `az` is first run at the
    /// first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the tenant id is malformed.
    pub fn azure_cli(options: AzureCli) -> Result<Auth> {
        Ok(options.into_headers()?.into_auth())
    }

    /// The managed identity of the Azure resource the program runs on (see
    /// [`AzureManagedIdentity`]). Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the endpoint is not a valid URL.
    pub fn azure_managed_identity(options: AzureManagedIdentity) -> Result<Auth> {
        Ok(options.into_headers()?.into_auth())
    }
}
