//! The configuration attributes, in one table: their names in code and profiles, their
//! environment variables, which are secret, which a profile may set; the resolved settings;
//! and where a resolved value came from.

use std::fmt;
use std::path::PathBuf;

use crate::SensitiveString;

/// One row of the attribute table.
#[derive(Debug)]
pub(crate) struct AttrInfo {
    /// The name in code, in profiles and in messages (the official SDKs' name).
    pub(crate) name: &'static str,
    /// The environment variables, the first found wins: the official SDKs' one first, then
    /// (for a few) the one the Azure identity libraries read. None for settings the official
    /// SDKs read only from code and profiles.
    pub(crate) env_vars: &'static [&'static str],
    /// Whether the value is a secret (masked in `Debug`, never in a message).
    pub(crate) secret: bool,
    /// Whether a profile of the configuration file may set it.
    pub(crate) in_profile: bool,
}

/// Declares the attributes: the `Attr` enum and its table, from one list. A row is
/// `Variant: "name", ["ENV_VAR", ...], secret, in_profile;`.
macro_rules! attributes {
    ($($variant:ident: $name:literal, [$($env:literal),*], $secret:literal, $profile:literal;)*) => {
        /// One configuration attribute. The names are those of the official Databricks SDKs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Attr {
            $($variant,)*
        }

        impl Attr {
            /// Every attribute, in table order.
            pub(crate) const ALL: &'static [Attr] = &[$(Attr::$variant,)*];
            /// The number of attributes.
            pub(crate) const COUNT: usize = Attr::ALL.len();
            const TABLE: &'static [AttrInfo] = &[
                $(AttrInfo {
                    name: $name,
                    env_vars: &[$($env),*],
                    secret: $secret,
                    in_profile: $profile,
                },)*
            ];
        }
    };
}

attributes! {
    Host: "host", ["DATABRICKS_HOST"], false, true;
    Token: "token", ["DATABRICKS_TOKEN"], true, true;
    ClientId: "client_id", ["DATABRICKS_CLIENT_ID"], false, true;
    ClientSecret: "client_secret", ["DATABRICKS_CLIENT_SECRET"], true, true;
    DatabricksCliPath: "databricks_cli_path", ["DATABRICKS_CLI_PATH"], false, true;
    OidcTokenEnv: "oidc_token_env", ["DATABRICKS_OIDC_TOKEN_ENV"], false, true;
    // The ID token of env-oidc: read from the variable `oidc_token_env` names (default
    // DATABRICKS_OIDC_TOKEN), never from a profile.
    OidcToken: "oidc_token", ["DATABRICKS_OIDC_TOKEN"], true, false;
    OidcTokenFilepath: "databricks_id_token_filepath", ["DATABRICKS_OIDC_TOKEN_FILEPATH"], false, true;
    ActionsIdTokenRequestUrl: "actions_id_token_request_url", ["ACTIONS_ID_TOKEN_REQUEST_URL"], false, true;
    ActionsIdTokenRequestToken: "actions_id_token_request_token", ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], true, true;
    AzureClientId: "azure_client_id", ["ARM_CLIENT_ID", "AZURE_CLIENT_ID"], false, true;
    AzureClientSecret: "azure_client_secret", ["ARM_CLIENT_SECRET"], true, true;
    AzureTenantId: "azure_tenant_id", ["ARM_TENANT_ID", "AZURE_TENANT_ID"], false, true;
    AzureWorkspaceResourceId: "azure_workspace_resource_id", ["DATABRICKS_AZURE_RESOURCE_ID"], false, true;
    AzureUseMsi: "azure_use_msi", ["ARM_USE_MSI"], false, true;
    AzureEnvironment: "azure_environment", ["ARM_ENVIRONMENT"], false, true;
    AzureFederatedTokenFile: "azure_federated_token_file", ["AZURE_FEDERATED_TOKEN_FILE"], false, true;
    AzureAuthorityHost: "azure_authority_host", ["AZURE_AUTHORITY_HOST"], false, true;
    // Set by Azure App Service and Functions for their managed identity.
    IdentityEndpoint: "identity_endpoint", ["IDENTITY_ENDPOINT"], false, false;
    IdentityHeader: "identity_header", ["IDENTITY_HEADER"], true, false;
    AuthType: "auth_type", ["DATABRICKS_AUTH_TYPE"], false, true;
    ClusterId: "cluster_id", ["DATABRICKS_CLUSTER_ID"], false, true;
    RateLimit: "rate_limit", ["DATABRICKS_RATE_LIMIT"], false, true;
    // Code and profile only, as in the official SDKs.
    HttpTimeoutSeconds: "http_timeout_seconds", [], false, true;
    RetryTimeoutSeconds: "retry_timeout_seconds", [], false, true;
    // The profile and the file are chosen before the file is read.
    Profile: "profile", ["DATABRICKS_CONFIG_PROFILE"], false, false;
    ConfigFile: "config_file", ["DATABRICKS_CONFIG_FILE"], false, false;
}

