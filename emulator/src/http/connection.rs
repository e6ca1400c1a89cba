//! Reading requests from, and writing responses to, one client connection.
//!
//! Every read and write is bounded in time: waiting for the next request by the idle timeout,
//! receiving a request by a deadline, and writing an answer by the write timeout. The
//! deadlines follow progress, so that bodies of gigabytes can take the time they need: every
//! [`PROGRESS`] bytes of body received give the request its whole timeout again, and every
//! piece of a file-backed answer written gives the answer its whole write timeout again. A
//! client that trickles bytes in (slow loris) or stops reading its answer cannot hold a
//! connection thread longer than one timeout past its last real progress.
//!
//! Memory per connection is bounded whatever the size of a body: the read buffer holds at
//! most a request head (or a chunk-size line) and one read; body bytes are moved from it, or
//! read in [`CHUNK`]-sized pieces straight from the socket, into a [`Spool`] that goes to a
//! file past [`SPOOL_THRESHOLD`](super::body::SPOOL_THRESHOLD) bytes. A file-backed answer is
//! sent in [`CHUNK`]-sized pieces too.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::body::{Body, Spool, StorageError};
use super::request::Request;
use super::response::{Response, ResponseBody};
use crate::scratch::ScratchDir;

/// Largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Size of one read from the socket, of one piece of a body moved to its spool, and of one
/// piece of a file-backed answer.
const CHUNK: usize = 16 * 1024;
/// Bytes of a request body that, once received, renew the request's deadline.
const PROGRESS: u64 = 64 * 1024;
/// Most headers in a request.
const MAX_HEADERS: usize = 100;
/// Longest chunk-size or trailer line of a chunked body.
const MAX_LINE: usize = 4096;
/// How long, and how many bytes, a refused request's remaining bytes are read and dropped
/// before the connection is closed, so that the answer reaches the client before a reset.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 1024 * 1024;

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection between requests, it stayed idle too long, or the
    /// server closed it (eviction, stop).
    Closed,
    /// The bytes are not an HTTP/1.x request: answer this status and close.
    Bad(u16, &'static str),
    /// The body is larger than this limit (of the request's operation): answer 413 and
    /// close.
    TooLarge(u64),
    /// The body could not be stored (spooled to disk): answer 500 and close; the request is
    /// not carried out.
    Storage(io::Error),
    /// The request did not arrive completely before its deadline: answer 408 and close.
    TimedOut,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

impl From<StorageError> for ReadError {
    fn from(e: StorageError) -> Self {
        ReadError::Storage(e.0)
    }
}

/// A client connection with the bytes read but not yet used (pipelined requests).
#[derive(Debug)]
pub(crate) struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    /// When the request being read must be complete (renewed by progress).
    deadline: Option<Instant>,
    /// The time the request being read was given, which each [`PROGRESS`] bytes renew.
    window: Duration,
    /// Body bytes received since the deadline was last renewed.
    progress: u64,
    /// Longest time to write one answer.
    write_timeout: Duration,
    /// Where large bodies are spooled.
    scratch: Arc<ScratchDir>,
    /// The largest the read buffer has been (tests of bounded memory).
    #[cfg(test)]
    peak_buffer: usize,
}

/// A request and whether the connection stays open after its answer.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) request: Request,
    pub(crate) keep_alive: bool,
}

/// `now + d`, or a time far enough away when that is not representable.
pub(crate) fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

/// Time left until `deadline`, `None` once it has passed (a zero socket timeout means "none"
/// to the standard library, so it must never be set).
fn left(deadline: Instant) -> Option<Duration> {
    Some(deadline.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero())
}

impl Connection {
    pub(crate) fn new(
        stream: TcpStream,
        write_timeout: Duration,
        scratch: Arc<ScratchDir>,
    ) -> Self {
        Self {
            stream,
            buf: Vec::new(),
            deadline: None,
            window: Duration::ZERO,
            progress: 0,
            write_timeout,
            scratch,
            #[cfg(test)]
            peak_buffer: 0,
        }
    }

