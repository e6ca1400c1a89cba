//! The sign-in methods of 2026 workspaces, each against a fake token endpoint (httpmock) or a
//! fake CLI script: the exact token requests, caching, refresh, errors when inputs are missing
//! or wrong, and that no secret appears in any message or log line. No real network, no real
//! environment, no real home directory.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use azure_databricks_sdk::{
    AZURE_DATABRICKS_RESOURCE_ID, Auth, Client, Clock, Config, DatabricksCli, OAuthM2m,
};
use common::fake_cli::{FakeCli, path_with};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, Mock};
use serde_json::json;

const CLIENT_ID: &str = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";
const SECRET: &str = "dose0123456789abcdef0123456789ab";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const MANAGEMENT: &str = "https://management.core.windows.net/";
const SP_HEADER: &str = "x-databricks-azure-sp-management-token";

// ---------------------------------------------------------------------------------------------
// helpers

/// Every log line of this test binary, to check that none holds a secret.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        // The SDK's records (httpmock logs the requests it receives, secrets included).
        if record.target().starts_with("azure_databricks_sdk") {
            lines().push(format!("{}", record.args()));
        }
    }
    fn flush(&self) {}
}

fn capture_logs() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
}

fn lines() -> std::sync::MutexGuard<'static, Vec<String>> {
    LINES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn assert_never_logged(secret: &str) {
    let lines = lines();
    assert!(!lines.is_empty(), "the SDK logs");
    assert!(
        lines.iter().all(|l| !l.contains(secret)),
        "a log line holds a secret"
    );
}

/// A wall clock that only moves when told (or slept on): token expiries and retries.
#[derive(Debug)]
struct Wall {
    start: std::time::Instant,
    elapsed: Mutex<Duration>,
}

impl Wall {
    fn new() -> Arc<Wall> {
        Arc::new(Wall {
            start: std::time::Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        })
    }
    fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap() += by;
    }
}

impl Clock for Wall {
    fn now(&self) -> std::time::Instant {
        self.start + *self.elapsed.lock().unwrap()
    }
    fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
    fn wall_time(&self) -> SystemTime {
        SystemTime::now() + *self.elapsed.lock().unwrap()
    }
}

/// The form body of a request as sorted pairs.
fn form(req: &HttpMockRequest) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = form_pairs(req.body_ref());
    pairs.sort();
    pairs
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(
                    u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16)
                        .unwrap(),
                );
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn sorted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// `clusters/list` answered only with `Authorization: Bearer <token>` (and the management
/// token when given).
fn workspace_mock<'a>(server: &'a MockServer, token: &str, management: Option<&str>) -> Mock<'a> {
    let (token, management) = (token.to_string(), management.map(str::to_string));
    server.mock(move |when, then| {
        let mut when = when
            .method(GET)
            .path("/api/2.1/clusters/list")
            .header("authorization", format!("Bearer {token}"));
        when = match &management {
            Some(m) => when.header(SP_HEADER, m.clone()),
            None => when.header_missing(SP_HEADER),
        };
        let _ = when;
        then.status(200).body("{}");
    })
}

/// An environment with a `HOME` of its own (no real `~/.databrickscfg`) and an empty `PATH`.
fn env(home: &tempfile::TempDir, pairs: &[(&str, &str)]) -> HashMap<String, String> {
    let mut env = common::env(pairs);
    env.insert("HOME".into(), home.path().display().to_string());
    env.entry("PATH".into())
        .or_insert_with(|| home.path().join("no-bin").display().to_string());
    env
}

/// A configuration builder of `env(home, pairs)` that ignores proxy variables.
fn builder(
    home: &tempfile::TempDir,
    pairs: &[(&str, &str)],
) -> azure_databricks_sdk::ConfigBuilder {
    Config::builder().environment(env(home, pairs)).no_proxy()
}

/// The configuration of `env(home, pairs)`.
fn resolve(home: &tempfile::TempDir, pairs: &[(&str, &str)]) -> Config {
    builder(home, pairs).build().unwrap()
}

fn client_of(config: &Config) -> Client {
    Client::from_config(config).unwrap()
}

// ---------------------------------------------------------------------------------------------
// oauth-m2m

fn basic() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"))
    )
}

fn m2m_token_mock<'a>(
    server: &'a MockServer,
    path: &str,
    token: &str,
    expires_in: u64,
) -> Mock<'a> {
    let token = token.to_string();
    let path = path.to_string();
    server.mock(move |when, then| {
        when.method(POST)
            .path(path)
            .header("authorization", basic())
            .header("content-type", "application/x-www-form-urlencoded")
            .is_true(|req: &HttpMockRequest| {
                form(req) == sorted(&[("grant_type", "client_credentials"), ("scope", "all-apis")])
            });
        then.status(200).json_body(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": "all-apis",
        }));
    })
}

