//! `cargo package` packages the three crates without a warning: every target cargo finds (the
//! tests and their fixtures, the benchmark) is in the published crate, none dropped.
// Packages the repository's workspace (see build.rs).
#![cfg(emulator_tests)]

use std::process::Command;

#[test]
fn cargo_package_has_no_warnings() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = tempfile::tempdir().unwrap();
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "package",
            "--workspace",
            "--no-verify",
            "--allow-dirty",
            "--offline",
        ])
        .arg("--target-dir")
        .arg(target.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    for krate in [
        "azure-databricks-sdk",
        "azure-databricks-sdk-codegen",
        "azure-databricks-emulator",
    ] {
        assert!(stderr.contains(&format!("Packaging {krate} ")), "{stderr}");
    }
}
