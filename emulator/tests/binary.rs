//! The `azure-databricks-emulator` binary: prints a URL and tokens that work, and survives the
//! abuse that used to lock it up.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use azure_databricks_sdk::{Auth, Client, RetryPolicy};

/// The running binary and what it printed; killed on drop.
struct Running {
    child: Child,
    printed: Vec<String>,
    host: Option<String>,
    token: Option<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `args` and reads its banner.
fn run(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azure-databricks-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut running = Running {
        child,
        printed: Vec::new(),
        host: None,
        token: None,
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(value) = line.trim().strip_prefix("export DATABRICKS_HOST=") {
            running.host = Some(value.to_string());
        }
        if let Some(value) = line.trim().strip_prefix("export DATABRICKS_TOKEN=") {
            running.token = Some(value.to_string());
        }
        let done = line.starts_with("Press Ctrl-C");
        running.printed.push(line);
        if done {
            break;
        }
    }
    running
}

impl Running {
    fn client(&self) -> Client {
        Client::builder(self.host.clone().unwrap())
            .auth(Auth::personal_access_token(self.token.clone().unwrap()))
            .no_proxy()
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap()
    }
}

#[test]
fn the_binary_prints_a_url_and_tokens_a_client_can_use() {
    let running = run(&["--port", "0", "--quiet", "--user", "alice@example.com"]);
    let printed = &running.printed;
    assert!(
        running
            .host
            .as_deref()
            .is_some_and(|h| h.starts_with("http://127.0.0.1:")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("alice@example.com: dapi")),
        "{printed:?}"
    );
    // Interactive defaults, and how to change them, said at start.
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("Clusters start in 10 s,") && l.contains("--realistic")),
        "{printed:?}"
    );
    let client = running.client();
    assert!(client.clusters().list().unwrap().is_empty());
    assert!(!client.clusters().spark_versions().unwrap().is_empty());
}

#[test]
fn the_binary_keeps_serving_through_idle_connections_and_overflowing_numbers() {
    let running = run(&["--port", "0", "--quiet", "--max-connections", "8"]);
    let address = running
        .host
        .as_deref()
        .unwrap()
        .trim_start_matches("http://");
    let idle: Vec<TcpStream> = (0..28)
        .map(|_| TcpStream::connect(address).unwrap())
        .collect();
    for _ in 0..20 {
        let err = running
            .client()
            .raw()
            .post(
                "token/create",
                &serde_json::json!({"lifetime_seconds": 9_223_372_036_854_775_807i64}),
            )
            .unwrap_err();
        assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
        let err = running
            .client()
            .raw()
            .post(
                "clusters/create",
                &serde_json::json!({"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 2_147_483_647}),
            )
            .unwrap_err();
        assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
    }
    assert!(running.client().clusters().list().unwrap().is_empty());
    drop(idle);
}
