//! The options every Azure AD method shares, and their setters (one definition, used by each
//! method's builder).

use std::fmt;
use std::sync::Arc;

use super::cloud::AzureCloud;
use crate::{Clock, SystemClock};

/// Options of every Azure AD method.
#[derive(Clone)]
pub(crate) struct AzureOptions {
    /// Sent as `X-Databricks-Azure-Workspace-Resource-Id`.
    pub(crate) workspace_resource_id: Option<String>,
    /// Picks the authority and the management resource.
    pub(crate) cloud: AzureCloud,
    /// Dates expiries, paces retries.
    pub(crate) clock: Arc<dyn Clock>,
    /// Whether token requests honour the proxy environment variables.
    pub(crate) use_proxy: bool,
}

impl Default for AzureOptions {
    fn default() -> Self {
        Self {
            workspace_resource_id: None,
            cloud: AzureCloud::Public,
            clock: Arc::new(SystemClock),
            use_proxy: true,
        }
    }
}

impl fmt::Debug for AzureOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureOptions")
            .field("workspace_resource_id", &self.workspace_resource_id)
            .field("cloud", &self.cloud)
            .field("use_proxy", &self.use_proxy)
            .finish_non_exhaustive()
    }
}

/// The setters of [`AzureOptions`] on a builder with an `options` field.
macro_rules! azure_option_setters {
    () => {
        /// The ARM id of the workspace
        /// (`/subscriptions/.../providers/Microsoft.Databricks/workspaces/<name>`), sent as
        /// `X-Databricks-Azure-Workspace-Resource-Id` (lets a principal with the Contributor or
        /// Owner role on the workspace resource in before it is a workspace user). Not set by
        /// default.
        pub fn workspace_resource_id(mut self, id: impl Into<String>) -> Self {
            self.options.workspace_resource_id = Some(id.into());
            self
        }

        /// The Azure cloud: picks the Azure AD authority and the management resource.
        /// Defaults to [`AzureCloud::Public`](crate::AzureCloud::Public) ([`crate::Config`]
        /// derives it from the host).
        pub fn cloud(mut self, cloud: $crate::AzureCloud) -> Self {
            self.options.cloud = cloud;
            self
        }

        /// The clock that dates token expiries and paces retries of token requests. Defaults
        /// to [`SystemClock`](crate::SystemClock); tests substitute one that does not really
        /// wait.
        pub fn clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
            self.options.clock = clock;
            self
        }
    };
}

pub(crate) use azure_option_setters;
