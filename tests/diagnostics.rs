//! What a user sees when the setup is wrong: a bare host that speaks plain HTTP fails at once
//! with a hint, "no credentials" is short with the likely fix first and the details below, and
//! a rejected token says which credentials were sent (never their value).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use azure_databricks_sdk::{AUTH_TYPES, Auth, Client, Config, Error, TransportErrorKind};
use common::FakeClock;
use httpmock::prelude::*;
use serde_json::json;

const SECRET_TOKEN: &str = "dapi0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A plain-HTTP server (as the emulator or a local proxy is) that answers every connection
/// with `400 Bad Request`, whatever it receives; counts the connections.
fn plain_http_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut hello = [0u8; 4096];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (address, connections)
}

/// A configuration of exactly these variables, with a home directory of its own (no
/// `~/.databrickscfg`) and no `PATH` (no CLI to try).
fn isolated(home: &tempfile::TempDir, pairs: &[(&str, &str)]) -> Config {
    let mut env = common::env(pairs);
    env.insert("HOME".into(), home.path().display().to_string());
    Config::builder()
        .environment(env)
        .no_proxy()
        .build()
        .unwrap()
}

/// A client of [`isolated`] whose retries wait on a fake clock (a regression that retried
/// would not really wait), and the clock.
fn on_fake_clock(home: &tempfile::TempDir, pairs: &[(&str, &str)]) -> (Client, Arc<FakeClock>) {
    let clock = FakeClock::new();
    let client = isolated(home, pairs)
        .client_builder()
        .unwrap()
        .clock(clock.clone())
        .build()
        .unwrap();
    (client, clock)
}

#[test]
fn a_bare_host_speaking_plain_http_fails_at_once_with_the_url_to_use() {
    let (address, connections) = plain_http_server();
    // `DATABRICKS_HOST=127.0.0.1:<port>`: no scheme, so https. Default retry policy.
    let home = tempfile::tempdir().unwrap();
    let (client, clock) = on_fake_clock(
        &home,
        &[
            ("DATABRICKS_HOST", &address),
            ("DATABRICKS_TOKEN", SECRET_TOKEN),
        ],
    );
    let err = client.clusters().list().unwrap_err();

    assert!(matches!(err, Error::Transport(_)), "not retried: {err:?}");
    let transport = err.transport().unwrap();
    assert_eq!(transport.kind(), TransportErrorKind::Tls);
    assert_eq!(transport.host(), Some(address.as_str()));
    assert_eq!(
        err.to_string(),
        format!(
            "clusters.list: TLS with {address} failed: the server answered plain HTTP; \
             use `http://{address}` for a loopback server"
        )
    );
    // One attempt, no backoff: a TLS failure is not transient.
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    assert!(!format!("{err:?}").contains(SECRET_TOKEN));
}

#[test]
fn token_requests_to_a_plain_http_server_fail_at_once_too() {
    let (address, connections) = plain_http_server();
    let home = tempfile::tempdir().unwrap();
    let (client, _clock) = on_fake_clock(
        &home,
        &[
            ("DATABRICKS_HOST", &address),
            (
                "DATABRICKS_CLIENT_ID",
                "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
            ),
            (
                "DATABRICKS_CLIENT_SECRET",
                "dose0123456789abcdef0123456789ab",
            ),
        ],
    );
    let err = client.clusters().list().unwrap_err();
    let shown = format!("{err:?}");
    assert!(err.auth().is_some(), "{shown}");
    assert!(
        shown.contains(&format!("use `http://{address}` for a loopback server")),
        "{shown}"
    );
    // The host metadata request, once; nothing after it.
    assert_eq!(connections.load(Ordering::SeqCst), 1, "{shown}");
    assert!(
        !shown.contains("dose0123456789abcdef0123456789ab"),
        "{shown}"
    );
}

