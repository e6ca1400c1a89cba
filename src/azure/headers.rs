//! The per-request headers of the Azure AD methods, built from their cached tokens.

use ureq::http::{HeaderName, HeaderValue};

use super::cache::CachedToken;
use crate::auth::{HeaderSource, SP_MANAGEMENT_TOKEN_HEADER, WORKSPACE_RESOURCE_ID_HEADER};
use crate::{Error, Result};

/// `Authorization: Bearer <token>`, the management token when the method has one, and the
/// workspace resource id when configured.
#[derive(Debug)]
pub(crate) struct AzureHeaders {
    method: &'static str,
    bearer: CachedToken,
    management: Option<CachedToken>,
    workspace_resource_id: Option<HeaderValue>,
}

impl AzureHeaders {
    pub(crate) fn new(
        method: &'static str,
        bearer: CachedToken,
        management: Option<CachedToken>,
        workspace_resource_id: Option<&str>,
    ) -> Result<Self> {
        let workspace_resource_id = workspace_resource_id
            .map(|id| {
                HeaderValue::from_str(id.trim())
                    .ok()
                    .filter(|_| !id.trim().is_empty())
                    .ok_or_else(|| {
                        Error::Config(format!(
                            "{method}: the workspace resource id is empty or not a valid header value"
                        ))
                    })
            })
            .transpose()?;
        Ok(Self {
            method,
            bearer,
            management,
            workspace_resource_id,
        })
    }

    /// The method name (`azure-client-secret`, ...).
    pub(crate) fn method(&self) -> &'static str {
        self.method
    }

    /// Gets the Azure Databricks token now (so that a failure shows before the first request).
    pub(crate) fn warm_up(&self) -> Result<()> {
        self.bearer.get().map(drop)
    }
}

impl HeaderSource for AzureHeaders {
    fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>> {
        let mut headers = Vec::with_capacity(3);
        let bearer = self.bearer.get()?;
        headers.push((
            ureq::http::header::AUTHORIZATION,
            sensitive(self.method, &format!("Bearer {}", bearer.expose()))?,
        ));
        if let Some(management) = &self.management {
            let token = management.get()?;
            headers.push((
                HeaderName::from_static(SP_MANAGEMENT_TOKEN_HEADER),
                sensitive(self.method, token.expose())?,
            ));
        }
        if let Some(id) = &self.workspace_resource_id {
            headers.push((
                HeaderName::from_static(WORKSPACE_RESOURCE_ID_HEADER),
                id.clone(),
            ));
        }
        Ok(headers)
    }
}

/// A header value marked sensitive (never printed by `http`'s `Debug`).
fn sensitive(method: &str, value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| Error::Auth {
        message: format!("{method}: the token has characters not allowed in a header"),
        source: None,
    })?;
    header.set_sensitive(true);
    Ok(header)
}
