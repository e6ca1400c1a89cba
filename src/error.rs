//! The one error type of the crate.

use std::fmt;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong.
///
/// `Display` is one short line and never repeats its [`source`](std::error::Error::source);
/// print the chain to see the cause. No variant ever holds a token or a secret value.
///
/// ```no_run
/// # fn example(client: &azure_databricks_sdk::Client) {
/// match client.clusters().get("0923-164208-meows279") {
///     Ok(cluster) => println!("{:?}", cluster.state),
///     Err(e) if e.is_not_found() => println!("no such cluster"),
///     Err(e) => eprintln!("failed: {e} (status {:?}, code {:?})", e.status(), e.error_code()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status (4xx/5xx).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Refused before anything was sent: an argument or request field is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The parameter or field (or fields) at fault.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client configuration is invalid (host, credentials).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Credentials could not be obtained (e.g. an Azure AD token request failed).
    #[error("authentication failed: {message}")]
    Auth {
        /// What failed, without any secret.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The request could not be sent or the response not received (connection, TLS, timeout).
    #[error("{operation}: request failed")]
    Transport {
        /// Operation (`clusters.get`) or path of the request.
        operation: String,
        /// The transport error.
        #[source]
        source: ureq::Error,
    },
    /// A success response whose body does not match the expected type.
    #[error("{operation}: cannot decode the response at `{path}`")]
    Decode {
        /// Operation (`clusters.get`) or path of the request.
        operation: String,
        /// HTTP status of the response.
        status: u16,
        /// JSON path of the failing field (`clusters[3].state`, `.` for the root).
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// The response body is larger than the client's limit
    /// ([`crate::ClientBuilder::max_response_bytes`]).
    #[error("{operation}: the response is larger than the {limit}-byte limit")]
    ResponseTooLarge {
        /// Operation (`clusters.get`) or path of the request.
        operation: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Retrying stopped (attempts or time budget used up) while the call still failed; the
    /// last error is the source, and `status()`, `error_code()` and the predicates report it.
    #[error("{operation}: gave up after {attempts} attempt(s) in {elapsed:.1?} ({reason})")]
    RetriesExhausted {
        /// Operation (`clusters.get`) or path of the request.
        operation: String,
        /// Attempts made.
        attempts: u32,
        /// Time spent, waits included.
        elapsed: std::time::Duration,
        /// Why retrying stopped (attempt limit, budget, or a `Retry-After` beyond the budget).
        reason: String,
        /// The error of the last attempt.
        #[source]
        last: Box<Error>,
    },
    /// A cluster reached a state from which the awaited one cannot follow (e.g. `ERROR` or
    /// `TERMINATED` while waiting for `RUNNING`).
    #[error("cluster {cluster_id} is {state} instead of {target}: {state_message}")]
    ClusterFailed {
        /// The cluster.
        cluster_id: String,
        /// The state it reached.
        state: crate::models::ClusterState,
        /// The state that was awaited.
        target: crate::models::ClusterState,
        /// The service's explanation of the state.
        state_message: String,
        /// Why it terminated, when it did.
        termination_reason: Option<Box<crate::models::TerminationReason>>,
    },
    /// A wait for a cluster state took longer than its timeout.
    #[error("cluster {cluster_id} did not reach {target} within {timeout:?} (last state: {})", last_state.as_ref().map_or("unknown", |s| s.as_str()))]
    WaitTimeout {
        /// The cluster.
        cluster_id: String,
        /// The state that was awaited.
        target: crate::models::ClusterState,
        /// The timeout.
        timeout: std::time::Duration,
        /// The last state seen, if any poll succeeded.
        last_state: Option<crate::models::ClusterState>,
        /// The last state message seen.
        last_state_message: Option<String>,
    },
    /// A paginated listing received the same page request twice: the service is not making
    /// progress, so the iterator stops instead of looping.
    #[error("{operation}: the service repeated a page (next_page did not advance)")]
    RepeatedPage {
        /// The paginated operation.
        operation: String,
    },
    /// The service answered with a redirect. Redirects are never followed, so credentials
    /// never leave the workspace host.
    #[error(
        "{operation}: the service redirected (HTTP {status}) to {location}; redirects are not followed"
    )]
    Redirect {
        /// Operation (`clusters.get`) or path of the request.
        operation: String,
        /// HTTP status (3xx).
        status: u16,
        /// The `Location` header.
        location: String,
    },
}

