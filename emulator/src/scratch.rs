//! The emulator's own temporary directory: request bodies too large to keep in memory are
//! spooled there (see `http::body::Body`), and services that hold files (DBFS, the Files
//! and Workspace APIs) keep them there, so that memory stays flat whatever the size of the
//! data. It is created when the emulator starts and removed, with everything in it, when the
//! emulator stops.

use std::fmt;
use std::io;
use std::path::Path;

use tempfile::{NamedTempFile, TempDir};

/// A private directory (mode 0700 on Unix) under the system's temporary directory, removed
/// when dropped.
pub(crate) struct ScratchDir {
    dir: TempDir,
}

impl fmt::Debug for ScratchDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScratchDir")
            .field("path", &self.dir.path())
            .finish()
    }
}

impl ScratchDir {
    /// Creates a fresh directory `azure-databricks-emulator-<random>` in the system's
    /// temporary directory.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub(crate) fn new() -> io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("azure-databricks-emulator-");
        // Request bodies may be secrets: other users of the machine must not read them (the
        // files in it are created 0600 already).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir()?;
        Ok(Self { dir })
    }

    /// Where the directory is.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "a building block of the file services (DBFS, Files, Workspace)"
        )
    )]
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new, empty file in the directory, deleted when dropped unless it is persisted
    /// ([`NamedTempFile::persist`], e.g. to keep an uploaded body as a stored file without
    /// copying it).
    ///
    /// # Errors
    ///
    /// When the file cannot be created (the directory was removed, the disk is full).
    pub(crate) fn file(&self, prefix: &str) -> io::Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempfile_in(self.dir.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_directory_and_its_files_are_removed_on_drop() {
        let scratch = ScratchDir::new().unwrap();
        let path = scratch.path().to_path_buf();
        assert!(path.is_dir());
        let mut file = scratch.file("body-").unwrap();
        file.write_all(b"data").unwrap();
        let file_path = file.path().to_path_buf();
        assert!(file_path.starts_with(&path));
        drop(file);
        assert!(!file_path.exists(), "a file is deleted when dropped");
        let kept = scratch
            .file("kept-")
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        assert!(kept.exists());
        drop(scratch);
        assert!(
            !path.exists(),
            "the directory goes, with what is left in it"
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_may_enter_the_directory() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = ScratchDir::new().unwrap();
        let mode = std::fs::metadata(scratch.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
