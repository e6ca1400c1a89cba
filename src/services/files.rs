//! What the Files API gains by hand on top of the generated operations: uploads with a `bool`
//! `overwrite` and from any reader, downloads into any writer, typed file metadata, a recursive
//! walk over the paged listing, and a download that continues a partial local file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

mod multipart;

pub use multipart::UploadOptions;

use crate::models::{DirectoryEntry, ListDirectoryRequest};
use crate::streaming::io_error;
use crate::{Error, Files, Headers, Pages, Result, Upload};

/// Name of the operation in errors of the hand-written downloads.
const DOWNLOAD: &str = "files.download";

/// How many times [`Files::download_resumable`] continues after the connection broke, within
/// one call, as long as each attempt brought bytes.
const RESUMES: u32 = 10;

/// The metadata of a file, from the headers of `HEAD /api/2.0/fs/files{path}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileMetadata {
    /// Length in bytes (`Content-Length`).
    pub content_length: u64,
    /// `Content-Type`, e.g. `application/octet-stream`.
    pub content_type: Option<String>,
    /// When the file was last modified (`Last-Modified`, whole seconds).
    pub last_modified: Option<SystemTime>,
    /// Every header of the answer.
    pub headers: Headers,
}

impl FileMetadata {
    fn from_headers(headers: Headers) -> Result<Self> {
        let content_length = headers.content_length().ok_or_else(|| Error::Io {
            operation: "files.get_metadata".into(),
            what: "reading the file's length".into(),
            source: io::Error::new(
                io::ErrorKind::InvalidData,
                "the answer has no valid Content-Length",
            ),
        })?;
        Ok(FileMetadata {
            content_length,
            content_type: headers.content_type().map(str::to_string),
            last_modified: headers
                .last_modified()
                .and_then(|date| httpdate::parse_http_date(date).ok()),
            headers,
        })
    }
}

