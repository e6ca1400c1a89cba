//! Executing one call: the attempts (through the retry engine), logging, and turning the
//! answer into a value or an [`Error`].

use std::borrow::Cow;
use std::time::Instant;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;

use crate::error::{ApiError, TransportError, TransportErrorKind};
use crate::operation::{HttpMethod, NotFoundIf, Operation};
use crate::retry::parse_retry_after;
use crate::streaming::{Download, Headers, Upload};
use crate::{Client, Error, LOG_TARGET, Result, redact};

/// The parts of a request besides its operation and body: values of the path's
/// placeholders, query pairs and headers (by name).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Parts<'a> {
    pub path: &'a [(&'a str, &'a str)],
    pub query: &'a [(&'a str, &'a str)],
    pub headers: &'a [(&'a str, &'a str)],
}

/// One call, after the operation-specific parts are resolved.
pub(crate) struct Call<'a> {
    pub operation: &'a str,
    pub method: HttpMethod,
    /// The path, placeholders filled in.
    pub path: Cow<'a, str>,
    pub query: &'a [(&'a str, &'a str)],
    pub headers: &'a [(&'a str, &'a str)],
    /// A JSON body.
    pub body: Option<&'a [u8]>,
    pub idempotent: bool,
    pub not_found_if: &'a [NotFoundIf],
}

impl<'a> Call<'a> {
    /// The call of `operation` with `parts`, its path filled in.
    pub(crate) fn of(
        operation: &'a Operation,
        parts: &Parts<'a>,
        body: Option<&'a [u8]>,
    ) -> Result<Self> {
        Ok(Call {
            operation: operation.name,
            method: operation.method,
            path: crate::path::expand(operation.path, parts.path)?,
            query: parts.query,
            headers: parts.headers,
            body,
            idempotent: operation.idempotent,
            not_found_if: operation.not_found_if,
        })
    }
}

/// A request's JSON body.
pub(crate) fn json_body<B: Serialize + ?Sized>(operation: &Operation, body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| {
        Error::invalid_input(format!("{} request body", operation.name), e.to_string())
    })
}

/// A request type's fields as query pairs (see [`query_pairs`]).
pub(crate) fn query_of<B: Serialize + ?Sized>(
    operation: &Operation,
    request: &B,
) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(request)
        .map_err(|e| Error::invalid_input(format!("{} request", operation.name), e.to_string()))?;
    let mut pairs = Vec::new();
    query_pairs(&value, "", &mut pairs);
    Ok(pairs)
}

/// Borrowed view of owned query pairs.
pub(crate) fn borrow_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// What an attempt sends as its body.
enum Outgoing<'u, 'b> {
    /// The call's JSON body, if any (a body-carrying method without one sends `{}` for POST
    /// and nothing for the others).
    Json,
    /// A byte stream.
    Stream(&'u mut Upload<'b>),
}

