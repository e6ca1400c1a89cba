//! Clients made from a [`Config`].

use super::Config;
use crate::{Client, ClientBuilder, Result};

impl Config {
    /// A [`ClientBuilder`] for the configured host with the [credentials](Config::auth) this
    /// configuration selects, and its `http_timeout_seconds` (as
    /// [`ClientBuilder::timeout`]), `retry_timeout_seconds` (as the
    /// [`RetryPolicy::budget`](crate::RetryPolicy::budget)) and `rate_limit` (as
    /// [`ClientBuilder::rate_limit`]), to adjust before `build()`.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when no host is configured, and the errors of [`Config::auth`].
    pub fn client_builder(&self) -> Result<ClientBuilder> {
        let host = self.host().ok_or_else(|| {
            crate::error::ConfigError::missing(
                "no workspace host: set DATABRICKS_HOST (or `host` in a profile of \
                 ~/.databrickscfg, or in code)",
                vec![format!("found: {}", self.found())],
            )
        })?;
        let mut builder = Client::builder(host).auth(self.auth()?);
        if self.overrides.no_proxy {
            builder = builder.no_proxy();
        }
        if let Some(timeout) = self.http_timeout() {
            builder = builder.timeout(timeout);
        }
        if let Some(budget) = self.retry_timeout() {
            builder = builder.retry(crate::RetryPolicy::default().budget(budget));
        }
        if let Some(limit) = self.rate_limit() {
            builder = builder.rate_limit(limit);
        }
        Ok(builder)
    }
}

impl Client {
    /// A client configured like the official Databricks SDKs: from the environment
    /// (`DATABRICKS_HOST`, `DATABRICKS_TOKEN`, `ARM_CLIENT_ID`, ...) and `~/.databrickscfg`.
    /// Same as `Client::from_config(&Config::from_env()?)`; see [`Config`].
    ///
    /// ```no_run
    /// # fn main() -> azure_databricks_sdk::Result<()> {
    /// let client = azure_databricks_sdk::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the configuration cannot be resolved, has no host, or no (or
    /// more than one) authentication method; see [`Config::auth`].
    pub fn from_env() -> Result<Client> {
        Self::from_config(&Config::from_env()?)
    }

    /// A client for a resolved [`Config`]: its host and the credentials it selects.
    ///
    /// # Errors
    ///
    /// See [`Config::client_builder`] and [`crate::ClientBuilder::build`].
    pub fn from_config(config: &Config) -> Result<Client> {
        config.client_builder()?.build()
    }
}
