//! Token requests to Azure AD (Microsoft Entra ID) for a service principal: the credential it
//! proves itself with (a client secret, a GitHub Actions ID token, a federated token file), the
//! endpoint (v1 with `resource`, v2 with `scope`), and the tenant, given or learned from the
//! workspace.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::error::AuthError;
use crate::token::exchange::{self, TokenRequest};
use crate::token::{AccessToken, TokenFetcher};
use crate::{Clock, LOG_TARGET, Result, RetryPolicy, SensitiveString};

/// `client_assertion_type` of a JWT client assertion.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The audience of a GitHub Actions ID token for Azure AD.
const GITHUB_AUDIENCE: &str = "api://AzureADTokenExchange";

/// How the service principal proves itself.
#[derive(Clone)]
pub(crate) enum Credential {
    /// `client_secret` (v1 endpoint).
    Secret(SensitiveString),
    /// An ID token from GitHub Actions' token service as `client_assertion` (v1 endpoint).
    GithubOidc {
        request_url: String,
        request_token: SensitiveString,
    },
    /// A federated token file (AKS workload identity) as `client_assertion` (v2 endpoint).
    TokenFile(PathBuf),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Secret(****)"),
            Credential::GithubOidc { request_url, .. } => f
                .debug_struct("GithubOidc")
                .field("request_url", &crate::redact::url(request_url))
                .finish_non_exhaustive(),
            Credential::TokenFile(path) => f.debug_tuple("TokenFile").field(path).finish(),
        }
    }
}

/// The tenant: given, or learned once from the workspace's Azure AD login redirect.
#[derive(Debug)]
pub(crate) enum Tenant {
    Known(String),
    FromHost {
        /// `https://host`.
        base: String,
        found: OnceLock<String>,
    },
}

/// Gets one resource's token for a service principal from Azure AD.
pub(crate) struct AadFetcher {
    pub(crate) method: &'static str,
    pub(crate) agent: ureq::Agent,
    /// With a trailing slash, e.g. `https://login.microsoftonline.com/`.
    pub(crate) authority: String,
    pub(crate) tenant: std::sync::Arc<Tenant>,
    pub(crate) client_id: String,
    pub(crate) credential: Credential,
    pub(crate) resource: String,
    pub(crate) retry: RetryPolicy,
}

impl fmt::Debug for AadFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AadFetcher")
            .field("method", &self.method)
            .field("authority", &self.authority)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl AadFetcher {
    fn tenant(&self) -> Result<&str> {
        match &*self.tenant {
            Tenant::Known(tenant) => Ok(tenant),
            Tenant::FromHost { base, found } => {
                if let Some(tenant) = found.get() {
                    return Ok(tenant);
                }
                let tenant = super::tenant::from_workspace(self.method, &self.agent, base)?;
                Ok(found.get_or_init(|| tenant))
            }
        }
    }

    /// The GitHub Actions ID token for Azure AD.
    fn github_token(
        &self,
        request_url: &str,
        request_token: &SensitiveString,
        clock: &dyn Clock,
    ) -> Result<SensitiveString> {
        let separator = if request_url.contains('?') { '&' } else { '?' };
        let url = format!("{request_url}{separator}audience={GITHUB_AUDIENCE}");
        let bearer = SensitiveString::new(format!("Bearer {}", request_token.expose()));
        let request = TokenRequest {
            method: self.method,
            what: "GitHub Actions ID token",
            url: request_url,
            secrets: &[request_token],
        };
        let body = exchange::exchange(&request, &self.retry, clock, || {
            self.agent
                .get(&url)
                .header("authorization", bearer.expose())
                .call()
        })?;
        exchange::json_field(self.method, request.what, &body, "value").map(SensitiveString::new)
    }
}