fn m2m_config(server: &MockServer, home: &tempfile::TempDir) -> Config {
    resolve(
        home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_CLIENT_ID", CLIENT_ID),
            ("DATABRICKS_CLIENT_SECRET", SECRET),
        ],
    )
}

#[test]
fn oauth_m2m_discovers_the_endpoint_and_sends_client_credentials_once_for_many_calls() {
    capture_logs();
    let server = MockServer::start();
    let discovery = server.mock(|when, then| {
        when.method(GET)
            .path("/oidc/.well-known/oauth-authorization-server");
        then.status(200).json_body(json!({
            "issuer": server.url("/oidc"),
            "token_endpoint": server.url("/oidc/v1/custom-token"),
        }));
    });
    let token = m2m_token_mock(&server, "/oidc/v1/custom-token", "m2m.access.token", 3600);
    let list = workspace_mock(&server, "m2m.access.token", None);
    let home = tempfile::tempdir().unwrap();
    let config = m2m_config(&server, &home);
    assert_eq!(config.auth().unwrap().method(), "oauth-m2m");
    let client = client_of(&config);
    assert!(!format!("{config:?} {client:?}").contains(SECRET));
    for _ in 0..5 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(5);
    discovery.assert_calls(1);
    token.assert_calls(1);
    assert_never_logged(SECRET);
    assert_never_logged("m2m.access.token");
}

#[test]
fn oauth_m2m_falls_back_to_oidc_v1_token_without_a_discovery_document() {
    let server = MockServer::start();
    let discovery = server.mock(|when, then| {
        when.method(GET)
            .path("/oidc/.well-known/oauth-authorization-server");
        then.status(404)
            .json_body(json!({"error_code": "ENDPOINT_NOT_FOUND", "message": "no"}));
    });
    let token = m2m_token_mock(&server, "/oidc/v1/token", "fallback.token", 3600);
    let list = workspace_mock(&server, "fallback.token", None);
    let home = tempfile::tempdir().unwrap();
    client_of(&m2m_config(&server, &home))
        .clusters()
        .list()
        .unwrap();
    discovery.assert();
    token.assert();
    list.assert();
}

#[test]
fn oauth_m2m_takes_the_oidc_endpoint_from_the_host_metadata() {
    let server = MockServer::start();
    // As a workspace (and the official SDKs' fixtures) answer it.
    let metadata = server.mock(|when, then| {
        when.method(GET)
            .path("/.well-known/databricks-config")
            .header_missing("authorization");
        then.status(200).json_body(json!({
            "oidc_endpoint": server.url("/oidc/accounts/{account_id}"),
            "account_id": "a-1",
            "workspace_id": "1234567890123456",
            "cloud": "Azure",
        }));
    });
    let discovery = server.mock(|when, then| {
        when.method(GET)
            .path("/oidc/accounts/a-1/.well-known/oauth-authorization-server");
        then.status(200).json_body(json!({
            "token_endpoint": server.url("/oidc/accounts/a-1/v1/token"),
        }));
    });
    let workspace_discovery = server.mock(|when, then| {
        when.method(GET)
            .path("/oidc/.well-known/oauth-authorization-server");
        then.status(500);
    });
    let token = m2m_token_mock(&server, "/oidc/accounts/a-1/v1/token", "hm.token", 3600);
    let list = workspace_mock(&server, "hm.token", None);
    let home = tempfile::tempdir().unwrap();
    let client = client_of(&m2m_config(&server, &home));
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    metadata.assert_calls(1);
    discovery.assert_calls(1);
    workspace_discovery.assert_calls(0);
    token.assert_calls(1);
    list.assert_calls(2);
}

#[test]
fn host_metadata_pointing_to_another_host_is_ignored() {
    let server = MockServer::start();
    let metadata = server.mock(|when, then| {
        when.method(GET).path("/.well-known/databricks-config");
        then.status(200)
            .json_body(json!({"oidc_endpoint": "https://login.example.com/oidc"}));
    });
    let discovery = server.mock(|when, then| {
        when.method(GET)
            .path("/oidc/.well-known/oauth-authorization-server");
        then.status(200)
            .json_body(json!({"token_endpoint": server.url("/oidc/v1/token")}));
    });
    let token = m2m_token_mock(&server, "/oidc/v1/token", "own.token", 3600);
    let list = workspace_mock(&server, "own.token", None);
    let home = tempfile::tempdir().unwrap();
    client_of(&m2m_config(&server, &home))
        .clusters()
        .list()
        .unwrap();
    metadata.assert();
    discovery.assert();
    token.assert();
    list.assert();
}

