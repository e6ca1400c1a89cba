//! The generated code for the real schema, checked in under `codegen/snapshot/` so that a
//! reviewer sees what a schema or generator change does. Refresh with
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
        ("models.rs", &generated.models),
        ("services.rs", &generated.services),
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
