//! The files and directories of DBFS: a tree by path, each file's bytes in a file of the
//! emulator's scratch directory (deleted with its entry), never in memory; and the open
//! write streams (`create` → `add-block` → `close`), which expire after 10 idle minutes.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::time::Duration;

use azure_databricks_sdk::models::FileInfo;
use azure_databricks_sdk::rules;
use tempfile::{NamedTempFile, TempPath};

use crate::clock::millis;
use crate::error::ApiError;
use crate::scratch::ScratchDir;
use crate::tree_path::{self, parent};

/// How long a write stream may stay idle before its handle is forgotten.
pub(crate) const HANDLE_IDLE: Duration = Duration::from_secs(10 * 60);

/// Entries a recursive delete removes per call; more answers 503 `PARTIAL_DELETE`.
pub(crate) const DELETE_BATCH: usize = 1000;

/// An entry of the tree.
#[derive(Debug)]
enum Node {
    Directory { modified: i64 },
    File(Stored),
}

/// A stored file.
#[derive(Debug)]
struct Stored {
    path: TempPath,
    len: u64,
    modified: i64,
}

/// An open write stream.
#[derive(Debug)]
struct Stream {
    path: String,
    file: NamedTempFile,
    len: u64,
    last_used: i64,
}

/// DBFS.
#[derive(Debug)]
pub(crate) struct DbfsStore {
    scratch: Arc<ScratchDir>,
    /// Every file and directory but the root, by clean absolute path.
    nodes: BTreeMap<String, Node>,
    streams: HashMap<i64, Stream>,
    next_handle: i64,
}

fn does_not_exist(path: &str) -> ApiError {
    ApiError::not_found(format!("No file or directory exists on path {path}."))
}

fn exists(path: &str) -> ApiError {
    ApiError::already_exists(format!(
        "A file or directory already exists at the input path {path}."
    ))
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::internal(format!("The stored file cannot be used: {e}"))
}

/// `dbfs:/a/b/` → `/a/b` (see [`tree_path::clean`]).
pub(crate) fn clean(path: &str) -> Result<String, ApiError> {
    tree_path::clean(path.strip_prefix("dbfs:").unwrap_or(path))
}

impl DbfsStore {
    pub(crate) fn new(scratch: Arc<ScratchDir>) -> Self {
        Self {
            scratch,
            nodes: BTreeMap::new(),
            streams: HashMap::new(),
            next_handle: 0,
        }
    }

    fn is_dir(&self, path: &str) -> bool {
        path == "/" || matches!(self.nodes.get(path), Some(Node::Directory { .. }))
    }

    fn info(&self, path: &str) -> Option<FileInfo> {
        let (is_dir, file_size, modified) = match self.nodes.get(path) {
            None if path == "/" => (true, 0, 0),
            None => return None,
            Some(Node::Directory { modified }) => (true, 0, *modified),
            Some(Node::File(s)) => (false, i64::try_from(s.len).unwrap_or(i64::MAX), s.modified),
        };
        Some(FileInfo {
            path: Some(path.to_string()),
            is_dir: Some(is_dir),
            file_size: Some(file_size),
            modification_time: Some(modified),
            unknown_fields: Default::default(),
        })
    }

    /// The directories from the root down to `path`.
    fn make_directories(&mut self, path: &str, now: i64) -> Result<(), ApiError> {
        let mut missing = Vec::new();
        let mut at = path;
        while at != "/" {
            match self.nodes.get(at) {
                Some(Node::Directory { .. }) => break,
                Some(Node::File(_)) => return Err(exists(at)),
                None => missing.push(at.to_string()),
            }
            at = parent(at);
        }
        for dir in missing {
            self.nodes.insert(dir, Node::Directory { modified: now });
        }
        Ok(())
    }

    /// Checks that `path` may become a file (its parent made).
    fn prepare_file(&mut self, path: &str, overwrite: bool, now: i64) -> Result<(), ApiError> {
        match self.nodes.get(path) {
            _ if path == "/" => return Err(exists(path)),
            Some(Node::Directory { .. }) => return Err(exists(path)),
            Some(Node::File(_)) if !overwrite => return Err(exists(path)),
            _ => {}
        }
        self.make_directories(parent(path), now)
    }

    /// `put`: the whole file.
    pub(crate) fn put(
        &mut self,
        path: &str,
        contents: &[u8],
        overwrite: bool,
        now: i64,
    ) -> Result<(), ApiError> {
        if contents.len() as u64 > rules::DBFS_INLINE_PUT.max_bytes {
            return Err(block_too_large(contents.len(), &rules::DBFS_INLINE_PUT));
        }
        let path = clean(path)?;
        self.prepare_file(&path, overwrite, now)?;
        let mut file = self.scratch.file("dbfs-").map_err(io)?;
        file.write_all(contents).map_err(io)?;
        self.nodes.insert(
            path,
            Node::File(Stored {
                path: file.into_temp_path(),
                len: contents.len() as u64,
                modified: now,
            }),
        );
        Ok(())
    }