#[test]
fn no_credentials_is_one_short_line_with_the_fix_and_a_line_per_method_below() {
    let home = tempfile::tempdir().unwrap();
    let err = Client::from_config(&isolated(&home, &[])).unwrap_err();
    let display = err.to_string();
    assert!(
        display.starts_with("no workspace host: set DATABRICKS_HOST"),
        "{display}"
    );

    let config = isolated(&home, &[("DATABRICKS_HOST", "adb-1.2.azuredatabricks.net")]);
    let err = Client::from_config(&config).unwrap_err();
    let display = err.to_string();
    assert_eq!(
        display,
        "no credentials found: set DATABRICKS_TOKEN, or run \
         `databricks auth login --host adb-1.2.azuredatabricks.net`"
    );
    assert!(display.len() < 120, "{} characters", display.len());

    // What `fn main() -> Result<(), Error>` prints: the line, then one line per method.
    let debug = format!("{err:?}");
    let lines: Vec<&str> = debug.lines().collect();
    assert_eq!(lines[0], display);
    assert_eq!(lines.len(), 1 + AUTH_TYPES.len() + 1, "{debug}");
    for (line, method) in lines[1..].iter().zip(AUTH_TYPES) {
        assert!(line.starts_with(&format!("  {method}: ")), "{line}");
    }
    assert!(
        lines[1].contains("pat: skipped, token (DATABRICKS_TOKEN) is not set"),
        "{debug}"
    );
    let found = lines.last().unwrap();
    assert!(
        found.starts_with("  found: host from env DATABRICKS_HOST"),
        "{found}"
    );
    let details = err.config().unwrap().details();
    assert_eq!(details.len(), AUTH_TYPES.len() + 1);

    let config = isolated(&home, &[]);
    let err = config.auth().unwrap_err();
    assert_eq!(
        err.to_string(),
        "no credentials found: set DATABRICKS_HOST and DATABRICKS_TOKEN, or run \
         `databricks auth login`"
    );
}

/// A workspace that refuses every token, as the service does.
fn refusing(server: &MockServer, status: u16) {
    server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(status)
            .json_body(json!({"error_code": 403, "message": "Invalid access token."}));
    });
}

#[test]
fn a_refused_token_says_where_it_came_from_and_never_what_it_is() {
    let server = MockServer::start();
    refusing(&server, 403);
    let home = tempfile::tempdir().unwrap();

    let config = isolated(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_TOKEN", SECRET_TOKEN),
        ],
    );
    let err = Client::from_config(&config)
        .unwrap()
        .clusters()
        .list()
        .unwrap_err();
    assert!(err.is_permission_denied());
    assert_eq!(
        err.to_string(),
        "clusters.list: HTTP 403: Invalid access token. \
         (credentials: pat, token from env DATABRICKS_TOKEN)"
    );
    assert_eq!(
        err.api().unwrap().credentials(),
        Some("pat, token from env DATABRICKS_TOKEN")
    );
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!shown.contains(SECRET_TOKEN), "{shown}");
    }

    // From a profile of the configuration file.
    let file = home.path().join(".databrickscfg");
    std::fs::write(
        &file,
        format!(
            "[dev]\nhost = {}\ntoken = {SECRET_TOKEN}\n",
            server.base_url()
        ),
    )
    .unwrap();
    let config = isolated(&home, &[("DATABRICKS_CONFIG_PROFILE", "dev")]);
    let err = Client::from_config(&config)
        .unwrap()
        .clusters()
        .list()
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().credentials(),
        Some(format!("pat, token from profile [dev] of {}", file.display()).as_str())
    );
    assert!(!format!("{err} {err:?}").contains(SECRET_TOKEN));

    // Given in code, and pinned by auth_type.
    let err = common::client_with(&server, Auth::personal_access_token(SECRET_TOKEN))
        .clusters()
        .list()
        .unwrap_err();
    assert_eq!(err.api().unwrap().credentials(), Some("pat, given in code"));
    let config = isolated(
        &home,
        &[
            ("DATABRICKS_HOST", &server.base_url()),
            ("DATABRICKS_TOKEN", SECRET_TOKEN),
            ("DATABRICKS_AUTH_TYPE", "pat"),
        ],
    );
    let err = Client::from_config(&config)
        .unwrap()
        .clusters()
        .list()
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().credentials(),
        Some("pat, token from env DATABRICKS_TOKEN, auth_type from env DATABRICKS_AUTH_TYPE")
    );
}

#[test]
fn a_401_names_the_credentials_and_other_errors_do_not() {
    let server = MockServer::start();
    refusing(&server, 401);
    server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/get");
        then.status(404)
            .json_body(json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "gone"}));
    });
    let client = common::client(&server);
    let err = client.clusters().list().unwrap_err();
    assert_eq!(err.api().unwrap().credentials(), Some("pat, given in code"));
    let err = client.clusters().get("0923-164208-meows279").unwrap_err();
    assert_eq!(err.api().unwrap().credentials(), None);
    assert!(!err.to_string().contains("credentials"), "{err}");
}
