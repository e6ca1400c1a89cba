//! An HTTP response: a JSON answer, raw bytes of a given content type, or (a part of) a file
//! sent from disk; and its head on the wire.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::time::SystemTime;

use serde_json::Value;

use super::request::Request;
use crate::error::ApiError;

/// A response of the emulated service.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// `Content-Type`.
    pub(crate) content_type: Cow<'static, str>,
    /// Extra headers (`Retry-After`, `X-Request-Id`, `Content-Range`, ...).
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: ResponseBody,
}

/// The body of a [`Response`].
#[derive(Debug)]
pub(crate) enum ResponseBody {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// `len` bytes of `file` from `offset`, read and sent a piece at a time.
    File { file: File, offset: u64, len: u64 },
}

impl ResponseBody {
    /// The `Content-Length`.
    pub(crate) fn len(&self) -> u64 {
        match self {
            ResponseBody::Bytes(bytes) => bytes.len() as u64,
            ResponseBody::File { len, .. } => *len,
        }
    }
}

/// What a `Range` header asks of a body of a known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    /// No range, or one the server ignores (another unit, several ranges, bad syntax): the
    /// whole body, 200.
    Whole,
    /// Bytes `first..=last`, 206.
    Part { first: u64, last: u64 },
    /// A range that starts past the end, 416.
    Unsatisfiable,
}

impl Range {
    /// Reads one `Range` header against a body of `len` bytes (RFC 9110, 14.1): `bytes=a-b`,
    /// `bytes=a-`, `bytes=-n` (the last `n` bytes).
    fn parse(header: &str, len: u64) -> Range {
        let Some(spec) = header
            .trim()
            .split_once('=')
            .filter(|(unit, _)| unit.trim().eq_ignore_ascii_case("bytes"))
            .map(|(_, spec)| spec.trim())
        else {
            return Range::Whole;
        };
        let Some((first, last)) = spec.split_once('-') else {
            return Range::Whole;
        };
        let number = |text: &str| {
            let text = text.trim();
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u64>().ok())
                .flatten()
        };
        match (first.trim().is_empty(), number(first), number(last)) {
            // `-n`: the last n bytes.
            (true, _, Some(n)) if n == 0 || len == 0 => Range::Unsatisfiable,
            (true, _, Some(n)) => Range::Part {
                first: len - n.min(len),
                last: len - 1,
            },
            (false, Some(first), _) if first >= len && last.trim().is_empty() => {
                Range::Unsatisfiable
            }
            (false, Some(first), None) if last.trim().is_empty() => Range::Part {
                first,
                last: len - 1,
            },
            (false, Some(first), Some(last)) if first <= last => {
                if first >= len {
                    Range::Unsatisfiable
                } else {
                    Range::Part {
                        first,
                        last: last.min(len - 1),
                    }
                }
            }
            _ => Range::Whole,
        }
    }
}

impl Response {
    /// An answer with a JSON body.
    pub(crate) fn json(status: u16, body: &Value) -> Self {
        Self::bytes(status, "application/json", body.to_string().into_bytes())
    }

    /// An answer with raw bytes of `content_type`.
    pub(crate) fn bytes(
        status: u16,
        content_type: impl Into<Cow<'static, str>>,
        body: Vec<u8>,
    ) -> Self {
        Self {
            status,
            content_type: content_type.into(),
            headers: Vec::new(),
            body: ResponseBody::Bytes(body),
        }
    }

    /// The error answer for `error`, with `Retry-After` when it has one.
    pub(crate) fn error(error: &ApiError) -> Self {
        let mut response = Self::json(error.status, &error.body());
        if let Some(secs) = error.retry_after {
            response.headers.push(("Retry-After", secs.to_string()));
        }
        response
    }

    /// The contents of `file` as the answer to a `GET` or `HEAD` `request`, sent from disk a
    /// piece at a time (memory stays flat whatever the file's size), with `Content-Length`,
    /// `Accept-Ranges: bytes` and, when given, `Last-Modified` as an HTTP date.
    ///
    /// A `GET` with one `Range` (`bytes=a-b`, `bytes=a-`, `bytes=-n`) is answered 206 with
    /// those bytes and `Content-Range: bytes a-b/len`; a range that starts past the end 416
    /// with `Content-Range: bytes */len`; other `Range` headers (several ranges, another unit,
    /// bad syntax, with `If-Range`) are ignored, as RFC 9110 allows: 200 with the whole file.
    /// The server sends only the head in answer to a `HEAD`.
    ///
    /// # Errors
    ///
    /// When the file's length cannot be read.
    pub(crate) fn file(
        request: &Request,
        file: File,
        content_type: impl Into<Cow<'static, str>>,
        last_modified: Option<SystemTime>,
    ) -> io::Result<Self> {
        let len = file.metadata()?.len();
        let range = match request.header("range") {
            Some(header) if request.method == "GET" && request.header("if-range").is_none() => {
                Range::parse(header, len)
            }
            _ => Range::Whole,
        };
        let (status, offset, part_len) = match range {
            Range::Whole => (200, 0, len),
            Range::Part { first, last } => (206, first, last - first + 1),
            Range::Unsatisfiable => (416, 0, 0),
        };
        let mut response = Self {
            status,
            content_type: content_type.into(),
            headers: vec![("Accept-Ranges", "bytes".to_string())],
            body: ResponseBody::File {
                file,
                offset,
                len: part_len,
            },
        };
        match range {
            Range::Whole => {}
            Range::Part { first, last } => response
                .headers
                .push(("Content-Range", format!("bytes {first}-{last}/{len}"))),
            Range::Unsatisfiable => response
                .headers
                .push(("Content-Range", format!("bytes */{len}"))),
        }
        if let Some(time) = last_modified {
            response
                .headers
                .push(("Last-Modified", httpdate::fmt_http_date(time)));
        }
        Ok(response)
    }

