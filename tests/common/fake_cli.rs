//! Fake command-line programs (`az`, `databricks`): a shell script in a temporary directory
//! that logs its arguments and runs a given body.

use std::path::{Path, PathBuf};

/// A directory holding an executable `name` that appends its arguments to `calls.log` and runs
/// `body` (shell).
pub struct FakeCli {
    dir: tempfile::TempDir,
    name: String,
}

impl FakeCli {
    /// The script `name` running `body`.
    pub fn new(name: &str, body: &str) -> FakeCli {
        Self::padded(name, body, 0)
    }

    /// The script padded with a trailing comment to at least `size` bytes (the Databricks
    /// SDKs take a `databricks` under 1 MiB for the legacy Python CLI).
    pub fn padded(name: &str, body: &str, size: usize) -> FakeCli {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("calls.log");
        let mut script = format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\n{body}\nexit $?\n",
            log.display()
        );
        if script.len() < size {
            script.push('#');
            script.push_str(&" ".repeat(size - script.len()));
            script.push('\n');
        }
        let path = dir.path().join(name);
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeCli {
            dir,
            name: name.to_string(),
        }
    }

    /// Prints `json` and exits 0.
    pub fn printing(name: &str, json: &serde_json::Value) -> FakeCli {
        FakeCli::new(name, &format!("cat <<'EOF'\n{json}\nEOF"))
    }

    /// The directory of the script.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The script itself.
    pub fn program(&self) -> PathBuf {
        self.dir.path().join(&self.name)
    }

    /// The argument lists the script was run with.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// `PATH` with only `dir` and the system directories the fake scripts need (`cat`, `sleep`).
pub fn path_with(dir: &Path) -> String {
    let dirs = [
        dir.to_path_buf(),
        PathBuf::from("/usr/bin"),
        PathBuf::from("/bin"),
    ];
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}
