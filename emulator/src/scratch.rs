//! The emulator's own temporary directory: request bodies too large to keep in memory are
//! spooled there (see `http::body::Body`), and services that hold files (DBFS, the Files and
//! Workspace APIs) keep them there, so that memory stays flat whatever the size of the data.
//!
//! It is created when first needed (the first body past 64 KiB), not when the emulator starts:
//! an emulator that is killed rather than dropped (the binary stopped by Ctrl-C, a test that
//! kills it) leaves nothing behind unless it had spooled something. It is removed, with
//! everything in it, when the emulator stops.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

use tempfile::{NamedTempFile, TempDir};

/// A private directory (mode 0700 on Unix) under the system's temporary directory, made on
/// first use and removed when dropped.
#[derive(Default)]
pub(crate) struct ScratchDir {
    dir: OnceLock<TempDir>,
}

impl fmt::Debug for ScratchDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScratchDir")
            .field("path", &self.dir.get().map(TempDir::path))
            .finish()
    }
}

impl ScratchDir {
    /// A directory to be: nothing is created yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Where the directory is, creating it (`azure-databricks-emulator-<random>` in the
    /// system's temporary directory) the first time.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created; the next call tries again.
    pub(crate) fn path(&self) -> io::Result<&Path> {
        if let Some(dir) = self.dir.get() {
            return Ok(dir.path());
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix("azure-databricks-emulator-");
        // Request bodies may be secrets: other users of the machine must not read them (the
        // files in it are created 0600 already).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let created = builder.tempdir()?;
        // Should another thread have made one meanwhile, that one is kept and ours removed.
        let _ = self.dir.set(created);
        self.dir
            .get()
            .map(TempDir::path)
            .ok_or_else(|| io::Error::other("the scratch directory vanished"))
    }

    /// Whether the directory has been created.
    #[cfg(test)]
    pub(crate) fn exists(&self) -> bool {
        self.dir.get().is_some()
    }

    /// A new, empty file in the directory, deleted when dropped unless it is persisted
    /// ([`NamedTempFile::persist`], e.g. to keep an uploaded body as a stored file without
    /// copying it).
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be created (the directory was removed, the disk
    /// is full).
    pub(crate) fn file(&self, prefix: &str) -> io::Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempfile_in(self.path()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_directory_is_made_on_first_use_and_removed_with_its_files_on_drop() {
        let scratch = ScratchDir::new();
        assert!(!scratch.exists());
        let mut file = scratch.file("body-").unwrap();
        assert!(scratch.exists());
        let path = scratch.path().unwrap().to_path_buf();
        assert!(path.is_dir());
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
        assert_eq!(
            scratch.path().unwrap(),
            path,
            "one directory for the emulator"
        );
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
        let scratch = ScratchDir::new();
        let mode = std::fs::metadata(scratch.path().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
