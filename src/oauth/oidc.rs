//! `env-oidc` and `file-oidc`: an ID token of another identity provider (a CI system, a
//! Kubernetes service account) exchanged for a Databricks token at the workspace's token
//! endpoint (RFC 8693 token exchange), as in Databricks workload identity federation.

use std::fmt;
use std::path::PathBuf;

use super::endpoints::TokenEndpoint;
use super::{OAuthOptions, SCOPE, oauth_option_setters};
use crate::error::AuthError;
use crate::token::exchange::{self, TokenRequest};
use crate::token::{AccessToken, CachedToken, TokenFetcher, TokenHeaders};
use crate::{Clock, Result, RetryPolicy, SensitiveString};

/// Where the ID token comes from.
#[derive(Clone)]
#[non_exhaustive]
pub enum OidcTokenSource {
    /// A token given as it is, e.g. read from `DATABRICKS_OIDC_TOKEN` (`env-oidc`).
    Token(SensitiveString),
    /// A file holding the token, read again for every exchange, e.g.
    /// `DATABRICKS_OIDC_TOKEN_FILEPATH` (`file-oidc`).
    File(PathBuf),
}

impl fmt::Debug for OidcTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OidcTokenSource::Token(token) => f.debug_tuple("Token").field(token).finish(),
            OidcTokenSource::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// An ID token exchanged for a Databricks token; for [`crate::Auth::oidc_token`].
///
/// Each Databricks token comes from `POST {token_endpoint}` (discovered like
/// [`crate::OAuthM2m`]'s) with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
/// `subject_token=<the ID token>`, `subject_token_type=urn:ietf:params:oauth:token-type:jwt`,
/// `scope=all-apis` and, when given, `client_id` (the service principal of the federation
/// policy; without it, account-wide token federation). It is cached and refreshed 40 s before
/// it expires; a token file is read again for every exchange (projected tokens rotate).
///
/// ```
/// use azure_databricks_sdk::{Auth, OidcToken};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let federated = OidcToken::from_file("adb-1234567890123456.7.azuredatabricks.net", "/var/run/secrets/token")
///     .client_id("8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b");
/// let auth = Auth::oidc_token(federated)?;
/// assert_eq!(auth.method(), "file-oidc");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct OidcToken {
    host: String,
    source: OidcTokenSource,
    client_id: Option<String>,
    pub(crate) options: OAuthOptions,
}

impl OidcToken {
    /// The ID token `token` (`env-oidc`), for the workspace at `host`.
    pub fn new(host: impl Into<String>, token: impl Into<String>) -> Self {
        Self::with_source(host, OidcTokenSource::Token(SensitiveString::new(token)))
    }

    /// The ID token in the file `path` (`file-oidc`), for the workspace at `host`.
    pub fn from_file(host: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self::with_source(host, OidcTokenSource::File(path.into()))
    }

    fn with_source(host: impl Into<String>, source: OidcTokenSource) -> Self {
        Self {
            host: host.into(),
            source,
            client_id: None,
            options: OAuthOptions::default(),
        }
    }

    /// The Databricks service principal (application id) whose federation policy trusts the
    /// token. Not set by default (account-wide token federation).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    oauth_option_setters!();

    fn method(&self) -> &'static str {
        match self.source {
            OidcTokenSource::Token(_) => "env-oidc",
            OidcTokenSource::File(_) => "file-oidc",
        }
    }

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        let method = self.method();
        let endpoint =
            TokenEndpoint::new(method, &self.host, self.options.token_endpoint.as_deref())?;
        let fetcher = OidcFetcher {
            method,
            agent: self.options.agent(),
            endpoint,
            source: self.source,
            client_id: self.client_id,
        };
        let bearer = CachedToken::new(method, Box::new(fetcher), self.options.clock);
        Ok(TokenHeaders::bearer(method, bearer))
    }
}

#[derive(Debug)]
struct OidcFetcher {
    method: &'static str,
    agent: ureq::Agent,
    endpoint: TokenEndpoint,
    source: OidcTokenSource,
    client_id: Option<String>,
}

impl OidcFetcher {
    fn id_token(&self) -> Result<SensitiveString> {
        let token = match &self.source {
            OidcTokenSource::Token(token) => token.expose().trim().to_string(),
            OidcTokenSource::File(path) => read_token_file(self.method, path)?,
        };
        if token.is_empty() {
            return Err(AuthError::new(self.method, "the ID token is empty").into());
        }
        Ok(SensitiveString::new(token))
    }
}

/// The trimmed text of a token file; errors name the file, never its content.
pub(crate) fn read_token_file(method: &str, path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map(|text| text.trim().to_string())
        .map_err(|e| {
            AuthError::new(
                method,
                format!("cannot read the token file {}", path.display()),
            )
            .with_source(e)
            .into()
        })
}

impl TokenFetcher for OidcFetcher {
    fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken> {
        let subject = self.id_token()?;
        let url = self.endpoint.get(&self.agent, clock)?;
        let what = format!("Databricks OAuth token for an ID token ({})", self.method);
        let request = TokenRequest {
            method: self.method,
            what: &what,
            url,
            secrets: &[&subject],
        };
        let mut form = vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token", subject.expose()),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ("scope", SCOPE),
        ];
        if let Some(client_id) = &self.client_id {
            form.push(("client_id", client_id.as_str()));
        }
        exchange::fetch_token(&request, &RetryPolicy::token_requests(), clock, || {
            self.agent.post(url).send_form(form.iter().copied())
        })
    }
}