#[test]
fn oauth_m2m_refreshes_40_seconds_before_expiry_and_retries_a_429() {
    let server = MockServer::start();
    let clock = Wall::new();
    let mut throttled = server.mock(|when, then| {
        when.method(POST).path("/oidc/v1/token");
        then.status(429)
            .header("retry-after", "2")
            .json_body(json!({"error": "slow_down"}));
    });
    let sp = OAuthM2m::new(server.base_url(), CLIENT_ID, SECRET)
        .token_endpoint(server.url("/oidc/v1/token"))
        .clock(clock.clone())
        .no_proxy();
    let client = Client::builder(server.base_url())
        .auth(Auth::oauth_m2m(sp).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    // 429 five times: the token request gives up, saying why, without the secret.
    let err = client.clusters().list().unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("oauth-m2m") && text.contains("429"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    throttled.assert_calls(5);
    throttled.delete();

    let token = m2m_token_mock(&server, "/oidc/v1/token", "short.lived", 600);
    let list = workspace_mock(&server, "short.lived", None);
    client.clusters().list().unwrap();
    clock.advance(Duration::from_secs(600 - 41));
    client.clusters().list().unwrap();
    token.assert_calls(1);
    clock.advance(Duration::from_secs(1));
    client.clusters().list().unwrap();
    token.assert_calls(2);
    list.assert_calls(3);
}

#[test]
fn oauth_m2m_invalid_client_is_clear_and_missing_inputs_are_named() {
    capture_logs();
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oidc/v1/token");
        then.status(401).json_body(json!({
            "error": "invalid_client",
            "error_description": format!("Client authentication failed for secret {SECRET}"),
        }));
    });
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_CLIENT_ID", CLIENT_ID),
            ("DATABRICKS_CLIENT_SECRET", SECRET),
        ],
    );
    let err = client_of(&config).clusters().list().unwrap_err();
    let text = format!("{err} | {err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert_never_logged(SECRET);

    let config = builder(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_CLIENT_ID", CLIENT_ID),
        ],
    )
    .auth_type("oauth-m2m")
    .build()
    .unwrap();
    let err = config.auth().unwrap_err().to_string();
    assert!(
        err.ends_with("but client_secret (DATABRICKS_CLIENT_SECRET) is not set"),
        "{err}"
    );
}

#[test]
fn an_oauth_secret_and_a_token_are_ambiguous() {
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", "adb-1.2.azuredatabricks.net"),
            ("DATABRICKS_TOKEN", "dapi123"),
            ("DATABRICKS_CLIENT_ID", CLIENT_ID),
            ("DATABRICKS_CLIENT_SECRET", SECRET),
        ],
    );
    let err = config.auth().unwrap_err().to_string();
    assert!(err.contains("pat (token from env DATABRICKS_TOKEN) and oauth-m2m (client_secret from env DATABRICKS_CLIENT_SECRET)"), "{err}");
    assert!(!err.contains(SECRET) && !err.contains("dapi123"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// env-oidc and file-oidc

fn exchange_mock<'a>(
    server: &'a MockServer,
    subject: &str,
    token: &str,
    client_id: Option<&str>,
) -> Mock<'a> {
    let mut want = vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", subject),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        ("scope", "all-apis"),
    ];
    if let Some(id) = client_id {
        want.push(("client_id", id));
    }
    let want = sorted(&want);
    let token = token.to_string();
    server.mock(move |when, then| {
        when.method(POST)
            .path("/oidc/v1/token")
            .header_missing("authorization")
            .is_true(move |req: &HttpMockRequest| form(req) == want);
        then.status(200)
            .json_body(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}));
    })
}

#[test]
fn env_oidc_exchanges_the_id_token_with_the_service_principal() {
    capture_logs();
    let server = MockServer::start();
    let exchange = exchange_mock(&server, "ci.id.jwt", "federated.token", Some(CLIENT_ID));
    let list = workspace_mock(&server, "federated.token", None);
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_CLIENT_ID", CLIENT_ID),
            ("DATABRICKS_OIDC_TOKEN", "ci.id.jwt"),
        ],
    );
    assert!(!format!("{config:?}").contains("ci.id.jwt"));
    let client = client_of(&config);
    assert_eq!(client.auth_method(), "env-oidc");
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    exchange.assert_calls(1);
    list.assert_calls(2);
    assert_never_logged("ci.id.jwt");

    // DATABRICKS_OIDC_TOKEN_ENV names another variable; no client id: account-wide federation.
    let other = exchange_mock(&server, "other.jwt", "federated.token", None);
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_OIDC_TOKEN_ENV", "MY_CI_TOKEN"),
            ("MY_CI_TOKEN", "other.jwt"),
        ],
    );
    client_of(&config).clusters().list().unwrap();
    other.assert();
}

