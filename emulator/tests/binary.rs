//! The `azure-databricks-emulator` binary: prints a URL and tokens that work.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use azure_databricks_sdk::{Auth, Client};

#[test]
fn the_binary_prints_a_url_and_tokens_a_client_can_use() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azure-databricks-emulator"))
        .args(["--port", "0", "--quiet", "--user", "alice@example.com"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let (mut host, mut token) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(value) = line.trim().strip_prefix("export DATABRICKS_HOST=") {
            host = Some(value.to_string());
        }
        if let Some(value) = line.trim().strip_prefix("export DATABRICKS_TOKEN=") {
            token = Some(value.to_string());
        }
        let done = line.starts_with("Press Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let result = std::panic::catch_unwind(|| {
        let (host, token) = (host.unwrap(), token.unwrap());
        assert!(host.starts_with("http://127.0.0.1:"), "{printed:?}");
        assert!(
            printed
                .iter()
                .any(|l| l.contains("alice@example.com: dapi")),
            "{printed:?}"
        );
        let client = Client::builder(host)
            .auth(Auth::personal_access_token(token))
            .no_proxy()
            .build()
            .unwrap();
        assert!(client.clusters().list().unwrap().is_empty());
        assert!(!client.clusters().spark_versions().unwrap().is_empty());
    });
    child.kill().unwrap();
    child.wait().unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
