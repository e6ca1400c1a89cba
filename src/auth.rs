//! Credentials and the headers they put on every request; [`CredentialsProvider`] lets
//! programs bring their own.

use std::fmt;
use std::sync::Arc;

use ureq::http::{HeaderName, HeaderValue};

use crate::error::{AuthError, ConfigError};
use crate::{LOG_TARGET, Result, SensitiveString};

/// Header carrying the Azure management token of a service principal.
pub const SP_MANAGEMENT_TOKEN_HEADER: &str = "x-databricks-azure-sp-management-token";
/// Header carrying the ARM id of the workspace.
pub const WORKSPACE_RESOURCE_ID_HEADER: &str = "x-databricks-azure-workspace-resource-id";

/// The credential headers of one request, filled in by a [`CredentialsProvider`]. Values are
/// [`SensitiveString`]s: `Debug` shows only the header names.
#[derive(Default, Clone)]
pub struct CredentialHeaders {
    entries: Vec<(String, SensitiveString)>,
}

impl CredentialHeaders {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(&mut self, token: &str) -> &mut Self {
        self.insert("authorization", format!("Bearer {token}"))
    }

    /// Any header, e.g. `X-Databricks-Azure-SP-Management-Token`.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<SensitiveString>,
    ) -> &mut Self {
        self.entries.push((name.into(), value.into()));
        self
    }

    /// The headers, in the order they were inserted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SensitiveString)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Whether no header was inserted.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for CredentialHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(n, v)| (n, v)))
            .finish()
    }
}

/// A source of credentials: fills in the headers of each request. Implement it to bring your
/// own credentials (a vault, a token broker, a sign-in this SDK does not know) and pass it to
/// [`Auth::provider`] or [`crate::ConfigBuilder::credentials_provider`].
///
/// [`credentials`](Self::credentials) is called before every request (retries included), from
/// any thread: cache tokens and refresh them before they expire. `Debug` must not show
/// secrets.
///
/// ```
/// use std::sync::Arc;
/// use azure_databricks_sdk::{Auth, AuthError, Client, CredentialHeaders, CredentialsProvider};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl CredentialsProvider for FromVault {
///     fn auth_type(&self) -> &str {
///         "my-vault"
///     }
///     fn credentials(&self, headers: &mut CredentialHeaders) -> azure_databricks_sdk::Result<()> {
///         let token = std::env::var("MY_VAULT_TOKEN")
///             .map_err(|e| AuthError::new("my-vault", "no token in the vault").with_source(e))?;
///         headers.bearer(&token);
///         Ok(())
///     }
/// }
///
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::provider(Arc::new(FromVault)))
///     .build()?;
/// # Ok(()) }
/// ```
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The name of the method (an `auth_type` such as `azure-cli`, or your own), for errors and
    /// `Debug`.
    fn auth_type(&self) -> &str;

    /// Adds the credential headers of the next request to `headers`.
    ///
    /// # Errors
    ///
    /// Any [`crate::Error`]; usually an [`AuthError`] saying why no credentials could be had.
    /// The call that needed them fails with it, before anything is sent to the workspace.
    fn credentials(&self, headers: &mut CredentialHeaders) -> Result<()>;
}

/// How the client authenticates. Tokens are held as [`SensitiveString`]s: `Debug` masks them.
///
/// ```
/// use azure_databricks_sdk::Auth;
/// let auth = Auth::personal_access_token("dapi0123456789");
/// assert!(!format!("{auth:?}").contains("dapi0123456789"));
/// ```
#[derive(Clone)]
pub struct Auth {
    kind: AuthKind,
    /// Where the credential came from (`token from env DATABRICKS_TOKEN`), when the
    /// configuration chose it; `None` when given in code.
    origin: Option<String>,
}

#[derive(Clone)]
enum AuthKind {
    /// Credentials that produce their headers per request (refreshed tokens, user providers).
    Provider(Arc<dyn CredentialsProvider>),
    PersonalAccessToken(SensitiveString),
    AzureAdUser {
        token: SensitiveString,
        workspace_resource_id: Option<String>,
    },
    AzureAdServicePrincipal {
        token: SensitiveString,
        management_token: Option<SensitiveString>,
        workspace_resource_id: Option<String>,
    },
}

impl Auth {
    /// A Databricks personal access token (`dapi...`): `Authorization: Bearer <token>`.
    pub fn personal_access_token(token: impl Into<String>) -> Self {
        Self {
            kind: AuthKind::PersonalAccessToken(SensitiveString::new(token)),
            origin: None,
        }
    }

