//! Executing one call: the attempts (through the retry engine), logging, and turning the
//! answer into a value or an [`Error`].

use std::time::Instant;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;

use crate::error::{ApiError, TransportError, TransportErrorKind};
use crate::operation::{HttpMethod, NotFoundIf, Operation};
use crate::retry::parse_retry_after;
use crate::{Client, Error, LOG_TARGET, Result, redact};

/// One call, after the operation-specific parts are resolved.
pub(crate) struct Call<'a> {
    pub operation: &'a str,
    pub method: HttpMethod,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
    pub idempotent: bool,
    pub not_found_if: &'a [NotFoundIf],
}

impl<'a> Call<'a> {
    fn of(operation: &'a Operation) -> Self {
        Call {
            operation: operation.name,
            method: operation.method,
            path: operation.path,
            query: &[],
            body: None,
            idempotent: operation.idempotent,
            not_found_if: operation.not_found_if,
        }
    }
}

impl Client {
    /// `GET` with query parameters.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        query: &[(&str, &str)],
    ) -> Result<T> {
        self.execute(&Call {
            query,
            ..Call::of(operation)
        })
    }

    /// `GET` whose query is a request type: its JSON form flattened into query pairs (see
    /// [`query_pairs`]).
    pub(crate) fn get_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        operation: &Operation,
        request: &B,
    ) -> Result<T> {
        let value = serde_json::to_value(request).map_err(|e| {
            Error::invalid_input(format!("{} request", operation.name), e.to_string())
        })?;
        let mut pairs = Vec::new();
        query_pairs(&value, "", &mut pairs);
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.get(operation, &query)
    }

    /// `POST` with a JSON body.
    pub(crate) fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        operation: &Operation,
        body: &B,
    ) -> Result<T> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_input(format!("{} request body", operation.name), e.to_string())
        })?;
        self.execute(&Call {
            body: Some(&body),
            ..Call::of(operation)
        })
    }

    /// Sends the call, retrying as the client's [`crate::RetryPolicy`] allows, and decodes a
    /// success answer into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        let inner = self.inner();
        let (status, body) = crate::retry::run(
            &inner.retry,
            &*inner.clock,
            call.operation,
            call.idempotent,
            |attempt| self.attempt(call, attempt),
        )?;
        decode(call.operation, status, &body)
    }

    /// One attempt: sends the request and gives the body of a 2xx answer.
    fn attempt(&self, call: &Call<'_>, attempt: u32) -> Result<(u16, Vec<u8>)> {
        let inner = self.inner();
        inner.pace();
        let url = inner.url(call.path);
        let method = call.method.as_str();
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{method} {} query={:?} body={}", call.path, call.query, redact::body(call.body.unwrap_or_default()));
        }
        let sent = Instant::now();
        let response = match call.method {
            HttpMethod::Get => {
                let request = inner
                    .agent
                    .get(&url)
                    .query_pairs(call.query.iter().copied());
                inner.auth.apply(request)?.call()
            }
            HttpMethod::Post => {
                let request = inner
                    .agent
                    .post(&url)
                    .header(ureq::http::header::CONTENT_TYPE, "application/json");
                inner.auth.apply(request)?.send(call.body.unwrap_or(b"{}"))
            }
        };
        let answer = response.and_then(|r| read(r, inner.max_response_bytes));
        let took = sent.elapsed();
        let (status, body, headers) = match answer {
            Ok(answer) => answer,
            Err(ureq::Error::BodyExceedsLimit(limit)) => {
                log::debug!(target: LOG_TARGET, "{method} {}: response over {limit} bytes in {took:?} (attempt {attempt})", call.path);
                return Err(Error::ResponseTooLarge {
                    operation: call.operation.to_string(),
                    limit,
                });
            }
            Err(e) => {
                log::debug!(target: LOG_TARGET, "{method} {}: {e} after {took:?} (attempt {attempt})", call.path);
                return Err(transport_error(call.operation, &url, e).into());
            }
        };
        log::debug!(target: LOG_TARGET, "{method} {} -> {status} in {took:?} (attempt {attempt})", call.path);
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{method} {} <- {}", call.path, redact::body(&body));
        }
        match status {
            200..=299 => Ok((status, body)),
            300..=399 => Err(Error::Redirect {
                operation: call.operation.to_string(),
                status,
                location: headers.location.unwrap_or_default(),
            }),
            _ => {
                let mut error = ApiError::from_response(
                    call.operation,
                    status,
                    &body,
                    headers.request_id,
                    call.not_found_if,
                );
                error.retry_after = headers
                    .retry_after
                    .and_then(|v| parse_retry_after(&v, inner.clock.wall_time()));
                inner.auth.annotate(&mut error);
                Err(error.into())
            }
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
    use std::io::Read;
    let expected = body.content_length().unwrap_or(0).min(limit);
    let mut buffer = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).saturating_add(1));
    body.with_config()
        .limit(limit)
        .reader()
        .read_to_end(&mut buffer)
        .map_err(ureq::Error::from)?;
    Ok(buffer)
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
    serde_json::from_slice(body).map_err(|first| {
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
    })
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
