//! Azure CLI: tokens of the account signed in with `az login`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use chrono::{Local, LocalResult, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::AZURE_DATABRICKS_RESOURCE_ID;
use super::options::{AzureOptions, azure_option_setters};
use crate::Clock;
use crate::error::AuthError;
use crate::token::process::{CliRunner, Output, find_az, stderr_text};
use crate::token::{AccessToken, CachedToken, TokenFetcher, TokenHeaders};
use crate::{Error, Result, SensitiveString};

/// The `auth_type` name of this method.
const METHOD: &str = "azure-cli";

/// The account signed in to the Azure CLI (`az login`); for [`crate::Auth::azure_cli`].
///
/// First `az account show --output json` tells who is signed in (once). Each token then comes
/// from `az account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --output
/// json`, as the official SDKs run it: with `--tenant <id>` when a tenant is set, except for a
/// managed identity signed in to `az` (which fails with it; a service principal is retried
/// without it too); with `--subscription <id>` of the workspace resource id when no tenant is
/// set (and again without it if that fails). When `az` is signed in as a service principal,
/// the management token (`--resource https://management.core.windows.net/`) is sent as
/// `X-Databricks-Azure-SP-Management-Token` too, if it can be had. Tokens are cached and
/// refreshed 40 s before they expire. Both expiry formats of the CLI are understood:
/// `expires_on` (epoch seconds, az 2.54 and later) and `expiresOn` (local time). A missing
/// `az`, or an account that is not signed in, gives an [`Error::Auth`] that says so.
///
/// ```no_run
/// use azure_databricks_sdk::{Auth, AzureCli, Client};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::azure_cli(AzureCli::new())?)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct AzureCli {
    pub(crate) tenant_id: Option<String>,
    pub(crate) options: AzureOptions,
    pub(crate) search_path: Option<OsString>,
    /// The whole environment of `az` (from an injected [`crate::Config`] environment).
    pub(crate) environment: Option<Arc<HashMap<String, String>>>,
    pub(crate) timeout: Duration,
}

impl Default for AzureCli {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureCli {
    /// The signed-in account, default tenant, `az` found on the `PATH` of the process.
    pub fn new() -> Self {
        Self {
            tenant_id: None,
            options: AzureOptions::default(),
            search_path: None,
            environment: None,
            timeout: crate::defaults::CLI_TIMEOUT,
        }
    }

    azure_option_setters!();

    /// Asks for tokens of this tenant (`--tenant`). Not set by default (the account's tenant).
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// The directories searched for `az`, in `PATH` syntax; `az` also gets it as its `PATH`.
    /// Defaults to the `PATH` of the process.
    pub fn search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// How long one `az` run may take before it is killed. Defaults to 60 s
    /// ([`crate::defaults::CLI_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        if let Some(tenant) = &self.tenant_id {
            super::check_tenant(METHOD, tenant)?;
        }
        let runner = CliRunner::new(
            METHOD,
            self.search_path.clone(),
            self.environment.clone(),
            self.timeout,
        );
        let account = Arc::new(Mutex::new(None));
        let fetcher = |resource: &str| -> Box<dyn TokenFetcher> {
            Box::new(CliFetcher {
                resource: resource.to_string(),
                management: resource != AZURE_DATABRICKS_RESOURCE_ID,
                tenant_id: self.tenant_id.clone(),
                subscription: self
                    .options
                    .workspace_resource_id
                    .as_deref()
                    .and_then(subscription_of),
                runner: runner.clone(),
                account: account.clone(),
            })
        };
        let clock = &self.options.clock;
        let bearer = CachedToken::new(METHOD, fetcher(AZURE_DATABRICKS_RESOURCE_ID), clock.clone());
        let management = CachedToken::new(
            METHOD,
            fetcher(self.options.cloud.management_resource()),
            clock.clone(),
        );
        TokenHeaders::azure(
            METHOD,
            bearer,
            Some(management),
            true,
            self.options.workspace_resource_id.as_deref(),
        )
    }
}

/// The subscription of a workspace resource id
/// (`/subscriptions/<sub>/resourceGroups/...`).
fn subscription_of(resource_id: &str) -> Option<String> {
    let mut parts = resource_id.trim().trim_start_matches('/').split('/');
    match (parts.next(), parts.next()) {
        (Some(key), Some(sub)) if key.eq_ignore_ascii_case("subscriptions") && !sub.is_empty() => {
            Some(sub.to_string())
        }
        _ => None,
    }
}