#[test]
fn file_oidc_reads_the_token_file_again_for_each_exchange() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "first.jwt\n").unwrap();
    let first = exchange_mock(&server, "first.jwt", "t1", None);
    let clock = Wall::new();
    let home = tempfile::tempdir().unwrap();
    let path = file.display().to_string();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_OIDC_TOKEN_FILEPATH", &path),
        ],
    );
    assert_eq!(config.auth().unwrap().method(), "file-oidc");
    let oidc = azure_databricks_sdk::OidcToken::from_file(server.base_url(), &file)
        .clock(clock.clone())
        .no_proxy();
    let client = Client::builder(server.base_url())
        .auth(Auth::oidc_token(oidc).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    workspace_mock(&server, "t1", None);
    client.clusters().list().unwrap();
    first.assert();
    std::fs::write(&file, "second.jwt").unwrap();
    let second = exchange_mock(&server, "second.jwt", "t2", None);
    workspace_mock(&server, "t2", None);
    clock.advance(Duration::from_secs(3600));
    client.clusters().list().unwrap();
    second.assert();

    std::fs::remove_file(&file).unwrap();
    clock.advance(Duration::from_secs(3600));
    let err = client.clusters().list().unwrap_err().to_string();
    assert!(err.contains("cannot read the token file"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// databricks-cli

/// RFC 3339 time `seconds` from now, with nanoseconds, as the CLI prints it.
fn rfc3339_in(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A `databricks` of more than 1 MiB: `version` prints `version`, `auth token` prints a token
/// (or runs `auth_token`).
fn fake_databricks(version: &str, auth_token: &str) -> FakeCli {
    let body = format!(
        "case \"$1\" in\n  version) echo 'Databricks CLI {version}' ;;\n  auth)\n{auth_token}\n;;\nesac"
    );
    FakeCli::padded("databricks", &body, 1024 * 1024 + 10)
}

fn printing_token(token: &str) -> String {
    let answer = json!({"access_token": token, "token_type": "Bearer", "expiry": rfc3339_in(3600)});
    format!("cat <<'EOF'\n{answer}\nEOF")
}

#[test]
fn databricks_cli_runs_auth_token_with_the_host_and_caches_the_token() {
    let cli = fake_databricks("v0.250.0", &printing_token("cli.oauth.token"));
    let server = MockServer::start();
    let list = workspace_mock(&server, "cli.oauth.token", None);
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_AUTH_TYPE", "databricks-cli"),
            ("PATH", &path_with(cli.path())),
        ],
    );
    let client = client_of(&config);
    assert!(
        cli.calls().is_empty(),
        "a pinned method runs nothing before the first call"
    );
    for _ in 0..3 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(3);
    assert_eq!(
        cli.calls(),
        [format!("auth token --host {}", server.base_url())]
    );
}

#[test]
fn databricks_cli_uses_the_profile_when_the_cli_knows_it() {
    let server = MockServer::start();
    workspace_mock(&server, "profile.token", None);
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".databrickscfg"),
        format!(
            "[me]\nhost = {}\nauth_type = databricks-cli\n",
            server.base_url()
        ),
    )
    .unwrap();
    for (version, want) in [
        ("v0.250.0", "auth token --profile me".to_string()),
        (
            "v0.200.0",
            format!("auth token --host {}", server.base_url()),
        ),
    ] {
        let cli = fake_databricks(version, &printing_token("profile.token"));
        let config = resolve(
            &home,
            &[
                ("DATABRICKS_CONFIG_PROFILE", "me"),
                ("PATH", &path_with(cli.path())),
            ],
        );
        client_of(&config).clusters().list().unwrap();
        assert_eq!(cli.calls(), ["version".to_string(), want], "{version}");
    }
}

