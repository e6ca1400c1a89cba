//! Configuration as the official Databricks SDKs resolve it: values set in code, then
//! environment variables, then a profile of `~/.databrickscfg`.

mod attributes;
mod client;
mod environment;
mod file;
mod methods;
mod resolve;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use attributes::ValueSource;
use attributes::{Attr, Setting, Settings, Value};
use environment::Environment;
pub use methods::AUTH_TYPES;

use crate::azure::AzureOptions;
use crate::{AzureCloud, CredentialsProvider, Result, SensitiveString};

/// Resolved configuration of a client: host and credentials, each with where it came from.
///
/// Every attribute is looked up in this order, the first found wins:
///
/// 1. set in code on the [`ConfigBuilder`];
/// 2. its environment variable (an empty value counts as unset);
/// 3. a profile of the configuration file: `DATABRICKS_CONFIG_FILE`, else `~/.databrickscfg`.
///    The profile is the one named in code or by `DATABRICKS_CONFIG_PROFILE` (an error if the
///    file lacks it), else `[__settings__] default_profile`, else `[DEFAULT]` (fine if
///    absent). The file is not read at all when no profile is named and the host and a
///    complete set of credentials are already known.
///
/// | attribute | environment variable | |
/// |---|---|---|
/// | `host` | `DATABRICKS_HOST` | workspace host or URL |
/// | `token` | `DATABRICKS_TOKEN` | personal access token (or any Azure AD token) |
/// | `client_id` | `DATABRICKS_CLIENT_ID` | Databricks service principal (`oauth-m2m`, OIDC federation) |
/// | `client_secret` | `DATABRICKS_CLIENT_SECRET` | its OAuth secret |
/// | `databricks_cli_path` | `DATABRICKS_CLI_PATH` | the Databricks CLI (`databricks-cli`) |
/// | `oidc_token` | `DATABRICKS_OIDC_TOKEN` | the ID token of `env-oidc` (not in profiles) |
/// | `oidc_token_env` | `DATABRICKS_OIDC_TOKEN_ENV` | another variable to read `oidc_token` from |
/// | `databricks_id_token_filepath` | `DATABRICKS_OIDC_TOKEN_FILEPATH` | the file of the `file-oidc` ID token |
/// | `actions_id_token_request_url`, `actions_id_token_request_token` | `ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN` | GitHub Actions' ID token service (`github-oidc-azure`) |
/// | `azure_client_id` | `ARM_CLIENT_ID`, else `AZURE_CLIENT_ID` | service principal (or user-assigned identity) |
/// | `azure_client_secret` | `ARM_CLIENT_SECRET` | its secret |
/// | `azure_tenant_id` | `ARM_TENANT_ID`, else `AZURE_TENANT_ID` | its tenant (also `--tenant` of the Azure CLI) |
/// | `azure_workspace_resource_id` | `DATABRICKS_AZURE_RESOURCE_ID` | ARM id of the workspace |
/// | `azure_use_msi` | `ARM_USE_MSI` | `true` to use the managed identity |
/// | `azure_environment` | `ARM_ENVIRONMENT` | `PUBLIC`, `USGOVERNMENT` or `CHINA` |
/// | `azure_federated_token_file`, `azure_authority_host` | `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST` | AKS workload identity |
/// | `identity_endpoint`, `identity_header` | `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` | App Service / Functions identity (not in profiles) |
/// | `auth_type` | `DATABRICKS_AUTH_TYPE` | one of [`AUTH_TYPES`]: pins the method |
/// | `cluster_id` | `DATABRICKS_CLUSTER_ID` | [`Config::cluster_id`] |
/// | `rate_limit` | `DATABRICKS_RATE_LIMIT` | requests per second of a client (off unless set) |
/// | `http_timeout_seconds`, `retry_timeout_seconds` | (none, as in the official SDKs) | per-phase timeout, retry budget |
/// | `profile` | `DATABRICKS_CONFIG_PROFILE` | profile of the file (not in the file) |
/// | `config_file` | `DATABRICKS_CONFIG_FILE` | path of the file (not in the file) |
///
/// `Debug` lists the attributes that are set and where each came from, secrets masked.
///
/// ```
/// use std::collections::HashMap;
/// use azure_databricks_sdk::Config;
///
/// let env = HashMap::from([
///     ("DATABRICKS_HOST".to_string(), "adb-1.2.azuredatabricks.net".to_string()),
///     ("DATABRICKS_TOKEN".to_string(), "dapi0123".to_string()),
/// ]);
/// let config = Config::builder().environment(env).build().unwrap();
/// assert_eq!(config.host(), Some("adb-1.2.azuredatabricks.net"));
/// let debug = format!("{config:?}");
/// assert!(debug.contains("env DATABRICKS_TOKEN") && !debug.contains("dapi0123"));
/// ```
#[derive(Clone)]
pub struct Config {
    settings: Settings,
    environment: Environment,
    file: FileState,
    cloud: Option<AzureCloud>,
    overrides: Overrides,
    /// Credentials given in code: they win over every attribute.
    provider: Option<Arc<dyn CredentialsProvider>>,
}