/// An error answer of the service, with everything it said.
///
/// Databricks answers `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "...", "details":
/// [...]}`; some legacy answers carry the HTTP status as an integer `error_code` (then
/// [`ApiError::error_code`] is `None`), and gateways answer with HTML or plain text (then the
/// message is that text).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub(crate) operation: String,
    pub(crate) status: u16,
    pub(crate) error_code: Option<String>,
    pub(crate) message: String,
    pub(crate) details: Vec<serde_json::Value>,
    pub(crate) request_id: Option<String>,
    pub(crate) body: String,
    pub(crate) not_found_override: bool,
    pub(crate) retry_after: Option<std::time::Duration>,
}

/// Longest raw body kept in an [`ApiError`].
pub const MAX_ERROR_BODY: usize = 8 * 1024;

/// Error codes that mean "does not exist".
const NOT_FOUND_CODES: &[&str] = &["RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"];
/// Error codes that mean "already exists".
const ALREADY_EXISTS_CODES: &[&str] = &["RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"];
/// Error codes that mean "slow down".
const RATE_LIMIT_CODES: &[&str] = &[
    "REQUEST_LIMIT_EXCEEDED",
    "RESOURCE_EXHAUSTED",
    "TOO_MANY_REQUESTS",
];

impl ApiError {
    /// HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Databricks error code (`RESOURCE_DOES_NOT_EXIST`, ...), when the body had a string one.
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    /// The message of the answer (or its text, for non-JSON bodies).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Structured `details` of the answer (`google.rpc.ErrorInfo`, `RequestInfo`, ...).
    pub fn details(&self) -> &[serde_json::Value] {
        &self.details
    }