impl<'a> Files<'a> {
    /// Uploads a file from `body` (bytes, a seekable source such as a `File`, or a one-pass
    /// reader: see [`Upload`]), never holding it in memory: up to
    /// [`crate::rules::FILES_MULTIPART_THRESHOLD`] in one streamed `PUT`, a longer file (or
    /// one of unknown length) with the multipart protocol of the official Python SDK, in parts
    /// of [`crate::rules::FILES_MULTIPART_PART`] read through one buffer, each sent to a signed
    /// storage URL without the workspace's credentials and retried alone (when the storage
    /// cannot be reached, the file goes in one `PUT`); [`Files::upload_with`] chooses other
    /// sizes. With
    /// `overwrite` false an existing file is an error (409 `ALREADY_EXISTS`). A replayable body
    /// is sent again whole when a retry is needed; a one-pass reader is not
    /// ([`Error::NotReplayable`]).
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::Upload;
    /// let file = std::fs::File::open("sales.csv").expect("a local file");
    /// let body = Upload::seekable(file).expect("seekable");
    /// client.files().upload("/Volumes/main/default/files/sales.csv", body, true)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// An invalid path (relative, `..`, empty segments) before sending; the service's answer.
    pub fn upload<'b>(
        &self,
        file_path: &str,
        body: impl Into<Upload<'b>>,
        overwrite: bool,
    ) -> Result<()> {
        self.upload_with(file_path, body, overwrite, UploadOptions::default())
    }

    /// [`Files::upload`] with the threshold and part size of the multipart upload chosen
    /// (see [`UploadOptions`]).
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::{Upload, UploadOptions};
    /// let file = std::fs::File::open("big.parquet").expect("a local file");
    /// let body = Upload::seekable(file).expect("seekable");
    /// let options = UploadOptions::default().part_size(64 * 1024 * 1024);
    /// client.files().upload_with("/Volumes/main/default/files/big.parquet", body, true, options)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Files::upload`]; a part size of 0 before sending; a part the storage refuses
    /// after its retries (the session is then aborted).
    pub fn upload_with<'b>(
        &self,
        file_path: &str,
        body: impl Into<Upload<'b>>,
        overwrite: bool,
        options: UploadOptions,
    ) -> Result<()> {
        let overwrite = if overwrite { "true" } else { "false" };
        let body = body.into();
        match body.len() {
            Some(len) if len <= options.threshold() => {
                self.send_upload(file_path, Some(overwrite), body)
            }
            _ => self.upload_multipart(file_path, body, overwrite, options),
        }
    }

    /// Uploads a file from any reader of unknown length (sent chunked, read once).
    ///
    /// # Errors
    ///
    /// As [`Files::upload`]; a failure after the first byte was read is not retried.
    pub fn upload_from(&self, file_path: &str, source: impl Read, overwrite: bool) -> Result<()> {
        self.upload(file_path, Upload::reader(source, None), overwrite)
    }

    /// Downloads a whole file into `out` through a fixed buffer; gives the bytes written.
    ///
    /// # Errors
    ///
    /// The service's answer; [`Error::Io`] when the connection breaks or the answer ends
    /// before its `Content-Length`, or writing to `out` fails.
    pub fn download_to(&self, file_path: &str, out: &mut dyn Write) -> Result<u64> {
        let download = self.download(file_path, None)?;
        let expected = download.headers().content_length();
        let copied = download.copy_to(out)?;
        check_length(copied, expected)?;
        Ok(copied)
    }

    /// The metadata of a file: length, content type, last modified.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] when there is no such file; [`Error::Io`] when the answer has no
    /// `Content-Length`.
    pub fn get_metadata(&self, file_path: &str) -> Result<FileMetadata> {
        FileMetadata::from_headers(self.send_get_metadata(file_path)?)
    }

    /// Every entry under `directory_path`, subdirectories included (each directory before its
    /// entries), depth first, as a lazy iterator holding one page per open directory.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// for entry in client.files().walk("/Volumes/main/default/files") {
    ///     let entry = entry?;
    ///     println!("{:?} {:?}", entry.path, entry.file_size);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn walk(&self, directory_path: &str) -> Walk<'a> {
        Walk {
            files: *self,
            open: vec![
                self.list_directory_contents(directory_path, &ListDirectoryRequest::default()),
            ],
        }
    }

    /// Downloads a file into `local`, continuing a partial download left there by an earlier
    /// call: the remote file's length and last-modified time are kept next to it (in
    /// `<local>.resume`) while the download is incomplete, and when they are unchanged the
    /// rest is asked for with `Range`; when the file changed, or the service sends it whole,
    /// the download starts over. Within one call, a connection broken while reading is
    /// continued the same way (up to 10 times, while each attempt brings bytes). Gives the
    /// file's length.
    ///
    /// # Errors
    ///
    /// The service's answer; [`Error::Io`] when the local file cannot be written, or the
    /// connection keeps breaking. The partial file and its `.resume` stay for the next call.
    pub fn download_resumable(&self, file_path: &str, local: &Path) -> Result<u64> {
        let state = state_path(local);
        let mut resumes = 0;
        loop {
            let metadata = self.get_metadata(file_path)?;
            let identity = Identity::of(&metadata);
            let have = match (Identity::read(&state), std::fs::metadata(local)) {
                (Some(saved), Ok(file)) if saved == identity && file.len() <= identity.length => {
                    file.len()
                }
                _ => 0,
            };
            if have == identity.length && have > 0 {
                remove_state(&state)?;
                return Ok(have);
            }
            identity.write(&state)?;
            match self.fetch_from(file_path, local, have, &identity) {
                Ok(()) => {
                    remove_state(&state)?;
                    return Ok(identity.length);
                }
                Err(Fetch::Broken { progressed, error }) => {
                    resumes = if progressed { 0 } else { resumes + 1 };
                    if resumes >= RESUMES {
                        return Err(error);
                    }
                    log::debug!(target: crate::LOG_TARGET, "{DOWNLOAD} {file_path}: {error}; resuming");
                }
                Err(Fetch::Failed(error)) => return Err(error),
            }
        }
    }

    /// Downloads the bytes from `offset` into `local` (appending; from 0 it is truncated).
    fn fetch_from(
        &self,
        file_path: &str,
        local: &Path,
        offset: u64,
        identity: &Identity,
    ) -> std::result::Result<(), Fetch> {
        let range = format!("bytes={offset}-");
        let mut download = self
            .download(file_path, (offset > 0).then_some(range.as_str()))
            .map_err(Fetch::Failed)?;
        let headers = download.headers();
        let continues = offset > 0
            && headers.status() == 206
            && headers.get("content-range").is_some_and(|r| {
                r.trim() == format!("bytes {offset}-{}/{}", identity.length - 1, identity.length)
            })
            && headers
                .last_modified()
                .is_none_or(|m| Some(m) == identity.modified.as_deref());
        let same_whole = headers.status() == 200
            && headers.content_length() == Some(identity.length)
            && headers
                .last_modified()
                .is_none_or(|m| Some(m) == identity.modified.as_deref());
        if !continues && !same_whole {
            // Changed since the HEAD (or an unexpected answer): start over on the next round.
            remove_state(&state_path(local)).map_err(Fetch::Failed)?;
            return Err(Fetch::Broken {
                progressed: false,
                error: Error::Io {
                    operation: DOWNLOAD.into(),
                    what: "resuming the download".into(),
                    source: io::Error::other("the file changed while it was downloaded"),
                },
            });
        }
        let start = if continues { offset } else { 0 };
        let mut file = open_at(local, start).map_err(Fetch::Failed)?;
        let mut buffer = vec![0u8; 64 * 1024];
        let mut written = start;
        loop {
            let n = match download.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    file.flush().ok();
                    return Err(Fetch::Broken {
                        progressed: written > start,
                        error: io_error(DOWNLOAD, "reading the answer", e),
                    });
                }
            };
            file.write_all(&buffer[..n])
                .map_err(|e| Fetch::Failed(io_error(DOWNLOAD, "writing the local file", e)))?;
            written += n as u64;
        }
        file.sync_all()
            .map_err(|e| Fetch::Failed(io_error(DOWNLOAD, "writing the local file", e)))?;
        if written != identity.length {
            return Err(Fetch::Broken {
                progressed: written > start,
                error: Error::Io {
                    operation: DOWNLOAD.into(),
                    what: "reading the answer".into(),
                    source: io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the file has {} bytes, {written} arrived", identity.length),
                    ),
                },
            });
        }
        Ok(())
    }
}

