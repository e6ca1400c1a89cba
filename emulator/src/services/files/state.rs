//! The files of Unity Catalog volumes: a tree of directories and files under
//! `/Volumes/<catalog>/<schema>/<volume>`, each file's bytes in a file of the emulator's
//! scratch directory (deleted with its entry), never in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::sync::Arc;

use tempfile::TempPath;

use crate::error::ApiError;
use crate::http::Body;
use crate::scratch::ScratchDir;

/// The volume present from the start.
pub(crate) const DEFAULT_VOLUME: &str = "/Volumes/main/default/files";

/// The service's largest page of a directory listing, and the default.
pub(crate) const MAX_PAGE_SIZE: usize = 1000;

/// A stored file.
#[derive(Debug)]
pub(crate) struct Stored {
    /// Its bytes, in the scratch directory.
    path: TempPath,
    pub(crate) len: u64,
    /// Epoch ms of the last upload.
    pub(crate) modified: i64,
}

impl Stored {
    /// The file, opened for reading.
    pub(crate) fn open(&self) -> Result<File, ApiError> {
        File::open(&self.path)
            .map_err(|e| ApiError::internal(format!("The stored file cannot be read: {e}")))
    }
}

/// An entry of the tree.
#[derive(Debug)]
pub(crate) enum Node {
    Directory,
    File(Stored),
}

/// One listed entry: its path, and its file, if it is one.
pub(crate) type Listed<'a> = (&'a str, Option<&'a Stored>);

/// The volumes and everything in them.
#[derive(Debug)]
pub(crate) struct Volumes {
    scratch: Arc<ScratchDir>,
    /// Roots of the volumes, `/Volumes/<catalog>/<schema>/<volume>`.
    volumes: BTreeSet<String>,
    /// Every file and directory below a volume root, by path (no trailing `/`).
    nodes: BTreeMap<String, Node>,
    /// Open multipart uploads.
    pub(crate) sessions: super::Sessions,
}

fn not_found(what: &str, path: &str) -> ApiError {
    ApiError::new(
        404,
        "NOT_FOUND",
        format!("The {what} {path} does not exist."),
    )
}

fn conflict(message: String) -> ApiError {
    ApiError::new(409, "ALREADY_EXISTS", message)
}

/// `path` without a trailing `/`, checked to be absolute and clean.
fn clean(path: &str) -> Result<&str, ApiError> {
    let trimmed = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let bad = !trimmed.starts_with('/')
        || trimmed[1..]
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(ApiError::invalid_parameter(format!(
            "The path {path:?} is not an absolute path of clean segments."
        )));
    }
    Ok(trimmed)
}

/// The parent of an absolute path (`/a/b` → `/a`).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("/", |(p, _)| p)
}

impl Volumes {
    /// The store, with [`DEFAULT_VOLUME`].
    pub(crate) fn new(scratch: Arc<ScratchDir>) -> Self {
        Self {
            scratch,
            volumes: BTreeSet::from([DEFAULT_VOLUME.to_string()]),
            nodes: BTreeMap::new(),
            sessions: super::Sessions::default(),
        }
    }

    /// The scratch directory the files are kept in.
    pub(crate) fn scratch(&self) -> &ScratchDir {
        &self.scratch
    }

    /// Adds the volume `/Volumes/<catalog>/<schema>/<volume>` (nothing when it exists).
    pub(crate) fn add_volume(&mut self, catalog: &str, schema: &str, volume: &str) {
        self.volumes
            .insert(format!("/Volumes/{catalog}/{schema}/{volume}"));
    }

