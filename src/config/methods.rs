//! The authentication methods, in one table read by resolution (is the configuration file
//! needed?) and by selection (`auth_type`, or the default chain in table order): for each, its
//! `auth_type` name, the attributes it needs, and how its credentials are built.

use std::sync::Arc;

use super::Config;
use super::attributes::{Attr, Settings};
use crate::{Auth, AzureCli, AzureClientSecret, AzureManagedIdentity, Result};

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
    build: Build,
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
        build: build_pat,
    }
    "azure-client-secret" => {
        requires: &[Attr::AzureClientId, Attr::AzureClientSecret, Attr::AzureTenantId],
        opt_in: None,
        signal: Some(Attr::AzureClientSecret),
        probed: false,
        build: build_azure_client_secret,
    }
    "azure-msi" => {
        requires: &[],
        opt_in: Some(Attr::AzureUseMsi),
        signal: Some(Attr::AzureUseMsi),
        probed: false,
        build: build_azure_msi,
    }
    "azure-cli" => {
        requires: &[],
        opt_in: None,
        signal: None,
        probed: true,
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
    /// any. Else, with `auth_type` set, that method (its inputs must be complete). Otherwise
    /// the first method of the default chain whose inputs are present: `pat` (a token),
    /// `azure-client-secret` (client id, secret and tenant), `azure-msi` (only when
    /// `azure_use_msi` is true), `azure-cli` (tried by running `az`, which must be installed
    /// and signed in). Only the chain's `azure-cli` step does anything here (it runs `az`
    /// once and keeps the token); the other methods send nothing before the first request.
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
            return (method.build)(self, false);
        }
        let configured = self.configured_methods();
        if configured.len() > 1 {
            return Err(crate::error::config_error(format!(
                "more than one authentication method is configured: {}; set auth_type \
                 (DATABRICKS_AUTH_TYPE, or `auth_type` in the profile) to pick one of them",
                and_list(&configured)
            )));
        }
        let mut tried = Vec::new();
        for method in METHODS {
            if let Some(why) = method.missing(&self.settings, false) {
                tried.push(format!("{}: skipped, {why}", method.name));
                continue;
            }
            match (method.build)(self, method.probed) {
                Ok(auth) => return Ok(auth),
                Err(e) if method.probed => tried.push(format!(
                    "{}: failed, {}",
                    method.name,
                    crate::error::reason_chain(&e)
                )),
                Err(e) => return Err(e),
            }
        }
        Err(crate::error::config_error(format!(
            "no credentials found: {}. Found: {}",
            tried.join("; "),
            self.found()
        )))
    }
}

fn build_pat(config: &Config, _: bool) -> Result<Auth> {
    let token = config.token().map(|t| t.expose()).unwrap_or_default();
    Ok(Auth::personal_access_token(token))
}

fn build_azure_client_secret(config: &Config, _: bool) -> Result<Auth> {
    let text = |attr| config.text(attr).unwrap_or_default();
    let secret = config
        .azure_client_secret()
        .map(|s| s.expose())
        .unwrap_or_default();
    let mut sp =
        AzureClientSecret::new(text(Attr::AzureTenantId), text(Attr::AzureClientId), secret);
    sp.options = config.azure_options();
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
    let headers = cli.into_headers()?;
    if probe {
        headers.warm_up()?;
    }
    Ok(Auth::from_azure(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_of_every_method_is_an_attribute_of_environment_and_profile() {
        for method in METHODS {
            let inputs = method.requires.iter().chain(method.opt_in.iter());
            for attr in inputs.chain(method.signal.iter()) {
                assert!(attr.in_profile(), "{}: {}", method.name, attr.name());
                assert!(
                    !attr.env_var().is_empty(),
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
