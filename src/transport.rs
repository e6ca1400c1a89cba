//! Sending one call: attempts, retries, logging, and turning the answer into a value or an
//! [`Error`].

use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;

use crate::error::ApiError;
use crate::retry::{is_retryable, parse_retry_after};
use crate::{Client, Error, Result, redact};

/// Target of the crate's log records.
const LOG_TARGET: &str = "azure_databricks_sdk";

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// An answer that means "not found" although it is not a 404 (declared in the endpoint schema).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotFoundIf {
    pub status: u16,
    pub error_code: &'static str,
    pub message_contains: &'static str,
}

/// What the generated code knows about an operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    /// `service.method`, used in errors and logs.
    pub operation: &'static str,
    pub method: Method,
    pub path: &'static str,
    /// Whether repeating the request can do no harm (see [`crate::RetryPolicy`]).
    pub idempotent: bool,
    pub not_found_if: Option<NotFoundIf>,
}

/// One call, after the endpoint-specific parts are resolved.
pub(crate) struct Call<'a> {
    pub operation: &'a str,
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
    pub idempotent: bool,
    pub not_found_if: Option<&'a NotFoundIf>,
}

impl Client {
    /// `GET` with query parameters.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        query: &[(&str, &str)],
    ) -> Result<T> {
        self.execute(&Call {
            operation: endpoint.operation,
            method: endpoint.method,
            path: endpoint.path,
            query,
            body: None,
            idempotent: endpoint.idempotent,
            not_found_if: endpoint.not_found_if.as_ref(),
        })
    }

    /// `POST` with a JSON body.
    pub(crate) fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        body: &B,
    ) -> Result<T> {
        let body = serde_json::to_vec(body).map_err(|e| Error::InvalidInput {
            field: format!("{} request body", endpoint.operation),
            reason: e.to_string(),
        })?;
        self.execute(&Call {
            operation: endpoint.operation,
            method: endpoint.method,
            path: endpoint.path,
            query: &[],
            body: Some(&body),
            idempotent: endpoint.idempotent,
            not_found_if: endpoint.not_found_if.as_ref(),
        })
    }

    /// Sends the call, retrying as the client's [`crate::RetryPolicy`] allows, and decodes a
    /// success answer into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        let inner = self.inner();
        let policy = &inner.retry;
        let clock = &*inner.clock;
        let started = clock.now();
        let mut attempt = 1;
        loop {
            let error = match self.attempt(call, attempt) {
                Ok((status, body)) => return decode(call.operation, status, &body),
                Err(error) => error,
            };
            if !policy.is_enabled() || !is_retryable(&error, call.idempotent) {
                return Err(error);
            }
            let elapsed = clock.now().saturating_duration_since(started);
            let backoff = policy.backoff_for(attempt);
            let (wait, asked) = match error.api().and_then(ApiError::retry_after) {
                Some(asked) if asked > backoff => (asked, true),
                _ => (backoff, false),
            };
            let stop = if attempt >= policy.max_attempts {
                Some(format!("attempt limit of {}", policy.max_attempts))
            } else if elapsed.saturating_add(wait) > policy.budget {
                Some(if asked {
                    format!(
                        "Retry-After of {wait:?} exceeds the {:?} retry budget",
                        policy.budget
                    )
                } else {
                    format!("retry budget of {:?} used up", policy.budget)
                })
            } else {
                None
            };
            if let Some(reason) = stop {
                return Err(Error::RetriesExhausted {
                    operation: call.operation.to_string(),
                    attempts: attempt,
                    elapsed,
                    reason,
                    last: Box::new(error),
                });
            }
            log::debug!(target: LOG_TARGET, "{} {}: retrying in {wait:?} after attempt {attempt}", call.method.as_str(), call.path);
            clock.sleep(wait);
            attempt += 1;
        }
    }

    /// One attempt: sends the request and gives the body of a 2xx answer.
    fn attempt(&self, call: &Call<'_>, attempt: u32) -> Result<(u16, Vec<u8>)> {
        let inner = self.inner();
        let url = inner.url(call.path);
        let transport_error = |source| Error::Transport {
            operation: call.operation.to_string(),
            source,
        };
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{} {} query={:?} body={}", call.method.as_str(), call.path, call.query, redact::body(call.body.unwrap_or_default()));
        }
        let sent = Instant::now();
        let response = match call.method {
            Method::Get => {
                let request = inner
                    .agent
                    .get(&url)
                    .query_pairs(call.query.iter().copied());
                inner.auth_headers.apply(request)?.call()
            }
            Method::Post => {
                let request = inner
                    .agent
                    .post(&url)
                    .header(ureq::http::header::CONTENT_TYPE, "application/json");
                inner
                    .auth_headers
                    .apply(request)?
                    .send(call.body.unwrap_or(b"{}"))
            }
        };
        let answer = response.and_then(|r| read(r, inner.max_response_bytes));
        let took = sent.elapsed();
        let (status, body, headers) = match answer {
            Ok(answer) => answer,
            Err(ureq::Error::BodyExceedsLimit(limit)) => {
                log::debug!(target: LOG_TARGET, "{} {}: response over {limit} bytes in {took:?} (attempt {attempt})", call.method.as_str(), call.path);
                return Err(Error::ResponseTooLarge {
                    operation: call.operation.to_string(),
                    limit,
                });
            }
            Err(e) => {
                log::debug!(target: LOG_TARGET, "{} {}: {e} after {took:?} (attempt {attempt})", call.method.as_str(), call.path);
                return Err(transport_error(e));
            }
        };
        log::debug!(target: LOG_TARGET, "{} {} -> {status} in {took:?} (attempt {attempt})", call.method.as_str(), call.path);
        if log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
            log::trace!(target: LOG_TARGET, "{} {} <- {}", call.method.as_str(), call.path, redact::body(&body));
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
                error.retry_after = headers.retry_after;
                Err(error.into())
            }
        }
    }
}

/// Headers of an error answer that the SDK keeps.
#[derive(Default)]
struct AnswerHeaders {
    request_id: Option<String>,
    location: Option<String>,
    retry_after: Option<Duration>,
}

fn read(
    mut response: Response<ureq::Body>,
    limit: u64,
) -> std::result::Result<(u16, Vec<u8>, AnswerHeaders), ureq::Error> {
    let status = response.status().as_u16();
    let mut headers = AnswerHeaders::default();
    if status >= 300 {
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        headers.request_id = header("x-request-id").map(str::to_string);
        headers.location = header("location").map(str::to_string);
        headers.retry_after =
            header("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now()));
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