    /// The clean path, checked to be in an existing volume; whether it is a volume root.
    fn locate<'p>(&self, path: &'p str) -> Result<(&'p str, bool), ApiError> {
        let path = clean(path)?;
        if self.volumes.contains(path) {
            return Ok((path, true));
        }
        let inside = self
            .volumes
            .iter()
            .any(|v| path.starts_with(v.as_str()) && path.as_bytes().get(v.len()) == Some(&b'/'));
        if !inside {
            return Err(not_found(
                "volume of the path",
                path.split('/')
                    .take(5)
                    .collect::<Vec<_>>()
                    .join("/")
                    .as_str(),
            ));
        }
        Ok((path, false))
    }

    fn is_directory(&self, path: &str, root: bool) -> bool {
        root || matches!(self.nodes.get(path), Some(Node::Directory))
    }

    /// Makes the directories from the volume root down to `path`.
    fn make_directories(&mut self, path: &str) -> Result<(), ApiError> {
        let mut ancestors = Vec::new();
        let mut at = path;
        while !self.volumes.contains(at) && at != "/" {
            ancestors.push(at);
            at = parent(at);
        }
        for dir in ancestors.into_iter().rev() {
            match self.nodes.get(dir) {
                Some(Node::File(_)) => {
                    return Err(conflict(format!(
                        "The path {dir} is a file, not a directory."
                    )));
                }
                Some(Node::Directory) => {}
                None => {
                    self.nodes.insert(dir.to_string(), Node::Directory);
                }
            }
        }
        Ok(())
    }

    /// Stores `body` as the file `path`, creating its parent directories.
    pub(crate) fn upload(
        &mut self,
        path: &str,
        body: &Body,
        overwrite: bool,
        now: i64,
    ) -> Result<(), ApiError> {
        self.check_writable(path, overwrite)?;
        let path_on_disk = body
            .keep_in(&self.scratch)
            .map_err(|e| ApiError::internal(format!("The file could not be stored: {e}")))?;
        self.insert_file(path, path_on_disk, body.len(), overwrite, now)
    }

    /// Refuses to write the file `path` when it is a directory, or exists and `overwrite` is
    /// false.
    pub(crate) fn check_writable(&self, path: &str, overwrite: bool) -> Result<(), ApiError> {
        let (path, root) = self.locate(path)?;
        if self.is_directory(path, root) {
            return Err(conflict(format!("The path {path} is a directory.")));
        }
        if !overwrite && self.nodes.contains_key(path) {
            return Err(conflict(format!(
                "The file {path} already exists; upload with overwrite=true to replace it."
            )));
        }
        Ok(())
    }

    /// Makes `file` (of the scratch directory, `len` bytes) the file `path`, creating its
    /// parent directories.
    pub(crate) fn insert_file(
        &mut self,
        path: &str,
        file: TempPath,
        len: u64,
        overwrite: bool,
        now: i64,
    ) -> Result<(), ApiError> {
        self.check_writable(path, overwrite)?;
        let (path, _) = self.locate(path)?;
        self.make_directories(parent(path))?;
        let stored = Stored {
            path: file,
            len,
            modified: now,
        };
        self.nodes.insert(path.to_string(), Node::File(stored));
        Ok(())
    }

    /// The file `path`.
    pub(crate) fn file(&self, path: &str) -> Result<&Stored, ApiError> {
        let (path, _) = self.locate(path)?;
        match self.nodes.get(path) {
            Some(Node::File(stored)) => Ok(stored),
            _ => Err(not_found("file", path)),
        }
    }

    /// Deletes the file `path`.
    pub(crate) fn delete_file(&mut self, path: &str) -> Result<(), ApiError> {
        self.file(path)?;
        let (path, _) = self.locate(path)?;
        self.nodes.remove(path);
        Ok(())
    }

    /// Creates the directory `path` and its parents.
    pub(crate) fn create_directory(&mut self, path: &str) -> Result<(), ApiError> {
        let (path, _) = self.locate(path)?;
        self.make_directories(path)
    }

    /// Fails unless `path` is a directory.
    pub(crate) fn directory(&self, path: &str) -> Result<(), ApiError> {
        let (path, root) = self.locate(path)?;
        if self.is_directory(path, root) {
            Ok(())
        } else {
            Err(not_found("directory", path))
        }
    }

    /// The entries directly in the directory `path`, in path order.
    pub(crate) fn children(&self, path: &str) -> Result<Vec<Listed<'_>>, ApiError> {
        self.directory(path)?;
        let (path, _) = self.locate(path)?;
        let prefix = format!("{path}/");
        Ok(self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, node)| {
                let file = match node {
                    Node::File(stored) => Some(stored),
                    Node::Directory => None,
                };
                (p.as_str(), file)
            })
            .collect())
    }

    /// Deletes the empty directory `path`.
    pub(crate) fn delete_directory(&mut self, path: &str) -> Result<(), ApiError> {
        if !self.children(path)?.is_empty() {
            return Err(ApiError::new(
                400,
                "FILES_API_DIRECTORY_IS_NOT_EMPTY",
                format!("The directory {path} is not empty."),
            ));
        }
        let (path, root) = self.locate(path)?;
        if root {
            return Err(ApiError::permission_denied(format!(
                "The volume root {path} cannot be deleted through the Files API."
            )));
        }
        self.nodes.remove(path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Volumes {
        Volumes::new(Arc::new(ScratchDir::new()))
    }

    fn body(bytes: &[u8]) -> Body {
        Body::from(bytes.to_vec())
    }

    #[test]
    fn uploads_make_parents_and_listings_show_direct_children() {
        let mut v = store();
        v.upload(
            "/Volumes/main/default/files/a/b/c.txt",
            &body(b"abc"),
            false,
            1,
        )
        .unwrap();
        v.upload("/Volumes/main/default/files/a/d.txt", &body(b"d"), false, 2)
            .unwrap();
        let listed: Vec<&str> = v
            .children("/Volumes/main/default/files/a/")
            .unwrap()
            .iter()
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(
            listed,
            [
                "/Volumes/main/default/files/a/b",
                "/Volumes/main/default/files/a/d.txt"
            ]
        );
        let stored = v.file("/Volumes/main/default/files/a/b/c.txt").unwrap();
        assert_eq!(stored.len, 3);
        let err = v
            .upload("/Volumes/main/default/files/a/d.txt", &body(b"x"), false, 3)
            .unwrap_err();
        assert_eq!((err.status, err.code()), (409, "ALREADY_EXISTS"));
        v.upload("/Volumes/main/default/files/a/d.txt", &body(b"xy"), true, 3)
            .unwrap();
        assert_eq!(
            v.file("/Volumes/main/default/files/a/d.txt").unwrap().len,
            2
        );
    }

    #[test]
    fn unknown_volumes_unclean_paths_and_non_empty_directories_are_refused() {
        let mut v = store();
        let err = v
            .upload("/Volumes/x/y/z/f", &body(b""), true, 1)
            .unwrap_err();
        assert_eq!(err.status, 404);
        let err = v
            .upload("/Volumes/main/default/files/../f", &body(b""), true, 1)
            .unwrap_err();
        assert_eq!(err.status, 400);
        v.create_directory("/Volumes/main/default/files/d/e")
            .unwrap();
        let err = v
            .delete_directory("/Volumes/main/default/files/d")
            .unwrap_err();
        assert_eq!(err.code(), "FILES_API_DIRECTORY_IS_NOT_EMPTY");
        v.delete_directory("/Volumes/main/default/files/d/e")
            .unwrap();
        v.delete_directory("/Volumes/main/default/files/d").unwrap();
        assert!(v.directory("/Volumes/main/default/files/d").is_err());
        v.add_volume("x", "y", "z");
        v.upload("/Volumes/x/y/z/f", &body(b""), true, 1).unwrap();
    }

    #[test]
    fn a_deleted_file_leaves_the_scratch_directory() {
        let mut v = store();
        v.upload("/Volumes/main/default/files/f", &body(b"bytes"), true, 1)
            .unwrap();
        let on_disk = v
            .file("/Volumes/main/default/files/f")
            .unwrap()
            .path
            .to_path_buf();
        assert_eq!(std::fs::read(&on_disk).unwrap(), b"bytes");
        v.delete_file("/Volumes/main/default/files/f").unwrap();
        assert!(!on_disk.exists());
    }
}