impl TokenFetcher for AadFetcher {
    fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken> {
        let tenant = self.tenant()?;
        let what = format!(
            "Azure AD token for resource {} (client {})",
            self.resource, self.client_id
        );
        let assertion = match &self.credential {
            Credential::Secret(secret) => secret.clone(),
            Credential::GithubOidc {
                request_url,
                request_token,
            } => self.github_token(request_url, request_token, clock)?,
            Credential::TokenFile(path) => {
                SensitiveString::new(crate::oauth::read_token_file(self.method, path)?)
            }
        };
        if assertion.expose().is_empty() {
            return Err(AuthError::new(self.method, "the client assertion is empty").into());
        }
        let scope = format!("{}/.default", self.resource.trim_end_matches('/'));
        let (url, mut form) = match &self.credential {
            Credential::TokenFile(_) => (
                format!("{}{tenant}/oauth2/v2.0/token", self.authority),
                vec![("scope", scope.as_str())],
            ),
            _ => (
                format!("{}{tenant}/oauth2/token", self.authority),
                vec![("resource", self.resource.as_str())],
            ),
        };
        form.extend([
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
        ]);
        match &self.credential {
            Credential::Secret(_) => form.push(("client_secret", assertion.expose())),
            _ => form.extend([
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion.expose()),
            ]),
        }
        let request = TokenRequest {
            method: self.method,
            what: &what,
            url: &url,
            secrets: &[&assertion],
        };
        log::trace!(target: LOG_TARGET, "{}: token request to {url}", self.method);
        exchange::fetch_token(&request, &self.retry, clock, || {
            self.agent.post(&url).send_form(form.iter().copied())
        })
    }
}

/// What a service principal method needs to get its tokens from Azure AD.
pub(crate) struct ServicePrincipal<'a> {
    pub(crate) method: &'static str,
    pub(crate) options: &'a super::AzureOptions,
    /// Overrides the authority of the cloud.
    pub(crate) authority: Option<&'a str>,
    pub(crate) timeout: std::time::Duration,
    pub(crate) tenant: Tenant,
    pub(crate) client_id: &'a str,
    pub(crate) credential: Credential,
    pub(crate) retry: RetryPolicy,
}

impl ServicePrincipal<'_> {
    /// Checks the settings and makes the headers: the Azure Databricks token, the management
    /// token and the workspace resource id, each token cached.
    pub(crate) fn into_headers(self) -> Result<crate::token::TokenHeaders> {
        use crate::client::UrlPolicy;
        use crate::error::ConfigError;
        use crate::token::CachedToken;
        let method = self.method;
        if self.client_id.is_empty() || self.client_id.chars().any(char::is_whitespace) {
            return Err(ConfigError::attribute(
                "azure_client_id",
                format!("{method}: the client id is empty or contains whitespace"),
            )
            .into());
        }
        if let Tenant::Known(tenant) = &self.tenant {
            super::check_tenant(method, tenant)?;
        }
        let mut authority = self.authority.map_or_else(
            || self.options.cloud.authority().to_string(),
            str::to_string,
        );
        exchange::check_endpoint(
            method,
            "Azure AD authority",
            &authority,
            UrlPolicy::Workspace,
        )?;
        if !authority.ends_with('/') {
            authority.push('/');
        }
        let agent = exchange::agent(
            self.timeout,
            crate::defaults::TOKEN_CONNECT_TIMEOUT,
            self.options.use_proxy,
        );
        let tenant = std::sync::Arc::new(self.tenant);
        let fetcher = |resource: &str| -> Box<dyn TokenFetcher> {
            Box::new(AadFetcher {
                method,
                agent: agent.clone(),
                authority: authority.clone(),
                tenant: tenant.clone(),
                client_id: self.client_id.to_string(),
                credential: self.credential.clone(),
                resource: resource.to_string(),
                retry: self.retry.clone(),
            })
        };
        let clock = &self.options.clock;
        let bearer = CachedToken::new(
            method,
            fetcher(super::AZURE_DATABRICKS_RESOURCE_ID),
            clock.clone(),
        );
        let management = CachedToken::new(
            method,
            fetcher(self.options.cloud.management_resource()),
            clock.clone(),
        );
        crate::token::TokenHeaders::azure(
            method,
            bearer,
            Some(management),
            false,
            self.options.workspace_resource_id.as_deref(),
        )
    }
}
