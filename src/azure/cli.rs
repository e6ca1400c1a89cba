//! Azure CLI: tokens of the account signed in with `az login`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{Local, LocalResult, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::AZURE_DATABRICKS_RESOURCE_ID;
use super::cache::{AccessToken, CachedToken, TokenFetcher};
use super::headers::AzureHeaders;
use super::options::{AzureOptions, azure_option_setters};
use super::process::{RunError, find_az, run};
use crate::Clock;
use crate::error::AuthError;
use crate::{Error, Result, SensitiveString};

/// The `auth_type` name of this method.
const METHOD: &str = "azure-cli";

/// Longest part of `az`'s error output kept in an error message.
const MAX_STDERR: usize = 400;

/// The account signed in to the Azure CLI (`az login`); for [`crate::Auth::azure_cli`].
///
/// Each token comes from `az account get-access-token --resource
/// 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --output json` (plus `--tenant <id>` when a tenant is
/// set); it is cached and refreshed 40 s before it expires. Both expiry formats of the CLI are
/// understood: `expires_on` (epoch seconds, az 2.54 and later) and `expiresOn` (local time).
/// A missing `az`, or an account that is not signed in, gives an [`Error::Auth`] that says so.
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

    pub(crate) fn into_headers(self) -> Result<AzureHeaders> {
        if let Some(tenant) = &self.tenant_id {
            super::check_tenant(METHOD, tenant)?;
        }
        let search_path = self
            .search_path
            .clone()
            .or_else(|| match &self.environment {
                Some(env) => env.get("PATH").map(OsString::from),
                None => std::env::var_os("PATH"),
            });
        let fetcher = CliFetcher {
            resource: AZURE_DATABRICKS_RESOURCE_ID.to_string(),
            tenant_id: self.tenant_id.clone(),
            search_path,
            environment: self.environment.clone(),
            timeout: self.timeout,
        };
        let bearer = CachedToken::new(METHOD, Box::new(fetcher), self.options.clock.clone());
        AzureHeaders::new(
            METHOD,
            bearer,
            None,
            self.options.workspace_resource_id.as_deref(),
        )
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

/// Runs `az account get-access-token` for one resource.
struct CliFetcher {
    resource: String,
    tenant_id: Option<String>,
    search_path: Option<OsString>,
    environment: Option<Arc<HashMap<String, String>>>,
    timeout: Duration,
}

impl fmt::Debug for CliFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliFetcher")
            .field("resource", &self.resource)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

fn auth_error(reason: String) -> Error {
    AuthError::new(METHOD, reason).into()
}

impl TokenFetcher for CliFetcher {
    fn fetch(&self, _clock: &dyn Clock) -> Result<AccessToken> {
        let program = find_az(self.search_path.as_deref()).ok_or_else(|| {
            auth_error(
                "the Azure CLI (`az`) was not found on PATH; install it and run \
                 `az login`, or use another authentication method"
                    .into(),
            )
        })?;
        let mut args = vec![
            "account",
            "get-access-token",
            "--resource",
            &self.resource,
            "--output",
            "json",
        ];
        if let Some(tenant) = &self.tenant_id {
            args.extend(["--tenant", tenant.as_str()]);
        }
        let mut command = Command::new(&program);
        command.args(&args);
        if let Some(env) = &self.environment {
            command.env_clear().envs(env.iter());
        }
        if let Some(path) = &self.search_path {
            command.env("PATH", path);
        }
        let output = run(command, self.timeout).map_err(|e| match e {
            RunError::Spawn(e) => {
                AuthError::new(METHOD, format!("cannot run {}", program.display()))
                    .with_source(e)
                    .into()
            }
            RunError::Timeout => auth_error(format!(
                "`az account get-access-token` did not finish within {} s",
                self.timeout.as_secs_f32()
            )),
        })?;
        if !output.status.success() {
            return Err(auth_error(failure_message(&output.status, &output.stderr)));
        }
        let token = parse_output(&output.stdout, local_to_system_time)?;
        log::debug!(
            target: crate::LOG_TARGET,
            "azure-cli: new token for resource {}, expires at {}",
            self.resource,
            super::http::expiry(&token)
        );
        Ok(token)
    }
}

/// The error of a failed `az` run: "not logged in" when it says so, with its first lines.
fn failure_message(status: &ExitStatus, stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = crate::error::truncate(&text, MAX_STDERR);
    let lower = text.to_ascii_lowercase();
    let not_logged_in = lower.contains("az login")
        || lower.contains("no subscription found")
        || lower.contains("not logged in");
    if not_logged_in {
        format!("not logged in to the Azure CLI (run `az login`): {text}")
    } else {
        format!("`az account get-access-token` failed ({status}): {text}")
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
        let m = failure_message(&status, b"ERROR: Please run 'az login' to setup account.\n");
        assert!(m.contains("not logged in"), "{m}");
        let m = failure_message(&status, b"ERROR: boom\n");
        assert!(m.contains("failed") && m.contains("boom"), "{m}");
    }

    #[test]
    fn local_times_convert_with_the_system_zone() {
        let naive =
            NaiveDateTime::parse_from_str("2024-06-01 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let want = Local.from_local_datetime(&naive).earliest().unwrap();
        assert_eq!(local_to_system_time(&naive), SystemTime::from(want));
    }
}
