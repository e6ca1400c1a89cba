//! Secretless Azure AD sign-in of a service principal with a federated credential: GitHub
//! Actions OIDC (`github-oidc-azure`) and AKS workload identity (`azure-workload-identity`).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::aad::{Credential, ServicePrincipal, Tenant};
use super::options::{AzureOptions, azure_option_setters};
use crate::defaults::TOKEN_TIMEOUT;
use crate::token::TokenHeaders;
use crate::{Auth, Result, RetryPolicy, SensitiveString};

/// An Azure AD service principal (or user-assigned managed identity) that proves itself with
/// a token of another identity provider trusted by a federated credential; for
/// [`crate::Auth::azure_federated`]. No secret is stored anywhere.
///
/// * [`github_actions`](Self::github_actions) (`github-oidc-azure`): for each Azure AD token,
///   an ID token is asked from GitHub's token service (`GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange`
///   with `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`; the workflow needs
///   `permissions: id-token: write`) and sent to `POST {authority}{tenant}/oauth2/token` as
///   `client_assertion` (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
///   `grant_type=client_credentials`, `resource=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d`).
/// * [`workload_identity`](Self::workload_identity) (`azure-workload-identity`): the
///   Kubernetes service account token projected into `AZURE_FEDERATED_TOKEN_FILE` (read again
///   for each request: it rotates) is sent to `POST {authority}{tenant}/oauth2/v2.0/token` as
///   `client_assertion`, with `scope=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default`, as Azure
///   identity's `WorkloadIdentityCredential` does.
///
/// Like a client secret, both also get the management token (sent as
/// `X-Databricks-Azure-SP-Management-Token`); tokens are cached and refreshed 40 s before they
/// expire.
///
/// ```
/// use azure_databricks_sdk::{Auth, AzureFederatedIdentity};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let aks = AzureFederatedIdentity::workload_identity(
///     "72f988bf-86f1-41af-91ab-2d7cd011db47",
///     "8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b",
///     "/var/run/secrets/azure/tokens/azure-identity-token",
/// );
/// assert_eq!(Auth::azure_federated(aks)?.method(), "azure-workload-identity");
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct AzureFederatedIdentity {
    method: &'static str,
    tenant_id: String,
    client_id: String,
    credential: Credential,
    pub(crate) options: AzureOptions,
    authority: Option<String>,
    timeout: Duration,
}

impl AzureFederatedIdentity {
    /// GitHub Actions OIDC: `request_url` and `request_token` are the job's
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub fn github_actions(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        request_url: impl Into<String>,
        request_token: impl Into<String>,
    ) -> Self {
        let credential = Credential::GithubOidc {
            request_url: request_url.into(),
            request_token: SensitiveString::new(request_token),
        };
        Self::new("github-oidc-azure", tenant_id, client_id, credential)
    }

    /// AKS workload identity: `token_file` is `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn workload_identity(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> Self {
        let credential = Credential::TokenFile(token_file.into());
        Self::new("azure-workload-identity", tenant_id, client_id, credential)
    }

    fn new(
        method: &'static str,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        credential: Credential,
    ) -> Self {
        Self {
            method,
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            credential,
            options: AzureOptions::default(),
            authority: None,
            timeout: TOKEN_TIMEOUT,
        }
    }

    azure_option_setters!();

    /// The Azure AD authority (`AZURE_AUTHORITY_HOST`), e.g.
    /// `https://login.microsoftonline.com/` (plain `http` only for loopback hosts). Defaults
    /// to the authority of the [cloud](Self::cloud).
    pub fn authority(mut self, url: impl Into<String>) -> Self {
        self.authority = Some(url.into());
        self
    }

    /// Connects to the token endpoints directly, ignoring the proxy environment variables
    /// (honoured by default).
    pub fn no_proxy(mut self) -> Self {
        self.options.use_proxy = false;
        self
    }

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        if let Credential::GithubOidc { request_url, .. } = &self.credential {
            crate::token::exchange::check_endpoint(
                self.method,
                "GitHub ID token URL",
                request_url,
                crate::client::UrlPolicy::Workspace,
            )?;
        }
        ServicePrincipal {
            method: self.method,
            options: &self.options,
            authority: self.authority.as_deref(),
            timeout: self.timeout,
            tenant: Tenant::Known(self.tenant_id.clone()),
            client_id: &self.client_id,
            credential: self.credential.clone(),
            retry: RetryPolicy::token_requests(),
        }
        .into_headers()
    }
}

impl fmt::Debug for AzureFederatedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureFederatedIdentity")
            .field("method", &self.method)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .field("options", &self.options)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// A service principal with a federated credential (see [`AzureFederatedIdentity`]).
    /// Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the tenant id or client id is malformed, or an endpoint
    /// is not an `https` URL (plain `http` only for loopback hosts).
    pub fn azure_federated(credentials: AzureFederatedIdentity) -> Result<Auth> {
        Ok(credentials.into_headers()?.into_auth())
    }
}
