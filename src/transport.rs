//! Sending one request and turning the answer into a value or an [`Error`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::http::Response;

use crate::error::ApiError;
use crate::{Client, Error, Result};

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
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
    /// `service.method`, used in errors.
    pub operation: &'static str,
    pub method: Method,
    pub path: &'static str,
    /// Whether repeating the request can do no harm (used by retries).
    #[allow(dead_code)]
    pub idempotent: bool,
    pub not_found_if: Option<NotFoundIf>,
}

/// One request, after the endpoint-specific parts are resolved.
pub(crate) struct Call<'a> {
    pub operation: &'a str,
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
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
            not_found_if: endpoint.not_found_if.as_ref(),
        })
    }

    /// `POST` with a JSON body.
    pub(crate) fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        body: &B,
    ) -> Result<T> {
        let body = encode(endpoint.operation, body)?;
        self.execute(&Call {
            operation: endpoint.operation,
            method: endpoint.method,
            path: endpoint.path,
            query: &[],
            body: Some(&body),
            not_found_if: endpoint.not_found_if.as_ref(),
        })
    }

    /// Sends the call and decodes a success answer into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        let inner = self.inner();
        let url = inner.url(call.path);
        let transport_error = |source| Error::Transport {
            operation: call.operation.to_string(),
            source,
        };
        let response = match (call.method, call.body) {
            (Method::Get, _) => {
                let request = inner
                    .agent
                    .get(&url)
                    .query_pairs(call.query.iter().copied());
                inner.auth_headers.apply(request)?.call()
            }
            (Method::Post, body) => {
                let request = inner
                    .agent
                    .post(&url)
                    .header(ureq::http::header::CONTENT_TYPE, "application/json");
                inner
                    .auth_headers
                    .apply(request)?
                    .send(body.unwrap_or(b"{}"))
            }
        }
        .map_err(transport_error)?;
        let (status, body, headers) =
            read(response, inner.max_response_bytes).map_err(transport_error)?;
        match status {
            200..=299 => decode(call.operation, status, &body),
            300..=399 => Err(Error::Redirect {
                operation: call.operation.to_string(),
                status,
                location: headers.location.unwrap_or_default(),
            }),
            _ => Err(ApiError::from_response(
                call.operation,
                status,
                &body,
                headers.id,
                call.not_found_if,
            )
            .into()),
        }
    }
}

/// Headers of the answer that the SDK keeps.
struct AnswerHeaders {
    id: Option<String>,
    location: Option<String>,
}

fn read(
    mut response: Response<ureq::Body>,
    limit: u64,
) -> std::result::Result<(u16, Vec<u8>, AnswerHeaders), ureq::Error> {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let headers = AnswerHeaders {
        id: if status >= 300 {
            header("x-request-id")
        } else {
            None
        },
        location: if (300..400).contains(&status) {
            header("location")
        } else {
            None
        },
    };
    let body = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()?;
    Ok((status, body, headers))
}

fn encode<B: Serialize + ?Sized>(operation: &str, body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::InvalidInput {
        field: format!("{operation} request body"),
        reason: e.to_string(),
    })
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
