//! The one error type of the crate, and the structured parts it carries.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use crate::ValueSource;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong.
///
/// `Display` is one short line and never repeats its [`source`](std::error::Error::source).
/// `Debug` (what `fn main() -> Result<(), Error>` prints) is the whole chain on one line:
/// `clusters.get: request failed: connection refused`; `{:#?}` puts each cause on a line of
/// its own. A configuration error with [details](ConfigError::details) (why each sign-in method
/// was not used, what was found) adds one line per detail to both. No variant ever holds a
/// token or a secret value.
///
/// ```no_run
/// # fn example(client: &azure_databricks_sdk::Client) {
/// match client.clusters().get("0923-164208-meows279") {
///     Ok(cluster) => println!("{}", cluster.state.map_or("?".into(), |s| s.to_string())),
///     Err(e) if e.is_not_found() => println!("no such cluster"),
///     Err(e) => eprintln!("failed: {e} (status {:?}, code {:?})", e.status(), e.error_code()),
/// }
/// # }
/// ```
#[derive(thiserror::Error)]
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
    /// The client configuration is invalid (host, credentials, an attribute's value).
    #[error(transparent)]
    Config(Box<ConfigError>),
    /// Credentials could not be obtained (e.g. an Azure AD token request failed).
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The request could not be sent or the response not received (connection, TLS, timeout).
    #[error(transparent)]
    Transport(Box<TransportError>),
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
        elapsed: Duration,
        /// Why retrying stopped (attempt limit, budget, or a `Retry-After` beyond the budget).
        reason: String,
        /// The error of the last attempt.
        #[source]
        last: Box<Error>,
    },
    /// A wait for a resource state ended without reaching it: the resource reached a state from
    /// which the awaited one cannot follow, or the wait timed out.
    #[error(transparent)]
    Wait(Box<WaitError>),
    /// A lookup by name matched several resources (names need not be unique); use an id.
    #[error("{} match {what}: {}; use the id", matches.len(), matches.join(", "))]
    Ambiguous {
        /// What was looked for, e.g. ``cluster name `etl` ``.
        what: String,
        /// The ids of the resources that match.
        matches: Vec<String>,
    },
    /// A selection found nothing that matches (e.g. no node type has the memory asked for).
    #[error("no {what} matches: {reason}")]
    NoMatch {
        /// What was looked for, e.g. `node type`.
        what: String,
        /// What was asked and what there was.
        reason: String,
    },
    /// A paginated listing received the same page request twice: the service is not making
    /// progress, so the iterator stops instead of looping.
    #[error("{operation}: the service repeated a page (the next page did not advance)")]
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
    /// A request whose body is a one-pass reader failed after part of the body was read, so
    /// it could not be sent again and was not retried; the source is the failure. Give the
    /// body as bytes or a seekable source ([`crate::Upload`]) to let the SDK retry.
    #[error(
        "{operation}: not retried: the request body is a one-pass reader that was already read (give bytes or a seekable source to allow retries)"
    )]
    NotReplayable {
        /// Operation (`files.upload`) or path of the request.
        operation: String,
        /// The failure of the attempt.
        #[source]
        source: Box<Error>,
    },
    /// Reading or writing local data failed: the source of an upload, the destination of a
    /// download.
    #[error("{operation}: {what}")]
    Io {
        /// Operation (`files.download`) or path of the request.
        operation: String,
        /// What was being done, e.g. `reading the upload's source`.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl fmt::Debug for Error {
    /// The error and every cause: on one line (`a: b: c`), or with `{:#?}` one per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        // `Api`, `Config`, ... are transparent: their Display already is the first link.
        let mut previous = self.to_string();
        while let Some(cause) = source {
            let text = cause.to_string();
            if text != previous {
                if f.alternate() {
                    write!(f, "\n  caused by: {text}")?;
                } else {
                    write!(f, ": {text}")?;
                }
            }
            previous = text;
            source = cause.source();
        }
        // What was tried and found (e.g. why each sign-in method was not used): one line each.
        if let Some(config) = self.config() {
            for line in &config.details {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
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
    pub(crate) retry_after: Option<Duration>,
    /// On 401/403: the sign-in method and where its credential came from (never the value).
    pub(crate) credentials: Option<String>,
}

/// Error codes that mean "does not exist".
const NOT_FOUND_CODES: &[&str] = &["RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"];
/// Error codes that mean "already exists".
const ALREADY_EXISTS_CODES: &[&str] = &["RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"];
/// Error codes of a request the service refused to process because the caller is throttled.
/// The one list behind both [`ApiError::is_rate_limited`] and the retry classifier.
pub(crate) const RATE_LIMIT_CODES: &[&str] = &[
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
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// On a 401 or 403 answer, which credentials were sent: the sign-in method and where its
    /// credential came from, e.g. `pat, token from env DATABRICKS_TOKEN` or
    /// `oauth-m2m, client_secret from profile [dev] of /home/me/.databrickscfg`. Never the
    /// credential itself. `Display` ends with it, so a rejected token says which one it was.
    pub fn credentials(&self) -> Option<&str> {
        self.credentials.as_deref()
    }

    pub(crate) fn code_in(&self, codes: &[&str]) -> bool {
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

    /// The caller is throttled: HTTP 429, `REQUEST_LIMIT_EXCEEDED`, `RESOURCE_EXHAUSTED` or
    /// `TOO_MANY_REQUESTS`. Such answers are always retried (see [`crate::RetryPolicy`]).
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429 || self.code_in(RATE_LIMIT_CODES)
    }

    /// The resource is not in a state that allows the operation (`INVALID_STATE`), e.g. starting
    /// a running cluster or editing one that is restarting.
    pub fn is_invalid_state(&self) -> bool {
        self.code_in(&["INVALID_STATE"])
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
        if let Some(credentials) = &self.credentials {
            write!(f, " (credentials: {credentials})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The configuration is invalid: which attribute (when one is at fault), where its value came
/// from, and why. Never holds a secret value.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub(crate) attribute: Option<String>,
    pub(crate) value_source: Option<ValueSource>,
    pub(crate) reason: String,
    /// Lines that explain the reason (what was tried, what was found); not in `Display`.
    pub(crate) details: Vec<String>,
    /// Whether `Display` starts with `invalid configuration: ` (not for "nothing to sign in
    /// with", which is a missing setting rather than a wrong one).
    prefixed: bool,
}

impl ConfigError {
    /// An error about the configuration as a whole.
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self {
            attribute: None,
            value_source: None,
            reason: reason.into(),
            details: Vec::new(),
            prefixed: true,
        }
    }

    /// Something the configuration lacks (credentials, a host): `reason` is shown as it is, so
    /// it can start with the fix, and `details` say what was tried and found.
    pub(crate) fn missing(reason: impl Into<String>, details: Vec<String>) -> Self {
        Self {
            details,
            prefixed: false,
            ..Self::new(reason)
        }
    }

    /// An error about one attribute (`host`, `auth_type`, ...).
    pub(crate) fn attribute(attribute: &str, reason: impl Into<String>) -> Self {
        Self {
            attribute: Some(attribute.to_string()),
            ..Self::new(reason)
        }
    }

    /// Where the faulty value came from.
    pub(crate) fn with_source(mut self, source: &ValueSource) -> Self {
        self.value_source = Some(source.clone());
        self
    }

    /// The attribute at fault (`host`, `auth_type`, `azure_tenant_id`, ...), if one is.
    pub fn attribute_name(&self) -> Option<&str> {
        self.attribute.as_deref()
    }

    /// Where the faulty value came from, when an attribute is at fault and was set.
    pub fn value_source(&self) -> Option<&ValueSource> {
        self.value_source.as_ref()
    }

    /// What is wrong, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Lines that explain the reason, not part of `Display` (the `Debug` of [`Error`] prints
    /// them, one per line): when no credentials were found, why each sign-in method was not
    /// used (`pat: skipped, token (DATABRICKS_TOKEN) is not set`) and what was found.
    pub fn details(&self) -> &[String] {
        &self.details
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefixed {
            f.write_str("invalid configuration: ")?;
        }
        if let Some(attribute) = &self.attribute {
            write!(f, "{attribute}")?;
            if let Some(source) = &self.value_source {
                write!(f, " (from {source})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// A configuration error about the configuration as a whole.
pub(crate) fn config_error(reason: impl Into<String>) -> Error {
    ConfigError::new(reason).into()
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(Box::new(e))
    }
}

/// Credentials could not be obtained: which authentication method, why, and the underlying
/// error. Never holds a secret value.
#[derive(Debug)]
pub struct AuthError {
    pub(crate) method: String,
    pub(crate) reason: String,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AuthError {
    /// `method` (an `auth_type` name such as `azure-cli`, or a [`crate::CredentialsProvider`]'s)
    /// failed because of `reason`. The reason must not contain a secret.
    pub fn new(method: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            reason: reason.into(),
            source: None,
        }
    }

    /// With the underlying error (which must not print a secret either).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The authentication method (`pat`, `azure-client-secret`, `azure-cli`, ...).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// What failed, in words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "authentication failed ({}): {}",
            self.method, self.reason
        )
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Why `error` happened, on one line with its causes: for an [`AuthError`] its reason and
/// causes without the `authentication failed (method)` prefix (the caller names the method),
/// for anything else its `Debug` chain.
pub(crate) fn reason_chain(error: &Error) -> String {
    let Some(auth) = error.auth() else {
        return format!("{error:?}");
    };
    let mut text = auth.reason().to_string();
    let mut source = std::error::Error::source(auth);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        Error::Auth(Box::new(e))
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name does not resolve (DNS).
    HostNotFound,
    /// No connection could be made (refused, unreachable).
    Connect,
    /// A timeout of the HTTP client ran out (connect, send, receive).
    Timeout,
    /// The TLS handshake failed or the certificate was rejected.
    Tls,
    /// The connection broke while sending or receiving.
    Io,
    /// The peer did not speak HTTP properly.
    Protocol,
    /// Anything else (a bad proxy setting, ...).
    Other,
}

/// The request could not be sent or the answer not received. The HTTP library's own error is
/// the [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct TransportError {
    pub(crate) operation: String,
    pub(crate) kind: TransportErrorKind,
    pub(crate) host: Option<String>,
    /// Whether the request may have reached the service (false: no connection was made).
    pub(crate) sent: bool,
    /// What happened, in words, when the SDK can tell (a TLS failure: that the server answered
    /// plain HTTP, that its certificate is not trusted, ...).
    pub(crate) detail: Option<String>,
    pub(crate) source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Operation (`clusters.get`) or path of the request.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The host that could not be reached, when known.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// What happened, in words, when the SDK can tell: for a TLS failure, e.g. ``the server
    /// answered plain HTTP; use `http://127.0.0.1:8080` for a loopback server`` or that the
    /// server's certificate is not trusted. Part of `Display`.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        let host = self.host.as_deref().unwrap_or("the host");
        match self.kind {
            TransportErrorKind::HostNotFound => write!(f, "cannot resolve {host}"),
            TransportErrorKind::Connect => write!(f, "cannot connect to {host}"),
            TransportErrorKind::Timeout => f.write_str("request timed out"),
            TransportErrorKind::Tls => write!(f, "TLS with {host} failed"),
            _ => f.write_str("request failed"),
        }?;
        match &self.detail {
            Some(detail) => write!(f, ": {detail}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(Box::new(e))
    }
}

/// A wait for a resource state that ended without reaching it (see
/// [`crate::Clusters::wait_for`]): the resource reached a state from which the awaited one
/// cannot follow, or the wait timed out.
pub struct WaitError {
    pub(crate) resource: String,
    pub(crate) target: String,
    pub(crate) state: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) note: Option<String>,
    pub(crate) last: Option<Box<dyn Any + Send + Sync>>,
}

impl WaitError {
    /// What was awaited, e.g. `cluster 0923-164208-meows279`.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The awaited state, e.g. `RUNNING`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The last state seen, if any poll succeeded.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The service's explanation of the last state (`state_message`).
    pub fn state_message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Why the resource stopped, as the service said (for clusters: the termination code,
    /// type and parameters), when it did.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// `Some(timeout)` when the wait timed out; `None` when the resource failed.
    pub fn timed_out(&self) -> Option<Duration> {
        self.timeout
    }

    /// What the SDK did about it, e.g. that it deleted a cluster that failed to start.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The last polled resource, e.g. `err.wait().and_then(|w| w.last::<ClusterInfo>())`.
    pub fn last<T: Any>(&self) -> Option<&T> {
        self.last.as_ref()?.downcast_ref()
    }
}

impl fmt::Debug for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitError")
            .field("resource", &self.resource)
            .field("target", &self.target)
            .field("state", &self.state)
            .field("state_message", &self.message)
            .field("reason", &self.reason)
            .field("timed_out", &self.timeout)
            .field("note", &self.note)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.as_deref().unwrap_or("unknown");
        match self.timeout {
            Some(timeout) => write!(
                f,
                "{} did not reach {} within {timeout:?} (last state: {state})",
                self.resource, self.target
            )?,
            None => {
                write!(f, "{} is {state} instead of {}", self.resource, self.target)?;
                if let Some(message) = &self.message {
                    write!(f, ": {message}")?;
                }
                if let Some(reason) = &self.reason {
                    write!(f, " ({reason})")?;
                }
            }
        }
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WaitError {}

impl From<WaitError> for Error {
    fn from(e: WaitError) -> Self {
        Error::Wait(Box::new(e))
    }
}

impl Error {
    /// The [`ApiError`], when the service answered with an error (also when it was the last
    /// error before retries were exhausted).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.api(),
            Error::NotReplayable { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The [`TransportError`], when the request failed on the way (also as the last error
    /// before retries were exhausted).
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.transport(),
            Error::NotReplayable { source, .. } => source.transport(),
            _ => None,
        }
    }

    /// The [`ConfigError`] of a configuration problem.
    pub fn config(&self) -> Option<&ConfigError> {
        match self {
            Error::Config(e) => Some(e),
            _ => None,
        }
    }

    /// The [`AuthError`] of a credentials problem.
    pub fn auth(&self) -> Option<&AuthError> {
        match self {
            Error::Auth(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.auth(),
            Error::NotReplayable { source, .. } => source.auth(),
            _ => None,
        }
    }

    /// The [`WaitError`] of a wait that ended without reaching its state.
    pub fn wait(&self) -> Option<&WaitError> {
        match self {
            Error::Wait(e) => Some(e),
            _ => None,
        }
    }

    /// HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::Redirect { status, .. } => Some(*status),
            Error::RetriesExhausted { last, .. } => last.status(),
            Error::NotReplayable { source, .. } => source.status(),
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

    /// See [`ApiError::is_invalid_state`].
    pub fn is_invalid_state(&self) -> bool {
        self.api().is_some_and(ApiError::is_invalid_state)
    }

    /// The request, or a wait for a resource state, timed out.
    pub fn is_timeout(&self) -> bool {
        self.transport()
            .is_some_and(|t| t.kind == TransportErrorKind::Timeout)
            || self.wait().is_some_and(|w| w.timeout.is_some())
    }

    /// No connection could be made: the host does not resolve or refuses connections.
    pub fn is_connect(&self) -> bool {
        self.transport().is_some_and(|t| {
            matches!(
                t.kind,
                TransportErrorKind::Connect | TransportErrorKind::HostNotFound
            )
        })
    }

    /// The input was refused before sending.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// Shorthand for an [`Error::InvalidInput`].
    pub(crate) fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
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
        not_found_if: &[crate::operation::NotFoundIf],
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
        let not_found_override = not_found_if.iter().any(|n| {
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
            body: truncate(&text, crate::defaults::MAX_ERROR_BODY).to_string(),
            not_found_override,
            retry_after: None,
            credentials: None,
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
        ApiError::from_response("op", status, body.as_bytes(), None, &[])
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
        assert!(e.is_invalid_state());
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
        let max = crate::defaults::MAX_ERROR_BODY;
        let body = "é".repeat(max);
        let e = parse(500, &body);
        assert!(e.body().len() <= max);
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

    #[test]
    fn debug_is_the_whole_chain_on_one_line() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let transport = TransportError {
            operation: "clusters.get".into(),
            kind: TransportErrorKind::Connect,
            host: Some("adb-1.2.azuredatabricks.net".into()),
            sent: false,
            detail: None,
            source: Box::new(io),
        };
        let err = Error::RetriesExhausted {
            operation: "clusters.get".into(),
            attempts: 3,
            elapsed: Duration::from_secs(3),
            reason: "connection attempt limit of 3".into(),
            last: Box::new(transport.into()),
        };
        assert_eq!(
            format!("{err:?}"),
            "clusters.get: gave up after 3 attempt(s) in 3.0s (connection attempt limit of 3): \
             clusters.get: cannot connect to adb-1.2.azuredatabricks.net: connection refused"
        );
        assert!(format!("{err:#?}").contains("\n  caused by: clusters.get: cannot connect"));
    }

    #[test]
    fn config_and_auth_errors_name_what_is_at_fault() {
        let e: Error = ConfigError::attribute("auth_type", "expected one of pat, azure-cli")
            .with_source(&ValueSource::Code)
            .into();
        assert_eq!(
            e.to_string(),
            "invalid configuration: auth_type (from code): expected one of pat, azure-cli"
        );
        assert_eq!(e.config().unwrap().attribute_name(), Some("auth_type"));
        let e: Error = AuthError::new("azure-cli", "not logged in").into();
        assert_eq!(
            e.to_string(),
            "authentication failed (azure-cli): not logged in"
        );
        assert_eq!(e.auth().unwrap().method(), "azure-cli");
    }
}
