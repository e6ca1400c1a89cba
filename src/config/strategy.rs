//! Choosing the authentication method: `auth_type` when pinned, else the default chain
//! pat → azure-client-secret → azure-msi (only with `azure_use_msi`) → azure-cli.

use super::Config;
use super::attributes::Attr;
use crate::azure::AzureHeaders;
use crate::{Auth, AzureCli, AzureClientSecret, AzureManagedIdentity, Error, Result};

/// The values of `auth_type` (`DATABRICKS_AUTH_TYPE`), in the order the default chain tries
/// the methods: `pat`, `azure-client-secret`, `azure-msi`, `azure-cli`.
pub const AUTH_TYPES: &[&str] = &["pat", "azure-client-secret", "azure-msi", "azure-cli"];

/// An authentication method of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Pat,
    AzureClientSecret,
    AzureMsi,
    AzureCli,
}

impl Method {
    const CHAIN: [Method; 4] = [
        Method::Pat,
        Method::AzureClientSecret,
        Method::AzureMsi,
        Method::AzureCli,
    ];

    pub(crate) fn name(self) -> &'static str {
        AUTH_TYPES[self as usize]
    }

    pub(crate) fn from_name(name: &str) -> Option<Method> {
        Method::CHAIN.into_iter().find(|m| m.name() == name.trim())
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
    fn has(&self, attr: Attr) -> bool {
        self.get(attr).is_some()
    }

    /// Why `method` cannot be used, or `None` if its inputs are there. A pinned `azure-msi`
    /// needs no `azure_use_msi`.
    fn missing_inputs(&self, method: Method, pinned: bool) -> Option<String> {
        let unset = |attrs: &[Attr]| -> Option<String> {
            let missing: Vec<String> = attrs
                .iter()
                .filter(|a| !self.has(**a))
                .map(|a| a.describe())
                .collect();
            match missing.len() {
                0 => None,
                1 => Some(format!("{} is not set", missing[0])),
                _ => Some(format!("{} are not set", and_list(&missing))),
            }
        };
        match method {
            Method::Pat => unset(&[Attr::Token]),
            Method::AzureClientSecret => unset(&[
                Attr::AzureClientId,
                Attr::AzureClientSecret,
                Attr::AzureTenantId,
            ]),
            Method::AzureMsi if !pinned && !self.azure_use_msi() => {
                Some(format!("{} is not true", Attr::AzureUseMsi.describe()))
            }
            Method::AzureMsi | Method::AzureCli => None,
        }
    }

    /// The methods whose own inputs are present: a token, a client secret, `azure_use_msi`.
    fn configured_methods(&self) -> Vec<String> {
        let described = |method: Method, attr: Attr| {
            let source = &self.get(attr)?.source;
            Some(format!("{} ({} from {source})", method.name(), attr.name()))
        };
        [
            described(Method::Pat, Attr::Token),
            described(Method::AzureClientSecret, Attr::AzureClientSecret),
            self.azure_use_msi()
                .then(|| described(Method::AzureMsi, Attr::AzureUseMsi))
                .flatten(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The credentials this configuration selects.
    ///
    /// With `auth_type` set, that method (its inputs must be complete). Otherwise the first
    /// method of the default chain whose inputs are present: `pat` (a token),
    /// `azure-client-secret` (client id, secret and tenant), `azure-msi` (only when
    /// `azure_use_msi` is true), `azure-cli` (tried by running `az`, which must be installed and
    /// signed in). Only the chain's `azure-cli` step does anything here (it runs `az` once and
    /// keeps the token); the other methods send nothing before the first request.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when inputs of more than one method are present and `auth_type` does
    /// not pick one (the message names both), when the pinned method lacks inputs, or when no
    /// method works (the message says, for each, why it was skipped or how it failed).
    pub fn auth(&self) -> Result<Auth> {
        if let Some(name) = self.auth_type() {
            let method = Method::from_name(name)
                .ok_or_else(|| crate::error::config_error(format!("unknown auth_type `{name}`")))?;
            if let Some(why) = self.missing_inputs(method, true) {
                let source = &self.get(Attr::AuthType).expect("auth_type is set").source;
                return Err(crate::error::config_error(format!(
                    "auth_type is `{name}` (from {source}), but {why}"
                )));
            }
            return self.method_auth(method);
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
        for method in Method::CHAIN {
            if let Some(why) = self.missing_inputs(method, false) {
                tried.push(format!("{}: skipped, {why}", method.name()));
                continue;
            }
            if method != Method::AzureCli {
                return self.method_auth(method);
            }
            let cli = self.azure_cli_headers()?;
            match cli.warm_up() {
                Ok(()) => return Ok(Auth::from_azure(cli)),
                Err(e) => tried.push(format!("azure-cli: failed, {}", failure(&e))),
            }
        }
        Err(crate::error::config_error(format!(
            "no credentials found: {}. Found: {}",
            tried.join("; "),
            self.found()
        )))
    }

    fn method_auth(&self, method: Method) -> Result<Auth> {
        let text = |attr| self.text(attr).unwrap_or_default();
        let resource_id = self.azure_workspace_resource_id();
        match method {
            Method::Pat => Ok(Auth::personal_access_token(
                self.token().map(|t| t.expose()).unwrap_or_default(),
            )),
            Method::AzureClientSecret => {
                let secret = self
                    .azure_client_secret()
                    .map(|s| s.expose())
                    .unwrap_or_default();
                let mut sp = AzureClientSecret::new(
                    text(Attr::AzureTenantId),
                    text(Attr::AzureClientId),
                    secret,
                )
                .cloud(self.azure_cloud());
                if let Some(id) = resource_id {
                    sp = sp.workspace_resource_id(id);
                }
                if let Some(authority) = &self.overrides.azure_authority {
                    sp = sp.authority(authority);
                }
                if self.overrides.no_proxy {
                    sp = sp.no_proxy();
                }
                Auth::azure_client_secret(sp)
            }
            Method::AzureMsi => {
                let mut msi = AzureManagedIdentity::new().cloud(self.azure_cloud());
                if let Some(client_id) = self.azure_client_id() {
                    msi = msi.client_id(client_id);
                }
                if let Some(id) = resource_id {
                    msi = msi.workspace_resource_id(id);
                }
                if let Some(endpoint) = &self.overrides.azure_msi_endpoint {
                    msi = msi.endpoint(endpoint);
                }
                Auth::azure_managed_identity(msi)
            }
            Method::AzureCli => self.azure_cli_headers().map(Auth::from_azure),
        }
    }

    fn azure_cli_headers(&self) -> Result<AzureHeaders> {
        let mut cli = AzureCli::new();
        cli.environment = self.environment.given();
        if let Some(tenant) = self.azure_tenant_id() {
            cli = cli.tenant_id(tenant);
        }
        if let Some(id) = self.azure_workspace_resource_id() {
            cli = cli.workspace_resource_id(id);
        }
        cli.into_headers()
    }
}

/// The reason of a failed method, without its `method: ` prefix.
fn failure(error: &Error) -> String {
    match error.auth() {
        Some(auth) => {
            let mut text = auth.reason().to_string();
            let mut source = std::error::Error::source(auth);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
        None => format!("{error:?}"),
    }
}