#[test]
fn databricks_cli_path_legacy_cli_and_not_logged_in_are_reported() {
    let server = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let run = |pairs: &[(&str, &str)]| -> String {
        let mut pairs = pairs.to_vec();
        let host = server.base_url();
        pairs.push(("DATABRICKS_HOST", &host));
        pairs.push(("DATABRICKS_AUTH_TYPE", "databricks-cli"));
        let config = resolve(&home, &pairs);
        format!("{:?}", client_of(&config).clusters().list().unwrap_err())
    };
    // DATABRICKS_CLI_PATH names the executable: it is run even off the PATH.
    let elsewhere = fake_databricks("v0.250.0", &printing_token("path.token"));
    workspace_mock(&server, "path.token", None);
    let config = builder(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            (
                "DATABRICKS_CLI_PATH",
                &elsewhere.program().display().to_string(),
            ),
            ("PATH", "/usr/bin:/bin"),
        ],
    )
    .auth_type("databricks-cli")
    .no_proxy()
    .build()
    .unwrap();
    client_of(&config).clusters().list().unwrap();
    assert_eq!(elsewhere.calls().len(), 1);

    let legacy = FakeCli::new("databricks", "echo '{}'");
    let err = run(&[("PATH", &path_with(legacy.path()))]);
    assert!(err.contains("legacy Databricks CLI (under 1 MiB)"), "{err}");
    assert!(legacy.calls().is_empty(), "the legacy CLI is never run");

    let logged_out = fake_databricks(
        "v0.250.0",
        "echo 'Error: cannot load OAuth token for host. Try logging in again with `databricks auth login --host x`' >&2; exit 1",
    );
    let err = run(&[("PATH", &path_with(logged_out.path()))]);
    assert!(err.contains("not logged in to the Databricks CLI"), "{err}");
    assert!(err.contains("cannot load OAuth token"), "{err}");

    let missing = tempfile::tempdir().unwrap();
    let err = run(&[("PATH", &missing.path().display().to_string())]);
    assert!(
        err.contains("the Databricks CLI (`databricks`) was not found on PATH"),
        "{err}"
    );
}

#[test]
fn the_chain_tries_the_databricks_cli_and_moves_on_when_it_is_not_signed_in() {
    let cli = fake_databricks(
        "v0.250.0",
        "echo 'Error: databricks OAuth is not configured for this host' >&2; exit 1",
    );
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", "https://adb-1.2.azuredatabricks.net"),
            ("PATH", &path_with(cli.path())),
        ],
    );
    let err = format!("{:?}", config.auth().unwrap_err());
    assert!(err.contains("databricks-cli: failed, not logged in to the Databricks CLI for https://adb-1.2.azuredatabricks.net"), "{err}");
    assert!(err.contains("azure-cli: failed"), "{err}");

    let cli = fake_databricks("v0.250.0", &printing_token("chain.token"));
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", "https://adb-1.2.azuredatabricks.net"),
            ("PATH", &path_with(cli.path())),
        ],
    );
    assert_eq!(config.auth().unwrap().method(), "databricks-cli");
    assert_eq!(cli.calls().len(), 1, "tried once, the token kept");
    let _ = DatabricksCli::new("h"); // public in code too
}

// ---------------------------------------------------------------------------------------------
// github-oidc-azure and AKS workload identity

fn aad_answer(token: &str) -> serde_json::Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"token_type": "Bearer", "expires_on": (now + 3600).to_string(), "access_token": token})
}

#[test]
fn github_oidc_azure_sends_the_github_id_token_as_client_assertion() {
    capture_logs();
    let github = MockServer::start();
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let id_token = github.mock(|when, then| {
        when.method(GET)
            .path("/token")
            .query_param("api-version", "2.0")
            .query_param("audience", "api://AzureADTokenExchange")
            .header("authorization", "Bearer gh-request-token");
        then.status(200).json_body(json!({"value": "gh.id.jwt"}));
    });
    let tokens: Vec<Mock> = [
        (AZURE_DATABRICKS_RESOURCE_ID, "aad.dbx"),
        (MANAGEMENT, "aad.mgmt"),
    ]
    .into_iter()
    .map(|(resource, token)| {
        let want = sorted(&[
            ("grant_type", "client_credentials"),
            ("resource", resource),
            ("client_id", CLIENT_ID),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", "gh.id.jwt"),
        ]);
        aad.mock(move |when, then| {
            when.method(POST)
                .path(format!("/{TENANT}/oauth2/token"))
                .is_true(move |req: &HttpMockRequest| form(req) == want);
            then.status(200).json_body(aad_answer(token));
        })
    })
    .collect();
    let list = workspace_mock(&workspace, "aad.dbx", Some("aad.mgmt"));
    let home = tempfile::tempdir().unwrap();
    let config = builder(
        &home,
        &[
            ("DATABRICKS_HOST", &workspace.base_url()),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                &github.url("/token?api-version=2.0"),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
            ("ARM_CLIENT_ID", CLIENT_ID),
            ("ARM_TENANT_ID", TENANT),
        ],
    )
    .azure_authority(aad.base_url())
    .no_proxy()
    .build()
    .unwrap();
    let client = client_of(&config);
    assert_eq!(client.auth_method(), "github-oidc-azure");
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    list.assert_calls(2);
    id_token.assert_calls(2); // one per Azure AD token: GitHub ID tokens are short-lived
    for token in &tokens {
        token.assert_calls(1);
    }
    assert_never_logged("gh-request-token");
    assert_never_logged("gh.id.jwt");
}

