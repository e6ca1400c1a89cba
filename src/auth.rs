//! Credentials and the headers they put on every request.

use std::fmt;
use std::sync::Arc;

use ureq::http::{HeaderName, HeaderValue};

use crate::{Error, Result, SensitiveString};

/// Header carrying the Azure management token of a service principal.
pub const SP_MANAGEMENT_TOKEN_HEADER: &str = "x-databricks-azure-sp-management-token";
/// Header carrying the ARM id of the workspace.
pub const WORKSPACE_RESOURCE_ID_HEADER: &str = "x-databricks-azure-workspace-resource-id";

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
}

#[derive(Clone)]
enum AuthKind {
    /// Credentials whose headers change over time (refreshed Azure AD tokens).
    Dynamic {
        method: &'static str,
        source: Arc<dyn HeaderSource>,
    },
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
        }
    }

    /// Short name of the method: `pat`, `azure-ad-user` or `azure-ad-service-principal`.
    pub fn method(&self) -> &'static str {
        match self.kind {
            AuthKind::Dynamic { method, .. } => method,
            AuthKind::PersonalAccessToken(_) => "pat",
            AuthKind::AzureAdUser { .. } => "azure-ad-user",
            AuthKind::AzureAdServicePrincipal { .. } => "azure-ad-service-principal",
        }
    }

    /// Credentials that produce their headers per request (e.g. refreshing Azure AD tokens).
    /// `method` names them in `Debug` and errors.
    pub(crate) fn dynamic(method: &'static str, source: Arc<dyn HeaderSource>) -> Self {
        Self {
            kind: AuthKind::Dynamic { method, source },
        }
    }

    /// Checks the credentials and prepares the headers of every request: built once for fixed
    /// tokens, asked from the source per request otherwise.
    pub(crate) fn headers(&self) -> Result<AuthHeaders> {
        if let AuthKind::Dynamic { source, .. } = &self.kind {
            return Ok(AuthHeaders::Dynamic(source.clone()));
        }
        self.static_headers().map(AuthHeaders::Static)
    }

    fn static_headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>> {
        let mut headers = Vec::with_capacity(3);
        let (token, resource_id) = match &self.kind {
            AuthKind::Dynamic { .. } => unreachable!("dynamic credentials have no fixed headers"),
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
                match (management_token, workspace_resource_id) {
                    (Some(_), None) => {
                        return Err(Error::Config(
                            "a service principal management token needs the workspace resource id \
                             (the service ignores the token without it)"
                                .into(),
                        ));
                    }
                    (Some(management), Some(_)) => headers.push((
                        HeaderName::from_static(SP_MANAGEMENT_TOKEN_HEADER),
                        secret_header("the management token", management.expose())?,
                    )),
                    _ => {}
                }
                (token, workspace_resource_id.as_deref())
            }
        };
        let bearer = format!("Bearer {}", token_text(self.method(), token)?);
        headers.insert(
            0,
            (
                ureq::http::header::AUTHORIZATION,
                secret_header("the token", &bearer)?,
            ),
        );
        if let Some(id) = resource_id {
            let value = HeaderValue::from_str(id)
                .ok()
                .filter(|_| !id.trim().is_empty());
            let value = value.ok_or_else(|| {
                Error::Config(
                    "the workspace resource id is empty or not a valid header value".into(),
                )
            })?;
            headers.push((HeaderName::from_static(WORKSPACE_RESOURCE_ID_HEADER), value));
        }
        Ok(headers)
    }
}

fn token_text<'a>(method: &str, token: &'a SensitiveString) -> Result<&'a str> {
    let text = token.expose();
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Config(format!(
            "the {method} token is empty or contains whitespace"
        )));
    }
    Ok(text)
}

/// A header value marked sensitive; the error never contains the value.
fn secret_header(what: &str, value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::Config(format!(
            "{what} contains characters not allowed in a header"
        ))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Auth");
        s.field("method", &self.method());
        match &self.kind {
            AuthKind::Dynamic { source, .. } => s.field("source", source),
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
        s.finish()
    }
}

/// A source of per-request credential headers, for credentials that change over time.
/// Implementations cache and refresh their tokens; `Debug` must not show secrets.
pub(crate) trait HeaderSource: Send + Sync + fmt::Debug {
    /// The headers of the next request (`Authorization` first).
    fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>>;
}

/// The credential headers of a client.
#[derive(Debug, Clone)]
pub(crate) enum AuthHeaders {
    /// Fixed tokens: built once at `build()`.
    Static(Vec<(HeaderName, HeaderValue)>),
    /// Asked for on every request.
    Dynamic(Arc<dyn HeaderSource>),
}

impl AuthHeaders {
    /// Adds the headers to a request.
    pub(crate) fn apply<B>(
        &self,
        mut request: ureq::RequestBuilder<B>,
    ) -> Result<ureq::RequestBuilder<B>> {
        let log = |headers: &[(HeaderName, HeaderValue)]| {
            if log::log_enabled!(target: "azure_databricks_sdk", log::Level::Trace) {
                for (name, value) in headers {
                    let value = crate::redact::header(name.as_str(), value.to_str().unwrap_or("?"));
                    log::trace!(target: "azure_databricks_sdk", "header {name}: {value}");
                }
            }
        };
        match self {
            AuthHeaders::Static(headers) => {
                log(headers);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
            }
            AuthHeaders::Dynamic(source) => {
                let headers = source.headers()?;
                log(&headers);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
            }
        }
        Ok(request)
    }
}