impl Client {
    /// Any operation with a JSON (or no) request body and a JSON answer decoded into `T`,
    /// retried as the client's [`crate::RetryPolicy`] allows.
    pub(crate) fn json<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        parts: &Parts<'_>,
        body: Option<&[u8]>,
    ) -> Result<T> {
        self.execute(&Call::of(operation, parts, body)?)
    }

    /// Sends the call, retrying as the client's [`crate::RetryPolicy`] allows, and decodes a
    /// success answer into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        self.json_answer(call, |attempt, body| {
            let response = self.exchange(call, Outgoing::Json, attempt)?;
            read_json(call, response, self.inner().max_response_bytes, body)
        })
    }

    /// A call whose request body is a byte stream, with a JSON answer. Each retry sends
    /// the body again from its start; a one-pass reader already read from is not retried
    /// ([`Error::NotReplayable`]).
    pub(crate) fn send_upload<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        upload: &mut Upload<'_>,
    ) -> Result<T> {
        self.json_answer(call, |attempt, body| {
            if attempt > 1 {
                upload.rewind().map_err(|e| {
                    crate::streaming::io_error(call.operation, "rewinding the upload's source", e)
                })?;
            }
            let sent = self.exchange(call, Outgoing::Stream(upload), attempt);
            let answer =
                sent.and_then(|r| read_json(call, r, self.inner().max_response_bytes, body));
            match answer {
                Err(error)
                    if !upload.is_replayable()
                        && upload.bytes_read() > 0
                        && crate::retry::classify(&error).is_some() =>
                {
                    Err(Error::NotReplayable {
                        operation: call.operation.to_string(),
                        source: Box::new(error),
                    })
                }
                other => other,
            }
        })
    }

    /// The attempts of a call with a JSON answer, retried as the client's
    /// [`crate::RetryPolicy`] allows: each reads its answer into this thread's answer buffer
    /// ([`crate::buffer`]) and gives its status; the last is decoded into `T`.
    fn json_answer<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        mut attempt: impl FnMut(u32, &mut Vec<u8>) -> Result<u16>,
    ) -> Result<T> {
        let inner = self.inner();
        crate::buffer::with(|body| {
            let status = crate::retry::run(
                &inner.retry,
                &*inner.clock,
                call.operation,
                call.idempotent,
                |number| attempt(number, body),
            )?;
            decode(call.operation, status, body)
        })
    }

    /// A call whose answer is a byte stream, returned once its headers arrive (the request is
    /// retried until then; the body is the caller's to read). Asks for the bytes as stored
    /// (`Accept-Encoding: identity`), so that lengths and ranges are those of the content.
    pub(crate) fn send_download(&self, call: &Call<'_>) -> Result<Download> {
        let inner = self.inner();
        let mut headers = Vec::with_capacity(call.headers.len() + 1);
        headers.extend_from_slice(call.headers);
        headers.push(("accept-encoding", "identity"));
        let call = Call {
            operation: call.operation,
            method: call.method,
            path: Cow::Borrowed(&call.path),
            query: call.query,
            headers: &headers,
            body: call.body,
            idempotent: call.idempotent,
            not_found_if: call.not_found_if,
        };
        let response = crate::retry::run(
            &inner.retry,
            &*inner.clock,
            call.operation,
            call.idempotent,
            |attempt| self.exchange(&call, Outgoing::Json, attempt),
        )?;
        Ok(Download::new(call.operation, response))
    }

    /// A `HEAD` call: the answer's headers.
    pub(crate) fn send_head(&self, call: &Call<'_>) -> Result<Headers> {
        let inner = self.inner();
        crate::retry::run(
            &inner.retry,
            &*inner.clock,
            call.operation,
            call.idempotent,
            |attempt| {
                self.exchange(call, Outgoing::Json, attempt)
                    .map(|response| Headers::of(&response))
            },
        )
    }

    /// A request to an absolute URL outside the workspace (a signed cloud-storage URL of a
    /// multipart upload): the client's agent and retry policy, the given headers and **none of
    /// the workspace's credentials** (the URL's signature authorizes it). Gives the answer's
    /// headers (a part's `ETag`); the body of a success is not read. Only `http`/`https` URLs
    /// are accepted.
    pub(crate) fn send_unauthenticated(
        &self,
        operation: &str,
        method: HttpMethod,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Headers> {
        let scheme = url.split_once("://").map(|(scheme, _)| scheme);
        if !scheme
            .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
        {
            return Err(Error::InvalidInput {
                field: "storage URL".into(),
                reason: "the service gave a URL that is not http(s); nothing was sent to it".into(),
            });
        }
        let inner = self.inner();
        crate::retry::run(&inner.retry, &*inner.clock, operation, true, |attempt| {
            let request = match method {
                HttpMethod::Put => inner.agent.put(url),
                HttpMethod::Post => inner.agent.post(url),
                HttpMethod::Patch => inner.agent.patch(url),
                HttpMethod::Get => inner.agent.get(url).force_send_body(),
                HttpMethod::Delete => inner.agent.delete(url).force_send_body(),
                HttpMethod::Head => inner.agent.head(url).force_send_body(),
            };
            let mut request =
                request.header(ureq::http::header::CONTENT_TYPE, "application/octet-stream");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let sent = Instant::now();
            let mut response = request.send(body).map_err(|e| {
                // The URL is not logged: its signature is a credential.
                log::debug!(target: LOG_TARGET, "{method} <storage URL>: {e} (attempt {attempt})");
                Error::from(transport_error(operation, url, e))
            })?;
            let status = response.status().as_u16();
            log::debug!(target: LOG_TARGET, "{method} <storage URL> -> {status} in {:?} (attempt {attempt})", sent.elapsed());
            let answered = Headers::of(&response);
            if (200..300).contains(&status) {
                return Ok(answered);
            }
            let body = read_body(response.body_mut(), inner.max_response_bytes)
                .map_err(|e| Error::from(transport_error(operation, url, e)))?;
            let request_id = answered.get("x-request-id").map(str::to_string);
            let mut error = ApiError::from_response(operation, status, &body, request_id, &[]);
            error.retry_after = answered
                .get("retry-after")
                .and_then(|v| parse_retry_after(v, inner.clock.wall_time()));
            Err(error.into())
        })
    }

    /// One attempt: sends the request and gives a 2xx answer, its body unread; any other
    /// answer or a failure on the way is an [`Error`].
    fn exchange(
        &self,
        call: &Call<'_>,
        outgoing: Outgoing<'_, '_>,
        attempt: u32,
    ) -> Result<Response<ureq::Body>> {
        let inner = self.inner();
        inner.pace();
        let url = inner.url(&call.path);
        let method = call.method.as_str();
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{method} {} query={:?} body={}", call.path, redact::query(call.query), redact::body(call.body.unwrap_or_default()));
        }
        // Timed only for the debug log (no clock read per call otherwise).
        let sent = log::log_enabled!(target: LOG_TARGET, log::Level::Debug).then(Instant::now);
        let response = match (call.method, outgoing) {
            (HttpMethod::Get, Outgoing::Json) if call.body.is_none() => {
                self.prepare(inner.agent.get(&url), call)?.call()
            }
            (HttpMethod::Delete, Outgoing::Json) if call.body.is_none() => {
                self.prepare(inner.agent.delete(&url), call)?.call()
            }
            (HttpMethod::Head, Outgoing::Json) if call.body.is_none() => {
                self.prepare(inner.agent.head(&url), call)?.call()
            }
            (_, outgoing) => {
                let request = match call.method {
                    HttpMethod::Post => inner.agent.post(&url),
                    HttpMethod::Put => inner.agent.put(&url),
                    HttpMethod::Patch => inner.agent.patch(&url),
                    HttpMethod::Get => inner.agent.get(&url).force_send_body(),
                    HttpMethod::Delete => inner.agent.delete(&url).force_send_body(),
                    HttpMethod::Head => inner.agent.head(&url).force_send_body(),
                };
                let request = self.prepare(request, call)?;
                match outgoing {
                    Outgoing::Json => {
                        let body = call.body.unwrap_or(match call.method {
                            HttpMethod::Post => b"{}",
                            _ => b"",
                        });
                        request
                            .header(ureq::http::header::CONTENT_TYPE, "application/json")
                            .send(body)
                    }
                    Outgoing::Stream(upload) => {
                        // A body of another type (a multipart form) says so in the call's
                        // headers.
                        let typed = call
                            .headers
                            .iter()
                            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
                        let mut request = if typed {
                            request
                        } else {
                            request.header(
                                ureq::http::header::CONTENT_TYPE,
                                "application/octet-stream",
                            )
                        };
                        if let Some(len) = upload.len() {
                            request = request.header(ureq::http::header::CONTENT_LENGTH, len);
                        }
                        request.send(ureq::SendBody::from_reader(upload))
                    }
                }
            }
        };
        let took = sent.map(|sent| sent.elapsed()).unwrap_or_default();
        let mut response = match response {
            Ok(response) => response,
            Err(e) => {
                log::debug!(target: LOG_TARGET, "{method} {}: {e} after {took:?} (attempt {attempt})", call.path);
                return Err(transport_error(call.operation, &url, e).into());
            }
        };
        let status = response.status().as_u16();
        log::debug!(target: LOG_TARGET, "{method} {} -> {status} in {took:?} (attempt {attempt})", call.path);
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (request_id, location, retry_after) = (
            header("x-request-id"),
            header("location"),
            header("retry-after"),
        );
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                operation: call.operation.to_string(),
                status,
                location: location.unwrap_or_default(),
            });
        }
        // An error answer is read whole (it is small, and within the response limit).
        let body = read_body(response.body_mut(), inner.max_response_bytes)
            .map_err(|e| read_error(call, &url, e))?;
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{method} {} <- {}", call.path, redact::body(&body));
        }
        let mut error =
            ApiError::from_response(call.operation, status, &body, request_id, call.not_found_if);
        error.retry_after =
            retry_after.and_then(|v| parse_retry_after(&v, inner.clock.wall_time()));
        inner.auth.annotate(&mut error);
        Err(error.into())
    }

    /// The call's query, headers and credentials on a request.
    fn prepare<B>(
        &self,
        request: ureq::RequestBuilder<B>,
        call: &Call<'_>,
    ) -> Result<ureq::RequestBuilder<B>> {
        let mut request = request.query_pairs(call.query.iter().copied());
        for (name, value) in call.headers {
            request = request.header(*name, *value);
        }
        self.inner().auth.apply(request)
    }
}