#[test]
fn aks_workload_identity_posts_the_federated_token_to_the_v2_endpoint() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azure-identity-token");
    std::fs::write(&file, "k8s.sa.jwt\n").unwrap();
    let scope = format!("{AZURE_DATABRICKS_RESOURCE_ID}/.default");
    let want = sorted(&[
        ("grant_type", "client_credentials"),
        ("scope", &scope),
        ("client_id", CLIENT_ID),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", "k8s.sa.jwt"),
    ]);
    let dbx = aad.mock(move |when, then| {
        when.method(POST)
            .path(format!("/{TENANT}/oauth2/v2.0/token"))
            .is_true(move |req: &HttpMockRequest| form(req) == want);
        then.status(200).json_body(
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "wi.dbx"}),
        );
    });
    let mgmt = aad.mock(|when, then| {
        when.method(POST)
            .path(format!("/{TENANT}/oauth2/v2.0/token"))
            .is_true(|req: &HttpMockRequest| {
                form(req).contains(&(
                    "scope".into(),
                    "https://management.core.windows.net/.default".into(),
                ))
            });
        then.status(200).json_body(
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "wi.mgmt"}),
        );
    });
    let list = workspace_mock(&workspace, "wi.dbx", Some("wi.mgmt"));
    let home = tempfile::tempdir().unwrap();
    // The variables the AKS webhook injects.
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("AZURE_FEDERATED_TOKEN_FILE", &file.display().to_string()),
            ("AZURE_CLIENT_ID", CLIENT_ID),
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_AUTHORITY_HOST", &aad.base_url()),
        ],
    );
    let client = client_of(&config);
    assert_eq!(client.auth_method(), "azure-workload-identity");
    client.clusters().list().unwrap();
    dbx.assert();
    mgmt.assert();
    list.assert();
}

// ---------------------------------------------------------------------------------------------
// Azure: App Service identity, tenant inference, the Azure CLI as a service principal

#[test]
fn app_service_identity_uses_identity_endpoint_and_header() {
    capture_logs();
    let identity = MockServer::start();
    let workspace = MockServer::start();
    for (resource, token) in [
        (AZURE_DATABRICKS_RESOURCE_ID, "as.dbx"),
        (MANAGEMENT, "as.mgmt"),
    ] {
        identity.mock(|when, then| {
            when.method(GET)
                .path("/msi/token")
                .query_param("api-version", "2019-08-01")
                .query_param("resource", resource)
                .header("x-identity-header", "identity-header-secret")
                .header_missing("metadata");
            then.status(200).json_body(aad_answer(token));
        });
    }
    let list = workspace_mock(&workspace, "as.dbx", Some("as.mgmt"));
    let home = tempfile::tempdir().unwrap();
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("ARM_USE_MSI", "true"),
            ("IDENTITY_ENDPOINT", &identity.url("/msi/token")),
            ("IDENTITY_HEADER", "identity-header-secret"),
        ],
    );
    assert!(!format!("{config:?}").contains("identity-header-secret"));
    client_of(&config).clusters().list().unwrap();
    list.assert();
    assert_never_logged("identity-header-secret");
}

