//! Byte bodies of any size, both ways: [`Upload`] (a request body read from bytes, a seekable
//! source or any reader, sent without being held in memory) and [`Download`] (a response
//! body the caller drains as a [`Read`]), and the [`Headers`] of an answer.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom, Write};

use crate::{Error, Result};

/// Anything that reads and seeks (a `File`, a `Cursor`).
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

enum Source<'a> {
    Bytes(io::Cursor<&'a [u8]>),
    Seekable {
        inner: Box<dyn ReadSeek + 'a>,
        /// Where the body starts in it.
        start: u64,
    },
    Reader(Box<dyn Read + 'a>),
    /// Another body between fixed bytes (the frame of a multipart form).
    Framed(Box<Framed<'a>>),
}

/// `before`, the body, `after`; see [`Upload::framed`].
struct Framed<'a> {
    before: io::Cursor<Vec<u8>>,
    body: Upload<'a>,
    after: io::Cursor<Vec<u8>>,
}

/// The body of an upload: sent as it is read, never held whole in memory.
///
/// * [`Upload::bytes`] and [`Upload::seekable`] (a `File`, a `Cursor`) can be sent again, so
///   a failed attempt is retried like any call of the operation; the length is known, so the
///   request carries `Content-Length`.
/// * [`Upload::reader`] (a pipe, a decompressor, a network stream) is read once: an attempt
///   that fails after reading from it is not retried ([`Error::NotReplayable`]). With a
///   length the request carries `Content-Length` (a source that ends early or runs on is an
///   error); without one it is sent chunked.
///
/// ```no_run
/// use azure_databricks_sdk::Upload;
/// let file = std::fs::File::open("data.csv")?;
/// let body = Upload::seekable(file)?;
/// assert!(body.is_replayable());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Upload<'a> {
    source: Source<'a>,
    len: Option<u64>,
    /// Bytes read from the source by the current attempt.
    read: u64,
}

impl<'a> Upload<'a> {
    /// Bytes already in memory.
    pub fn bytes(bytes: &'a [u8]) -> Self {
        Upload {
            len: Some(bytes.len() as u64),
            source: Source::Bytes(io::Cursor::new(bytes)),
            read: 0,
        }
    }

    /// A seekable source, from its current position to its end (the length is found by
    /// seeking to the end and back).
    ///
    /// # Errors
    ///
    /// The source's seek error.
    pub fn seekable(mut source: impl Read + Seek + 'a) -> io::Result<Self> {
        let start = source.stream_position()?;
        let end = source.seek(SeekFrom::End(0))?;
        source.seek(SeekFrom::Start(start))?;
        Ok(Upload {
            len: Some(end.saturating_sub(start)),
            source: Source::Seekable {
                inner: Box::new(source),
                start,
            },
            read: 0,
        })
    }

    /// A one-pass reader of `len` bytes (`None`: unknown, sent chunked).
    pub fn reader(source: impl Read + 'a, len: Option<u64>) -> Self {
        Upload {
            source: Source::Reader(Box::new(source)),
            len,
            read: 0,
        }
    }

    /// `body` sent between the bytes `before` and `after` (e.g. in a multipart form): as
    /// replayable as `body`, of known length when `body`'s is known.
    pub(crate) fn framed(before: Vec<u8>, body: Upload<'a>, after: Vec<u8>) -> Self {
        let len = body
            .len
            .map(|len| len + before.len() as u64 + after.len() as u64);
        Upload {
            len,
            source: Source::Framed(Box::new(Framed {
                before: io::Cursor::new(before),
                body,
                after: io::Cursor::new(after),
            })),
            read: 0,
        }
    }

    /// The body's length, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// Whether the body can be sent again (bytes or a seekable source).
    pub fn is_replayable(&self) -> bool {
        match &self.source {
            Source::Reader(_) => false,
            Source::Framed(framed) => framed.body.is_replayable(),
            _ => true,
        }
    }

    /// Prepares another attempt: rewinds a replayable body. `false` when the body cannot be
    /// sent again because the previous attempt already read from it.
    pub(crate) fn rewind(&mut self) -> io::Result<bool> {
        let read = std::mem::take(&mut self.read);
        match &mut self.source {
            Source::Bytes(cursor) => cursor.set_position(0),
            Source::Seekable { inner, start } => {
                inner.seek(SeekFrom::Start(*start))?;
            }
            Source::Reader(_) => return Ok(read == 0),
            Source::Framed(framed) => {
                framed.before.set_position(0);
                framed.after.set_position(0);
                return framed.body.rewind();
            }
        }
        Ok(true)
    }

    /// Bytes read by the current attempt.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }
}

impl Read for Upload<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // A declared length is what is sent: never more (the server would take the excess for
        // the next request), and a source ending early is an error rather than a short file.
        let want = match self.len {
            Some(len) => {
                let left = len - self.read.min(len);
                if left == 0 {
                    return Ok(0);
                }
                buf.len().min(usize::try_from(left).unwrap_or(usize::MAX))
            }
            None => buf.len(),
        };
        let n = match &mut self.source {
            Source::Bytes(cursor) => cursor.read(&mut buf[..want])?,
            Source::Seekable { inner, .. } => inner.read(&mut buf[..want])?,
            Source::Reader(inner) => inner.read(&mut buf[..want])?,
            Source::Framed(framed) => match framed.before.read(&mut buf[..want])? {
                0 => match framed.body.read(&mut buf[..want])? {
                    0 => framed.after.read(&mut buf[..want])?,
                    n => n,
                },
                n => n,
            },
        };
        if n == 0 && want > 0 && self.len.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the upload's source ended after {} of its {} bytes",
                    self.read,
                    self.len.unwrap_or_default()
                ),
            ));
        }
        self.read += n as u64;
        Ok(n)
    }
}