    /// An Azure AD access token of a user (audience: the Azure Databricks application
    /// `2ff814a6-3304-4ab8-85cb-cd0e6f879c1d`).
    ///
    /// With `workspace_resource_id` (`/subscriptions/.../providers/Microsoft.Databricks/workspaces/<name>`)
    /// the `X-Databricks-Azure-Workspace-Resource-Id` header is sent too: a user with the
    /// Contributor or Owner role on the workspace resource is then added to the workspace on
    /// first use.
    pub fn azure_ad_user(token: impl Into<String>, workspace_resource_id: Option<&str>) -> Self {
        Self {
            kind: AuthKind::AzureAdUser {
                token: SensitiveString::new(token),
                workspace_resource_id: workspace_resource_id.map(str::to_string),
            },
            origin: None,
        }
    }

    /// Azure AD tokens of a service principal, acquired by the caller.
    ///
    /// `access_token` is for the Azure Databricks application. A service principal that is not
    /// a workspace user but has the Contributor or Owner role on the workspace resource also
    /// needs a `management_token` (audience `https://management.core.windows.net/`, sent as
    /// `X-Databricks-Azure-SP-Management-Token`) together with the `workspace_resource_id`.
    /// A management token without a resource id is refused by [`crate::ClientBuilder::build`]
    /// (the service would ignore it).
    pub fn azure_ad_service_principal(
        access_token: impl Into<String>,
        management_token: Option<&str>,
        workspace_resource_id: Option<&str>,
    ) -> Self {
        Self {
            kind: AuthKind::AzureAdServicePrincipal {
                token: SensitiveString::new(access_token),
                management_token: management_token.map(SensitiveString::new),
                workspace_resource_id: workspace_resource_id.map(str::to_string),
            },
            origin: None,
        }
    }

    /// Credentials from a [`CredentialsProvider`]: yours, or one of the SDK's.
    pub fn provider(provider: Arc<dyn CredentialsProvider>) -> Self {
        Self {
            kind: AuthKind::Provider(provider),
            origin: None,
        }
    }

    /// Short name of the method: `pat`, `azure-ad-user`, `azure-ad-service-principal`, or the
    /// [`CredentialsProvider::auth_type`] of a provider.
    pub fn method(&self) -> &str {
        match &self.kind {
            AuthKind::Provider(provider) => provider.auth_type(),
            AuthKind::PersonalAccessToken(_) => "pat",
            AuthKind::AzureAdUser { .. } => "azure-ad-user",
            AuthKind::AzureAdServicePrincipal { .. } => "azure-ad-service-principal",
        }
    }

    /// The same credentials, noting where they came from (for errors of rejected credentials).
    pub(crate) fn with_origin(mut self, origin: String) -> Self {
        self.origin = Some(origin);
        self
    }

    /// The method and where its credential came from, never the credential: `pat, token from
    /// env DATABRICKS_TOKEN`, or `pat, given in code`.
    pub(crate) fn describe(&self) -> String {
        match &self.origin {
            Some(origin) => format!("{}, {origin}", self.method()),
            None => format!("{}, given in code", self.method()),
        }
    }

    /// Checks the credentials and prepares the headers of every request: built once for fixed
    /// tokens, asked from the provider per request otherwise.
    pub(crate) fn prepare(&self) -> Result<PreparedAuth> {
        let headers = self.prepare_headers()?;
        Ok(PreparedAuth {
            headers,
            credentials: self.describe(),
        })
    }

    fn prepare_headers(&self) -> Result<PreparedHeaders> {
        if let AuthKind::Provider(provider) = &self.kind {
            return Ok(PreparedHeaders::Provider(provider.clone()));
        }
        let method = self.method();
        let mut headers = CredentialHeaders::default();
        let (token, resource_id) = match &self.kind {
            AuthKind::Provider(_) => unreachable!("providers have no fixed headers"),
            AuthKind::PersonalAccessToken(token) => (token, None),
            AuthKind::AzureAdUser {
                token,
                workspace_resource_id,
            } => (token, workspace_resource_id.as_deref()),
            AuthKind::AzureAdServicePrincipal {
                token,
                management_token,
                workspace_resource_id,
            } => {
                if management_token.is_some() && workspace_resource_id.is_none() {
                    return Err(ConfigError::attribute(
                        "workspace_resource_id",
                        "a service principal management token needs the workspace resource id \
                         (the service ignores the token without it)",
                    )
                    .into());
                }
                (token, workspace_resource_id.as_deref())
            }
        };
        let text = token.expose();
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::attribute(
                "token",
                format!("the {method} token is empty or contains whitespace"),
            )
            .into());
        }
        headers.bearer(text);
        if let AuthKind::AzureAdServicePrincipal {
            management_token: Some(management),
            ..
        } = &self.kind
        {
            headers.insert(SP_MANAGEMENT_TOKEN_HEADER, management.clone());
        }
        if let Some(id) = workspace_resource_id(method, resource_id)? {
            headers.insert(WORKSPACE_RESOURCE_ID_HEADER, id);
        }
        let headers = to_http(method, &headers).map_err(|e| ConfigError::new(e.reason))?;
        Ok(PreparedHeaders::Static(headers))
    }
}