#[test]
fn a_client_secret_without_tenant_learns_it_from_the_workspace() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let login = workspace.mock(|when, then| {
        when.method(GET).path("/aad/auth");
        then.status(302).header(
            "location",
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/authorize?client_id=x"),
        );
    });
    for (resource, token) in [
        (AZURE_DATABRICKS_RESOURCE_ID, "sp.dbx"),
        (MANAGEMENT, "sp.mgmt"),
    ] {
        aad.mock(|when, then| {
            when.method(POST)
                .path(format!("/{TENANT}/oauth2/token"))
                .is_true(move |req: &HttpMockRequest| {
                    form(req).contains(&("resource".into(), resource.into()))
                });
            then.status(200).json_body(aad_answer(token));
        });
    }
    let list = workspace_mock(&workspace, "sp.dbx", Some("sp.mgmt"));
    let home = tempfile::tempdir().unwrap();
    let config = builder(
        &home,
        &[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("ARM_CLIENT_ID", CLIENT_ID),
            ("ARM_CLIENT_SECRET", SECRET),
        ],
    )
    .azure_authority(aad.base_url())
    .no_proxy()
    .build()
    .unwrap();
    let client = client_of(&config);
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    login.assert_calls(1);
    list.assert_calls(2);

    // A workspace that does not redirect: the error says to set the tenant.
    let plain = MockServer::start();
    plain.mock(|when, then| {
        when.method(GET).path("/aad/auth");
        then.status(200).body("<html></html>");
    });
    let config = resolve(
        &home,
        &[
            ("DATABRICKS_HOST", &plain.base_url()),
            ("ARM_CLIENT_ID", CLIENT_ID),
            ("ARM_CLIENT_SECRET", SECRET),
        ],
    );
    let err = client_of(&config)
        .clusters()
        .list()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no tenant id: azure_tenant_id (ARM_TENANT_ID) is not set"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "{err}");
}

/// A fake `az`: `account show` prints `account`; `get-access-token` prints a token named
/// after the resource (`dbx` or `mgmt`).
fn fake_az(account: serde_json::Value) -> FakeCli {
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let body = format!(
        r#"case "$2" in
  show) echo '{account}' ;;
  get-access-token)
    case "$4" in
      {AZURE_DATABRICKS_RESOURCE_ID}) t=cli.dbx ;;
      *) t=cli.mgmt ;;
    esac
    echo "{{\"accessToken\": \"$t\", \"expires_on\": {epoch}, \"tokenType\": \"Bearer\"}}" ;;
esac"#
    );
    FakeCli::new("az", &body)
}

fn az_config(
    home: &tempfile::TempDir,
    az: &FakeCli,
    workspace: &MockServer,
    pairs: &[(&str, &str)],
) -> Config {
    let mut pairs = pairs.to_vec();
    let host = workspace.base_url();
    let path = path_with(az.path());
    pairs.extend([
        ("DATABRICKS_HOST", host.as_str()),
        ("PATH", path.as_str()),
        ("DATABRICKS_AUTH_TYPE", "azure-cli"),
    ]);
    resolve(home, &pairs)
}

#[test]
fn azure_cli_signed_in_as_a_service_principal_sends_the_management_token() {
    let az = fake_az(json!({"user": {"name": CLIENT_ID, "type": "servicePrincipal"}}));
    let workspace = MockServer::start();
    let list = workspace_mock(&workspace, "cli.dbx", Some("cli.mgmt"));
    let home = tempfile::tempdir().unwrap();
    let client = client_of(&az_config(
        &home,
        &az,
        &workspace,
        &[("ARM_TENANT_ID", TENANT)],
    ));
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    list.assert_calls(2);
    assert_eq!(
        az.calls(),
        [
            "account show --output json".to_string(),
            format!(
                "account get-access-token --resource {AZURE_DATABRICKS_RESOURCE_ID} --output json --tenant {TENANT}"
            ),
            format!(
                "account get-access-token --resource {MANAGEMENT} --output json --tenant {TENANT}"
            ),
        ]
    );

    // Signed in as a user: no management token, no extra run.
    let az = fake_az(json!({"user": {"name": "me@example.com", "type": "user"}}));
    let list = workspace_mock(&workspace, "cli.dbx", None);
    client_of(&az_config(&home, &az, &workspace, &[]))
        .clusters()
        .list()
        .unwrap();
    list.assert();
    assert_eq!(az.calls().len(), 2, "{:?}", az.calls());
}

