//! Generates the SDK's sources from `schema/` (see `schema/README.md`); with the `dev-files`
//! feature, also the files only the repository's benchmark and property test read. All the
//! logic lives in the `azure-databricks-sdk-codegen` workspace member.

use std::path::{Path, PathBuf};

use azure_databricks_sdk_codegen::Outputs;

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
    let outputs = match std::env::var_os("CARGO_FEATURE_DEV_FILES") {
        Some(_) => Outputs::WithDevFiles,
        None => Outputs::Sdk,
    };
    if let Err(error) =
        azure_databricks_sdk_codegen::generate(Path::new("schema"), &out_dir, outputs)
    {
        eprintln!("error: {error}");
        panic!("the API schema is invalid: {error}");
    }
}