impl fmt::Debug for AzureCli {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCli")
            .field("tenant_id", &self.tenant_id)
            .field("options", &self.options)
            .field("search_path", &self.search_path)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Who is signed in to `az` (`az account show`), as far as it matters here.
#[derive(Debug, Clone, Copy, Default)]
struct Account {
    /// A service principal or managed identity: it gets the management token too.
    service_principal: bool,
    /// A managed identity: `--tenant` must not be passed.
    managed_identity: bool,
}

/// Runs `az account get-access-token` for one resource.
struct CliFetcher {
    resource: String,
    /// Whether this is the management token (only for a service principal).
    management: bool,
    tenant_id: Option<String>,
    /// From the workspace resource id: `--subscription` when no tenant is given.
    subscription: Option<String>,
    runner: CliRunner,
    /// `az account show`, run once and shared by the two tokens.
    account: Arc<Mutex<Option<Account>>>,
}

impl fmt::Debug for CliFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliFetcher")
            .field("resource", &self.resource)
            .field("tenant_id", &self.tenant_id)
            .field("subscription", &self.subscription)
            .finish_non_exhaustive()
    }
}

fn auth_error(reason: String) -> Error {
    AuthError::new(METHOD, reason).into()
}

impl CliFetcher {
    /// Runs `az` with `args`: the output of a successful run, else an error that says whether
    /// the account is not signed in.
    fn az(&self, program: &Path, args: &[&str]) -> Result<Output> {
        let label = format!("az {}", args[..2].join(" "));
        let output = self.runner.run(program, args, &label)?;
        if !output.status.success() {
            return Err(auth_error(failure_message(
                &label,
                &output.status,
                &output.stderr,
            )));
        }
        Ok(output)
    }

    /// The signed-in account, asked once.
    fn account(&self, program: &Path) -> Result<Account> {
        let mut cached = self.account.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(account) = *cached {
            return Ok(account);
        }
        let output = self.az(program, &["account", "show", "--output", "json"])?;
        let user: Option<Value> = serde_json::from_slice::<Value>(&output.stdout)
            .ok()
            .and_then(|v| v.get("user").cloned());
        let field = |key: &str| {
            user.as_ref()
                .and_then(|u| u.get(key))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let service_principal = field("type") == "servicePrincipal";
        let account = Account {
            service_principal,
            managed_identity: service_principal
                && matches!(
                    field("name").as_str(),
                    "systemAssignedIdentity" | "userAssignedIdentity"
                ),
        };
        log::debug!(target: crate::LOG_TARGET, "azure-cli: signed in as {account:?}");
        *cached = Some(account);
        Ok(account)
    }
}

impl TokenFetcher for CliFetcher {
    fn fetch(&self, _clock: &dyn Clock) -> Result<AccessToken> {
        let program = find_az(self.runner.search_path.as_deref()).ok_or_else(|| {
            auth_error(
                "the Azure CLI (`az`) was not found on PATH; install it and run \
                 `az login`, or use another authentication method"
                    .into(),
            )
        })?;
        let account = self.account(&program)?;
        if self.management && !account.service_principal {
            return Err(auth_error(
                "the Azure CLI is signed in as a user: no management token is sent".into(),
            ));
        }
        let mut args = vec![
            "account",
            "get-access-token",
            "--resource",
            &self.resource,
            "--output",
            "json",
        ];
        // A managed identity signed in to `az` fails with `--tenant`.
        let tenant = self
            .tenant_id
            .as_deref()
            .filter(|_| !account.managed_identity);
        if let Some(tenant) = tenant {
            args.extend(["--tenant", tenant]);
        }
        let mut output = None;
        if let (Some(subscription), None) = (&self.subscription, &self.tenant_id) {
            let mut with_subscription = args.clone();
            with_subscription.extend(["--subscription", subscription.as_str()]);
            match self.az(&program, &with_subscription) {
                Ok(out) => output = Some(out),
                // The account may see the workspace but not its subscription.
                Err(e) => log::debug!(
                    target: crate::LOG_TARGET,
                    "azure-cli: no token with --subscription {subscription}, trying without: {}",
                    crate::error::reason_chain(&e)
                ),
            }
        }
        let output = match output {
            Some(output) => output,
            None => match self.az(&program, &args) {
                // A federated service principal may need no `--tenant` either.
                Err(_) if tenant.is_some() && account.service_principal => {
                    self.az(&program, &args[..6])?
                }
                other => other?,
            },
        };
        let token = parse_output(&output.stdout, local_to_system_time)?;
        log::debug!(
            target: crate::LOG_TARGET,
            "azure-cli: new token for resource {}, expires at {}",
            self.resource,
            crate::token::exchange::expiry(&token)
        );
        Ok(token)
    }
}

/// The error of a failed `az` run: "not logged in" when it says so, with its first lines.
fn failure_message(label: &str, status: &ExitStatus, stderr: &[u8]) -> String {
    let text = stderr_text(stderr);
    let lower = text.to_ascii_lowercase();
    let not_logged_in = lower.contains("az login")
        || lower.contains("no subscription found")
        || lower.contains("not logged in");
    if not_logged_in {
        format!("not logged in to the Azure CLI (run `az login`): {text}")
    } else {
        format!("`{label}` failed ({status}): {text}")
    }
}

/// `accessToken` and its expiry from the JSON printed by `az`. The output holds the token:
/// messages never quote it.
fn parse_output(
    stdout: &[u8],
    local: impl Fn(&NaiveDateTime) -> SystemTime,
) -> Result<AccessToken> {
    let bad = |why: &str| auth_error(format!("unexpected output of `az`: {why}"));
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(stdout) else {
        return Err(bad("not a JSON object"));
    };
    let token = map
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| bad("no valid accessToken"))?;
    let epoch = match map.get("expires_on") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let expires_at = match (epoch, map.get("expiresOn").and_then(Value::as_str)) {
        (Some(epoch), _) => SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(epoch))
            .ok_or_else(|| bad("an expires_on beyond the representable time"))?,
        (None, Some(text)) => {
            let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f")
                .map_err(|_| bad(&format!("cannot read expiresOn `{text}`")))?;
            local(&naive)
        }
        (None, None) => return Err(bad("no expires_on or expiresOn")),
    };
    Ok(AccessToken {
        value: SensitiveString::new(token),
        expires_at,
    })
}