#[test]
fn azure_cli_passes_no_tenant_for_a_managed_identity_and_the_subscription_without_tenant() {
    let workspace = MockServer::start();
    workspace_mock(&workspace, "cli.dbx", Some("cli.mgmt"));
    let home = tempfile::tempdir().unwrap();
    let az =
        fake_az(json!({"user": {"name": "systemAssignedIdentity", "type": "servicePrincipal"}}));
    client_of(&az_config(
        &home,
        &az,
        &workspace,
        &[("ARM_TENANT_ID", TENANT)],
    ))
    .clusters()
    .list()
    .unwrap();
    assert!(
        az.calls().iter().all(|c| !c.contains("--tenant")),
        "{:?}",
        az.calls()
    );

    let resource_id = "/subscriptions/3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws";
    let az = fake_az(json!({"user": {"name": "me@example.com", "type": "user"}}));
    let list = workspace.mock(|when, then| {
        when.method(GET)
            .path("/api/2.1/clusters/list")
            .header("x-databricks-azure-workspace-resource-id", resource_id);
        then.status(200).body("{}");
    });
    client_of(&az_config(
        &home,
        &az,
        &workspace,
        &[("DATABRICKS_AZURE_RESOURCE_ID", resource_id)],
    ))
    .clusters()
    .list()
    .unwrap();
    list.assert();
    assert_eq!(
        az.calls()[1],
        format!(
            "account get-access-token --resource {AZURE_DATABRICKS_RESOURCE_ID} --output json --subscription 3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// rate_limit, timeouts, cluster_id

#[test]
fn rate_limit_from_the_profile_paces_the_client_on_its_clock() {
    let server = MockServer::start();
    let list = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(200).body("{}");
    });
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".databrickscfg"),
        format!(
            "[DEFAULT]\nhost = {}\ntoken = dapi1\nrate_limit = 4\nhttp_timeout_seconds = 7\nretry_timeout_seconds = 90\ncluster_id = 0923-164208-meows279\n",
            server.base_url()
        ),
    )
    .unwrap();
    let config = resolve(&home, &[]);
    assert_eq!(config.rate_limit(), Some(4));
    assert_eq!(config.http_timeout(), Some(Duration::from_secs(7)));
    assert_eq!(config.retry_timeout(), Some(Duration::from_secs(90)));
    assert_eq!(config.cluster_id(), Some("0923-164208-meows279"));
    let clock = common::FakeClock::new();
    let client = config
        .client_builder()
        .unwrap()
        .clock(clock.clone())
        .build()
        .unwrap();
    for _ in 0..12 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(12);
    // A burst of 4, then 8 more at 4 per second.
    let slept = clock.slept().as_secs_f64();
    assert!((slept - 2.0).abs() < 0.05, "slept {slept} s");

    // Off unless set.
    let config = builder(&home, &[])
        .host(server.base_url())
        .token("dapi1")
        .no_proxy()
        .build()
        .unwrap();
    assert_eq!(config.rate_limit(), None);
    let clock = common::FakeClock::new();
    let client = config
        .client_builder()
        .unwrap()
        .clock(clock.clone())
        .build()
        .unwrap();
    for _ in 0..12 {
        client.clusters().list().unwrap();
    }
    assert_eq!(clock.slept(), Duration::ZERO);

    let err = builder(&home, &[]).profile("DEFAULT").build().map(drop);
    assert!(err.is_ok());
    std::fs::write(
        home.path().join(".databrickscfg"),
        "[DEFAULT]\nhttp_timeout_seconds = soon\n",
    )
    .unwrap();
    let err = builder(&home, &[]).build().unwrap_err().to_string();
    assert!(
        err.contains("http_timeout_seconds") && err.contains("expected a number of seconds"),
        "{err}"
    );
}

#[test]
fn a_set_credential_wins_over_ambient_ci_variables() {
    let home = tempfile::tempdir().unwrap();
    let ambient = [
        ("DATABRICKS_HOST", "https://adb-1.2.azuredatabricks.net"),
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://gh.example/token?x=1",
        ),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
        ("ARM_CLIENT_ID", CLIENT_ID),
        ("ARM_TENANT_ID", TENANT),
    ];
    let config = resolve(&home, &ambient);
    assert_eq!(config.auth().unwrap().method(), "github-oidc-azure");
    let mut with_secret = ambient.to_vec();
    with_secret.push(("ARM_CLIENT_SECRET", SECRET));
    let config = resolve(&home, &with_secret);
    assert_eq!(config.auth().unwrap().method(), "azure-client-secret");
}

#[test]
fn eight_threads_at_once_cause_one_oauth_token_request() {
    let server = MockServer::start();
    let token = server.mock(|when, then| {
        when.method(POST).path("/oidc/v1/token");
        then.status(200)
            .delay(Duration::from_millis(200))
            .json_body(
                json!({"access_token": "shared.token", "token_type": "Bearer", "expires_in": 3600}),
            );
    });
    let list = workspace_mock(&server, "shared.token", None);
    let sp = OAuthM2m::new(server.base_url(), CLIENT_ID, SECRET)
        .token_endpoint(server.url("/oidc/v1/token"))
        .no_proxy();
    let client = Client::builder(server.base_url())
        .auth(Auth::oauth_m2m(sp).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                barrier.wait();
                client.clusters().list().unwrap();
            });
        }
    });
    token.assert_calls(1);
    list.assert_calls(8);
}
