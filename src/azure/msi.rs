//! Azure managed identity: tokens from the instance metadata service (IMDS) of the VM or
//! container the program runs on, or from the identity endpoint of Azure App Service and
//! Functions (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`).

use std::fmt;
use std::time::Duration;

use super::AZURE_DATABRICKS_RESOURCE_ID;
use super::options::{AzureOptions, azure_option_setters};
use crate::client::UrlPolicy;
use crate::defaults::{MSI_CONNECT_TIMEOUT, MSI_ENDPOINT, MSI_TIMEOUT};
use crate::token::exchange::{self as http, TokenRequest};
use crate::token::{AccessToken, CachedToken, TokenFetcher, TokenHeaders};
use crate::{Clock, Result, RetryPolicy, SensitiveString};

/// The `auth_type` name of this method.
const METHOD: &str = "azure-msi";

/// The managed identity of the Azure resource the program runs on; for
/// [`crate::Auth::azure_managed_identity`] (`ARM_USE_MSI=true` in [`crate::Config`]).
///
/// Tokens come from `GET {endpoint}?api-version=2018-02-01&resource=...[&client_id=...]` with
/// `Metadata: true` (IMDS), or on App Service and Functions ([`app_service`](Self::app_service))
/// from `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...[&client_id=...]` with
/// `X-IDENTITY-HEADER: {IDENTITY_HEADER}`; never through a proxy: one for Azure Databricks (`Authorization`) and one
/// for the management endpoint (`X-Databricks-Azure-SP-Management-Token`), like a service
/// principal. Both are cached and refreshed 40 s before they expire. Requests are retried on
/// 429 and 5xx answers, not on connection errors (off Azure the address never answers).
#[derive(Clone)]
#[must_use]
pub struct AzureManagedIdentity {
    pub(crate) client_id: Option<String>,
    pub(crate) options: AzureOptions,
    /// App Service / Functions: `IDENTITY_HEADER`, sent to `endpoint`.
    pub(crate) identity_header: Option<SensitiveString>,
    pub(crate) endpoint: String,
    pub(crate) timeout: Duration,
}

impl Default for AzureManagedIdentity {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureManagedIdentity {
    /// The system-assigned identity, through [`crate::defaults::MSI_ENDPOINT`].
    pub fn new() -> Self {
        Self {
            client_id: None,
            options: AzureOptions::default(),
            identity_header: None,
            endpoint: MSI_ENDPOINT.to_string(),
            timeout: MSI_TIMEOUT,
        }
    }

    azure_option_setters!();

    /// A user-assigned identity, by its client id (`ARM_CLIENT_ID`). Not set by default (the
    /// system-assigned identity).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The token endpoint. Defaults to [`crate::defaults::MSI_ENDPOINT`]; tests point it at a mock.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }

    /// The identity endpoint of Azure App Service and Functions (their `IDENTITY_ENDPOINT`)
    /// and its secret header value (`IDENTITY_HEADER`), instead of IMDS. [`crate::Config`]
    /// uses them when both variables are set.
    pub fn app_service(mut self, endpoint: impl Into<String>, header: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self.identity_header = Some(SensitiveString::new(header));
        self
    }

    /// Timeout of one metadata request. Defaults to 10 s ([`crate::defaults::MSI_TIMEOUT`]); connecting
    /// may take at most 2 s of it ([`crate::defaults::MSI_CONNECT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        http::check_endpoint(
            METHOD,
            "managed identity endpoint",
            &self.endpoint,
            UrlPolicy::MetadataService,
        )?;
        let agent = http::agent(self.timeout, MSI_CONNECT_TIMEOUT, false);
        let fetcher = |resource: &str| -> Box<dyn TokenFetcher> {
            Box::new(MsiFetcher {
                agent: agent.clone(),
                endpoint: self.endpoint.clone(),
                resource: resource.to_string(),
                client_id: self.client_id.clone(),
                identity_header: self.identity_header.clone(),
            })
        };
        TokenHeaders::azure(
            METHOD,
            CachedToken::new(
                METHOD,
                fetcher(AZURE_DATABRICKS_RESOURCE_ID),
                self.options.clock.clone(),
            ),
            Some(CachedToken::new(
                METHOD,
                fetcher(self.options.cloud.management_resource()),
                self.options.clock.clone(),
            )),
            false,
            self.options.workspace_resource_id.as_deref(),
        )
    }
}

impl fmt::Debug for AzureManagedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureManagedIdentity")
            .field("client_id", &self.client_id)
            .field("options", &self.options)
            .field("endpoint", &self.endpoint)
            .field("app_service", &self.identity_header.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct MsiFetcher {
    agent: ureq::Agent,
    endpoint: String,
    resource: String,
    client_id: Option<String>,
    identity_header: Option<SensitiveString>,
}

impl TokenFetcher for MsiFetcher {
    fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken> {
        let what = format!("managed identity token for resource {}", self.resource);
        // Off Azure the metadata address never answers: one connection attempt is enough.
        let retry = RetryPolicy::token_requests().connect_attempts(1);
        let version = match self.identity_header {
            Some(_) => "2019-08-01",
            None => "2018-02-01",
        };
        let mut query = vec![
            ("api-version", version),
            ("resource", self.resource.as_str()),
        ];
        if let Some(client_id) = &self.client_id {
            query.push(("client_id", client_id.as_str()));
        }
        let secrets: Vec<&SensitiveString> = self.identity_header.iter().collect();
        let request = TokenRequest {
            method: METHOD,
            what: &what,
            url: &self.endpoint,
            secrets: &secrets,
        };
        http::fetch_token(&request, &retry, clock, || {
            let get = self.agent.get(&self.endpoint);
            let get = match &self.identity_header {
                Some(header) => get.header("X-IDENTITY-HEADER", header.expose()),
                None => get.header("Metadata", "true"),
            };
            get.query_pairs(query.iter().copied()).call()
        })
    }
}