/// A local wall-clock time (the system time zone) as a `SystemTime`. A time skipped by a
/// daylight-saving change is read with the offset of the moment after it.
fn local_to_system_time(naive: &NaiveDateTime) -> SystemTime {
    let utc = match Local.from_local_datetime(naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.to_utc(),
        LocalResult::None => naive.and_utc() - Local.offset_from_utc_datetime(naive),
    };
    SystemTime::from(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_plus_2(naive: &NaiveDateTime) -> SystemTime {
        SystemTime::from(naive.and_utc() - chrono::Duration::hours(2))
    }

    #[test]
    fn reads_expires_on_epoch_first() {
        let out = br#"{"accessToken":"eyJ.a.b","expiresOn":"2023-11-14 22:13:20.000000","expires_on":1700000000,"tokenType":"Bearer"}"#;
        let token = parse_output(out, utc_plus_2).unwrap();
        assert_eq!(token.value.expose(), "eyJ.a.b");
        assert_eq!(
            token.expires_at,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
        );
    }

    #[test]
    fn reads_expires_on_local_time_of_older_clis() {
        let out = br#"{"accessToken":"eyJ.a.b","expiresOn":"2023-11-15 00:13:20.123456"}"#;
        let token = parse_output(out, utc_plus_2).unwrap();
        let want = SystemTime::UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(token.expires_at, want);
    }

    #[test]
    fn bad_output_never_quotes_the_token() {
        for out in [
            &br#"{"accessToken":"SECRET"}"#[..],
            br#"{"accessToken":"SECRET","expiresOn":"tomorrow"}"#,
            b"SECRET",
        ] {
            let err = parse_output(out, utc_plus_2).unwrap_err().to_string();
            assert!(!err.contains("SECRET"), "{err}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn not_logged_in_is_recognised() {
        let status = std::process::Command::new("false").status().unwrap();
        let label = "az account get-access-token";
        let m = failure_message(
            label,
            &status,
            b"ERROR: Please run 'az login' to setup account.\n",
        );
        assert!(m.contains("not logged in"), "{m}");
        let m = failure_message(label, &status, b"ERROR: boom\n");
        assert!(m.contains("failed") && m.contains("boom"), "{m}");
    }

    #[test]
    fn the_subscription_comes_from_the_resource_id() {
        assert_eq!(
            subscription_of("/subscriptions/s-1/resourceGroups/rg/providers/x").as_deref(),
            Some("s-1")
        );
        assert_eq!(subscription_of("/resourceGroups/rg"), None);
        assert_eq!(subscription_of(""), None);
    }

    #[test]
    fn local_times_convert_with_the_system_zone() {
        let naive =
            NaiveDateTime::parse_from_str("2024-06-01 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let want = Local.from_local_datetime(&naive).earliest().unwrap();
        assert_eq!(local_to_system_time(&naive), SystemTime::from(want));
    }
}