    /// Forgets the streams idle for longer than [`HANDLE_IDLE`].
    fn expire(&mut self, now: i64) {
        let idle = millis(HANDLE_IDLE);
        self.streams.retain(|_, s| now - s.last_used <= idle);
    }

    /// `create`: a new write stream.
    pub(crate) fn create(
        &mut self,
        path: &str,
        overwrite: bool,
        now: i64,
    ) -> Result<i64, ApiError> {
        self.expire(now);
        let path = clean(path)?;
        self.prepare_file(&path, overwrite, now)?;
        let file = self.scratch.file("dbfs-").map_err(io)?;
        self.next_handle += 1;
        let handle = self.next_handle;
        self.streams.insert(
            handle,
            Stream {
                path,
                file,
                len: 0,
                last_used: now,
            },
        );
        Ok(handle)
    }

    fn stream(&mut self, handle: i64, now: i64) -> Result<&mut Stream, ApiError> {
        self.expire(now);
        self.streams.get_mut(&handle).ok_or_else(|| {
            ApiError::not_found(format!(
                "The handle {handle} does not exist: it was closed, or idle for too long."
            ))
        })
    }

    /// `add-block`: appends to a stream.
    pub(crate) fn add_block(&mut self, handle: i64, data: &[u8], now: i64) -> Result<(), ApiError> {
        if data.len() as u64 > rules::DBFS_BLOCK.max_bytes {
            return Err(block_too_large(data.len(), &rules::DBFS_BLOCK));
        }
        let stream = self.stream(handle, now)?;
        stream.file.write_all(data).map_err(io)?;
        stream.len += data.len() as u64;
        stream.last_used = now;
        Ok(())
    }

    /// `close`: the stream becomes the file.
    pub(crate) fn close(&mut self, handle: i64, now: i64) -> Result<(), ApiError> {
        self.stream(handle, now)?;
        let Some(stream) = self.streams.remove(&handle) else {
            return Err(does_not_exist(&handle.to_string()));
        };
        self.prepare_file(&stream.path, true, now)?;
        self.nodes.insert(
            stream.path,
            Node::File(Stored {
                path: stream.file.into_temp_path(),
                len: stream.len,
                modified: now,
            }),
        );
        Ok(())
    }

    /// `read`: up to `length` bytes from `offset`.
    pub(crate) fn read(&self, path: &str, offset: i64, length: i64) -> Result<Vec<u8>, ApiError> {
        if length < 0 || offset < 0 {
            return Err(ApiError::invalid_parameter(
                "offset and length must not be negative",
            ));
        }
        if length as u64 > rules::DBFS_READ.max_bytes {
            return Err(ApiError::new(
                400,
                "MAX_READ_SIZE_EXCEEDED",
                format!(
                    "Cannot read more than {} bytes at once ({length} asked).",
                    rules::DBFS_READ.max_bytes
                ),
            ));
        }
        let path = clean(path)?;
        let stored = match self.nodes.get(&path) {
            Some(Node::File(stored)) => stored,
            Some(Node::Directory { .. }) => {
                return Err(ApiError::invalid_parameter(format!(
                    "The path {path} is a directory."
                )));
            }
            None if path == "/" => {
                return Err(ApiError::invalid_parameter("The path / is a directory."));
            }
            None => return Err(does_not_exist(&path)),
        };
        let mut file = File::open(&stored.path).map_err(io)?;
        file.seek(SeekFrom::Start(offset as u64)).map_err(io)?;
        let mut data = Vec::new();
        file.take(length as u64)
            .read_to_end(&mut data)
            .map_err(io)?;
        Ok(data)
    }

    /// `get-status`.
    pub(crate) fn status(&self, path: &str) -> Result<FileInfo, ApiError> {
        let path = clean(path)?;
        self.info(&path).ok_or_else(|| does_not_exist(&path))
    }

