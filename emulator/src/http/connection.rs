//! Reading requests from, and writing responses to, one client connection.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use super::request::Request;
use super::response::reason;

/// Largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body: the service's 10 MB request limit, plus room for JSON framing.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024 + 64 * 1024;
/// Most headers in a request.
const MAX_HEADERS: usize = 100;
/// Longest chunk-size line of a chunked body.
const MAX_LINE: usize = 4096;

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection between requests (or it timed out idle).
    Closed,
    /// The bytes are not an HTTP/1.x request: answer this status and close.
    Bad(u16, &'static str),
    /// The body is larger than [`MAX_BODY`]: answer 413 and close.
    TooLarge,
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
}

/// A request and whether the connection stays open after its answer.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) request: Request,
    pub(crate) keep_alive: bool,
}

impl Connection {
    pub(crate) fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream.
    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
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

    /// Reads the next request: head, then body (sending `100 Continue` when asked).
    pub(crate) fn read_request(&mut self) -> Result<Incoming, ReadError> {
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
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
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
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::Bad(400, "bad chunk size"))?;
            if size == 0 {
                // Trailer fields, up to an empty line.
                while !self.line()?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(ReadError::TooLarge);
            }
            body.extend(self.take(size)?);
            if !self.line()?.is_empty() {
                return Err(ReadError::Bad(400, "chunk not followed by CRLF"));
            }
        }
    }

    /// Writes a complete response.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
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

    /// A connection whose client side has sent `bytes` (and then closed its side).
    fn connection_with(bytes: &[u8]) -> (Connection, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(bytes).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let (server, _) = listener.accept().unwrap();
        (Connection::new(server), client)
    }

    #[test]
    fn content_length_bodies_and_pipelined_requests() {
        let (mut conn, _client) = connection_with(
            b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let first = conn.read_request().unwrap();
        assert_eq!(first.request.method, "POST");
        assert_eq!(first.request.path, "/a");
        assert_eq!(first.request.body, b"{}");
        assert!(first.keep_alive);
        let second = conn.read_request().unwrap();
        assert_eq!(second.request.path, "/b");
        assert!(!second.keep_alive);
        assert!(matches!(conn.read_request(), Err(ReadError::Closed)));
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        let (mut conn, _client) = connection_with(
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n",
        );
        assert_eq!(conn.read_request().unwrap().request.body, b"{\"a\":1}");
    }

    #[test]
    fn expect_continue_gets_an_interim_answer() {
        let (mut conn, mut client) = connection_with(
            b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(conn.read_request().unwrap().request.body, b"{}");
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
        assert!(!conn.read_request().unwrap().keep_alive);
        assert!(conn.read_request().unwrap().keep_alive);
    }

    #[test]
    fn garbage_and_oversized_bodies_are_refused() {
        let (mut conn, _c) = connection_with(b"\x16\x03\x01 TLS hello\r\n\r\n");
        assert!(matches!(conn.read_request(), Err(ReadError::Bad(400, _))));
        let (mut conn, _c) =
            connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
        assert!(matches!(conn.read_request(), Err(ReadError::TooLarge)));
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        assert!(matches!(conn.read_request(), Err(ReadError::Bad(400, _))));
    }

    #[test]
    fn a_truncated_body_is_a_closed_connection() {
        let (mut conn, _c) = connection_with(b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}");
        assert!(matches!(conn.read_request(), Err(ReadError::Closed)));
    }
}
