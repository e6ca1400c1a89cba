//! What the DBFS API gains by hand on top of the generated operations: `put` of bytes (size
//! checked, base64 encoded), an upload of any size from any reader in blocks that restarts
//! instead of replaying a block whose answer was lost, reading a file as a `Read`, and a
//! delete that calls again while a large delete is only partly done.

use std::io::{self, Read, Write};

use base64::prelude::*;

use crate::models::{
    DbfsAddBlockRequest, DbfsCloseRequest, DbfsCreateRequest, DbfsDeleteRequest, DbfsPutRequest,
    DbfsReadRequest,
};
use crate::streaming::io_error;
use crate::{Dbfs, Error, Result, Upload, rules};

/// Name of the hand-written upload in errors.
const UPLOAD: &str = "dbfs.upload";
/// Name of the hand-written reads in errors.
const READ: &str = "dbfs.read";

/// How many times [`Dbfs::upload`] starts the upload (the first time included) when a block
/// or the close may have failed after the service received it.
const UPLOAD_ATTEMPTS: u32 = 3;

/// How many times [`Dbfs::delete`] calls again while the answer is `PARTIAL_DELETE`.
const PARTIAL_DELETE_ROUNDS: u32 = 10_000;

/// The error code of a recursive delete that is only partly done.
const PARTIAL_DELETE: &str = "PARTIAL_DELETE";

/// Bytes per block and per read: the service's largest.
fn chunk_len() -> usize {
    usize::try_from(rules::DBFS_BLOCK.max_bytes.min(rules::DBFS_READ.max_bytes)).unwrap_or(1 << 20)
}

impl<'a> Dbfs<'a> {
    /// Writes a whole file of at most [`rules::DBFS_INLINE_PUT`] bytes in one request.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// client.dbfs().put("/tmp/hello.txt", b"hello", true)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for larger contents or an empty path, before sending; the
    /// service's answer (`RESOURCE_ALREADY_EXISTS` without `overwrite`).
    pub fn put(&self, path: &str, contents: &[u8], overwrite: bool) -> Result<()> {
        crate::validate::non_empty("path", path)?;
        crate::validate::size(&rules::DBFS_INLINE_PUT, "contents", contents.len())?;
        self.send_put(&DbfsPutRequest {
            path: path.to_string(),
            contents: Some(BASE64_STANDARD.encode(contents)),
            overwrite: Some(overwrite),
            ..Default::default()
        })
    }

    /// Writes a file of any size from `body` (bytes, a seekable source such as a `File`, or a
    /// one-pass reader: see [`Upload`]): `create`, one `add-block` per
    /// [`rules::DBFS_BLOCK`] bytes, `close`, through one fixed buffer. Gives the bytes
    /// written.
    ///
    /// `add-block` is not idempotent, so a block whose answer is lost (the connection broke,
    /// a 5xx) is never sent again: the upload starts over (`create` with overwrite, every
    /// block again) from a replayable body, up to 3 times; a one-pass reader cannot start
    /// over, which is an error ([`Error::NotReplayable`]). Either way the file is complete
    /// or the call fails, never a file with a block missing or twice.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::Upload;
    /// let file = std::fs::File::open("model.bin").expect("a local file");
    /// let written = client.dbfs().upload("/tmp/model.bin", Upload::seekable(file).expect("seekable"), true)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The service's answer (`RESOURCE_ALREADY_EXISTS` without `overwrite`); [`Error::Io`]
    /// when the source cannot be read; [`Error::NotReplayable`] as above.
    pub fn upload<'b>(
        &self,
        path: &str,
        body: impl Into<Upload<'b>>,
        overwrite: bool,
    ) -> Result<u64> {
        crate::validate::non_empty("path", path)?;
        let mut body = body.into();
        let mut buffer = vec![0u8; chunk_len()];
        let mut attempt = 1;
        loop {
            // Once a `create` succeeded the path is this upload's: starting over overwrites.
            let overwrite = overwrite || attempt > 1;
            match self.upload_once(path, &mut body, &mut buffer, overwrite) {
                Ok(written) => return Ok(written),
                Err(Attempt::Failed(error)) => return Err(error),
                Err(Attempt::Unsure(error)) => {
                    let rewound = body
                        .rewind()
                        .map_err(|e| io_error(UPLOAD, "rewinding the source", e))?;
                    if !rewound {
                        return Err(Error::NotReplayable {
                            operation: UPLOAD.into(),
                            source: Box::new(error),
                        });
                    }
                    if attempt >= UPLOAD_ATTEMPTS {
                        return Err(error);
                    }
                    log::debug!(target: crate::LOG_TARGET, "{UPLOAD} {path}: {error}; starting over");
                    attempt += 1;
                }
            }
        }
    }

    /// Uploads from any reader of unknown length, read once (see [`Dbfs::upload`]).
    ///
    /// # Errors
    ///
    /// As [`Dbfs::upload`].
    pub fn upload_from(&self, path: &str, source: impl Read, overwrite: bool) -> Result<u64> {
        self.upload(path, Upload::reader(source, None), overwrite)
    }

    /// One run of `create`, `add-block`s and `close`.
    fn upload_once(
        &self,
        path: &str,
        body: &mut Upload<'_>,
        buffer: &mut [u8],
        overwrite: bool,
    ) -> std::result::Result<u64, Attempt> {
        let created = self
            .create(&DbfsCreateRequest {
                path: path.to_string(),
                overwrite: Some(overwrite),
                ..Default::default()
            })
            .map_err(Attempt::Failed)?;
        let handle = created.handle.ok_or_else(|| {
            Attempt::Failed(io_error(
                UPLOAD,
                "reading the answer of create",
                io::Error::new(io::ErrorKind::InvalidData, "the answer has no handle"),
            ))
        })?;
        let mut written = 0u64;
        loop {
            let n = fill(body, buffer)
                .map_err(|e| Attempt::Failed(io_error(UPLOAD, "reading the source", e)))?;
            if n == 0 {
                break;
            }
            self.add_block(&DbfsAddBlockRequest {
                handle,
                data: BASE64_STANDARD.encode(&buffer[..n]),
                ..Default::default()
            })
            .map_err(Attempt::of)?;
            written += n as u64;
        }
        self.close(&DbfsCloseRequest {
            handle,
            ..Default::default()
        })
        .map_err(Attempt::of)?;
        Ok(written)
    }

    /// The file `path` as a [`Read`], fetched [`rules::DBFS_READ`] bytes per request as it
    /// is read; nothing is sent before the first read.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> std::io::Result<()> {
    /// let mut text = String::new();
    /// std::io::Read::read_to_string(&mut client.dbfs().open("/tmp/hello.txt"), &mut text)?;
    /// # Ok(()) }
    /// ```
    pub fn open(&self, path: &str) -> DbfsReader<'a> {
        DbfsReader {
            dbfs: *self,
            path: path.to_string(),
            offset: 0,
            chunk: Vec::new(),
            at: 0,
            done: false,
        }
    }

    /// Copies the whole file `path` into `out`; gives the bytes written.
    ///
    /// # Errors
    ///
    /// The service's answer; [`Error::Io`] when an answer does not hold the bytes it says,
    /// or writing to `out` fails.
    pub fn download_to(&self, path: &str, out: &mut dyn Write) -> Result<u64> {
        let mut reader = self.open(path);
        while reader.fetch()? {
            out.write_all(&reader.chunk)
                .map_err(|e| io_error(READ, "writing the download", e))?;
        }
        Ok(reader.offset)
    }

    /// Deletes a file, or a directory (`recursive` for one with entries), calling again while
    /// the service answers `PARTIAL_DELETE` (a large delete is done in parts).
    ///
    /// # Errors
    ///
    /// The service's answer (`RESOURCE_DOES_NOT_EXIST`, `IO_ERROR` for a non-empty directory
    /// without `recursive`).
    pub fn delete(&self, path: &str, recursive: bool) -> Result<()> {
        crate::validate::non_empty("path", path)?;
        let request = DbfsDeleteRequest {
            path: path.to_string(),
            recursive: Some(recursive),
            ..Default::default()
        };
        let mut round = 1;
        loop {
            match self.send_delete(&request) {
                Err(error)
                    if error.error_code() == Some(PARTIAL_DELETE)
                        && round < PARTIAL_DELETE_ROUNDS =>
                {
                    log::debug!(target: crate::LOG_TARGET, "dbfs.delete {path}: partly done, calling again");
                    round += 1;
                }
                other => return other,
            }
        }
    }
}