    fn descendants(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// `list`: the entries of a directory, or the file itself.
    pub(crate) fn list(&self, path: &str) -> Result<Vec<FileInfo>, ApiError> {
        let path = clean(path)?;
        if !self.is_dir(&path) {
            return Ok(vec![self.info(&path).ok_or_else(|| does_not_exist(&path))?]);
        }
        let depth = |p: &str| p.matches('/').count();
        let base = if path == "/" { 0 } else { depth(&path) };
        Ok(self
            .descendants(&path)
            .iter()
            .filter(|p| depth(p) == base + 1)
            .filter_map(|p| self.info(p))
            .collect())
    }

    /// `mkdirs`.
    pub(crate) fn mkdirs(&mut self, path: &str, now: i64) -> Result<(), ApiError> {
        let path = clean(path)?;
        self.make_directories(&path, now)
    }

    /// `move`: a file, or a directory with everything in it.
    pub(crate) fn rename(&mut self, from: &str, to: &str, now: i64) -> Result<(), ApiError> {
        let (from, to) = (clean(from)?, clean(to)?);
        if from == "/" || !self.nodes.contains_key(&from) {
            return Err(does_not_exist(&from));
        }
        if to == "/" || self.nodes.contains_key(&to) {
            return Err(exists(&to));
        }
        if to.starts_with(&format!("{from}/")) {
            return Err(ApiError::invalid_parameter(format!(
                "Cannot move {from} into itself ({to})."
            )));
        }
        self.make_directories(parent(&to), now)?;
        let mut moving = self.descendants(&from);
        moving.insert(0, from.clone());
        for old in moving {
            if let Some(node) = self.nodes.remove(&old) {
                let new = format!("{to}{}", &old[from.len()..]);
                self.nodes.insert(new, node);
            }
        }
        Ok(())
    }

    /// `delete`: at most [`DELETE_BATCH`] entries per call, deepest first; the answer
    /// `PARTIAL_DELETE` says to call again. A missing path is not an error.
    pub(crate) fn delete(&mut self, path: &str, recursive: bool) -> Result<(), ApiError> {
        let path = clean(path)?;
        if path != "/" && !self.nodes.contains_key(&path) {
            return Ok(());
        }
        let inside = self.descendants(&path);
        if !inside.is_empty() && !recursive {
            return Err(ApiError::new(
                400,
                "IO_ERROR",
                format!("The directory {path} is not empty; delete it with recursive=true."),
            ));
        }
        // Deepest first, so that what is left is always a tree.
        let mut order = inside;
        order.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
        if order.len() >= DELETE_BATCH {
            for p in order.iter().take(DELETE_BATCH) {
                self.nodes.remove(p);
            }
            return Err(ApiError::new(
                503,
                "PARTIAL_DELETE",
                format!(
                    "The requested operation has deleted {DELETE_BATCH} files. There are more files remaining. You must make another request to delete more."
                ),
            ));
        }
        for p in order {
            self.nodes.remove(&p);
        }
        self.nodes.remove(&path);
        Ok(())
    }
}

fn block_too_large(len: usize, rule: &rules::SizeRule) -> ApiError {
    ApiError::new(
        400,
        "MAX_BLOCK_SIZE_EXCEEDED",
        format!(
            "The {} has {len} bytes; the limit is {}.",
            rule.what, rule.words
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> DbfsStore {
        DbfsStore::new(Arc::new(ScratchDir::new()))
    }

    #[test]
    fn streams_write_files_and_expire_when_idle() {
        let mut s = store();
        let h = s.create("/a/b.bin", false, 0).unwrap();
        s.add_block(h, b"abc", 1).unwrap();
        s.add_block(h, b"de", 2).unwrap();
        assert!(s.status("/a/b.bin").is_err(), "visible only once closed");
        s.close(h, 3).unwrap();
        assert_eq!(s.read("/a/b.bin", 1, 3).unwrap(), b"bcd");
        assert_eq!(s.read("dbfs:/a/b.bin", 4, 100).unwrap(), b"e");
        assert!(s.read("/a/b.bin", 5, 100).unwrap().is_empty());
        assert_eq!(s.status("/a").unwrap().is_dir, Some(true));
        let h = s.create("/a/c", true, 10).unwrap();
        let later = 10 + millis(HANDLE_IDLE) + 1;
        assert_eq!(s.add_block(h, b"x", later).unwrap_err().status, 404);
        let big = vec![0u8; rules::DBFS_BLOCK.max_bytes as usize + 1];
        let h = s.create("/a/c", true, later).unwrap();
        assert_eq!(
            s.add_block(h, &big, later).unwrap_err().code(),
            "MAX_BLOCK_SIZE_EXCEEDED"
        );
        assert_eq!(
            s.put("/p", &big, true, 0).unwrap_err().code(),
            "MAX_BLOCK_SIZE_EXCEEDED"
        );
        let too_long = rules::DBFS_READ.max_bytes as i64 + 1;
        assert_eq!(
            s.read("/a/b.bin", 0, too_long).unwrap_err().code(),
            "MAX_READ_SIZE_EXCEEDED"
        );
    }

    #[test]
    fn move_list_and_partial_deletes() {
        let mut s = store();
        s.put("/d/x", b"1", false, 0).unwrap();
        assert_eq!(
            s.put("/d/x", b"2", false, 0).unwrap_err().code(),
            "RESOURCE_ALREADY_EXISTS"
        );
        s.mkdirs("/d/e/f", 0).unwrap();
        s.rename("/d", "/m/n", 1).unwrap();
        let listed: Vec<_> = s
            .list("/m/n")
            .unwrap()
            .into_iter()
            .filter_map(|f| f.path)
            .collect();
        assert_eq!(listed, ["/m/n/e", "/m/n/x"]);
        assert_eq!(s.list("/m/n/x").unwrap().len(), 1);
        assert_eq!(s.delete("/m", false).unwrap_err().code(), "IO_ERROR");
        let deep = format!("/z{}", "/d".repeat(DELETE_BATCH + 10));
        s.mkdirs(&deep, 0).unwrap();
        assert_eq!(s.delete("/z", true).unwrap_err().code(), "PARTIAL_DELETE");
        s.delete("/z", true).unwrap();
        assert!(s.status("/z").is_err());
        s.delete("/z", true).unwrap();
    }
}