/// The workspace resource id as sent in `X-Databricks-Azure-Workspace-Resource-Id`: trimmed,
/// refused when empty or not a valid header value. The one check of every method that sends
/// it.
pub(crate) fn workspace_resource_id(method: &str, id: Option<&str>) -> Result<Option<String>> {
    match id.map(str::trim) {
        Some(id) if id.is_empty() || id.chars().any(char::is_control) => {
            Err(ConfigError::attribute(
                "azure_workspace_resource_id",
                format!("{method}: the workspace resource id is empty or not a valid header value"),
            )
            .into())
        }
        other => Ok(other.map(str::to_string)),
    }
}

/// The headers as the HTTP library takes them; values marked sensitive. Fails on a name or
/// value not allowed in a header (without quoting the value).
pub(crate) fn to_http(
    method: &str,
    headers: &CredentialHeaders,
) -> std::result::Result<Vec<(HeaderName, HeaderValue)>, AuthError> {
    headers
        .iter()
        .map(|(name, value)| {
            let header_name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                AuthError::new(method, format!("`{name}` is not a valid header name"))
            })?;
            let trimmed = value.expose().trim();
            let mut header_value = HeaderValue::from_str(trimmed)
                .ok()
                .filter(|_| !trimmed.is_empty())
                .ok_or_else(|| {
                    AuthError::new(
                        method,
                        format!(
                            "the value of {name} is empty or has characters not allowed in a header"
                        ),
                    )
                })?;
            header_value.set_sensitive(true);
            Ok((header_name, header_value))
        })
        .collect()
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Auth");
        s.field("method", &self.method());
        match &self.kind {
            AuthKind::Provider(provider) => s.field("provider", provider),
            AuthKind::PersonalAccessToken(token) => s.field("token", token),
            AuthKind::AzureAdUser {
                token,
                workspace_resource_id,
            } => s
                .field("token", token)
                .field("workspace_resource_id", workspace_resource_id),
            AuthKind::AzureAdServicePrincipal {
                token,
                management_token,
                workspace_resource_id,
            } => s
                .field("token", token)
                .field("management_token", management_token)
                .field("workspace_resource_id", workspace_resource_id),
        };
        if let Some(origin) = &self.origin {
            s.field("origin", origin);
        }
        s.finish()
    }
}

/// The credentials of a client, ready for requests.
#[derive(Debug, Clone)]
pub(crate) struct PreparedAuth {
    headers: PreparedHeaders,
    /// [`Auth::describe`], for answers that reject the credentials.
    credentials: String,
}

/// The credential headers of a client.
#[derive(Debug, Clone)]
enum PreparedHeaders {
    /// Fixed tokens: built once at `build()`.
    Static(Vec<(HeaderName, HeaderValue)>),
    /// Asked for on every request.
    Provider(Arc<dyn CredentialsProvider>),
}

impl PreparedAuth {
    /// Notes on a 401 or 403 answer which credentials were sent (method and origin, never a
    /// value), so the error says which token the service rejected.
    pub(crate) fn annotate(&self, error: &mut crate::ApiError) {
        if matches!(error.status, 401 | 403) {
            error.credentials = Some(self.credentials.clone());
        }
    }

    /// Adds the headers to a request.
    pub(crate) fn apply<B>(
        &self,
        mut request: ureq::RequestBuilder<B>,
    ) -> Result<ureq::RequestBuilder<B>> {
        let log = |headers: &[(HeaderName, HeaderValue)]| {
            if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
                for (name, value) in headers {
                    let value = crate::redact::header(name.as_str(), value.to_str().unwrap_or("?"));
                    log::trace!(target: LOG_TARGET, "header {name}: {value}");
                }
            }
        };
        match &self.headers {
            PreparedHeaders::Static(headers) => {
                log(headers);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
            }
            PreparedHeaders::Provider(provider) => {
                let mut headers = CredentialHeaders::default();
                provider.credentials(&mut headers)?;
                let headers = to_http(provider.auth_type(), &headers)?;
                log(&headers);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
            }
        }
        Ok(request)
    }
}
