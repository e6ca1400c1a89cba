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

/// Error codes that mean "try again later".
const RETRY_CODES: &[&str] = &[
    "REQUEST_LIMIT_EXCEEDED",
    "TEMPORARILY_UNAVAILABLE",
    "RESOURCE_EXHAUSTED",
];

/// How failed calls are retried.
///
/// A call is retried when the service answers 429 or 503, an error code
/// `REQUEST_LIMIT_EXCEEDED`, `TEMPORARILY_UNAVAILABLE` or `RESOURCE_EXHAUSTED`, or one of the
/// transient messages the official SDKs list; and on connection errors — always when the request
/// cannot have reached the service (connection refused, DNS, TLS handshake, connect timeout), and
/// otherwise only for operations declared idempotent in the endpoint schema. So
/// `clusters().create` and `tokens().create` are never sent twice once they may have arrived.
///
/// The wait before attempt *n + 1* is the `Retry-After` of the answer (seconds or HTTP date) when
/// there is one, else an exponential backoff (`initial · 2ⁿ⁻¹`, capped at `max`) with "equal
/// jitter" (half fixed, half random). Retrying stops after `max_attempts` attempts or when the next
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
            matches!(api.status(), 429 | 503)
                || api.error_code().is_some_and(|c| RETRY_CODES.contains(&c))
                || TRANSIENT_MESSAGES.iter().any(|m| api.message().contains(m))
        }
        Error::Transport { source, .. } => {
            not_sent(source) || (idempotent && transient_transport(source))
        }
        _ => false,
    }
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
        ureq::Error::Tls(_) => true,
        // A handshake failure is retried, a certificate the client rejects is not: it will not
        // change (rustls prints such errors as "invalid peer certificate: ...").
        #[cfg(feature = "rustls")]
        ureq::Error::Rustls(e) => !e.to_string().starts_with("invalid peer certificate"),
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
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert!(!RetryPolicy::disabled().is_enabled());
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
    }
}