/// Settings that exist only in code (test seams and network options).
#[derive(Debug, Clone, Default)]
struct Overrides {
    azure_authority: Option<String>,
    azure_msi_endpoint: Option<String>,
    no_proxy: bool,
}

/// What became of the configuration file.
#[derive(Debug, Clone)]
enum FileState {
    /// Read; values came from `profile` (`None`: the fallback `[DEFAULT]` is absent).
    Read {
        path: PathBuf,
        profile: Option<String>,
    },
    /// Not read: host and credentials were complete without it.
    Skipped { path: Option<PathBuf> },
    /// The default file does not exist.
    Missing { path: PathBuf },
    /// No path: neither `DATABRICKS_CONFIG_FILE` nor a home directory.
    NoPath,
}

impl Config {
    /// A builder to set attributes in code; its [`ConfigBuilder::build`] resolves the rest.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Resolves the configuration from the process environment and the configuration file.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`]: see [`ConfigBuilder::build`].
    pub fn from_env() -> Result<Config> {
        Self::builder().build()
    }

    fn get(&self, attr: Attr) -> Option<&Setting> {
        self.settings.get(attr)
    }

    fn text(&self, attr: Attr) -> Option<&str> {
        self.get(attr).map(|s| s.value.text())
    }

    fn secret(&self, attr: Attr) -> Option<&SensitiveString> {
        match &self.get(attr)?.value {
            Value::Secret(secret) => Some(secret),
            Value::Plain(_) => None,
        }
    }

    /// The workspace host or URL (`host`, `DATABRICKS_HOST`).
    pub fn host(&self) -> Option<&str> {
        self.text(Attr::Host)
    }

    /// The token (`token`, `DATABRICKS_TOKEN`).
    pub fn token(&self) -> Option<&SensitiveString> {
        self.secret(Attr::Token)
    }

    /// The client id of a Databricks service principal (`client_id`, `DATABRICKS_CLIENT_ID`):
    /// `oauth-m2m`, and the federation policy's principal of `env-oidc` and `file-oidc`.
    pub fn client_id(&self) -> Option<&str> {
        self.text(Attr::ClientId)
    }

    /// The OAuth secret of the Databricks service principal (`client_secret`,
    /// `DATABRICKS_CLIENT_SECRET`).
    pub fn client_secret(&self) -> Option<&SensitiveString> {
        self.secret(Attr::ClientSecret)
    }

    /// The cluster to use (`cluster_id`, `DATABRICKS_CLUSTER_ID`), for programs that take it
    /// from the configuration like the official SDKs' tools do.
    pub fn cluster_id(&self) -> Option<&str> {
        self.text(Attr::ClusterId)
    }

    /// The client-side limit of requests per second (`rate_limit`, `DATABRICKS_RATE_LIMIT`);
    /// `None` (no limit) unless set.
    pub fn rate_limit(&self) -> Option<u32> {
        self.text(Attr::RateLimit)?.trim().parse().ok()
    }

    /// The timeout of each phase of a request (`http_timeout_seconds`, code and profile
    /// only), for [`crate::ClientBuilder::timeout`].
    pub fn http_timeout(&self) -> Option<std::time::Duration> {
        seconds(self.text(Attr::HttpTimeoutSeconds)?)
    }

    /// The retry budget of a call (`retry_timeout_seconds`, code and profile only), for
    /// [`crate::RetryPolicy::budget`].
    pub fn retry_timeout(&self) -> Option<std::time::Duration> {
        seconds(self.text(Attr::RetryTimeoutSeconds)?)
    }

    /// The client id of a service principal or user-assigned identity (`azure_client_id`,
    /// `ARM_CLIENT_ID`, else `AZURE_CLIENT_ID`).
    pub fn azure_client_id(&self) -> Option<&str> {
        self.text(Attr::AzureClientId)
    }

