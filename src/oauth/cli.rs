//! `databricks-cli`: tokens of the Databricks CLI's own sign-in (`databricks auth login`),
//! from `databricks auth token`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::error::AuthError;
use crate::token::process::{CliRunner, find_program, stderr_text};
use crate::token::{AccessToken, CachedToken, TokenFetcher, TokenHeaders};
use crate::{Clock, Error, Result, SensitiveString, SystemClock};

/// The `auth_type` name of this method.
const METHOD: &str = "databricks-cli";

/// A smaller `databricks` is the legacy Python CLI, which has no `auth token` (both official
/// SDKs skip it).
const MIN_CLI_SIZE: u64 = 1024 * 1024;

/// The first CLI version whose `auth token` takes `--profile`.
const PROFILE_SINCE: (u64, u64, u64) = (0, 207, 1);

/// The Databricks CLI's sign-in (`databricks auth login`, which writes a profile with
/// `auth_type = databricks-cli`); for [`crate::Auth::databricks_cli`].
///
/// Each token comes from `databricks auth token --host <host>` — or `--profile <name>` when a
/// profile is named and the CLI (asked once with `databricks version`) is 0.207.1 or later —
/// which prints `{"access_token", "token_type", "expiry"}` (RFC 3339). It is cached until 40 s
/// before it expires. The CLI is `DATABRICKS_CLI_PATH` when set, else `databricks` on the
/// `PATH`; a `databricks` under 1 MiB is the legacy Python CLI and is not used. A missing CLI,
/// or one that is not signed in to the workspace, gives an [`Error::Auth`] that says so.
#[derive(Clone)]
#[must_use]
pub struct DatabricksCli {
    host: String,
    profile: Option<String>,
    cli_path: Option<String>,
    search_path: Option<OsString>,
    pub(crate) environment: Option<Arc<HashMap<String, String>>>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl DatabricksCli {
    /// The CLI's sign-in for the workspace at `host`.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            profile: None,
            cli_path: None,
            search_path: None,
            environment: None,
            timeout: crate::defaults::CLI_TIMEOUT,
            clock: Arc::new(SystemClock),
        }
    }

    /// The profile of `~/.databrickscfg` the CLI signed in to (`--profile`). Not set by
    /// default (`--host`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// The CLI executable (`DATABRICKS_CLI_PATH`): a path, or a name looked up on the
    /// search path. Defaults to `databricks`.
    pub fn cli_path(mut self, path: impl Into<String>) -> Self {
        self.cli_path = Some(path.into());
        self
    }

    /// The directories searched for the CLI, in `PATH` syntax; the CLI also gets it as its
    /// `PATH`. Defaults to the `PATH` of the process.
    pub fn search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// How long one CLI run may take before it is killed. Defaults to 60 s
    /// ([`crate::defaults::CLI_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The clock that dates token expiries. Defaults to [`SystemClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub(crate) fn into_headers(self) -> Result<TokenHeaders> {
        let host = crate::client::base_url(&self.host)?;
        let runner = CliRunner::new(METHOD, self.search_path, self.environment, self.timeout);
        let fetcher = CliFetcher {
            host,
            profile: self.profile,
            cli_path: self.cli_path,
            runner,
            version: Mutex::new(None),
        };
        let bearer = CachedToken::new(METHOD, Box::new(fetcher), self.clock);
        Ok(TokenHeaders::bearer(METHOD, bearer))
    }
}

impl fmt::Debug for DatabricksCli {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabricksCli")
            .field("host", &self.host)
            .field("profile", &self.profile)
            .field("cli_path", &self.cli_path)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct CliFetcher {
    /// `https://host`.
    host: String,
    profile: Option<String>,
    cli_path: Option<String>,
    runner: CliRunner,
    /// `databricks version`, asked once (only when a profile is named).
    version: Mutex<Option<Option<(u64, u64, u64)>>>,
}

fn auth_error(reason: impl Into<String>) -> Error {
    AuthError::new(METHOD, reason).into()
}

impl CliFetcher {
    /// The CLI executable: `DATABRICKS_CLI_PATH` or `databricks` on the search path, not the
    /// legacy Python CLI.
    fn program(&self) -> Result<PathBuf> {
        let name = self.cli_path.as_deref().unwrap_or("databricks");
        let found = if name.contains('/') || name.contains(std::path::MAIN_SEPARATOR) {
            Some(PathBuf::from(name)).filter(|p| p.is_file())
        } else {
            let exe = format!("{name}.exe");
            let names: &[&str] = if cfg!(windows) {
                &[name, &exe]
            } else {
                &[name]
            };
            find_program(names, self.runner.search_path.as_deref())
        };
        let program = found.ok_or_else(|| {
            auth_error(format!(
                "the Databricks CLI (`{name}`) was not found{}; install it and run \
                 `databricks auth login --host {}`, or use another authentication method",
                if self.cli_path.is_some() {
                    ""
                } else {
                    " on PATH"
                },
                self.host
            ))
        })?;
        let real = std::fs::canonicalize(&program).unwrap_or_else(|_| program.clone());
        let size = std::fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
        if size < MIN_CLI_SIZE {
            return Err(auth_error(format!(
                "{} is the legacy Databricks CLI (under 1 MiB), which cannot sign in; install \
                 the Databricks CLI 0.100 or later",
                program.display()
            )));
        }
        Ok(program)
    }

