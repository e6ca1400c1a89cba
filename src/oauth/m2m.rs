//! `oauth-m2m`: a Databricks service principal with an OAuth secret, by the client-credentials
//! grant of the workspace's token endpoint.

use std::fmt;

use super::endpoints::TokenEndpoint;
use super::{OAuthOptions, SCOPE, oauth_option_setters};
use crate::error::ConfigError;
use crate::token::exchange::{self, TokenRequest};
use crate::token::{AccessToken, CachedToken, TokenFetcher, TokenHeaders};
use crate::{Clock, Result, RetryPolicy, SensitiveString};

/// The `auth_type` name of this method.
const METHOD: &str = "oauth-m2m";

/// A Databricks service principal that signs in with an OAuth secret (Microsoft's recommended
/// unattended sign-in for Azure Databricks); for [`crate::Auth::oauth_m2m`]
/// (`DATABRICKS_CLIENT_ID` / `DATABRICKS_CLIENT_SECRET` in [`crate::Config`]).
///
/// The token endpoint is discovered once from
/// `{host}/oidc/.well-known/oauth-authorization-server` (`token_endpoint`), falling back to
/// `{host}/oidc/v1/token`. Each token comes from `POST {token_endpoint}` with
/// `grant_type=client_credentials&scope=all-apis` and the client id and secret as HTTP Basic
/// authentication; it is cached, shared by concurrent requests, refreshed 40 s before it
/// expires, and its request is retried on 429, 5xx and connection failures. `Debug` masks the
/// secret.
///
/// ```
/// use azure_databricks_sdk::{Auth, Client, OAuthM2m};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let sp = OAuthM2m::new(
///     "adb-1234567890123456.7.azuredatabricks.net",
///     "8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", // the service principal's application id
///     "dose0123456789abcdef",                 // its OAuth secret
/// );
/// assert!(!format!("{sp:?}").contains("dose0123"));
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::oauth_m2m(sp)?)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct OAuthM2m {
    host: String,
    client_id: String,
    client_secret: SensitiveString,
    pub(crate) options: OAuthOptions,
}

impl OAuthM2m {
    /// The service principal `client_id` (its application id) with its OAuth `client_secret`,
    /// for the workspace at `host` (a host name or URL).
    pub fn new(
        host: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            client_id: client_id.into(),
            client_secret: SensitiveString::new(client_secret),
            options: OAuthOptions::default(),
        }
    }

    oauth_option_setters!();

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        let blank = |s: &str| s.is_empty() || s.chars().any(char::is_whitespace);
        if blank(&self.client_id) {
            return Err(ConfigError::attribute(
                "client_id",
                format!("{METHOD}: the client id is empty or contains whitespace"),
            )
            .into());
        }
        if self.client_secret.expose().is_empty() {
            return Err(ConfigError::attribute(
                "client_secret",
                format!("{METHOD}: the client secret is empty"),
            )
            .into());
        }
        let endpoint =
            TokenEndpoint::new(METHOD, &self.host, self.options.token_endpoint.as_deref())?;
        let basic = exchange::basic_auth(&self.client_id, &self.client_secret);
        let fetcher = M2mFetcher {
            agent: self.options.agent(),
            endpoint,
            client_id: self.client_id,
            client_secret: self.client_secret,
            basic,
        };
        let bearer = CachedToken::new(METHOD, Box::new(fetcher), self.options.clock);
        Ok(TokenHeaders::bearer(METHOD, bearer))
    }
}

impl fmt::Debug for OAuthM2m {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthM2m")
            .field("host", &self.host)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("options", &self.options)
            .finish()
    }
}

struct M2mFetcher {
    agent: ureq::Agent,
    endpoint: TokenEndpoint,
    client_id: String,
    client_secret: SensitiveString,
    /// `Basic base64(client_id:client_secret)`.
    basic: SensitiveString,
}

impl fmt::Debug for M2mFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("M2mFetcher")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl TokenFetcher for M2mFetcher {
    fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken> {
        let url = self.endpoint.get(&self.agent, clock)?;
        let what = format!("Databricks OAuth token (client {})", self.client_id);
        let request = TokenRequest {
            method: METHOD,
            what: &what,
            url,
            secrets: &[&self.client_secret, &self.basic],
        };
        let form = [("grant_type", "client_credentials"), ("scope", SCOPE)];
        exchange::fetch_token(&request, &RetryPolicy::token_requests(), clock, || {
            self.agent
                .post(url)
                .header("authorization", self.basic.expose())
                .send_form(form)
        })
    }
}
