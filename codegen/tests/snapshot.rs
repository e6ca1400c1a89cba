//! What the generator makes of the real schema, checked in under `codegen/snapshot/` so that a
//! reviewer sees what a schema or generator change does: a summary of `models.rs` (types,
//! fields with their wire names, enum values) and of `services.rs` (method signatures with
//! their HTTP method, path and checks), and `operations.rs` and `rules.rs` as generated. The
//! full code is checked by compiling the SDK. Refresh with
//! `UPDATE_SNAPSHOT=1 cargo test -p azure-databricks-sdk-codegen --test snapshot`.

use std::path::Path;

#[test]
fn generated_code_matches_the_reviewed_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated =
        azure_databricks_sdk_codegen::render(&root.join("../schema")).expect("the schema is valid");
    let update = std::env::var_os("UPDATE_SNAPSHOT").is_some();
    let mut stale = Vec::new();
    for (name, code) in [
        ("models.summary.rs", &generated.models_summary),
        ("services.summary.rs", &generated.services_summary),
        ("operations.rs", &generated.operations),
        ("rules.rs", &generated.rules),
    ] {
        let path = root.join("snapshot").join(name);
        let reviewed = std::fs::read_to_string(&path).unwrap_or_default();
        if &reviewed != code {
            if update {
                std::fs::write(&path, code).expect("write snapshot");
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated {stale:?} differ from codegen/snapshot/; review the change and run \
         `UPDATE_SNAPSHOT=1 cargo test -p azure-databricks-sdk-codegen --test snapshot`"
    );
}

/// The snapshot folder holds exactly the files the test writes: a renamed or dropped output
/// does not leave a stale file behind for reviewers to read.
#[test]
fn the_snapshot_folder_holds_only_the_compared_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshot");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("codegen/snapshot exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "models.summary.rs",
            "operations.rs",
            "rules.rs",
            "services.summary.rs"
        ]
    );
}