impl Attr {
    fn info(self) -> &'static AttrInfo {
        &Attr::TABLE[self as usize]
    }

    /// The name in code, in profiles and in messages.
    pub(crate) fn name(self) -> &'static str {
        self.info().name
    }

    /// The environment variables, in order of precedence.
    pub(crate) fn env_vars(self) -> &'static [&'static str] {
        self.info().env_vars
    }

    /// Whether a profile may set it.
    pub(crate) fn in_profile(self) -> bool {
        self.info().in_profile
    }

    /// Whether its value is a secret.
    pub(crate) fn is_secret(self) -> bool {
        self.info().secret
    }

    /// `name (ENV_VAR)`, for messages that tell where to set it.
    pub(crate) fn describe(self) -> String {
        match self.env_vars().first() {
            Some(var) => format!("{} ({var})", self.name()),
            None => self.name().to_string(),
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Attr> {
        Attr::ALL.iter().copied().find(|a| a.name() == name)
    }
}

/// The resolved value of every attribute, with its source.
#[derive(Clone, Default)]
pub(crate) struct Settings {
    slots: [Option<Setting>; Attr::COUNT],
}

impl Settings {
    pub(crate) fn get(&self, attr: Attr) -> Option<&Setting> {
        self.slots[attr as usize].as_ref()
    }

    pub(crate) fn text(&self, attr: Attr) -> Option<&str> {
        self.get(attr).map(|s| s.value.text())
    }

    pub(crate) fn has(&self, attr: Attr) -> bool {
        self.get(attr).is_some()
    }

    /// Whether the attribute is set to a true value (`true`, `1`, `t`, ...).
    pub(crate) fn is_true(&self, attr: Attr) -> bool {
        self.text(attr).and_then(parse_bool) == Some(true)
    }

    /// Sets `attr` unless it is already set (earlier sources win).
    pub(crate) fn fill(&mut self, attr: Attr, text: String, source: ValueSource) {
        self.fill_value(attr, Value::new(attr, text), source);
    }

    /// Sets `attr` to `value` unless it is already set.
    pub(crate) fn fill_value(&mut self, attr: Attr, value: Value, source: ValueSource) {
        let slot = &mut self.slots[attr as usize];
        if slot.is_none() {
            *slot = Some(Setting { value, source });
        }
    }

    /// The attributes that are set, in table order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Attr, &Setting)> {
        Attr::ALL.iter().filter_map(|a| Some((*a, self.get(*a)?)))
    }
}

/// `strconv.ParseBool` of Go, as the official SDKs read `ARM_USE_MSI`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_and_method_is_in_the_readme_and_the_config_docs() {
        let readme = include_str!("../../README.md");
        let section_of = |title: &str| {
            readme
                .split(&format!("\n## {title}\n"))
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_else(|| panic!("README has no `## {title}`"))
                .to_string()
        };
        let section = section_of("Sign-in") + &section_of("Configuration reference");
        let section = section.as_str();
        let docs = include_str!("../config.rs");
        for attr in Attr::ALL {
            let named = |text: &str| {
                text.contains(&format!("`{}`", attr.name()))
                    || attr
                        .env_vars()
                        .iter()
                        .any(|v| text.contains(&format!("`{v}`")))
            };
            assert!(named(section), "README: {}", attr.name());
            assert!(
                docs.contains(&format!("`{}`", attr.name())),
                "Config docs: {}",
                attr.name()
            );
        }
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
