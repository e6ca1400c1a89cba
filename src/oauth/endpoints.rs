//! The workspace's OAuth token endpoint: given, or discovered once. Discovery asks the
//! workspace's host metadata (`{host}/.well-known/databricks-config`, as the official SDKs
//! do) for its OIDC endpoint, else takes `{host}/oidc`; then reads `token_endpoint` from
//! `{oidc}/.well-known/oauth-authorization-server`, with the documented fallback
//! `{oidc}/v1/token` when there is no discovery document.

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
        let oidc = match self.oidc_endpoint(agent, clock)? {
            Some(oidc) => oidc,
            None => format!("{}/oidc", self.base),
        };
        let discovery = format!("{oidc}/.well-known/oauth-authorization-server");
        let what = format!("OAuth endpoints of {}", self.base);
        // No discovery document (an older workspace, a proxy that hides it): the documented
        // endpoint.
        let Some(body) = self.fetch(agent, clock, &discovery, &what, 300..500)? else {
            return Ok(format!("{oidc}/v1/token"));
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

    /// The `oidc_endpoint` of the workspace's host metadata (`/.well-known/databricks-config`,
    /// its `{account_id}` placeholder filled in), when the workspace serves one on its own host.
    /// `None` when it does not (a workspace without host metadata answers 404, any error
    /// answer counts as none): discovery then uses `{host}/oidc`. An endpoint on another host
    /// is ignored, so the client's secret is only ever sent to the workspace host or the token
    /// endpoint it names.
    fn oidc_endpoint(&self, agent: &ureq::Agent, clock: &dyn Clock) -> Result<Option<String>> {
        let url = format!("{}/.well-known/databricks-config", self.base);
        let what = format!("host metadata of {}", self.base);
        let Some(body) = self.fetch(agent, clock, &url, &what, 300..600)? else {
            return Ok(None);
        };
        match host_metadata_oidc_endpoint(&body) {
            Some(oidc) if same_host(&oidc, &self.base) => {
                log::debug!(target: LOG_TARGET, "{}: OIDC endpoint {oidc} (host metadata)", self.method);
                Ok(Some(oidc))
            }
            other => {
                log::debug!(target: LOG_TARGET, "{}: host metadata without a usable oidc_endpoint ({other:?})", self.method);
                Ok(None)
            }
        }
    }

    /// `GET url` (a public document: no credentials), retried like token requests. `None`
    /// when the answer's status is in `absent`: the workspace does not have the document.
    fn fetch(
        &self,
        agent: &ureq::Agent,
        clock: &dyn Clock,
        url: &str,
        what: &str,
        absent: std::ops::Range<u16>,
    ) -> Result<Option<Vec<u8>>> {
        let request = TokenRequest {
            method: self.method,
            what,
            url,
            secrets: &[],
        };
        let policy = RetryPolicy::token_requests();
        match exchange::exchange(&request, &policy, clock, || agent.get(url).call()) {
            Ok(body) => Ok(Some(body)),
            Err(e) if absent.contains(&answered(&e).unwrap_or(0)) => {
                log::debug!(
                    target: LOG_TARGET,
                    "{}: no {what} ({})",
                    self.method,
                    crate::error::reason_chain(&e)
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// `oidc_endpoint` of a host metadata document (`{"oidc_endpoint": "https://<host>/oidc",
/// "account_id": ..., "workspace_id": ..., "cloud": ...}`), without a trailing slash and with
/// `{account_id}` replaced by its `account_id`; `None` if it has none or a placeholder stays.
fn host_metadata_oidc_endpoint(body: &[u8]) -> Option<String> {
    let metadata: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = |key: &str| metadata.get(key)?.as_str().filter(|v| !v.is_empty());
    let mut endpoint = text("oidc_endpoint")?.trim_end_matches('/').to_string();
    if let Some(account) = text("account_id") {
        endpoint = endpoint.replace("{account_id}", account);
    }
    (!endpoint.contains('{')).then_some(endpoint)
}

/// Whether `url` is allowed by the URL policy and on the host (and port) of `base`.
fn same_host(url: &str, base: &str) -> bool {
    let authority = |u: &str| {
        crate::client::check_url("OIDC endpoint", u, UrlPolicy::Workspace)
            .ok()
            .and_then(|uri| {
                Some((
                    uri.scheme_str()?.to_ascii_lowercase(),
                    uri.authority()?.as_str().to_ascii_lowercase(),
                ))
            })
    };
    authority(url).is_some_and(|a| Some(a) == authority(base))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_metadata_gives_the_oidc_endpoint_with_the_account_filled_in() {
        let workspace = br#"{"oidc_endpoint": "https://adb-1.2.azuredatabricks.net/oidc/", "workspace_id": "1", "cloud": "Azure"}"#;
        assert_eq!(
            host_metadata_oidc_endpoint(workspace).as_deref(),
            Some("https://adb-1.2.azuredatabricks.net/oidc")
        );
        let unified =
            br#"{"oidc_endpoint": "https://h/oidc/accounts/{account_id}", "account_id": "a-1"}"#;
        assert_eq!(
            host_metadata_oidc_endpoint(unified).as_deref(),
            Some("https://h/oidc/accounts/a-1")
        );
        assert_eq!(
            host_metadata_oidc_endpoint(
                br#"{"oidc_endpoint": "https://h/oidc/accounts/{account_id}"}"#
            ),
            None
        );
        assert_eq!(
            host_metadata_oidc_endpoint(br#"{"workspace_id": "1"}"#),
            None
        );
        assert_eq!(host_metadata_oidc_endpoint(b"<html>"), None);
    }

    #[test]
    fn only_an_endpoint_on_the_workspace_host_is_used() {
        let base = "https://adb-1.2.azuredatabricks.net";
        assert!(same_host("https://ADB-1.2.azuredatabricks.net/oidc", base));
        assert!(!same_host("https://login.example.com/oidc", base));
        assert!(!same_host("http://adb-1.2.azuredatabricks.net/oidc", base));
        assert!(same_host(
            "http://127.0.0.1:8080/oidc",
            "http://127.0.0.1:8080"
        ));
        assert!(!same_host(
            "http://127.0.0.1:9090/oidc",
            "http://127.0.0.1:8080"
        ));
    }
}