    /// Reads more bytes into the buffer before the request deadline; `Ok(0)` at end of stream.
    fn fill(&mut self) -> Result<usize, ReadError> {
        let mut chunk = [0u8; CHUNK];
        let n = self.read_some(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        #[cfg(test)]
        {
            self.peak_buffer = self.peak_buffer.max(self.buf.capacity());
        }
        Ok(n)
    }

    /// Reads some bytes into `into` before the request deadline; `Ok(0)` at end of stream.
    fn read_some(&mut self, into: &mut [u8]) -> Result<usize, ReadError> {
        loop {
            if let Some(deadline) = self.deadline {
                let left = left(deadline).ok_or(ReadError::TimedOut)?;
                self.stream.set_read_timeout(Some(left))?;
            }
            match self.stream.read(into) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) && self.deadline.is_some() =>
                {
                    return Err(ReadError::TimedOut);
                }
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    /// Moves the next `n` bytes of the request to `spool`: first those already buffered, then
    /// straight from the socket, never more than [`CHUNK`] at a time and never past them (the
    /// next pipelined request stays unread).
    fn copy_to(&mut self, spool: &mut Spool<'_>, n: u64) -> Result<(), ReadError> {
        let buffered = self.buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
        spool.write(&self.buf[..buffered])?;
        self.buf.drain(..buffered);
        self.progressed(buffered);
        let mut left = n - buffered as u64;
        let mut chunk = [0u8; CHUNK];
        while left > 0 {
            let want = CHUNK.min(usize::try_from(left).unwrap_or(CHUNK));
            let got = self.read_some(&mut chunk[..want])?;
            if got == 0 {
                return Err(ReadError::Closed);
            }
            spool.write(&chunk[..got])?;
            self.progressed(got);
            left -= got as u64;
        }
        Ok(())
    }

    /// Counts `n` body bytes received: each [`PROGRESS`] bytes give the request its whole
    /// time again from now.
    fn progressed(&mut self, n: usize) {
        self.progress += n as u64;
        if self.progress >= PROGRESS {
            self.progress = 0;
            let renewed = deadline_after(self.window);
            if self.deadline.is_some_and(|d| d < renewed) {
                self.deadline = Some(renewed);
            }
        }
    }

    /// Takes one CRLF-terminated line (without the CRLF).
    fn line(&mut self) -> Result<String, ReadError> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf.drain(..end + 2).take(end).collect::<Vec<u8>>();
                return String::from_utf8(line).map_err(|_| ReadError::Bad(400, "bad chunk line"));
            }
            if self.buf.len() > MAX_LINE {
                return Err(ReadError::Bad(400, "chunk line too long"));
            }
            if self.fill()? == 0 {
                return Err(ReadError::Closed);
            }
        }
    }

    /// Waits, at most `idle`, until the client starts sending a request (or one is already
    /// buffered).
    ///
    /// # Errors
    ///
    /// [`ReadError::Closed`] when the client closes the connection, the server shuts it down,
    /// or nothing arrives within `idle`.
    pub(crate) fn wait_for_request(&mut self, idle: Duration) -> Result<(), ReadError> {
        if !self.buf.is_empty() {
            return Ok(());
        }
        self.deadline = None;
        self.stream
            .set_read_timeout(Some(idle.max(Duration::from_millis(1))))?;
        match self.fill() {
            Ok(0) | Err(_) => Err(ReadError::Closed),
            Ok(_) => Ok(()),
        }
    }

    /// Reads the next request: head, then body (sending `100 Continue` when asked), before
    /// `deadline`, which every [`PROGRESS`] bytes of body move to as far from then as it was
    /// from now. `body_limit` tells, from the head, how large the body may be.
    pub(crate) fn read_request(
        &mut self,
        deadline: Instant,
        body_limit: &dyn Fn(&Request) -> u64,
    ) -> Result<Incoming, ReadError> {
        self.deadline = Some(deadline);
        self.window = deadline.saturating_duration_since(Instant::now());
        self.progress = 0;
        let result = self.read_request_inner(body_limit);
        self.deadline = None;
        result
    }

    fn read_request_inner(
        &mut self,
        body_limit: &dyn Fn(&Request) -> u64,
    ) -> Result<Incoming, ReadError> {
        let mut request = Request::default();
        let (head_len, version) = loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(&self.buf) {
                Ok(httparse::Status::Complete(len)) => {
                    request.method = parsed.method.unwrap_or_default().to_string();
                    request.set_target(parsed.path.unwrap_or_default());
                    request.headers = parsed
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect();
                    break (len, parsed.version.unwrap_or(1));
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(ReadError::Bad(431, "too many headers"));
                }
                Err(_) => return Err(ReadError::Bad(400, "not an HTTP/1.x request")),
            }
            if self.buf.len() > MAX_HEAD {
                return Err(ReadError::Bad(431, "request head too large"));
            }
            if self.fill()? == 0 {
                // Closed between requests (nothing buffered) or in the middle of a head.
                return Err(ReadError::Closed);
            }
        };
        self.buf.drain(..head_len);
        let keep_alive = if version == 0 {
            request.header_has("connection", "keep-alive")
        } else {
            !request.header_has("connection", "close")
        };
        let limit = body_limit(&request);
        request.body = self.read_body(&request, limit)?;
        Ok(Incoming {
            request,
            keep_alive,
        })
    }

    fn read_body(&mut self, request: &Request, limit: u64) -> Result<Body, ReadError> {
        let chunked = request.header_has("transfer-encoding", "chunked");
        let length = match request.header("content-length") {
            Some(text) if !chunked => Some(
                text.parse::<u64>()
                    .map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
            ),
            _ => None,
        };
        if length.is_some_and(|n| n > limit) {
            return Err(ReadError::TooLarge(limit));
        }
        let expects_body = chunked || length.is_some_and(|n| n > 0);
        if expects_body && request.header_has("expect", "100-continue") {
            let deadline = self
                .deadline
                .unwrap_or_else(|| deadline_after(self.write_timeout));
            self.write_by(b"HTTP/1.1 100 Continue\r\n\r\n", deadline)?;
        }
        let scratch = Arc::clone(&self.scratch);
        let mut spool = Spool::new(&scratch);
        if chunked {
            self.read_chunked(&mut spool, limit)?;
        } else {
            self.copy_to(&mut spool, length.unwrap_or(0))?;
        }
        Ok(spool.finish()?)
    }

    fn read_chunked(&mut self, spool: &mut Spool<'_>, limit: u64) -> Result<(), ReadError> {
        let mut received: u64 = 0;
        loop {
            let line = self.line()?;
            let size_text = line.split(';').next().unwrap_or_default().trim();
            // A size too large for u64 is a parse error, not an overflow.
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::Bad(400, "bad chunk size"))?;
            if size == 0 {
                // Trailer fields, up to an empty line (bounded by the request deadline).
                while !self.line()?.is_empty() {}
                return Ok(());
            }
            if size > limit.saturating_sub(received) {
                return Err(ReadError::TooLarge(limit));
            }
            self.copy_to(spool, size)?;
            received += size;
            if !self.line()?.is_empty() {
                return Err(ReadError::Bad(400, "chunk not followed by CRLF"));
            }
        }
    }

    /// Writes all of `bytes` before `deadline`.
    fn write_by(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        let mut rest = bytes;
        while !rest.is_empty() {
            let left = left(deadline).ok_or(io::ErrorKind::TimedOut)?;
            self.stream.set_write_timeout(Some(left))?;
            match self.stream.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.stream.flush()
    }

    /// Writes `response` within the write timeout (for a file-backed body, renewed by each
    /// piece written); with `head_only` (an answer to `HEAD`), its
    /// head alone, with the `Content-Length` of the body it stands for.
    ///
    /// # Errors
    ///
    /// When the client does not take the answer in time, or a file-backed body cannot be read
    /// to its announced length: the connection must then be closed (the client sees a short
    /// body, never a wrong one).
    pub(crate) fn send(
        &mut self,
        response: &Response,
        keep_alive: bool,
        head_only: bool,
    ) -> io::Result<()> {
        let deadline = deadline_after(self.write_timeout);
        let head = response.head(keep_alive);
        match (&response.body, head_only) {
            (_, true) => self.write_by(head.as_bytes(), deadline),
            (ResponseBody::Bytes(bytes), false) => {
                // One write for a small answer: one segment on the wire.
                self.write_by(&[head.as_bytes(), bytes].concat(), deadline)
            }
            (ResponseBody::File { file, offset, len }, false) => {
                self.write_by(head.as_bytes(), deadline)?;
                self.send_file(file, *offset, *len)
            }
        }
    }

    /// Sends `len` bytes of `file` from `offset`, [`CHUNK`] at a time, each within the write
    /// timeout.
    fn send_file(&mut self, mut file: &File, offset: u64, len: u64) -> io::Result<()> {
        file.seek(SeekFrom::Start(offset))?;
        let mut chunk = [0u8; CHUNK];
        let mut left = len;
        while left > 0 {
            let want = CHUNK.min(usize::try_from(left).unwrap_or(CHUNK));
            let n = match file.read(&mut chunk[..want]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file is shorter than the answer announced",
                    ));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.write_by(&chunk[..n], deadline_after(self.write_timeout))?;
            left -= n as u64;
        }
        Ok(())
    }

    /// Answers a request that could not be parsed, in plain text, and closes.
    pub(crate) fn refuse(mut self, status: u16, why: &str) {
        let answer = Response::bytes(status, "text/plain", format!("{why}\n").into_bytes());
        let _ = self.send(&answer, false, false);
        self.linger_close();
    }

    /// Answers a connection that will not be served (the server is full) without waiting:
    /// drops what the client already sent, so that closing does not reset the connection
    /// under the answer, writes `answer` and closes.
    pub(crate) fn turn_away(mut self, answer: &Response) {
        if self.stream.set_nonblocking(true).is_ok() {
            let mut chunk = [0u8; 16 * 1024];
            for _ in 0..4 {
                match self.stream.read(&mut chunk) {
                    Ok(n) if n > 0 => {}
                    _ => break,
                }
            }
            let _ = self.stream.set_nonblocking(false);
        }
        let _ = self.send(answer, false, false);
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Sends `answer` to a request whose bytes may still be arriving, and closes.
    pub(crate) fn answer_and_close(mut self, answer: &Response) {
        let _ = self.send(answer, false, false);
        self.linger_close();
    }

    /// Closes after an answer to a request that was not read completely: closing with unread
    /// bytes makes the system reset the connection, which can destroy the answer before the
    /// client reads it, so stop sending, then read and drop what still comes, for a little
    /// while (a client trickling bytes in cannot hold the connection longer than that).
    fn linger_close(mut self) {
        if self.stream.shutdown(Shutdown::Write).is_err() {
            return;
        }
        let until = deadline_after(LINGER);
        let mut dropped = 0;
        let mut chunk = [0u8; 16 * 1024];
        while dropped < LINGER_BYTES {
            let Some(left) = left(until) else { break };
            if self.stream.set_read_timeout(Some(left)).is_err() {
                break;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => dropped += n,
            }
        }
        self.close();
    }

    /// Closes both directions at once: the client sees the connection end without an answer.
    pub(crate) fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A deadline no test reaches.
    fn soon() -> Instant {
        deadline_after(Duration::from_secs(30))
    }

    /// The body limit of the tests that do not test it: the service's JSON limit.
    const LIMIT: u64 = 10 * 1024 * 1024;

    /// Reads the next request with the [`LIMIT`].
    fn read(conn: &mut Connection) -> Result<Incoming, ReadError> {
        conn.read_request(soon(), &|_| LIMIT)
    }

    fn scratch() -> Arc<ScratchDir> {
        Arc::new(ScratchDir::new())
    }

    fn body_of(incoming: &Incoming) -> &[u8] {
        incoming
            .request
            .body
            .in_memory()
            .expect("a small body is in memory")
    }

    /// A connection whose client side has sent `bytes` (and then closed its side).
    fn connection_with(bytes: &[u8]) -> (Connection, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(bytes).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let (server, _) = listener.accept().unwrap();
        (
            Connection::new(server, Duration::from_secs(5), scratch()),
            client,
        )
    }

    #[test]
    fn content_length_bodies_and_pipelined_requests() {
        let (mut conn, _client) = connection_with(
            b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let first = read(&mut conn).unwrap();
        assert_eq!(first.request.method, "POST");
        assert_eq!(first.request.path, "/a");
        assert_eq!(body_of(&first), b"{}");
        assert!(first.keep_alive);
        let second = read(&mut conn).unwrap();
        assert_eq!(second.request.path, "/b");
        assert!(!second.keep_alive);
        assert!(matches!(read(&mut conn), Err(ReadError::Closed)));
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        let (mut conn, _client) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n",
        );
        assert_eq!(body_of(&read(&mut conn).unwrap()), b"{\"a\":1}");
    }

    #[test]
    fn expect_continue_gets_an_interim_answer() {
        let (mut conn, mut client) = connection_with(
            b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(body_of(&read(&mut conn).unwrap()), b"{}");
        conn.close();
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        assert_eq!(answer, "HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn http_1_0_closes_unless_keep_alive() {
        let (mut conn, _client) = connection_with(
            b"GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        );
        assert!(!read(&mut conn).unwrap().keep_alive);
        assert!(read(&mut conn).unwrap().keep_alive);
    }

    #[test]
    fn garbage_and_oversized_bodies_are_refused() {
        let (mut conn, _c) = connection_with(b"\x16\x03\x01 TLS hello\r\n\r\n");
        assert!(matches!(read(&mut conn), Err(ReadError::Bad(400, _))));
        let (mut conn, _c) =
            connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(matches!(read(&mut conn), Err(ReadError::TooLarge(_))));
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        assert!(matches!(read(&mut conn), Err(ReadError::Bad(400, _))));
    }

    #[test]
    fn a_truncated_body_is_a_closed_connection() {
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}");
        assert!(matches!(read(&mut conn), Err(ReadError::Closed)));
    }

    #[test]
    fn a_chunk_size_beyond_usize_or_the_body_limit_is_refused_without_overflow() {
        let (mut conn, _c) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
        );
        assert!(matches!(read(&mut conn), Err(ReadError::Bad(400, _))));
        // usize::MAX itself parses: the limit check must not add it to the body length.
        let (mut conn, _c) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\nffffffffffffffff\r\n",
        );
        assert!(matches!(read(&mut conn), Err(ReadError::TooLarge(_))));
    }

    #[test]
    fn a_request_that_trickles_in_is_cut_off_at_its_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut conn = Connection::new(server, Duration::from_secs(5), scratch());
        client.write_all(b"GET /a HTTP/1.1\r\nX-Slow: ").unwrap();
        let trickle = std::thread::spawn(move || {
            // One byte every 50 ms: each read succeeds well within any per-read timeout.
            for _ in 0..40 {
                if client.write_all(b"a").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let started = Instant::now();
        let result = conn.read_request(deadline_after(Duration::from_millis(300)), &|_| LIMIT);
        assert!(matches!(result, Err(ReadError::TimedOut)), "{result:?}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        conn.close();
        trickle.join().unwrap();
    }

    #[test]
    fn waiting_for_a_request_gives_up_after_the_idle_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut conn = Connection::new(server, Duration::from_secs(5), scratch());
        let started = Instant::now();
        let result = conn.wait_for_request(Duration::from_millis(100));
        assert!(matches!(result, Err(ReadError::Closed)), "{result:?}");
        assert!(started.elapsed() >= Duration::from_millis(100));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    /// Sends a request with a body of `len` pattern bytes from another thread (framed by
    /// `Content-Length`, or chunked in pieces of `chunk` bytes), then a `GET /next`.
    fn send_large(
        len: u64,
        chunked: Option<usize>,
    ) -> (Connection, std::thread::JoinHandle<io::Result<()>>) {
        use super::super::body::testing::Pattern;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let sender = std::thread::spawn(move || -> io::Result<()> {
            let mut body = Pattern::new(7, len);
            match chunked {
                None => {
                    let head = format!("PUT /upload HTTP/1.1\r\nContent-Length: {len}\r\n\r\n");
                    client.write_all(head.as_bytes())?;
                    io::copy(&mut body, &mut client)?;
                }
                Some(size) => {
                    client
                        .write_all(b"PUT /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")?;
                    let mut piece = vec![0u8; size];
                    loop {
                        let n = body.read(&mut piece)?;
                        client.write_all(format!("{n:x}\r\n").as_bytes())?;
                        client.write_all(&piece[..n])?;
                        client.write_all(b"\r\n")?;
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
            client.write_all(b"GET /next HTTP/1.1\r\n\r\n")?;
            client.shutdown(Shutdown::Write)?;
            // Keep the socket open until the server has read everything.
            let _ = client.read_to_end(&mut Vec::new());
            Ok(())
        });
        let (server, _) = listener.accept().unwrap();
        (
            Connection::new(server, Duration::from_secs(5), scratch()),
            sender,
        )
    }

    /// Reads the large body of [`send_large`] and checks it, the request after it and the
    /// memory the connection used.
    fn check_large(
        mut conn: Connection,
        sender: std::thread::JoinHandle<io::Result<()>>,
        len: u64,
    ) {
        use super::super::body::testing::{Pattern, fnv1a};
        let incoming = conn.read_request(soon(), &|_| u64::MAX).unwrap();
        let body = &incoming.request.body;
        assert_eq!(body.len(), len);
        let path = body.path().expect("a large body is spooled to a file");
        assert!(path.starts_with(conn.scratch.path().unwrap()), "{path:?}");
        assert_eq!(std::fs::metadata(path).unwrap().len(), len);
        assert_eq!(
            fnv1a(body.reader().unwrap()).unwrap(),
            fnv1a(Pattern::new(7, len)).unwrap(),
            "the spooled body is byte-identical to what was sent"
        );
        assert_eq!(read(&mut conn).unwrap().request.path, "/next");
        // The body went through a buffer no larger than a request head and one read.
        assert!(
            conn.peak_buffer <= 2 * (MAX_HEAD + CHUNK),
            "the read buffer grew to {} bytes",
            conn.peak_buffer
        );
        let path = path.to_path_buf();
        drop(incoming);
        assert!(
            !path.exists(),
            "the spooled body is deleted with the request"
        );
        conn.close();
        sender.join().unwrap().unwrap();
    }

    #[test]
    fn a_32_mib_body_is_spooled_to_disk_byte_for_byte_through_a_bounded_buffer() {
        let len = 32 * 1024 * 1024;
        let (conn, sender) = send_large(len, None);
        check_large(conn, sender, len);
    }

    #[test]
    fn a_large_chunked_body_is_spooled_too() {
        // Uneven chunks: some end inside a socket read, some span many.
        let len = 8 * 1024 * 1024 + 3;
        let (conn, sender) = send_large(len, Some(100_000));
        check_large(conn, sender, len);
    }

    #[test]
    fn each_request_has_its_own_body_limit() {
        let (mut conn, _c) = connection_with(
            b"PUT /small HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello worldPUT /big HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world",
        );
        let limit = |request: &Request| if request.path == "/big" { 100 } else { 10 };
        assert!(matches!(
            conn.read_request(soon(), &limit),
            Err(ReadError::TooLarge(10))
        ));
        let (mut conn, _c) = connection_with(
            b"PUT /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        );
        assert_eq!(
            body_of(&conn.read_request(soon(), &limit).unwrap()),
            b"hello world"
        );
        let (mut conn, _c) = connection_with(
            b"PUT /small HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        );
        assert!(matches!(
            conn.read_request(soon(), &limit),
            Err(ReadError::TooLarge(10))
        ));
    }

    #[test]
    fn a_body_that_cannot_be_stored_is_a_storage_error_not_a_short_body() {
        let len = 256 * 1024;
        let (mut conn, sender) = send_large(len, None);
        std::fs::remove_dir_all(conn.scratch.path().unwrap()).unwrap();
        let result = conn.read_request(soon(), &|_| u64::MAX);
        assert!(matches!(result, Err(ReadError::Storage(_))), "{result:?}");
        conn.close();
        // The client may see its upload cut off.
        let _ = sender.join().unwrap();
    }
}