/// How one round of a resumable download ended badly.
enum Fetch {
    /// Worth another round: the connection broke, or the file changed.
    Broken { progressed: bool, error: Error },
    /// Not worth another round.
    Failed(Error),
}

/// What identifies the remote file's version: its length and last-modified date as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    length: u64,
    modified: Option<String>,
}

impl Identity {
    fn of(metadata: &FileMetadata) -> Self {
        Identity {
            length: metadata.content_length,
            modified: metadata.headers.last_modified().map(str::to_string),
        }
    }

    /// The identity saved next to a partial download, if any.
    fn read(state: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(state).ok()?;
        let mut lines = text.lines();
        let length = lines.next()?.strip_prefix("length: ")?.parse().ok()?;
        let modified = lines
            .next()?
            .strip_prefix("last-modified: ")
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        Some(Identity { length, modified })
    }

    fn write(&self, state: &Path) -> Result<()> {
        let text = format!(
            "length: {}\nlast-modified: {}\n",
            self.length,
            self.modified.as_deref().unwrap_or_default()
        );
        std::fs::write(state, text)
            .map_err(|e| io_error(DOWNLOAD, "writing the download's .resume file", e))
    }
}

/// `<local>.resume`.
fn state_path(local: &Path) -> PathBuf {
    let mut name = local.as_os_str().to_owned();
    name.push(".resume");
    PathBuf::from(name)
}

fn remove_state(state: &Path) -> Result<()> {
    match std::fs::remove_file(state) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error(
            DOWNLOAD,
            "removing the download's .resume file",
            e,
        )),
        _ => Ok(()),
    }
}

/// `local` opened for writing at `offset` (cut there).
fn open_at(local: &Path, offset: u64) -> Result<File> {
    let open = || -> io::Result<File> {
        let file = OpenOptions::new().create(true).append(true).open(local)?;
        file.set_len(offset)?;
        Ok(file)
    };
    open().map_err(|e| io_error(DOWNLOAD, "opening the local file", e))
}

/// A download that ended before its announced length is an error, never a short file.
fn check_length(copied: u64, expected: Option<u64>) -> Result<()> {
    match expected {
        Some(expected) if expected != copied => Err(Error::Io {
            operation: DOWNLOAD.into(),
            what: "reading the answer".into(),
            source: io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the answer announced {expected} bytes, {copied} arrived"),
            ),
        }),
        _ => Ok(()),
    }
}

/// The entries under a directory, depth first; see [`Files::walk`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Walk<'a> {
    files: Files<'a>,
    /// The listings being read, innermost last.
    open: Vec<Pages<'a, DirectoryEntry>>,
}

impl Iterator for Walk<'_> {
    type Item = Result<DirectoryEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let pages = self.open.last_mut()?;
            match pages.next() {
                None => {
                    self.open.pop();
                }
                Some(Ok(entry)) => {
                    if entry.is_directory == Some(true)
                        && let Some(path) = &entry.path
                    {
                        let listing = self
                            .files
                            .list_directory_contents(path, &ListDirectoryRequest::default());
                        self.open.push(listing);
                    }
                    return Some(Ok(entry));
                }
                Some(Err(error)) => {
                    // The listing that failed is over; the others go on.
                    self.open.pop();
                    return Some(Err(error));
                }
            }
        }
    }
}

impl std::fmt::Debug for Walk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk")
            .field("depth", &self.open.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resume_state_round_trips_and_sits_next_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("data.bin");
        let state = state_path(&local);
        assert_eq!(state, dir.path().join("data.bin.resume"));
        assert_eq!(Identity::read(&state), None);
        let identity = Identity {
            length: 42,
            modified: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
        };
        identity.write(&state).unwrap();
        assert_eq!(Identity::read(&state), Some(identity));
        remove_state(&state).unwrap();
        remove_state(&state).unwrap();
    }

    #[test]
    fn a_short_download_is_an_error() {
        assert!(check_length(10, Some(10)).is_ok());
        assert!(check_length(10, None).is_ok());
        assert!(matches!(check_length(9, Some(10)), Err(Error::Io { .. })));
    }
}