/// Reads a success answer's JSON body (within the response limit) into `body`, replacing what
/// an earlier attempt left there; gives the status.
fn read_json(
    call: &Call<'_>,
    mut response: Response<ureq::Body>,
    limit: u64,
    body: &mut Vec<u8>,
) -> Result<u16> {
    let status = response.status().as_u16();
    body.clear();
    read_body_into(response.body_mut(), limit, body).map_err(|e| {
        let url = call.path.to_string();
        read_error(call, &url, e)
    })?;
    if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
        log::trace!(target: LOG_TARGET, "{} {} <- {}", call.method, call.path, redact::body(body));
    }
    Ok(status)
}

/// The error of reading an answer's body.
fn read_error(call: &Call<'_>, url: &str, error: ureq::Error) -> Error {
    match error {
        ureq::Error::BodyExceedsLimit(limit) => {
            log::debug!(target: LOG_TARGET, "{} {}: response over {limit} bytes", call.method, call.path);
            Error::ResponseTooLarge {
                operation: call.operation.to_string(),
                limit,
            }
        }
        e => {
            log::debug!(target: LOG_TARGET, "{} {}: {e} while reading the answer", call.method, call.path);
            transport_error(call.operation, url, e).into()
        }
    }
}

/// A request's JSON as query pairs, the way the service reads GET parameters: nested fields as
/// dotted keys (`filter_by.is_pinned`), lists as repeated keys
/// (`filter_by.cluster_states=RUNNING&filter_by.cluster_states=PENDING`), booleans as
/// `true`/`false`, numbers in decimal; unset (`null`) fields are left out.
pub(crate) fn query_pairs(value: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let join = |name: &str| {
        if key.is_empty() {
            name.to_string()
        } else {
            format!("{key}.{name}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (name, value) in map {
                query_pairs(value, &join(name), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                query_pairs(item, key, out);
            }
        }
        Value::String(text) => out.push((key.to_string(), text.clone())),
        Value::Bool(b) => out.push((key.to_string(), b.to_string())),
        Value::Number(n) => out.push((key.to_string(), n.to_string())),
    }
}

/// Headers of an error answer that the SDK keeps.
#[derive(Default)]
pub(crate) struct AnswerHeaders {
    pub(crate) request_id: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) retry_after: Option<String>,
}