    /// The status line and headers; `keep_alive` decides the `Connection` header.
    pub(crate) fn head(&self, keep_alive: bool) -> String {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len(),
            if keep_alive { "keep-alive" } else { "close" },
        );
        for (name, value) in &self.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        head
    }

    /// The bytes on the wire of an answer with a body in memory (tests).
    #[cfg(test)]
    pub(crate) fn to_bytes(&self, keep_alive: bool) -> Vec<u8> {
        let mut bytes = self.head(keep_alive).into_bytes();
        match &self.body {
            ResponseBody::Bytes(body) => bytes.extend_from_slice(body),
            ResponseBody::File { .. } => panic!("a file-backed body is not in memory"),
        }
        bytes
    }
}

/// The reason phrase of a status the emulator uses.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn errors_carry_retry_after_and_the_json_body() {
        let bytes = Response::error(&ApiError::too_many_requests(2)).to_bytes(false);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 429 Too Many Requests\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nRetry-After: 2\r\n"), "{text}");
        assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
        assert!(text.ends_with("\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"The request was rejected because the rate limit was exceeded. Retry later.\"}"), "{text}");
    }

    #[test]
    fn content_length_is_the_body_length() {
        let response = Response::json(200, &serde_json::json!({}));
        let text = String::from_utf8(response.to_bytes(true)).unwrap();
        assert!(
            text.contains("Content-Type: application/json\r\n"),
            "{text}"
        );
        assert!(text.contains("Content-Length: 2\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n{}"), "{text}");
        let raw = Response::bytes(200, "application/octet-stream", vec![0, 1, 2]);
        let bytes = raw.to_bytes(false);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("Content-Type: application/octet-stream\r\nContent-Length: 3\r\n"),
            "{text}"
        );
        assert!(bytes.ends_with(b"\r\n\r\n\x00\x01\x02"));
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        use Range::*;
        let part = |first, last| Part { first, last };
        for (header, expected) in [
            ("bytes=0-9", part(0, 9)),
            ("bytes=10-19", part(10, 19)),
            ("bytes=90-200", part(90, 99)),
            ("bytes=99-99", part(99, 99)),
            ("bytes=50-", part(50, 99)),
            ("bytes=-10", part(90, 99)),
            ("bytes=-1000", part(0, 99)),
            (" Bytes = 5-6 ", part(5, 6)),
            ("bytes=100-", Unsatisfiable),
            ("bytes=100-200", Unsatisfiable),
            ("bytes=-0", Unsatisfiable),
            ("bytes=9-3", Whole),
            ("bytes=0-1,5-6", Whole),
            ("items=0-9", Whole),
            ("bytes=a-b", Whole),
            ("bytes=+1-2", Whole),
            ("bytes=-", Whole),
            ("bytes=5", Whole),
            ("bytes=99999999999999999999-", Whole),
        ] {
            assert_eq!(Range::parse(header, 100), expected, "{header}");
        }
        assert_eq!(Range::parse("bytes=0-", 0), Unsatisfiable);
        assert_eq!(Range::parse("bytes=-5", 0), Unsatisfiable);
    }

    fn file_of(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    fn get(range: Option<&str>) -> Request {
        let mut request = Request {
            method: "GET".into(),
            ..Default::default()
        };
        if let Some(range) = range {
            request.headers.push(("range".into(), range.into()));
        }
        request
    }

    fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
        response
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_file_answer_has_its_length_range_and_date() {
        let data: Vec<u8> = (0..=255).collect();
        let modified = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let whole = Response::file(&get(None), file_of(&data), "text/csv", Some(modified)).unwrap();
        assert_eq!(whole.status, 200);
        assert_eq!(whole.body.len(), 256);
        assert_eq!(
            header(&whole, "Last-Modified"),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        assert_eq!(header(&whole, "Accept-Ranges"), Some("bytes"));
        assert!(whole.head(true).contains("Content-Type: text/csv\r\n"));

        let part = Response::file(&get(Some("bytes=10-19")), file_of(&data), "x/y", None).unwrap();
        assert_eq!(part.status, 206);
        assert!(matches!(
            part.body,
            ResponseBody::File {
                offset: 10,
                len: 10,
                ..
            }
        ));
        assert_eq!(header(&part, "Content-Range"), Some("bytes 10-19/256"));
        assert!(part.head(true).contains("Content-Length: 10\r\n"));

        let past = Response::file(&get(Some("bytes=256-")), file_of(&data), "x/y", None).unwrap();
        assert_eq!(past.status, 416);
        assert_eq!(past.body.len(), 0);
        assert_eq!(header(&past, "Content-Range"), Some("bytes */256"));

        // A HEAD, or a GET with If-Range, is answered whole.
        let mut head = get(Some("bytes=0-0"));
        head.method = "HEAD".into();
        let answer = Response::file(&head, file_of(&data), "x/y", None).unwrap();
        assert_eq!((answer.status, answer.body.len()), (200, 256));
        let mut conditional = get(Some("bytes=0-0"));
        conditional
            .headers
            .push(("if-range".into(), "\"etag\"".into()));
        let answer = Response::file(&conditional, file_of(&data), "x/y", None).unwrap();
        assert_eq!((answer.status, answer.body.len()), (200, 256));
    }
}
