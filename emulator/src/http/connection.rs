//! Reading requests from, and writing responses to, one client connection.
//!
//! Every read and write is bounded in time: waiting for the next request by the idle timeout,
//! receiving a request (head and body) by one deadline for the whole request, and writing an
//! answer by the write timeout. A client that trickles bytes in (slow loris) or never reads
//! its answer cannot hold a connection thread longer than that.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::request::Request;
use super::response::reason;

/// Largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body: the service's 10 MB request limit, plus room for JSON framing.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024 + 64 * 1024;
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
    /// The body is larger than [`MAX_BODY`]: answer 413 and close.
    TooLarge,
    /// The request did not arrive completely before its deadline: answer 408 and close.
    TimedOut,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

/// A client connection with the bytes read but not yet used (pipelined requests).
#[derive(Debug)]
pub(crate) struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    /// When the request being read must be complete.
    deadline: Option<Instant>,
    /// Longest time to write one answer.
    write_timeout: Duration,
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
    pub(crate) fn new(stream: TcpStream, write_timeout: Duration) -> Self {
        Self {
            stream,
            buf: Vec::new(),
            deadline: None,
            write_timeout,
        }
    }

    /// Reads more bytes into the buffer before the request deadline; `Ok(0)` at end of stream.
    fn fill(&mut self) -> Result<usize, ReadError> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(deadline) = self.deadline {
                let left = left(deadline).ok_or(ReadError::TimedOut)?;
                self.stream.set_read_timeout(Some(left))?;
            }
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
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

    /// Takes `n` bytes off the front of the buffer, reading as needed.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() < n {
            if self.fill()? == 0 {
                return Err(ReadError::Closed);
            }
        }
        Ok(self.buf.drain(..n).collect())
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

    /// Reads the next request: head, then body (sending `100 Continue` when asked), all of it
    /// before `deadline`.
    pub(crate) fn read_request(&mut self, deadline: Instant) -> Result<Incoming, ReadError> {
        self.deadline = Some(deadline);
        let result = self.read_request_inner();
        self.deadline = None;
        result
    }

    fn read_request_inner(&mut self) -> Result<Incoming, ReadError> {
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
        request.body = self.read_body(&request)?;
        Ok(Incoming {
            request,
            keep_alive,
        })
    }

    fn read_body(&mut self, request: &Request) -> Result<Vec<u8>, ReadError> {
        let chunked = request.header_has("transfer-encoding", "chunked");
        let length = match request.header("content-length") {
            Some(text) if !chunked => Some(
                text.parse::<usize>()
                    .map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
            ),
            _ => None,
        };
        if length.is_some_and(|n| n > MAX_BODY) {
            return Err(ReadError::TooLarge);
        }
        let expects_body = chunked || length.is_some_and(|n| n > 0);
        if expects_body && request.header_has("expect", "100-continue") {
            let deadline = self
                .deadline
                .unwrap_or_else(|| deadline_after(self.write_timeout));
            self.write_by(b"HTTP/1.1 100 Continue\r\n\r\n", deadline)?;
        }
        if chunked {
            return self.read_chunked();
        }
        self.take(length.unwrap_or(0))
    }

    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.line()?;
            let size_text = line.split(';').next().unwrap_or_default().trim();
            // A size too large for usize is a parse error, not an overflow.
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::Bad(400, "bad chunk size"))?;
            if size == 0 {
                // Trailer fields, up to an empty line (bounded by the request deadline).
                while !self.line()?.is_empty() {}
                return Ok(body);
            }
            if size > MAX_BODY.saturating_sub(body.len()) {
                return Err(ReadError::TooLarge);
            }
            body.extend(self.take(size)?);
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

    /// Writes a complete response within the write timeout.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_by(bytes, deadline_after(self.write_timeout))
    }

    /// Answers a request that could not be parsed, in plain text, and closes.
    pub(crate) fn refuse(mut self, status: u16, why: &str) {
        let body = format!("{why}\n");
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reason(status),
            body.len()
        );
        let _ = self.write([head.as_bytes(), body.as_bytes()].concat().as_slice());
        self.linger_close();
    }

    /// Answers a connection that will not be served (the server is full) without waiting:
    /// drops what the client already sent, so that closing does not reset the connection
    /// under the answer, writes `answer` and closes.
    pub(crate) fn turn_away(mut self, answer: &[u8]) {
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
        let _ = self.write(answer);
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Sends `answer` to a request whose bytes may still be arriving, and closes.
    pub(crate) fn answer_and_close(mut self, answer: &[u8]) {
        let _ = self.write(answer);
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

    /// A connection whose client side has sent `bytes` (and then closed its side).
    fn connection_with(bytes: &[u8]) -> (Connection, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(bytes).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let (server, _) = listener.accept().unwrap();
        (Connection::new(server, Duration::from_secs(5)), client)
    }

    #[test]
    fn content_length_bodies_and_pipelined_requests() {
        let (mut conn, _client) = connection_with(
            b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let first = conn.read_request(soon()).unwrap();
        assert_eq!(first.request.method, "POST");
        assert_eq!(first.request.path, "/a");
        assert_eq!(first.request.body, b"{}");
        assert!(first.keep_alive);
        let second = conn.read_request(soon()).unwrap();
        assert_eq!(second.request.path, "/b");
        assert!(!second.keep_alive);
        assert!(matches!(conn.read_request(soon()), Err(ReadError::Closed)));
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        let (mut conn, _client) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n",
        );
        assert_eq!(
            conn.read_request(soon()).unwrap().request.body,
            b"{\"a\":1}"
        );
    }

    #[test]
    fn expect_continue_gets_an_interim_answer() {
        let (mut conn, mut client) = connection_with(
            b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(conn.read_request(soon()).unwrap().request.body, b"{}");
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
        assert!(!conn.read_request(soon()).unwrap().keep_alive);
        assert!(conn.read_request(soon()).unwrap().keep_alive);
    }

    #[test]
    fn garbage_and_oversized_bodies_are_refused() {
        let (mut conn, _c) = connection_with(b"\x16\x03\x01 TLS hello\r\n\r\n");
        assert!(matches!(
            conn.read_request(soon()),
            Err(ReadError::Bad(400, _))
        ));
        let (mut conn, _c) =
            connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(matches!(
            conn.read_request(soon()),
            Err(ReadError::TooLarge)
        ));
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        assert!(matches!(
            conn.read_request(soon()),
            Err(ReadError::Bad(400, _))
        ));
    }

    #[test]
    fn a_truncated_body_is_a_closed_connection() {
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}");
        assert!(matches!(conn.read_request(soon()), Err(ReadError::Closed)));
    }

    #[test]
    fn a_chunk_size_beyond_usize_or_the_body_limit_is_refused_without_overflow() {
        let (mut conn, _c) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
        );
        assert!(matches!(
            conn.read_request(soon()),
            Err(ReadError::Bad(400, _))
        ));
        // usize::MAX itself parses: the limit check must not add it to the body length.
        let (mut conn, _c) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\nffffffffffffffff\r\n",
        );
        assert!(matches!(
            conn.read_request(soon()),
            Err(ReadError::TooLarge)
        ));
    }

    #[test]
    fn a_request_that_trickles_in_is_cut_off_at_its_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut conn = Connection::new(server, Duration::from_secs(5));
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
        let result = conn.read_request(deadline_after(Duration::from_millis(300)));
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
        let mut conn = Connection::new(server, Duration::from_secs(5));
        let started = Instant::now();
        let result = conn.wait_for_request(Duration::from_millis(100));
        assert!(matches!(result, Err(ReadError::Closed)), "{result:?}");
        assert!(started.elapsed() >= Duration::from_millis(100));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