/// Status, body and (for errors) the headers kept of an answer; bodies over `limit` bytes fail.
pub(crate) fn read(
    mut response: Response<ureq::Body>,
    limit: u64,
) -> std::result::Result<(u16, Vec<u8>, AnswerHeaders), ureq::Error> {
    let status = response.status().as_u16();
    let mut headers = AnswerHeaders::default();
    if status >= 300 {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        headers.request_id = header("x-request-id");
        headers.location = header("location");
        headers.retry_after = header("retry-after");
    }
    let body = read_body(response.body_mut(), limit)?;
    Ok((status, body, headers))
}

/// Reads a whole body of at most `limit` bytes into a buffer sized from `Content-Length`, so a
/// large answer is not copied through doubling reallocations (which briefly holds 1.5x to 3x
/// its size).
fn read_body(body: &mut ureq::Body, limit: u64) -> std::result::Result<Vec<u8>, ureq::Error> {
    let mut buffer = Vec::new();
    read_body_into(body, limit, &mut buffer)?;
    Ok(buffer)
}

/// [`read_body`] into `buffer` (empty), which grows to the `Content-Length` at once.
fn read_body_into(
    body: &mut ureq::Body,
    limit: u64,
    buffer: &mut Vec<u8>,
) -> std::result::Result<(), ureq::Error> {
    use std::io::Read;
    let expected = body.content_length().unwrap_or(0).min(limit);
    buffer.reserve(usize::try_from(expected).unwrap_or(0).saturating_add(1));
    body.with_config()
        .limit(limit)
        .reader()
        .read_to_end(buffer)
        .map_err(ureq::Error::from)?;
    Ok(())
}