/// How one run of an upload failed.
enum Attempt {
    /// For good (a refusal, the source).
    Failed(Error),
    /// Maybe after the service received the request: start over, never replay.
    Unsure(Error),
}

impl Attempt {
    fn of(error: Error) -> Self {
        let unsure = match &error {
            Error::Transport(_) => true,
            other => other.status().is_some_and(|s| s >= 500),
        };
        if unsure {
            Attempt::Unsure(error)
        } else {
            Attempt::Failed(error)
        }
    }
}

/// Reads until `buffer` is full or the source ends; gives the bytes read.
fn fill(source: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buffer.len() {
        match source.read(&mut buffer[n..]) {
            Ok(0) => break,
            Ok(read) => n += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A DBFS file read as it is consumed; see [`Dbfs::open`]. Holds one chunk of at most
/// [`rules::DBFS_READ`] bytes.
pub struct DbfsReader<'a> {
    dbfs: Dbfs<'a>,
    path: String,
    /// Bytes of the file fetched so far.
    offset: u64,
    chunk: Vec<u8>,
    /// Bytes of `chunk` already read.
    at: usize,
    done: bool,
}

impl DbfsReader<'_> {
    /// Fetches the next chunk; `false` at the end of the file.
    fn fetch(&mut self) -> Result<bool> {
        if self.done {
            return Ok(false);
        }
        let answer = self.dbfs.read(&DbfsReadRequest {
            path: self.path.clone(),
            offset: Some(i64::try_from(self.offset).unwrap_or(i64::MAX)),
            length: Some(i64::try_from(chunk_len()).unwrap_or(i64::MAX)),
            ..Default::default()
        })?;
        let bad = |what: String| {
            io_error(
                READ,
                "decoding the answer",
                io::Error::new(io::ErrorKind::InvalidData, what),
            )
        };
        let data = BASE64_STANDARD
            .decode(answer.data.as_deref().unwrap_or_default())
            .map_err(|e| bad(format!("the data is not base64: {e}")))?;
        let said = answer.bytes_read.unwrap_or(0);
        if u64::try_from(said).ok() != Some(data.len() as u64) || data.len() > chunk_len() {
            return Err(bad(format!(
                "the answer says {said} bytes and holds {}",
                data.len()
            )));
        }
        self.chunk = data;
        self.at = 0;
        self.offset += self.chunk.len() as u64;
        self.done = self.chunk.is_empty();
        Ok(!self.done)
    }
}

impl Read for DbfsReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            if !self.fetch().map_err(io::Error::other)? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl std::fmt::Debug for DbfsReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbfsReader")
            .field("path", &self.path)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}
