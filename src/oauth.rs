//! Databricks OAuth: tokens from the workspace's own token endpoint (`{host}/oidc/v1/token`)
//! for a service principal with an OAuth secret (`oauth-m2m`) or a federated ID token
//! (`env-oidc`, `file-oidc`), and from the Databricks CLI's sign-in (`databricks-cli`).

mod cli;
mod endpoints;
mod m2m;
mod oidc;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use cli::DatabricksCli;
pub use m2m::OAuthM2m;
pub(crate) use oidc::read_token_file;
pub use oidc::{OidcToken, OidcTokenSource};

use crate::defaults::{TOKEN_CONNECT_TIMEOUT, TOKEN_TIMEOUT};
use crate::{Auth, Clock, Result, SystemClock};

/// The scope the official SDKs ask for: every workspace API.
pub(crate) const SCOPE: &str = "all-apis";

/// Options of every method that asks the workspace's token endpoint.
#[derive(Clone)]
pub(crate) struct OAuthOptions {
    /// The token endpoint; discovered from the host when unset.
    pub(crate) token_endpoint: Option<String>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) timeout: Duration,
    pub(crate) use_proxy: bool,
}

impl Default for OAuthOptions {
    fn default() -> Self {
        Self {
            token_endpoint: None,
            clock: Arc::new(SystemClock),
            timeout: TOKEN_TIMEOUT,
            use_proxy: true,
        }
    }
}

impl OAuthOptions {
    pub(crate) fn agent(&self) -> ureq::Agent {
        crate::token::exchange::agent(self.timeout, TOKEN_CONNECT_TIMEOUT, self.use_proxy)
    }
}

impl fmt::Debug for OAuthOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthOptions")
            .field("token_endpoint", &self.token_endpoint)
            .field("timeout", &self.timeout)
            .field("use_proxy", &self.use_proxy)
            .finish_non_exhaustive()
    }
}

/// The setters of [`OAuthOptions`] on a builder with an `options` field.
macro_rules! oauth_option_setters {
    () => {
        /// The token endpoint, e.g. `https://<host>/oidc/v1/token`. By default it is
        /// discovered from `{host}/oidc/.well-known/oauth-authorization-server`, falling back
        /// to `{host}/oidc/v1/token` (plain `http` only for loopback hosts).
        pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
            self.options.token_endpoint = Some(url.into());
            self
        }

        /// The clock that dates token expiries and paces retries of token requests. Defaults
        /// to [`SystemClock`](crate::SystemClock).
        pub fn clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
            self.options.clock = clock;
            self
        }

        /// Timeout of each phase of one token request. Defaults to 30 s
        /// ([`crate::defaults::TOKEN_TIMEOUT`]).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout = timeout;
            self
        }

        /// Connects to the token endpoint directly, ignoring the proxy environment variables
        /// (honoured by default).
        pub fn no_proxy(mut self) -> Self {
            self.options.use_proxy = false;
            self
        }
    };
}

pub(crate) use oauth_option_setters;

impl Auth {
    /// A Databricks service principal with an OAuth secret (`oauth-m2m`, see [`OAuthM2m`]).
    /// Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the host, client id or secret is empty or malformed.
    pub fn oauth_m2m(credentials: OAuthM2m) -> Result<Auth> {
        Ok(credentials.into_headers()?.into_auth())
    }

    /// The Databricks CLI's sign-in (`databricks-cli`, see [`DatabricksCli`]). The CLI is
    /// first run at the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the host is malformed.
    pub fn databricks_cli(options: DatabricksCli) -> Result<Auth> {
        Ok(options.into_headers()?.into_auth())
    }

    /// An ID token exchanged for a Databricks token (`env-oidc`, `file-oidc`, see
    /// [`OidcToken`]). Nothing is sent before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the host is malformed.
    pub fn oidc_token(credentials: OidcToken) -> Result<Auth> {
        Ok(credentials.into_headers()?.into_auth())
    }
}
