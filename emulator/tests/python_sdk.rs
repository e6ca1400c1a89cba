//! The official Python SDK (`databricks-sdk`, the release `tools/schema_drift.py` checks the
//! schema against) used unchanged against the emulator binary: each script under
//! `tests/python/` is run with `DATABRICKS_HOST`/`DATABRICKS_TOKEN` pointing at a fresh
//! emulator and must exit 0.
//!
//! The SDK is installed once with pip into the target directory (PyPI is reachable from this
//! project's machines and CI); `python3` with `pip` is all a machine needs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The official SDK's release the schema is checked against (`tools/schema_drift.py`).
const PYTHON_SDK: &str = "databricks-sdk==0.162.0";

/// Installs the Python SDK (once per target directory) and gives the folder for `PYTHONPATH`.
fn python_sdk() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-sdk-0.162.0");
        if !dir.join("databricks").join("sdk").exists() {
            let status = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--root-user-action=ignore",
                ])
                .arg("--target")
                .arg(&dir)
                .arg(PYTHON_SDK)
                .status()
                .expect("python3 with pip is needed to run the official SDK against the emulator");
            assert!(status.success(), "pip install {PYTHON_SDK} failed");
        }
        dir
    })
}

/// The emulator binary on a free port; killed when dropped.
struct EmulatorProcess {
    child: Child,
    host: String,
    token: String,
}

impl EmulatorProcess {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_azure-databricks-emulator"))
            .args(["--port", "0", "--quiet", "--speed", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (mut host, mut token) = (None, None);
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.expect("the emulator prints its address");
            if let Some(value) = line.trim().strip_prefix("export DATABRICKS_HOST=") {
                host = Some(value.to_string());
            }
            if let Some(value) = line.trim().strip_prefix("export DATABRICKS_TOKEN=") {
                token = Some(value.to_string());
                break;
            }
        }
        // The emulator prints more after the token: keep reading, so that its prints never
        // meet a closed pipe (which would end the emulator with a panic in `println!`).
        std::thread::spawn(move || lines.for_each(drop));
        EmulatorProcess {
            child,
            host: host.expect("the emulator printed DATABRICKS_HOST"),
            token: token.expect("the emulator printed DATABRICKS_TOKEN"),
        }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tests/python/<script>` against a fresh emulator; panics with its output unless it
/// exits 0.
fn run(script: &str) {
    let sdk = python_sdk();
    let emulator = EmulatorProcess::start();
    let script_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("python")
        .join(script);
    let output = Command::new("python3")
        .arg(&script_path)
        .env("PYTHONPATH", sdk)
        .env("DATABRICKS_HOST", &emulator.host)
        .env("DATABRICKS_TOKEN", &emulator.token)
        .env("DATABRICKS_AUTH_TYPE", "pat")
        .env_remove("DATABRICKS_CONFIG_PROFILE")
        .env("DATABRICKS_CONFIG_FILE", "/nonexistent/.databrickscfg")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{script} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn clusters_tokens_and_secrets() {
    run("clusters_tokens_secrets.py");
}

#[test]
fn files() {
    run("files.py");
}

#[test]
fn jobs() {
    run("jobs.py");
}

#[test]
fn dbfs_and_workspace() {
    run("dbfs_workspace.py");
}

#[test]
fn permissions() {
    run("permissions.py");
}

#[test]
fn token_management() {
    run("token_management.py");
}

#[test]
fn users_groups_and_service_principals() {
    run("scim.py");
}

#[test]
fn cluster_policies() {
    run("cluster_policies.py");
}

#[test]
fn instance_pools() {
    run("instance_pools.py");
}

#[test]
fn libraries() {
    run("libraries.py");
}
