//! The authentication methods, in one table read by resolution (is the configuration file
//! needed?) and by selection (`auth_type`, or the default chain in table order): for each, its
//! `auth_type` name, the attributes it needs, and how its credentials are built.

use std::sync::Arc;

use super::Config;
use super::attributes::{Attr, Settings};
use crate::error::ConfigError;
use crate::token::TokenHeaders;
use crate::{
    Auth, AzureCli, AzureClientSecret, AzureFederatedIdentity, AzureManagedIdentity, DatabricksCli,
    OAuthM2m, OidcToken, Result,
};

/// Builds a method's credentials from a configuration whose required attributes are set.
/// With `probe`, the method is tried now (the default chain runs a CLI once to see whether it
/// is signed in); otherwise nothing is run or sent before the first request.
type Build = fn(&Config, bool) -> Result<Auth>;

/// One authentication method of the table.
#[derive(Debug)]
pub(crate) struct AuthMethod {
    /// The `auth_type` name.
    pub(crate) name: &'static str,
    /// Attributes that must be set, pinned or not.
    requires: &'static [Attr],
    /// An attribute that must be true for the default chain to use the method (a pinned
    /// method does not need it).
    opt_in: Option<Attr>,
    /// The method's own credential: set together with another method's, the configuration is
    /// ambiguous.
    signal: Option<Attr>,
    /// Whether the default chain learns only by trying it whether the method works (a CLI that
    /// may not be installed or signed in); such a method never makes the file unnecessary.
    probed: bool,
    /// Where its credential comes from, for errors that reject it.
    credential: Credential,
    build: Build,
}

/// Where a method's credential comes from.
#[derive(Debug, Clone, Copy)]
enum Credential {
    /// An attribute (the error says where its value was set).
    Setting(Attr),
    /// A token a program hands out.
    Command(&'static str),
}

/// Declares the methods, in the order of the default chain: `AUTH_TYPES` and the table, from
/// one list.
macro_rules! auth_methods {
    ($($name:literal => { $($field:ident: $value:expr),* $(,)? })*) => {
        /// The values of `auth_type` (`DATABRICKS_AUTH_TYPE`), in the order the default chain
        /// tries the methods.
        pub const AUTH_TYPES: &[&str] = &[$($name),*];

        /// The methods, in chain order.
        pub(crate) const METHODS: &[AuthMethod] = &[
            $(AuthMethod { name: $name, $($field: $value),* },)*
        ];
    };
}

auth_methods! {
    "pat" => {
        requires: &[Attr::Token],
        opt_in: None,
        signal: Some(Attr::Token),
        probed: false,
        credential: Credential::Setting(Attr::Token),
        build: build_pat,
    }
    "oauth-m2m" => {
        requires: &[Attr::Host, Attr::ClientId, Attr::ClientSecret],
        opt_in: None,
        signal: Some(Attr::ClientSecret),
        probed: false,
        credential: Credential::Setting(Attr::ClientSecret),
        build: build_oauth_m2m,
    }
    "databricks-cli" => {
        requires: &[Attr::Host],
        opt_in: None,
        signal: None,
        probed: true,
        credential: Credential::Command("databricks auth token"),
        build: build_databricks_cli,
    }
    "env-oidc" => {
        requires: &[Attr::Host, Attr::OidcToken],
        opt_in: None,
        signal: Some(Attr::OidcToken),
        probed: false,
        credential: Credential::Setting(Attr::OidcToken),
        build: build_env_oidc,
    }
    "file-oidc" => {
        requires: &[Attr::Host, Attr::OidcTokenFilepath],
        opt_in: None,
        signal: Some(Attr::OidcTokenFilepath),
        probed: false,
        credential: Credential::Setting(Attr::OidcTokenFilepath),
        build: build_file_oidc,
    }
    "github-oidc-azure" => {
        requires: &[
            Attr::Host,
            Attr::ActionsIdTokenRequestUrl,
            Attr::ActionsIdTokenRequestToken,
            Attr::AzureClientId,
            Attr::AzureTenantId,
        ],
        opt_in: None,
        signal: None,
        probed: false,
        credential: Credential::Setting(Attr::ActionsIdTokenRequestToken),
        build: build_github_oidc_azure,
    }
    "azure-workload-identity" => {
        requires: &[Attr::AzureFederatedTokenFile, Attr::AzureClientId, Attr::AzureTenantId],
        opt_in: None,
        signal: None,
        probed: false,
        credential: Credential::Setting(Attr::AzureFederatedTokenFile),
        build: build_azure_workload_identity,
    }
    "azure-msi" => {
        requires: &[],
        opt_in: Some(Attr::AzureUseMsi),
        signal: Some(Attr::AzureUseMsi),
        probed: false,
        credential: Credential::Setting(Attr::AzureUseMsi),
        build: build_azure_msi,
    }
    "azure-client-secret" => {
        requires: &[Attr::AzureClientId, Attr::AzureClientSecret],
        opt_in: None,
        signal: Some(Attr::AzureClientSecret),
        probed: false,
        credential: Credential::Setting(Attr::AzureClientSecret),
        build: build_azure_client_secret,
    }
    "azure-cli" => {
        requires: &[],
        opt_in: None,
        signal: None,
        probed: true,
        credential: Credential::Command("az account get-access-token"),
        build: build_azure_cli,
    }
}

impl AuthMethod {
    /// The method named `name` (`auth_type`), if there is one.
    pub(crate) fn find(name: &str) -> Option<&'static AuthMethod> {
        METHODS.iter().find(|m| m.name == name.trim())
    }

