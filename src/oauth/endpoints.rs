//! The workspace's OAuth token endpoint: given, or discovered once from
//! `{host}/oidc/.well-known/oauth-authorization-server`, with the documented fallback
//! `{host}/oidc/v1/token` when the workspace has no discovery document.

use std::sync::OnceLock;

use crate::client::UrlPolicy;
use crate::token::exchange::{self, TokenRequest};
use crate::{Clock, LOG_TARGET, Result, RetryPolicy};

/// Where a method's tokens are asked for.
#[derive(Debug)]
pub(crate) struct TokenEndpoint {
    method: &'static str,
    /// `https://host` (or `http://` for loopback), no trailing slash.
    base: String,
    found: OnceLock<String>,
}

impl TokenEndpoint {
    /// The endpoint of the workspace `host`, or `explicit` when given (both checked against
    /// the URL policy: `https`, plain `http` only for loopback).
    pub(crate) fn new(method: &'static str, host: &str, explicit: Option<&str>) -> Result<Self> {
        let base = crate::client::base_url(host).map_err(|e| {
            crate::error::ConfigError::attribute("host", format!("{method}: {}", reason(&e)))
        })?;
        let found = OnceLock::new();
        if let Some(url) = explicit {
            exchange::check_endpoint(method, "token endpoint", url, UrlPolicy::Workspace)?;
            let _ = found.set(url.to_string());
        }
        Ok(Self {
            method,
            base,
            found,
        })
    }

    /// The token endpoint, discovered at the first call.
    pub(crate) fn get(&self, agent: &ureq::Agent, clock: &dyn Clock) -> Result<&str> {
        if let Some(url) = self.found.get() {
            return Ok(url);
        }
        let url = self.discover(agent, clock)?;
        Ok(self.found.get_or_init(|| url))
    }

    fn discover(&self, agent: &ureq::Agent, clock: &dyn Clock) -> Result<String> {
        let discovery = format!("{}/oidc/.well-known/oauth-authorization-server", self.base);
        let fallback = format!("{}/oidc/v1/token", self.base);
        let what = format!("OAuth endpoints of {}", self.base);
        let request = TokenRequest {
            method: self.method,
            what: &what,
            url: &discovery,
            secrets: &[],
        };
        let policy = RetryPolicy::token_requests();
        let body =
            match exchange::exchange(&request, &policy, clock, || agent.get(&discovery).call()) {
                Ok(body) => body,
                // No discovery document (an older workspace, a proxy that hides it): the
                // documented endpoint.
                Err(e) if (300..500).contains(&answered(&e).unwrap_or(0)) => {
                    log::debug!(
                        target: LOG_TARGET,
                        "{}: no OAuth discovery document ({}), using {fallback}",
                        self.method,
                        crate::error::reason_chain(&e)
                    );
                    return Ok(fallback);
                }
                Err(e) => return Err(e),
            };
        let url = exchange::json_field(self.method, &what, &body, "token_endpoint")?;
        exchange::check_endpoint(
            self.method,
            "discovered token endpoint",
            &url,
            UrlPolicy::Workspace,
        )?;
        log::debug!(target: LOG_TARGET, "{}: token endpoint {url}", self.method);
        Ok(url)
    }
}

/// The status the endpoint answered with, if it answered: token requests wrap the last
/// attempt's error in an [`crate::AuthError`].
fn answered(error: &crate::Error) -> Option<u16> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(status) = cause
            .downcast_ref::<crate::Error>()
            .and_then(crate::Error::status)
        {
            return Some(status);
        }
        source = cause.source();
    }
    None
}

/// The reason of a configuration error, without its prefix.
fn reason(error: &crate::Error) -> String {
    match error.config() {
        Some(config) => config.reason().to_string(),
        None => error.to_string(),
    }
}
