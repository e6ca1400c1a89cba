//! Azure AD (Microsoft Entra ID) credentials that the SDK obtains and refreshes itself: a
//! service principal with a client secret, the Azure CLI, a managed identity.

mod cache;
mod cli;
mod client_secret;
mod cloud;
mod headers;
mod http;
mod msi;
mod process;

use std::sync::Arc;

pub use cache::TOKEN_REFRESH_MARGIN;
pub use cli::{AzureCli, DEFAULT_AZ_TIMEOUT};
pub use client_secret::{AzureClientSecret, DEFAULT_TOKEN_CONNECT_TIMEOUT, DEFAULT_TOKEN_TIMEOUT};
pub use cloud::AzureCloud;
pub(crate) use headers::AzureHeaders;
pub use msi::{
    AzureManagedIdentity, DEFAULT_MSI_CONNECT_TIMEOUT, DEFAULT_MSI_ENDPOINT, DEFAULT_MSI_TIMEOUT,
};

use crate::{Auth, Result};

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
        Ok(Self::from_azure(credentials.into_headers()?))
    }

    /// The account signed in to the Azure CLI (see [`AzureCli`]). `az` is first run at the
    /// first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the tenant id is malformed.
    pub fn azure_cli(options: AzureCli) -> Result<Auth> {
        Ok(Self::from_azure(options.into_headers()?))
    }

    /// The managed identity of the Azure resource the program runs on (see
    /// [`AzureManagedIdentity`]). Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the endpoint is not a valid URL.
    pub fn azure_managed_identity(options: AzureManagedIdentity) -> Result<Auth> {
        Ok(Self::from_azure(options.into_headers()?))
    }

    pub(crate) fn from_azure(headers: AzureHeaders) -> Auth {
        Auth::dynamic(headers.method(), Arc::new(headers))
    }
}