    /// Why the method cannot be used, or `None` if its inputs are there.
    pub(crate) fn missing(&self, settings: &Settings, pinned: bool) -> Option<String> {
        let missing: Vec<String> = self
            .requires
            .iter()
            .filter(|a| !settings.has(**a))
            .map(|a| a.describe())
            .collect();
        match missing.len() {
            0 => {}
            1 => return Some(format!("{} is not set", missing[0])),
            _ => return Some(format!("{} are not set", and_list(&missing))),
        }
        match self.opt_in {
            Some(attr) if !pinned && !settings.is_true(attr) => {
                Some(format!("{} is not true", attr.describe()))
            }
            _ => None,
        }
    }

    /// Whether the method's own credential is set (see [`AuthMethod::signal`]).
    fn is_configured(&self, settings: &Settings) -> bool {
        match self.signal {
            Some(attr) if Some(attr) == self.opt_in => settings.is_true(attr),
            Some(attr) => settings.has(attr),
            None => false,
        }
    }

    /// Whether the method is complete without anything more: its inputs are there and
    /// nothing needs to be tried.
    fn is_complete(&self, settings: &Settings, pinned: bool) -> bool {
        self.missing(settings, pinned).is_none() && (pinned || !self.probed)
    }
}

/// Whether `settings` hold a complete set of credentials (then the configuration file is not
/// read unless a profile is named): those of the pinned method, else of any method of the
/// chain that needs no trying.
pub(crate) fn credentials_complete(settings: &Settings) -> bool {
    match settings.text(Attr::AuthType) {
        // An unknown auth_type is reported after resolution.
        Some(name) => AuthMethod::find(name).is_some_and(|m| m.is_complete(settings, true)),
        None => METHODS.iter().any(|m| m.is_complete(settings, false)),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Config {
    /// The methods whose own credential is set, described with where it came from.
    fn configured_methods(&self) -> Vec<String> {
        METHODS
            .iter()
            .filter(|m| m.is_configured(&self.settings))
            .filter_map(|m| {
                let attr = m.signal?;
                let source = &self.settings.get(attr)?.source;
                Some(format!("{} ({} from {source})", m.name, attr.name()))
            })
            .collect()
    }

    /// The credentials this configuration selects.
    ///
    /// A [credentials provider](crate::ConfigBuilder::credentials_provider) given in code, if
    /// any. Else, with `auth_type` set, that method (its inputs must be complete). Else the
    /// method whose own credential is set (a token, an OAuth or Azure client secret, an ID
    /// token, `azure_use_msi`). Otherwise the first method of the default chain whose inputs
    /// are present, in the order of the official Go SDK: `pat`, `oauth-m2m`, `databricks-cli`
    /// (tried by running `databricks auth token`), `env-oidc`, `file-oidc`,
    /// `github-oidc-azure`, `azure-workload-identity`, `azure-msi` (only when `azure_use_msi`
    /// is true), `azure-client-secret`, `azure-cli` (tried by running `az`). Only the chain's
    /// CLI steps do anything here (they run the CLI once and keep the token); the other
    /// methods send nothing before the first request.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when inputs of more than one method are present and
    /// `auth_type` does not pick one (the message names both), when the pinned method lacks
    /// inputs, or when no method works (the message says, for each, why it was skipped or
    /// how it failed).
    pub fn auth(&self) -> Result<Auth> {
        if let Some(provider) = &self.provider {
            return Ok(Auth::provider(Arc::clone(provider)));
        }
        if let Some(name) = self.auth_type() {
            let method = AuthMethod::find(name)
                .ok_or_else(|| crate::error::config_error(format!("unknown auth_type `{name}`")))?;
            if let Some(why) = method.missing(&self.settings, true) {
                let source = &self.get(Attr::AuthType).expect("auth_type is set").source;
                return Err(crate::error::config_error(format!(
                    "auth_type is `{name}` (from {source}), but {why}"
                )));
            }
            return self.build(method, false);
        }
        let configured = self.configured_methods();
        if configured.len() > 1 {
            return Err(crate::error::config_error(format!(
                "more than one authentication method is configured: {}; set auth_type \
                 (DATABRICKS_AUTH_TYPE, or `auth_type` in the profile) to pick one of them",
                and_list(&configured)
            )));
        }
        // The one method whose own credential is set wins over methods found from what the
        // environment offers (a CI job's ID token service, a CLI on the PATH).
        if let Some(method) = METHODS.iter().find(|m| m.is_configured(&self.settings))
            && method.missing(&self.settings, false).is_none()
        {
            return self.build(method, false);
        }
        let mut tried = Vec::new();
        for method in METHODS {
            if let Some(why) = method.missing(&self.settings, false) {
                tried.push(format!("{}: skipped, {why}", method.name));
                continue;
            }
            match self.build(method, method.probed) {
                Ok(auth) => return Ok(auth),
                Err(e) if method.probed => tried.push(format!(
                    "{}: failed, {}",
                    method.name,
                    crate::error::reason_chain(&e)
                )),
                Err(e) => return Err(e),
            }
        }
        tried.push(format!("found: {}", self.found()));
        Err(ConfigError::missing(self.no_credentials_fix(), tried).into())
    }

    /// The credentials of `method`, noting where they came from.
    fn build(&self, method: &AuthMethod, probe: bool) -> Result<Auth> {
        Ok((method.build)(self, probe)?.with_origin(self.origin(method)))
    }

    /// Where the credential of `method` came from, never its value: `token from env
    /// DATABRICKS_TOKEN`, `token from `az account get-access-token``, with the source of
    /// `auth_type` when it pinned the method.
    fn origin(&self, method: &AuthMethod) -> String {
        let mut parts = Vec::new();
        match method.credential {
            Credential::Setting(attr) => {
                if let Some(setting) = self.get(attr) {
                    parts.push(format!("{} from {}", attr.name(), setting.source));
                }
            }
            Credential::Command(command) => {
                parts.push(format!("token from `{command}`"));
                if let Some(profile) = self.profile() {
                    parts.push(format!("profile [{profile}]"));
                }
            }
        }
        if let Some(setting) = self.get(Attr::AuthType) {
            parts.push(format!("auth_type from {}", setting.source));
        }
        if parts.is_empty() {
            parts.push("chosen by the default chain".to_string());
        }
        parts.join(", ")
    }

    /// The error of an empty default chain: the likely fix first (a token, or the CLI's
    /// sign-in), for the host when there is one.
    fn no_credentials_fix(&self) -> String {
        match self.host() {
            Some(host) => format!(
                "no credentials found: set DATABRICKS_TOKEN, or run \
                 `databricks auth login --host {host}`"
            ),
            None => "no credentials found: set DATABRICKS_HOST and DATABRICKS_TOKEN, or run \
                     `databricks auth login`"
                .to_string(),
        }
    }
}

fn build_pat(config: &Config, _: bool) -> Result<Auth> {
    let token = config.token().map(|t| t.expose()).unwrap_or_default();
    Ok(Auth::personal_access_token(token))
}

/// The value of a required attribute (checked before a builder runs).
fn required(config: &Config, attr: Attr) -> &str {
    config.text(attr).unwrap_or_default()
}

fn build_oauth_m2m(config: &Config, _: bool) -> Result<Auth> {
    let mut sp = OAuthM2m::new(
        required(config, Attr::Host),
        required(config, Attr::ClientId),
        required(config, Attr::ClientSecret),
    );
    sp.options = config.oauth_options();
    Auth::oauth_m2m(sp)
}

fn build_databricks_cli(config: &Config, probe: bool) -> Result<Auth> {
    let mut cli = DatabricksCli::new(required(config, Attr::Host));
    cli.environment = config.environment.given();
    if let Some(profile) = config.profile() {
        cli = cli.profile(profile);
    }
    if let Some(path) = config.text(Attr::DatabricksCliPath) {
        cli = cli.cli_path(path);
    }
    finish(cli.into_headers()?, probe)
}

fn build_env_oidc(config: &Config, _: bool) -> Result<Auth> {
    let token = required(config, Attr::OidcToken);
    oidc(config, OidcToken::new(required(config, Attr::Host), token))
}

fn build_file_oidc(config: &Config, _: bool) -> Result<Auth> {
    let path = required(config, Attr::OidcTokenFilepath);
    oidc(
        config,
        OidcToken::from_file(required(config, Attr::Host), path),
    )
}

fn oidc(config: &Config, mut oidc: OidcToken) -> Result<Auth> {
    if let Some(client_id) = config.client_id() {
        oidc = oidc.client_id(client_id);
    }
    oidc.options = config.oauth_options();
    Auth::oidc_token(oidc)
}

fn build_github_oidc_azure(config: &Config, _: bool) -> Result<Auth> {
    federated(
        config,
        AzureFederatedIdentity::github_actions(
            required(config, Attr::AzureTenantId),
            required(config, Attr::AzureClientId),
            required(config, Attr::ActionsIdTokenRequestUrl),
            required(config, Attr::ActionsIdTokenRequestToken),
        ),
    )
}

fn build_azure_workload_identity(config: &Config, _: bool) -> Result<Auth> {
    federated(
        config,
        AzureFederatedIdentity::workload_identity(
            required(config, Attr::AzureTenantId),
            required(config, Attr::AzureClientId),
            required(config, Attr::AzureFederatedTokenFile),
        ),
    )
}

fn federated(config: &Config, mut federated: AzureFederatedIdentity) -> Result<Auth> {
    federated.options = config.azure_options();
    let authority = config.overrides.azure_authority.as_deref();
    if let Some(authority) = authority.or(config.text(Attr::AzureAuthorityHost)) {
        federated = federated.authority(authority);
    }
    Auth::azure_federated(federated)
}

fn build_azure_client_secret(config: &Config, _: bool) -> Result<Auth> {
    let secret = config
        .azure_client_secret()
        .map(|s| s.expose())
        .unwrap_or_default();
    let mut sp = AzureClientSecret::new(
        config.azure_tenant_id().unwrap_or_default(),
        required(config, Attr::AzureClientId),
        secret,
    );
    sp.options = config.azure_options();
    if let Some(host) = config.host() {
        sp = sp.workspace_host(host);
    }
    if let Some(authority) = &config.overrides.azure_authority {
        sp = sp.authority(authority);
    }
    Auth::azure_client_secret(sp)
}

fn build_azure_msi(config: &Config, _: bool) -> Result<Auth> {
    let mut msi = AzureManagedIdentity::new();
    msi.options = config.azure_options();
    if let Some(client_id) = config.azure_client_id() {
        msi = msi.client_id(client_id);
    }
    if let (Some(endpoint), Some(header)) = (
        config.text(Attr::IdentityEndpoint),
        config.text(Attr::IdentityHeader),
    ) {
        msi = msi.app_service(endpoint, header);
    }
    if let Some(endpoint) = &config.overrides.azure_msi_endpoint {
        msi = msi.endpoint(endpoint);
    }
    Auth::azure_managed_identity(msi)
}

fn build_azure_cli(config: &Config, probe: bool) -> Result<Auth> {
    let mut cli = AzureCli::new();
    cli.options = config.azure_options();
    cli.environment = config.environment.given();
    if let Some(tenant) = config.azure_tenant_id() {
        cli = cli.tenant_id(tenant);
    }
    finish(cli.into_headers()?, probe)
}

/// The credentials of a CLI method; tried now when `probe`.
fn finish(headers: TokenHeaders, probe: bool) -> Result<Auth> {
    if probe {
        headers.warm_up()?;
    }
    Ok(headers.into_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_of_every_method_has_an_environment_variable() {
        for method in METHODS {
            let inputs = method.requires.iter().chain(method.opt_in.iter());
            for attr in inputs.chain(method.signal.iter()) {
                assert!(
                    !attr.env_vars().is_empty(),
                    "{}: {}",
                    method.name,
                    attr.name()
                );
            }
        }
        let names: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
        assert_eq!(names, AUTH_TYPES);
    }
}
