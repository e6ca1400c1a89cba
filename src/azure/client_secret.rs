//! Azure AD service principal with a client secret: the client-credentials grant of the v1
//! token endpoint.

use std::fmt;
use std::time::Duration;

use super::aad::{Credential, ServicePrincipal, Tenant};
use super::options::{AzureOptions, azure_option_setters};
use crate::defaults::TOKEN_TIMEOUT;
use crate::error::ConfigError;
use crate::token::TokenHeaders;
use crate::{Result, RetryPolicy, SensitiveString};

/// The `auth_type` name of this method.
const METHOD: &str = "azure-client-secret";

/// An Azure AD service principal that signs in with a client secret; for
/// [`crate::Auth::azure_client_secret`].
///
/// The SDK gets two tokens from `POST {authority}{tenant}/oauth2/token` (the v1 endpoint,
/// `grant_type=client_credentials`): one for Azure Databricks (resource
/// `2ff814a6-3304-4ab8-85cb-cd0e6f879c1d`, sent as `Authorization: Bearer`) and one for the
/// Azure management endpoint (sent as `X-Databricks-Azure-SP-Management-Token`, so that a
/// service principal with the Contributor or Owner role on the workspace resource is let in
/// without being a workspace user). Both are cached and refreshed 40 s before they expire.
/// `Debug` masks the secret.
///
/// ```
/// use azure_databricks_sdk::{Auth, AzureClientSecret, Client};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let sp = AzureClientSecret::new(
///     "72f988bf-86f1-41af-91ab-2d7cd011db47", // tenant
///     "8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", // client (application) id
///     "client-secret-value",
/// )
/// .workspace_resource_id(
///     "/subscriptions/3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws",
/// );
/// assert!(!format!("{sp:?}").contains("client-secret-value"));
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::azure_client_secret(sp)?)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct AzureClientSecret {
    pub(crate) tenant_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: SensitiveString,
    pub(crate) options: AzureOptions,
    pub(crate) authority: Option<String>,
    pub(crate) workspace_host: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

impl AzureClientSecret {
    /// The service principal `client_id` (application id) with its `client_secret`, in the
    /// directory `tenant_id` (a GUID or a domain such as `contoso.onmicrosoft.com`).
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: SensitiveString::new(client_secret),
            options: AzureOptions::default(),
            authority: None,
            workspace_host: None,
            timeout: TOKEN_TIMEOUT,
            retry: RetryPolicy::token_requests(),
        }
    }

    azure_option_setters!();

    /// The Azure AD authority to ask for tokens, e.g. `https://login.microsoftonline.com/`
    /// (also how tests point it at a mock server; plain `http` only for loopback hosts).
    /// Defaults to the authority of the [cloud](Self::cloud).
    pub fn authority(mut self, url: impl Into<String>) -> Self {
        self.authority = Some(url.into());
        self
    }

    /// Timeout of each phase of one token request. Defaults to 30 s
    /// ([`crate::defaults::TOKEN_TIMEOUT`]); connecting may take at most 10 s
    /// ([`crate::defaults::TOKEN_CONNECT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects to the token endpoint directly, ignoring the proxy environment variables
    /// (honoured by default).
    pub fn no_proxy(mut self) -> Self {
        self.options.use_proxy = false;
        self
    }

    /// The workspace (host or URL) the token is for: when the tenant id is empty, it is
    /// learned from the workspace's Azure AD login redirect (`GET {host}/aad/auth`) at the first
    /// token request, as the official Python SDK does. Not set by default.
    pub fn workspace_host(mut self, host: impl Into<String>) -> Self {
        self.workspace_host = Some(host.into());
        self
    }

    /// Checks the settings and makes the header source.
    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        if self.client_secret.expose().is_empty() {
            return Err(ConfigError::attribute(
                "azure_client_secret",
                format!("{METHOD}: the client secret is empty or contains whitespace"),
            )
            .into());
        }
        let tenant = match (self.tenant_id.is_empty(), &self.workspace_host) {
            (true, Some(host)) => Tenant::FromHost {
                base: crate::client::base_url(host)?,
                found: Default::default(),
            },
            _ => Tenant::Known(self.tenant_id.clone()),
        };
        ServicePrincipal {
            method: METHOD,
            options: &self.options,
            authority: self.authority.as_deref(),
            timeout: self.timeout,
            tenant,
            client_id: &self.client_id,
            credential: Credential::Secret(self.client_secret.clone()),
            retry: self.retry.clone(),
        }
        .into_headers()
    }
}

impl fmt::Debug for AzureClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureClientSecret")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("options", &self.options)
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::cache::tests::FakeClock;
    use crate::{CredentialHeaders, CredentialsProvider};
    use httpmock::prelude::*;

    #[test]
    fn tokens_are_refreshed_by_the_clock_40_seconds_before_expiry() {
        let aad = MockServer::start();
        let token = aad.mock(|when, then| {
            when.method(POST).path("/tenant-1/oauth2/token");
            then.status(200)
                .body(r#"{"access_token":"t.o.k","expires_in":"3600","token_type":"Bearer"}"#);
        });
        let clock = FakeClock::new();
        let mut sp = AzureClientSecret::new("tenant-1", "client-1", "secret-1")
            .authority(aad.base_url())
            .no_proxy();
        sp.options.clock = clock.clone();
        let provider = sp.into_headers().unwrap();
        let sent = || {
            let mut headers = CredentialHeaders::default();
            provider.credentials(&mut headers).unwrap();
            headers
        };
        sent();
        token.assert_calls(2); // the Databricks token and the management token
        clock.advance(Duration::from_secs(3600 - 41));
        sent();
        token.assert_calls(2);
        clock.advance(Duration::from_secs(1));
        let headers = sent();
        token.assert_calls(4);
        let names: Vec<&str> = headers.iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["authorization", "x-databricks-azure-sp-management-token"]
        );
    }
}