/// The SDK's view of an error of the HTTP library: what kind it is, whether the request may
/// have been sent, and the host (from `url`) when no connection was made. A TLS failure
/// (handshake, certificate, a plain-HTTP server behind `https://`) is explained in words and
/// counts as not sent: the request never left the client.
pub(crate) fn transport_error(operation: &str, url: &str, error: ureq::Error) -> TransportError {
    use std::io::ErrorKind::*;
    use ureq::Timeout;
    let detail = crate::tls::diagnose(&error, host_of(url));
    let (kind, sent) = match &error {
        _ if detail.is_some() => (TransportErrorKind::Tls, false),
        ureq::Error::HostNotFound => (TransportErrorKind::HostNotFound, false),
        ureq::Error::ConnectionFailed => (TransportErrorKind::Connect, false),
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => {
            (TransportErrorKind::Timeout, false)
        }
        ureq::Error::Timeout(_) => (TransportErrorKind::Timeout, true),
        ureq::Error::Io(e) => match e.kind() {
            ConnectionRefused | HostUnreachable | NetworkUnreachable | NetworkDown
            | AddrNotAvailable => (TransportErrorKind::Connect, false),
            // `ToSocketAddrs` reports a failed lookup as an uncategorized I/O error.
            _ if e.to_string().contains("failed to lookup address") => {
                (TransportErrorKind::HostNotFound, false)
            }
            _ => (TransportErrorKind::Io, true),
        },
        ureq::Error::Protocol(_) => (TransportErrorKind::Protocol, true),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => (TransportErrorKind::Other, false),
        _ => (TransportErrorKind::Other, true),
    };
    let host = (!sent).then(|| host_of(url).to_string());
    TransportError {
        operation: operation.to_string(),
        kind,
        host,
        sent,
        detail,
        source: Box::new(error),
    }
}

/// `host[:port]` of a URL.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Decodes a success body; an empty body counts as `{}`. On failure the JSON path of the
/// failing field is found by decoding once more with `serde_path_to_error` (the fast path does
/// not pay for path tracking).
pub(crate) fn decode<T: DeserializeOwned>(operation: &str, status: u16, body: &[u8]) -> Result<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    // Checked as UTF-8 once, the body decodes as text: serde_json then skips the check it
    // makes of every string it reads from bytes (a call for each of hundreds of short
    // strings, about an eighth of a `get`'s instructions). Invalid UTF-8 decodes from the
    // bytes, so the error names the field that holds it.
    let decoded = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    match decoded {
        Ok(value) => Ok(value),
        Err(first) => Err(decode_error::<T>(operation, status, body, first)),
    }
}

/// The error of a body that did not decode, located (kept out of the fast path).
#[cold]
#[inline(never)]
fn decode_error<T: DeserializeOwned>(
    operation: &str,
    status: u16,
    body: &[u8],
    first: serde_json::Error,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => (e.path().to_string(), e.into_inner()),
        Ok(_) => (".".to_string(), first),
    };
    Error::Decode {
        operation: operation.to_string(),
        status,
        path,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_filters_become_dotted_and_repeated_query_keys() {
        let mut pairs = Vec::new();
        query_pairs(
            &json!({
                "filter_by": {"cluster_states": ["RUNNING", "PENDING"], "is_pinned": true, "policy_id": null},
                "page_size": 100,
                "sort_by": {"field": "CLUSTER_NAME"}
            }),
            "",
            &mut pairs,
        );
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("filter_by.cluster_states", "RUNNING"),
                ("filter_by.cluster_states", "PENDING"),
                ("filter_by.is_pinned", "true"),
                ("page_size", "100"),
                ("sort_by.field", "CLUSTER_NAME"),
            ]
        );
    }
}