    /// The client secret of the service principal (`azure_client_secret`, `ARM_CLIENT_SECRET`).
    pub fn azure_client_secret(&self) -> Option<&SensitiveString> {
        self.secret(Attr::AzureClientSecret)
    }

    /// The Azure AD tenant (`azure_tenant_id`, `ARM_TENANT_ID`, else `AZURE_TENANT_ID`).
    pub fn azure_tenant_id(&self) -> Option<&str> {
        self.text(Attr::AzureTenantId)
    }

    /// The ARM id of the workspace (`azure_workspace_resource_id`,
    /// `DATABRICKS_AZURE_RESOURCE_ID`).
    pub fn azure_workspace_resource_id(&self) -> Option<&str> {
        self.text(Attr::AzureWorkspaceResourceId)
    }

    /// Whether the managed identity is to be used (`azure_use_msi`, `ARM_USE_MSI`); `false`
    /// when unset.
    pub fn azure_use_msi(&self) -> bool {
        self.settings.is_true(Attr::AzureUseMsi)
    }

    /// The Azure cloud: `azure_environment` (`ARM_ENVIRONMENT`) when set, else the cloud of the
    /// host's DNS zone, else [`AzureCloud::Public`].
    pub fn azure_cloud(&self) -> AzureCloud {
        self.cloud
            .or_else(|| self.host().and_then(AzureCloud::from_host))
            .unwrap_or_default()
    }

    /// The pinned authentication method (`auth_type`, `DATABRICKS_AUTH_TYPE`), one of
    /// [`AUTH_TYPES`].
    pub fn auth_type(&self) -> Option<&str> {
        self.text(Attr::AuthType)
    }

    /// The profile: the one whose values were used when the configuration file was read,
    /// else the one named in code or by `DATABRICKS_CONFIG_PROFILE`, if any.
    pub fn profile(&self) -> Option<&str> {
        match &self.file {
            FileState::Read { profile, .. } => profile.as_deref(),
            _ => self.text(Attr::Profile),
        }
    }

