//! The configuration attributes: their names in code and profiles, their environment
//! variables, which are secret, and where a resolved value came from.

use std::fmt;
use std::path::PathBuf;

use crate::SensitiveString;

/// One configuration attribute. The names are those of the official Databricks SDKs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Host,
    Token,
    AzureClientId,
    AzureClientSecret,
    AzureTenantId,
    AzureWorkspaceResourceId,
    AzureUseMsi,
    AzureEnvironment,
    AuthType,
    Profile,
    ConfigFile,
}

impl Attr {
    pub(crate) const ALL: [Attr; 11] = [
        Attr::Host,
        Attr::Token,
        Attr::AzureClientId,
        Attr::AzureClientSecret,
        Attr::AzureTenantId,
        Attr::AzureWorkspaceResourceId,
        Attr::AzureUseMsi,
        Attr::AzureEnvironment,
        Attr::AuthType,
        Attr::Profile,
        Attr::ConfigFile,
    ];

    /// The name in code, in profiles and in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Attr::Host => "host",
            Attr::Token => "token",
            Attr::AzureClientId => "azure_client_id",
            Attr::AzureClientSecret => "azure_client_secret",
            Attr::AzureTenantId => "azure_tenant_id",
            Attr::AzureWorkspaceResourceId => "azure_workspace_resource_id",
            Attr::AzureUseMsi => "azure_use_msi",
            Attr::AzureEnvironment => "azure_environment",
            Attr::AuthType => "auth_type",
            Attr::Profile => "profile",
            Attr::ConfigFile => "config_file",
        }
    }

    /// The environment variable.
    pub(crate) fn env_var(self) -> &'static str {
        match self {
            Attr::Host => "DATABRICKS_HOST",
            Attr::Token => "DATABRICKS_TOKEN",
            Attr::AzureClientId => "ARM_CLIENT_ID",
            Attr::AzureClientSecret => "ARM_CLIENT_SECRET",
            Attr::AzureTenantId => "ARM_TENANT_ID",
            Attr::AzureWorkspaceResourceId => "DATABRICKS_AZURE_RESOURCE_ID",
            Attr::AzureUseMsi => "ARM_USE_MSI",
            Attr::AzureEnvironment => "ARM_ENVIRONMENT",
            Attr::AuthType => "DATABRICKS_AUTH_TYPE",
            Attr::Profile => "DATABRICKS_CONFIG_PROFILE",
            Attr::ConfigFile => "DATABRICKS_CONFIG_FILE",
        }
    }

    /// Whether a profile may set it (the profile and the file are chosen before the file is
    /// read).
    pub(crate) fn in_profile(self) -> bool {
        !matches!(self, Attr::Profile | Attr::ConfigFile)
    }

    pub(crate) fn is_secret(self) -> bool {
        matches!(self, Attr::Token | Attr::AzureClientSecret)
    }

    /// `name (ENV_VAR)`, for messages that tell where to set it.
    pub(crate) fn describe(self) -> String {
        format!("{} ({})", self.name(), self.env_var())
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn from_name(name: &str) -> Option<Attr> {
        Attr::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueSource {
    /// Set in code, on the [`crate::ConfigBuilder`].
    Code,
    /// An environment variable.
    Environment {
        /// Its name, e.g. `DATABRICKS_HOST`.
        variable: String,
    },
    /// A profile of the configuration file.
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// The profile (section), e.g. `DEFAULT`.
        profile: String,
    },
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Code => f.write_str("code"),
            ValueSource::Environment { variable } => write!(f, "env {variable}"),
            ValueSource::ConfigFile { path, profile } => {
                write!(f, "profile [{profile}] of {}", path.display())
            }
        }
    }
}

/// A resolved value; secrets stay masked.
#[derive(Clone)]
pub(crate) enum Value {
    Plain(String),
    Secret(SensitiveString),
}

impl Value {
    pub(crate) fn new(attr: Attr, text: String) -> Self {
        if attr.is_secret() {
            Value::Secret(SensitiveString::new(text))
        } else {
            Value::Plain(text)
        }
    }

    pub(crate) fn text(&self) -> &str {
        match self {
            Value::Plain(s) => s,
            Value::Secret(s) => s.expose(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A host may be a URL with credentials in it.
            Value::Plain(s) => fmt::Debug::fmt(&crate::redact::url(s), f),
            Value::Secret(s) => fmt::Debug::fmt(s, f),
        }
    }
}

/// A value with its source.
#[derive(Clone)]
pub(crate) struct Setting {
    pub(crate) value: Value,
    pub(crate) source: ValueSource,
}

impl fmt::Debug for Setting {
    /// `"value" (env DATABRICKS_HOST)`, or `"****" (...)` for secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self.value, self.source)
    }
}
