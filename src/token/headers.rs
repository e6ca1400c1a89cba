//! The per-request headers of the methods whose tokens the SDK refreshes itself.

use std::sync::{Arc, OnceLock};

use super::cache::CachedToken;
use crate::auth::{SP_MANAGEMENT_TOKEN_HEADER, WORKSPACE_RESOURCE_ID_HEADER};
use crate::{Auth, CredentialHeaders, CredentialsProvider, LOG_TARGET, Result};

/// When the Azure management token is sent.
#[derive(Debug)]
enum Management {
    /// Never (Databricks OAuth, the Azure CLI signed in as a user).
    None,
    /// With every request (a service principal or managed identity).
    Always(CachedToken),
    /// If the first attempt to get it succeeds (the Azure CLI, which may be signed in as a
    /// service principal: then it is sent; otherwise the first attempt says why not).
    IfAvailable {
        token: CachedToken,
        available: OnceLock<bool>,
    },
}

/// `Authorization: Bearer <token>`, the management token when the method has one, and the
/// workspace resource id when configured.
#[derive(Debug)]
pub(crate) struct TokenHeaders {
    method: &'static str,
    bearer: CachedToken,
    management: Management,
    workspace_resource_id: Option<String>,
}

impl TokenHeaders {
    /// Only `Authorization: Bearer`.
    pub(crate) fn bearer(method: &'static str, bearer: CachedToken) -> Self {
        Self {
            method,
            bearer,
            management: Management::None,
            workspace_resource_id: None,
        }
    }

    /// The headers of an Azure AD method: the bearer token, the management token (always,
    /// or when `optional`, only if the first attempt gets one) and the workspace resource id.
    pub(crate) fn azure(
        method: &'static str,
        bearer: CachedToken,
        management: Option<CachedToken>,
        optional: bool,
        workspace_resource_id: Option<&str>,
    ) -> Result<Self> {
        let workspace_resource_id =
            crate::auth::workspace_resource_id(method, workspace_resource_id)?;
        let management = match management {
            None => Management::None,
            Some(token) if optional => Management::IfAvailable {
                token,
                available: OnceLock::new(),
            },
            Some(token) => Management::Always(token),
        };
        Ok(Self {
            method,
            bearer,
            management,
            workspace_resource_id,
        })
    }

    /// Gets the bearer token now (so that a failure shows before the first request).
    pub(crate) fn warm_up(&self) -> Result<()> {
        self.bearer.get().map(drop)
    }

    /// The credentials as an [`Auth`].
    pub(crate) fn into_auth(self) -> Auth {
        Auth::provider(Arc::new(self))
    }
}

impl CredentialsProvider for TokenHeaders {
    fn auth_type(&self) -> &str {
        self.method
    }

    fn credentials(&self, headers: &mut CredentialHeaders) -> Result<()> {
        headers.bearer(self.bearer.get()?.expose());
        match &self.management {
            Management::None => {}
            Management::Always(token) => {
                headers.insert(SP_MANAGEMENT_TOKEN_HEADER, token.get()?);
            }
            Management::IfAvailable { token, available } => {
                let mut first = None;
                let use_it = *available.get_or_init(|| {
                    let result = token.get();
                    if let Err(e) = &result {
                        log::debug!(
                            target: LOG_TARGET,
                            "{}: no management token sent: {}",
                            self.method,
                            crate::error::reason_chain(e)
                        );
                    }
                    let ok = result.is_ok();
                    first = result.ok();
                    ok
                });
                if use_it {
                    let value = match first {
                        Some(value) => value,
                        None => token.get()?,
                    };
                    headers.insert(SP_MANAGEMENT_TOKEN_HEADER, value);
                }
            }
        }
        if let Some(id) = &self.workspace_resource_id {
            headers.insert(WORKSPACE_RESOURCE_ID_HEADER, id.as_str());
        }
        Ok(())
    }
}