impl fmt::Debug for Upload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Bytes(_) => "bytes",
            Source::Seekable { .. } => "seekable",
            Source::Reader(_) => "reader",
            Source::Framed(_) => "framed",
        };
        f.debug_struct("Upload")
            .field("source", &kind)
            .field("len", &self.len)
            .finish()
    }
}

impl<'a> From<&'a [u8]> for Upload<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Upload::bytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Upload<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Upload::bytes(bytes)
    }
}

impl<'a> From<&'a str> for Upload<'a> {
    fn from(text: &'a str) -> Self {
        Upload::bytes(text.as_bytes())
    }
}

/// The headers of an answer, names in lower case, values as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    status: u16,
    entries: Vec<(String, String)>,
}

impl Headers {
    pub(crate) fn of(response: &ureq::http::Response<ureq::Body>) -> Self {
        Headers {
            status: response.status().as_u16(),
            entries: response
                .headers()
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
                })
                .collect(),
        }
    }

    /// HTTP status of the answer (200, 206, ...).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of header `name` (any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Length`, when sent.
    pub fn content_length(&self) -> Option<u64> {
        self.get("content-length")?.trim().parse().ok()
    }

    /// `Content-Type`, when sent.
    pub fn content_type(&self) -> Option<&str> {
        self.get("content-type")
    }

    /// `Last-Modified` (an HTTP date), when sent.
    pub fn last_modified(&self) -> Option<&str> {
        self.get("last-modified")
    }

    /// Every header, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// The body of an answer, read as it arrives: drain it with [`Read`] or
/// [`Download::copy_to`]. Its headers are known before the first byte is read.
///
/// Reading fails with an I/O error when the connection breaks or ends before
/// `Content-Length` bytes; nothing is retried once the body is being read (a resumable
/// download restarts from the bytes it has, with a `Range`).
pub struct Download {
    operation: String,
    headers: Headers,
    body: Box<dyn Read + Send>,
}

impl Download {
    pub(crate) fn new(operation: &str, response: ureq::http::Response<ureq::Body>) -> Self {
        let headers = Headers::of(&response);
        let body = response.into_body().into_reader();
        Download {
            operation: operation.to_string(),
            headers,
            body: Box::new(body),
        }
    }

    /// The answer's headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// Copies the whole body into `out` through a fixed 64 KiB buffer; gives the number of
    /// bytes copied.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: reading the body (connection broken or ended early) or writing to
    /// `out` failed.
    pub fn copy_to(mut self, out: &mut dyn Write) -> Result<u64> {
        let mut buffer = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match self.body.read(&mut buffer) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(&self.operation, "reading the answer", e)),
            };
            out.write_all(&buffer[..n])
                .map_err(|e| io_error(&self.operation, "writing the download", e))?;
            total += n as u64;
        }
    }
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.body.read(buf)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("operation", &self.operation)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// An [`Error::Io`].
pub(crate) fn io_error(operation: &str, what: &str, source: io::Error) -> Error {
    Error::Io {
        operation: operation.to_string(),
        what: what.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_framed_body_reads_its_frame_and_rewinds_like_its_body() {
        let mut framed = Upload::framed(b"<".to_vec(), Upload::bytes(b"body"), b">".to_vec());
        assert_eq!(framed.len(), Some(6));
        assert!(framed.is_replayable());
        let mut out = String::new();
        framed.read_to_string(&mut out).unwrap();
        assert_eq!(out, "<body>");
        assert!(framed.rewind().unwrap());
        out.clear();
        framed.read_to_string(&mut out).unwrap();
        assert_eq!(out, "<body>");
        let mut once = Upload::framed(Vec::new(), Upload::reader(&b"x"[..], None), Vec::new());
        assert!(!once.is_replayable());
        assert_eq!(once.len(), None);
        once.read_to_string(&mut out).unwrap();
        assert!(!once.rewind().unwrap());
    }

    #[test]
    fn a_seekable_upload_starts_where_the_source_is_and_rewinds_there() {
        let mut source = io::Cursor::new(b"skip:body".to_vec());
        source.set_position(5);
        let mut upload = Upload::seekable(source).unwrap();
        assert_eq!(upload.len(), Some(4));
        let mut first = String::new();
        upload.read_to_string(&mut first).unwrap();
        assert!(upload.rewind().unwrap());
        let mut second = String::new();
        upload.read_to_string(&mut second).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("body", "body"));
    }

    #[test]
    fn a_reader_is_replayed_only_if_nothing_was_read() {
        let mut upload = Upload::reader(&b"abc"[..], None);
        assert!(!upload.is_replayable());
        assert!(upload.rewind().unwrap());
        let mut byte = [0u8; 1];
        upload.read_exact(&mut byte).unwrap();
        assert!(!upload.rewind().unwrap());
    }

    #[test]
    fn a_declared_length_is_exact() {
        let mut short = Upload::reader(&b"ab"[..], Some(3));
        let err = io::copy(&mut short, &mut io::sink()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let mut long = Upload::reader(&b"abcd"[..], Some(3));
        let mut out = Vec::new();
        long.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
    }
}
