//! An HTTP response with a JSON body, and its bytes on the wire.

use serde_json::Value;

use crate::error::ApiError;

/// A response of the emulated service.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// Extra headers (`Retry-After`, `X-Request-Id`).
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// 200 with a JSON body.
    pub(crate) fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
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

    /// The bytes to send; `keep_alive` decides the `Connection` header.
    pub(crate) fn to_bytes(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
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
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The reason phrase of a status the emulator uses.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
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
        assert!(text.contains("Content-Length: 2\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n{}"), "{text}");
    }
}
