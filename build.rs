//! Generates `models.rs` and `services.rs` from `schema/` (see `schema/README.md`).
//! All the logic lives in the `azure-databricks-sdk-codegen` workspace member.

use std::path::{Path, PathBuf};

fn main() {
    // Only the schema folder is an input here; a change in the generator crate itself is
    // tracked by cargo as a build-dependency change.
    println!("cargo:rerun-if-changed=schema");
    // The tests against the emulator need the repository's emulator crate, a path-only
    // dev-dependency the published crate does not have: they compile only beside it.
    println!("cargo::rustc-check-cfg=cfg(emulator_tests)");
    if Path::new("emulator/Cargo.toml").exists() {
        println!("cargo::rustc-cfg=emulator_tests");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(error) = azure_databricks_sdk_codegen::generate(Path::new("schema"), &out_dir) {
        eprintln!("error: {error}");
        panic!("the API schema is invalid: {error}");
    }
}
