//! The per-request headers of the Azure AD methods, built from their cached tokens.

use super::cache::CachedToken;
use crate::auth::{SP_MANAGEMENT_TOKEN_HEADER, WORKSPACE_RESOURCE_ID_HEADER};
use crate::{CredentialHeaders, CredentialsProvider, Result};

/// `Authorization: Bearer <token>`, the management token when the method has one, and the
/// workspace resource id when configured.
#[derive(Debug)]
pub(crate) struct AzureHeaders {
    method: &'static str,
    bearer: CachedToken,
    management: Option<CachedToken>,
    workspace_resource_id: Option<String>,
}

impl AzureHeaders {
    pub(crate) fn new(
        method: &'static str,
        bearer: CachedToken,
        management: Option<CachedToken>,
        workspace_resource_id: Option<&str>,
    ) -> Result<Self> {
        let workspace_resource_id =
            crate::auth::workspace_resource_id(method, workspace_resource_id)?;
        Ok(Self {
            method,
            bearer,
            management,
            workspace_resource_id,
        })
    }

    /// Gets the Azure Databricks token now (so that a failure shows before the first request).
    pub(crate) fn warm_up(&self) -> Result<()> {
        self.bearer.get().map(drop)
    }
}

impl CredentialsProvider for AzureHeaders {
    fn auth_type(&self) -> &str {
        self.method
    }

    fn credentials(&self, headers: &mut CredentialHeaders) -> Result<()> {
        headers.bearer(self.bearer.get()?.expose());
        if let Some(management) = &self.management {
            headers.insert(SP_MANAGEMENT_TOKEN_HEADER, management.get()?);
        }
        if let Some(id) = &self.workspace_resource_id {
            headers.insert(WORKSPACE_RESOURCE_ID_HEADER, id.as_str());
        }
        Ok(())
    }
}