    /// The configuration file that was read, if one was.
    pub fn config_file(&self) -> Option<&Path> {
        match &self.file {
            FileState::Read { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Where the value of `attribute` (a name such as `host` or `azure_client_secret`) came
    /// from; `None` if it is unset or unknown.
    pub fn source(&self, attribute: &str) -> Option<&ValueSource> {
        Attr::from_name(attribute)
            .and_then(|a| self.get(a))
            .map(|s| &s.source)
    }

    /// The options every Databricks OAuth method takes from the configuration.
    fn oauth_options(&self) -> crate::oauth::OAuthOptions {
        crate::oauth::OAuthOptions {
            use_proxy: !self.overrides.no_proxy,
            ..Default::default()
        }
    }

    /// The options every Azure AD method takes from the configuration.
    fn azure_options(&self) -> AzureOptions {
        AzureOptions {
            workspace_resource_id: self.azure_workspace_resource_id().map(str::to_string),
            cloud: self.azure_cloud(),
            use_proxy: !self.overrides.no_proxy,
            ..AzureOptions::default()
        }
    }

    /// `host from env DATABRICKS_HOST, token from code, ...`: what was found, for messages.
    fn found(&self) -> String {
        let mut found: Vec<String> = self
            .settings
            .iter()
            .map(|(attr, setting)| format!("{} from {}", attr.name(), setting.source))
            .collect();
        if let Some(provider) = &self.provider {
            found.insert(
                0,
                format!("credentials provider `{}` from code", provider.auth_type()),
            );
        }
        let mut text = if found.is_empty() {
            "nothing set".to_string()
        } else {
            found.join(", ")
        };
        text.push_str("; ");
        text.push_str(&self.file.describe());
        text
    }
}

/// A number of seconds (`30`, `2.5`) as a duration; `None` if it is not one.
pub(crate) fn seconds(text: &str) -> Option<std::time::Duration> {
    let value: f64 = text.trim().parse().ok()?;
    std::time::Duration::try_from_secs_f64(value).ok()
}

impl FileState {
    fn describe(&self) -> String {
        match self {
            FileState::Read {
                path,
                profile: Some(p),
            } => format!("config file {} read (profile [{p}])", path.display()),
            FileState::Read {
                path,
                profile: None,
            } => format!("config file {} has no [DEFAULT] profile", path.display()),
            FileState::Skipped { path: Some(path) } => format!(
                "config file {} not read (host and credentials were complete)",
                path.display()
            ),
            FileState::Skipped { path: None } => {
                "no config file read (host and credentials were complete)".into()
            }
            FileState::Missing { path } => format!("no config file at {}", path.display()),
            FileState::NoPath => "no config file (no home directory)".into(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Config");
        if let Some(provider) = &self.provider {
            s.field("credentials_provider", provider);
        }
        for (attr, setting) in self.settings.iter() {
            s.field(attr.name(), setting);
        }
        s.field("file", &format_args!("{}", self.file.describe()));
        s.finish()
    }
}

/// Sets configuration attributes in code (they win over the environment and the file);
/// [`build`](Self::build) resolves the rest. See [`Config`] for the attributes.
///
/// ```no_run
/// use azure_databricks_sdk::{Client, Config};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let config = Config::builder().profile("prod").build()?;
/// let client = Client::from_config(&config)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ConfigBuilder {
    code: Vec<(Attr, Value)>,
    environment: Option<Arc<HashMap<String, String>>>,
    overrides: Overrides,
    provider: Option<Arc<dyn CredentialsProvider>>,
}

impl ConfigBuilder {
    fn set(mut self, attr: Attr, value: impl Into<String>) -> Self {
        self.code.retain(|(a, _)| *a != attr);
        self.code.push((attr, Value::new(attr, value.into())));
        self
    }

    /// The workspace host: `adb-1234567890123456.7.azuredatabricks.net` or an `https://` URL.
    pub fn host(self, host: impl Into<String>) -> Self {
        self.set(Attr::Host, host)
    }

    /// A personal access token (or any Azure AD token for Azure Databricks).
    pub fn token(self, token: impl Into<String>) -> Self {
        self.set(Attr::Token, token)
    }

    /// The client id (application id) of a Databricks service principal: `oauth-m2m`, and
    /// the principal of an `env-oidc` / `file-oidc` federation policy.
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.set(Attr::ClientId, client_id)
    }

    /// The OAuth secret of the Databricks service principal (`oauth-m2m`).
    pub fn client_secret(self, secret: impl Into<String>) -> Self {
        self.set(Attr::ClientSecret, secret)
    }

    /// The Databricks CLI executable (`databricks-cli`): a path, or a name on the `PATH`.
    pub fn databricks_cli_path(self, path: impl Into<String>) -> Self {
        self.set(Attr::DatabricksCliPath, path)
    }

    /// The file holding the ID token of `file-oidc`.
    pub fn oidc_token_filepath(self, path: impl Into<PathBuf>) -> Self {
        let path: PathBuf = path.into();
        self.set(Attr::OidcTokenFilepath, path.to_string_lossy().into_owned())
    }

    /// The cluster programs should use ([`Config::cluster_id`]).
    pub fn cluster_id(self, cluster_id: impl Into<String>) -> Self {
        self.set(Attr::ClusterId, cluster_id)
    }

    /// At most this many requests per second from a client of this configuration (see
    /// [`crate::ClientBuilder::rate_limit`]). No limit by default.
    pub fn rate_limit(self, requests_per_second: u32) -> Self {
        self.set(Attr::RateLimit, requests_per_second.to_string())
    }

    /// The timeout of each phase of a request (see [`crate::ClientBuilder::timeout`]).
    pub fn http_timeout_seconds(self, seconds: u64) -> Self {
        self.set(Attr::HttpTimeoutSeconds, seconds.to_string())
    }

    /// The longest time one call may spend retrying (see [`crate::RetryPolicy::budget`]).
    pub fn retry_timeout_seconds(self, seconds: u64) -> Self {
        self.set(Attr::RetryTimeoutSeconds, seconds.to_string())
    }

    /// The client id of a service principal, or of a user-assigned managed identity.
    pub fn azure_client_id(self, client_id: impl Into<String>) -> Self {
        self.set(Attr::AzureClientId, client_id)
    }

    /// The client secret of the service principal.
    pub fn azure_client_secret(self, secret: impl Into<String>) -> Self {
        self.set(Attr::AzureClientSecret, secret)
    }

    /// The Azure AD tenant (directory) id.
    pub fn azure_tenant_id(self, tenant_id: impl Into<String>) -> Self {
        self.set(Attr::AzureTenantId, tenant_id)
    }

    /// The ARM id of the workspace, sent as `X-Databricks-Azure-Workspace-Resource-Id`.
    pub fn azure_workspace_resource_id(self, id: impl Into<String>) -> Self {
        self.set(Attr::AzureWorkspaceResourceId, id)
    }

    /// Whether to use the managed identity of the Azure resource the program runs on.
    pub fn azure_use_msi(self, use_msi: bool) -> Self {
        self.set(Attr::AzureUseMsi, use_msi.to_string())
    }

    /// The Azure cloud by name: `PUBLIC`, `USGOVERNMENT` or `CHINA`.
    pub fn azure_environment(self, name: impl Into<String>) -> Self {
        self.set(Attr::AzureEnvironment, name)
    }

    /// Pins the authentication method: one of [`AUTH_TYPES`]. Without it, the default chain
    /// picks one.
    pub fn auth_type(self, auth_type: impl Into<String>) -> Self {
        self.set(Attr::AuthType, auth_type)
    }

    /// The profile of the configuration file to use; the file must have it.
    pub fn profile(self, profile: impl Into<String>) -> Self {
        self.set(Attr::Profile, profile)
    }

    /// The configuration file; a leading `~` is the home directory. Defaults to
    /// `DATABRICKS_CONFIG_FILE`, else `~/.databrickscfg`.
    pub fn config_file(self, path: impl Into<PathBuf>) -> Self {
        let path: PathBuf = path.into();
        self.set(Attr::ConfigFile, path.to_string_lossy().into_owned())
    }

    /// Resolves from exactly these environment variables instead of the process's (which are
    /// then never read): for tests, and for programs that keep settings elsewhere. The home
    /// directory is this environment's `HOME` (`USERPROFILE` on Windows), and the Azure CLI
    /// runs with this environment.
    pub fn environment(mut self, variables: HashMap<String, String>) -> Self {
        self.environment = Some(Arc::new(variables));
        self
    }

    /// The Azure AD authority for client-secret tokens, e.g. a mock server in tests (plain
    /// `http` only for loopback hosts). Defaults to the authority of the [cloud](Config::azure_cloud).
    pub fn azure_authority(mut self, url: impl Into<String>) -> Self {
        self.overrides.azure_authority = Some(url.into());
        self
    }

    /// The managed identity token endpoint. Defaults to [`crate::defaults::MSI_ENDPOINT`].
    pub fn azure_msi_endpoint(mut self, url: impl Into<String>) -> Self {
        self.overrides.azure_msi_endpoint = Some(url.into());
        self
    }

    /// Connects to the workspace and the token endpoint directly, ignoring the proxy
    /// environment variables (honoured by default).
    pub fn no_proxy(mut self) -> Self {
        self.overrides.no_proxy = true;
        self
    }

    /// Your own credentials (see [`CredentialsProvider`]): [`Config::auth`] then returns
    /// them, whatever `auth_type` and the other attributes say, and the configuration file is
    /// read only for the host (or when a profile is named).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use azure_databricks_sdk::{Config, CredentialHeaders, CredentialsProvider};
    ///
    /// #[derive(Debug)]
    /// struct Broker;
    /// impl CredentialsProvider for Broker {
    ///     fn auth_type(&self) -> &str { "token-broker" }
    ///     fn credentials(&self, headers: &mut CredentialHeaders) -> azure_databricks_sdk::Result<()> {
    ///         headers.bearer("from-the-broker");
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let config = Config::builder()
    ///     .host("adb-1234567890123456.7.azuredatabricks.net")
    ///     .credentials_provider(Arc::new(Broker))
    ///     .environment(Default::default())
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(config.auth().unwrap().method(), "token-broker");
    /// ```
    pub fn credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Resolves every attribute (code, environment, configuration file) and checks the values.
    /// No request is sent.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the file cannot be read or parsed (the message has the line
    /// number), a named profile is missing from it, an explicitly given file does not exist, or
    /// `auth_type`, `azure_use_msi` or `azure_environment` has an unknown value.
    pub fn build(self) -> Result<Config> {
        resolve::resolve(self)
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ConfigBuilder");
        for (attr, value) in &self.code {
            s.field(attr.name(), value);
        }
        match &self.environment {
            Some(env) => s.field(
                "environment",
                &format_args!("given ({} variables)", env.len()),
            ),
            None => s.field("environment", &format_args!("process")),
        };
        if let Some(provider) = &self.provider {
            s.field("credentials_provider", provider);
        }
        s.field("overrides", &self.overrides).finish()
    }
}