    /// The CLI's version, if it tells.
    fn version(&self, program: &Path) -> Option<(u64, u64, u64)> {
        let mut cached = self.version.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(version) = *cached {
            return version;
        }
        let version = self
            .runner
            .run(program, &["version"], "databricks version")
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| parse_version(&String::from_utf8_lossy(&out.stdout)));
        log::debug!(target: crate::LOG_TARGET, "databricks-cli: version {version:?}");
        *cached = Some(version);
        version
    }
}

/// `Databricks CLI v0.250.0` → `(0, 250, 0)`.
fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let text = text.trim();
    let version = text.strip_prefix("Databricks CLI v").unwrap_or(text);
    let version = version.trim_start_matches('v');
    let core = version.split(['-', '+', ' ']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

impl TokenFetcher for CliFetcher {
    fn fetch(&self, _clock: &dyn Clock) -> Result<AccessToken> {
        let program = self.program()?;
        let mut args = vec!["auth", "token"];
        match &self.profile {
            Some(profile) if self.version(&program).is_some_and(|v| v >= PROFILE_SINCE) => {
                args.extend(["--profile", profile.as_str()]);
            }
            _ => args.extend(["--host", self.host.as_str()]),
        }
        let output = self.runner.run(&program, &args, "databricks auth token")?;
        if !output.status.success() {
            let text = stderr_text(&output.stderr);
            let lower = text.to_ascii_lowercase();
            let not_logged_in = [
                "auth login",
                "not logged in",
                "oauth is not",
                "no configuration file",
                "cannot load",
            ]
            .iter()
            .any(|marker| lower.contains(marker));
            return Err(auth_error(if not_logged_in {
                format!(
                    "not logged in to the Databricks CLI for {} (run `databricks auth login --host {}`): {text}",
                    self.host, self.host
                )
            } else {
                format!("`databricks auth token` failed ({}): {text}", output.status)
            }));
        }
        let token = parse_output(&output.stdout)?;
        log::debug!(
            target: crate::LOG_TARGET,
            "databricks-cli: new token, expires at {}",
            crate::token::exchange::expiry(&token)
        );
        Ok(token)
    }
}

/// `access_token` and `expiry` (RFC 3339, nanoseconds allowed) from the JSON the CLI prints.
/// The output holds the token: messages never quote it.
fn parse_output(stdout: &[u8]) -> Result<AccessToken> {
    let bad = |why: &str| {
        auth_error(format!(
            "unexpected output of `databricks auth token`: {why}"
        ))
    };
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(stdout) else {
        return Err(bad("not a JSON object"));
    };
    let token = map
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| bad("no valid access_token"))?;
    let expiry = map
        .get("expiry")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no expiry"))?;
    let expires_at = chrono::DateTime::parse_from_rfc3339(expiry.trim())
        .map_err(|_| bad(&format!("cannot read expiry `{expiry}`")))?;
    Ok(AccessToken {
        value: SensitiveString::new(token),
        expires_at: SystemTime::from(expires_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(
            parse_version("Databricks CLI v0.250.0\n"),
            Some((0, 250, 0))
        );
        assert_eq!(
            parse_version("Databricks CLI v0.207.1-dev+abc"),
            Some((0, 207, 1))
        );
        assert_eq!(parse_version("Databricks CLI v0.0.0-dev"), Some((0, 0, 0)));
        assert_eq!(parse_version("garbage"), None);
        assert!(Some((0, 207, 1)) >= Some(PROFILE_SINCE));
        assert!((0, 99, 9) < PROFILE_SINCE);
    }

    #[test]
    fn rfc3339_expiry_with_nanoseconds() {
        let out = br#"{"access_token":"dbx.tok","token_type":"Bearer","expiry":"2026-03-20T10:30:00.123456789+01:00"}"#;
        let token = parse_output(out).unwrap();
        assert_eq!(token.value.expose(), "dbx.tok");
        let want = chrono::DateTime::parse_from_rfc3339("2026-03-20T09:30:00.123456789Z").unwrap();
        assert_eq!(token.expires_at, SystemTime::from(want));
        for bad in [
            &br#"{"access_token":"SECRET"}"#[..],
            br#"{"access_token":"SECRET","expiry":"tomorrow"}"#,
            b"SECRET",
        ] {
            let err = parse_output(bad).unwrap_err().to_string();
            assert!(!err.contains("SECRET"), "{err}");
        }
    }
}
