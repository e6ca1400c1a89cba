//! When a failed request is sent again, and how long to wait before.

use std::time::{Duration, SystemTime};

use crate::Error;

/// Default total time spent on one call, retries and waits included: 5 minutes.
pub const DEFAULT_RETRY_BUDGET: Duration = Duration::from_secs(300);
/// Default number of attempts of one call (the first one included): 8.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// Default first backoff: 1 s.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Default longest backoff: 30 s.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Messages of transient server-side failures that the official SDKs retry.
const TRANSIENT_MESSAGES: &[&str] = &[
    "UnknownWorkerEnvironmentException",
    "does not have any associated worker environments",
    "There is no worker environment with id",
    "Unknown worker environment",
    "ClusterNotReadyException",
    "Please try again later or try a faster operation.",
    "RPC token bucket limit has been exceeded",
];

/// Error codes of a request the service refused to process (throttling): safe to send again
/// whatever the operation.
const THROTTLE_CODES: &[&str] = &["REQUEST_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"];

/// Error codes of a temporary failure: the request may have been processed in part.
const UNAVAILABLE_CODES: &[&str] = &["TEMPORARILY_UNAVAILABLE"];

/// Longest `Retry-After` taken into account (anything longer exceeds every sensible budget).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How failed calls are retried.
///
/// Every call is retried when the service refused it for throttling (HTTP 429,
/// `REQUEST_LIMIT_EXCEEDED`, `RESOURCE_EXHAUSTED`: it did not process the request) or when the
/// request cannot have reached the service (connection refused, DNS, connect timeout).
/// Operations declared idempotent in the endpoint schema are also retried on 503,
/// `TEMPORARILY_UNAVAILABLE`, the transient messages the official SDKs list, and any other
/// connection failure or timeout. So `clusters().create` and `tokens().create` are never sent
/// twice once they may have been processed.
///
/// The wait before attempt *n + 1* is an exponential backoff (`initial · 2ⁿ⁻¹`, capped at
/// `max`) with "equal jitter" (half fixed, half random), or the answer's `Retry-After` (seconds
/// or HTTP date) when that is longer. Retrying stops after `max_attempts` attempts or when the next
/// wait would exceed the budget; the error then says so and carries the last error as its source
/// ([`Error::RetriesExhausted`]).
///
/// ```
/// use std::time::Duration;
/// use azure_databricks_sdk::RetryPolicy;
/// let patient = RetryPolicy::default().max_attempts(20).budget(Duration::from_secs(900));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) budget: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 8 attempts within 5 minutes, backoff from 1 s up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            budget: DEFAULT_RETRY_BUDGET,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Most attempts of one call, the first included (at least 1). Defaults to 8.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Longest total time of one call, waits included. Defaults to 5 minutes.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// First and longest backoff between attempts. Default 1 s and 30 s.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Whether any retry can happen.
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// The backoff before attempt `attempt + 1` (`attempt` ≥ 1): exponential, capped, with
    /// equal jitter.
    pub(crate) fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Whether an error may go away if the same request is sent again.
///
/// `idempotent`: the operation may be repeated even when the failed attempt may have reached
/// the service.
pub(crate) fn is_retryable(error: &Error, idempotent: bool) -> bool {
    match error {
        Error::Api(api) => {
            let code_in = |codes: &[&str]| api.error_code().is_some_and(|c| codes.contains(&c));
            let throttled = api.status() == 429 || code_in(THROTTLE_CODES);
            let unavailable = api.status() == 503
                || code_in(UNAVAILABLE_CODES)
                || TRANSIENT_MESSAGES.iter().any(|m| api.message().contains(m));
            throttled || (idempotent && unavailable)
        }
        Error::Transport { source, .. } => {
            !rejected_certificate(source)
                && (not_sent(source) || (idempotent && transient_transport(source)))
        }
        _ => false,
    }
}

/// The server's certificate was rejected: a new attempt gets the same certificate. (rustls
/// errors reach us wrapped in `Io(InvalidData)` and print as "invalid peer certificate: ...".)
fn rejected_certificate(error: &ureq::Error) -> bool {
    error.to_string().contains("invalid peer certificate")
}

/// The request cannot have reached the service: nothing was sent on a connection.
fn not_sent(error: &ureq::Error) -> bool {
    use std::io::ErrorKind::*;
    use ureq::Timeout;
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => true,
        ureq::Error::Io(e) => matches!(
            e.kind(),
            ConnectionRefused
                | HostUnreachable
                | NetworkUnreachable
                | NetworkDown
                | AddrNotAvailable
        ),
        _ => false,
    }
}

/// Failures of the network that a new attempt can cure (not configuration or protocol misuse).
fn transient_transport(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::Protocol(_)
    )
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let first = p.backoff_for(1);
            assert!(
                first >= Duration::from_millis(500) && first <= Duration::from_secs(1),
                "{first:?}"
            );
            let third = p.backoff_for(3);
            assert!(
                third >= Duration::from_secs(2) && third <= Duration::from_secs(4),
                "{third:?}"
            );
            let late = p.backoff_for(30);
            assert!(
                late >= Duration::from_secs(15) && late <= Duration::from_secs(30),
                "{late:?}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(42))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert!(!RetryPolicy::disabled().is_enabled());
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
    }
}