    /// The `X-Request-Id` header, or else the `request_id` of a `RequestInfo` detail.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The raw body, truncated to 8 KiB.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Operation (`clusters.get`) or path of the request.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The wait the service asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.retry_after
    }

    fn code_in(&self, codes: &[&str]) -> bool {
        self.error_code
            .as_deref()
            .is_some_and(|c| codes.contains(&c))
    }

    /// The resource does not exist: HTTP 404, `RESOURCE_DOES_NOT_EXIST`, or an answer the
    /// endpoint declares to mean "not found" (`clusters/get` answers 400
    /// `INVALID_PARAMETER_VALUE` "Cluster ... does not exist").
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || self.code_in(NOT_FOUND_CODES) || self.not_found_override
    }

    /// The resource already exists (`RESOURCE_ALREADY_EXISTS`).
    pub fn is_already_exists(&self) -> bool {
        self.code_in(ALREADY_EXISTS_CODES)
    }

    /// The caller may not do this, or its token is invalid: HTTP 403 or `PERMISSION_DENIED`.
    pub fn is_permission_denied(&self) -> bool {
        self.status == 403 || self.code_in(&["PERMISSION_DENIED"])
    }

    /// The caller is throttled: HTTP 429, `REQUEST_LIMIT_EXCEEDED` or `RESOURCE_EXHAUSTED`.
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429 || self.code_in(RATE_LIMIT_CODES)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// The [`ApiError`], when the service answered with an error (also when it was the last
    /// error before retries were exhausted).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.api(),
            _ => None,
        }
    }

    /// HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::Redirect { status, .. } => Some(*status),
            Error::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Databricks error code of an API error, e.g. `RESOURCE_DOES_NOT_EXIST`.
    pub fn error_code(&self) -> Option<&str> {
        self.api().and_then(ApiError::error_code)
    }

    /// Request id of an API error, for Databricks support.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(ApiError::request_id)
    }

    /// See [`ApiError::is_not_found`].
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_found)
    }

    /// See [`ApiError::is_already_exists`].
    pub fn is_already_exists(&self) -> bool {
        self.api().is_some_and(ApiError::is_already_exists)
    }

    /// See [`ApiError::is_permission_denied`].
    pub fn is_permission_denied(&self) -> bool {
        self.api().is_some_and(ApiError::is_permission_denied)
    }

    /// See [`ApiError::is_rate_limited`].
    pub fn is_rate_limited(&self) -> bool {
        self.api().is_some_and(ApiError::is_rate_limited)
    }

    /// The request, or a wait for a cluster state, timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport {
                source: ureq::Error::Timeout(_),
                ..
            }
            | Error::WaitTimeout { .. } => true,
            Error::RetriesExhausted { last, .. } => last.is_timeout(),
            _ => false,
        }
    }

    /// The input was refused before sending.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl ApiError {
    /// Builds the error from an error response: `{"error_code", "message", "details"}`, an
    /// integer `error_code`, legacy `{"error"}`, an HTML page or plain `CODE: message` text.
    pub(crate) fn from_response(
        operation: &str,
        status: u16,
        body: &[u8],
        header_request_id: Option<String>,
        not_found_if: Option<&crate::transport::NotFoundIf>,
    ) -> Self {
        let text = String::from_utf8_lossy(body);
        let (error_code, message, details) = match serde_json::from_slice::<serde_json::Value>(body)
        {
            Ok(serde_json::Value::Object(map)) => {
                let text_of = |key: &str| map.get(key).and_then(|v| v.as_str()).map(str::to_string);
                let code = text_of("error_code");
                let message = text_of("message")
                    .or_else(|| text_of("error"))
                    .or_else(|| text_of("detail"))
                    .unwrap_or_default();
                let details = match map.get("details") {
                    Some(serde_json::Value::Array(items)) => items.clone(),
                    _ => Vec::new(),
                };
                (code, message, details)
            }
            _ => {
                let (code, message) = parse_text_error(text.trim());
                (code, message, Vec::new())
            }
        };
        let message = if message.is_empty() {
            http_reason(status).to_string()
        } else {
            message
        };
        let request_id = header_request_id.or_else(|| {
            details.iter().find_map(|d| {
                let is_request_info = d["@type"].as_str()?.ends_with("google.rpc.RequestInfo");
                is_request_info.then(|| d["request_id"].as_str().map(str::to_string))?
            })
        });
        let not_found_override = not_found_if.is_some_and(|n| {
            n.status == status
                && error_code.as_deref() == Some(n.error_code)
                && message.contains(n.message_contains)
        });
        ApiError {
            operation: operation.to_string(),
            status,
            error_code,
            message,
            details,
            request_id,
            body: truncate(&text, MAX_ERROR_BODY).to_string(),
            not_found_override,
            retry_after: None,
        }
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The message of a non-JSON error body: the `<pre>` or `<title>` of an HTML page, the parts of
/// `ERROR_CODE: message`, or the (shortened) text itself.
fn parse_text_error(text: &str) -> (Option<String>, String) {
    let between = |open: &str, close: &str| -> Option<String> {
        let lower = text.to_ascii_lowercase();
        let start = lower.find(open)? + open.len();
        let end = start + lower[start..].find(close)?;
        Some(text[start..end].trim().to_string())
    };
    if text.starts_with('<') {
        let inner = between("<pre>", "</pre>").or_else(|| between("<title>", "</title>"));
        return (None, inner.unwrap_or_default());
    }
    if let Some((code, message)) = text.split_once(": ")
        && !code.is_empty()
        && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    {
        return (Some(code.to_string()), message.trim().to_string());
    }
    (None, truncate(text, 512).to_string())
}

fn http_reason(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> ApiError {
        ApiError::from_response("op", status, body.as_bytes(), None, None)
    }

    #[test]
    fn integer_error_code_falls_back_to_the_status() {
        let e = parse(
            403,
            r#"{"error_code": 403, "message": "Invalid access token."}"#,
        );
        assert_eq!(
            (e.error_code(), e.message()),
            (None, "Invalid access token.")
        );
        assert!(e.is_permission_denied());
    }

    #[test]
    fn html_pages_give_their_title() {
        let e = parse(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>x</body></html>",
        );
        assert_eq!(e.message(), "502 Bad Gateway");
        assert_eq!(e.error_code(), None);
    }

    #[test]
    fn plain_text_code_and_message() {
        let e = parse(400, "INVALID_STATE: cluster is terminating");
        assert_eq!(e.error_code(), Some("INVALID_STATE"));
        assert_eq!(e.message(), "cluster is terminating");
    }

    #[test]
    fn empty_body_gives_the_reason_phrase() {
        assert_eq!(parse(503, "").message(), "Service Unavailable");
    }

    #[test]
    fn request_id_from_details() {
        let e = parse(
            429,
            r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow","details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","request_id":"r-1"}]}"#,
        );
        assert_eq!(e.request_id(), Some("r-1"));
        assert!(e.is_rate_limited());
    }

    #[test]
    fn body_is_truncated_on_a_char_boundary() {
        let body = "é".repeat(MAX_ERROR_BODY);
        let e = parse(500, &body);
        assert!(e.body().len() <= MAX_ERROR_BODY);
        assert!(e.body().chars().all(|c| c == 'é'));
    }

    #[test]
    fn display_is_one_line_with_status_code_and_message() {
        let e = parse(
            404,
            r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Scope x does not exist!"}"#,
        );
        assert_eq!(
            e.to_string(),
            "op: HTTP 404 RESOURCE_DOES_NOT_EXIST: Scope x does not exist!"
        );
    }
}
