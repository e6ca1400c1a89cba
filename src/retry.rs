//! The one retry engine: which failures are sent again ([`classify`]), how long to wait
//! ([`RetryPolicy`]), and the loop that does it ([`run`]). Workspace calls and token requests
//! (Azure AD, OAuth) both go through it, with their own presets.

use std::time::{Duration, SystemTime};

use crate::defaults;
use crate::error::{ApiError, TransportErrorKind};
use crate::{Clock, Error};

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

/// Error codes of a temporary failure: the request may have been processed in part. The
/// lower-case one is the OAuth 2.0 code of token endpoints (RFC 6749, 5.2).
const UNAVAILABLE_CODES: &[&str] = &["TEMPORARILY_UNAVAILABLE", "temporarily_unavailable"];

/// HTTP statuses of a temporary failure of the service or a gateway in front of it.
const UNAVAILABLE_STATUSES: &[u16] = &[502, 503, 504];

/// Longest `Retry-After` taken into account (anything longer exceeds every sensible budget).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How failed calls are retried.
///
/// What is retried (one classifier for every request the SDK sends):
///
/// * **Throttling**, always: HTTP 429 and the codes `REQUEST_LIMIT_EXCEEDED`,
///   `RESOURCE_EXHAUSTED`, `TOO_MANY_REQUESTS` (exactly the answers for which
///   [`Error::is_rate_limited`] is true). The service did not process the request.
/// * **Connection failures**, always, but only `connect_attempts` times (default 3, within a
///   few seconds): connection refused, host or network unreachable, connect timeout. Nothing
///   was sent. A host name that does not resolve is not retried at all: a typo fails at once
///   with an error naming the host.
/// * **Temporary failures**, only for idempotent operations (declared per operation in the
///   endpoint schema; retrying must not create a second cluster or token): HTTP 502, 503, 504,
///   `TEMPORARILY_UNAVAILABLE`, the transient messages the official SDKs list
///   (`ClusterNotReadyException`, "Unknown worker environment", …), a connection that broke
///   after the request was sent, and send or receive timeouts.
///
/// The wait before attempt *n + 1* is an exponential backoff (`initial · 2ⁿ⁻¹`, capped at
/// `max`) with "equal jitter" (half fixed, half random), or the answer's `Retry-After`
/// (seconds or an HTTP date, read against the client's [`Clock`]) when that is longer.
/// Retrying stops after `max_attempts` attempts or when the next wait would exceed the budget;
/// the error then says so and carries the last error as its source
/// ([`Error::RetriesExhausted`]). Every retry is logged at `debug`; the first retry of a call
/// also at `warn`, so a program with a logger sees why a call waits.
///
/// Token requests (Azure AD, OAuth) use the same rules with a shorter preset (5 attempts
/// within one minute, backoff from 250 ms up to 10 s).
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
    pub(crate) connect_attempts: u32,
    pub(crate) budget: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// The preset of workspace calls: 8 attempts within 5 minutes, backoff from 1 s up to
    /// 30 s, at most 3 connection attempts (see [`defaults`]).
    fn default() -> Self {
        Self {
            max_attempts: defaults::MAX_ATTEMPTS,
            connect_attempts: defaults::CONNECT_ATTEMPTS,
            budget: defaults::RETRY_BUDGET,
            initial_backoff: defaults::INITIAL_BACKOFF,
            max_backoff: defaults::MAX_BACKOFF,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            connect_attempts: 1,
            ..Self::default()
        }
    }

    /// The preset of token requests: 5 attempts within one minute, backoff from 250 ms up to
    /// 10 s (see [`defaults`]).
    pub fn token_requests() -> Self {
        Self {
            max_attempts: defaults::TOKEN_MAX_ATTEMPTS,
            connect_attempts: defaults::CONNECT_ATTEMPTS,
            budget: defaults::TOKEN_RETRY_BUDGET,
            initial_backoff: defaults::TOKEN_INITIAL_BACKOFF,
            max_backoff: defaults::TOKEN_MAX_BACKOFF,
        }
    }

    /// Most attempts of one call, the first included (at least 1). Defaults to 8.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Most attempts to connect when connections are refused or time out (at least 1).
    /// Defaults to 3. Counted within [`Self::max_attempts`].
    pub fn connect_attempts(mut self, attempts: u32) -> Self {
        self.connect_attempts = attempts.max(1);
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
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Why a failure may go away when the request is sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryable {
    /// The service refused the request (throttling): it did not process it.
    Throttled,
    /// No connection was made: nothing was sent.
    NotConnected,
    /// A temporary failure after which the request may have been processed: only for
    /// idempotent operations.
    Temporary,
}

/// Whether (and why) `error` may go away when the same request is sent again.
pub(crate) fn classify(error: &Error) -> Option<Retryable> {
    match error {
        Error::Api(api) => classify_api(api),
        Error::Transport(t) => match t.kind {
            TransportErrorKind::HostNotFound | TransportErrorKind::Tls => None,
            _ if !t.sent => Some(Retryable::NotConnected),
            TransportErrorKind::Io | TransportErrorKind::Timeout | TransportErrorKind::Protocol => {
                Some(Retryable::Temporary)
            }
            _ => None,
        },
        _ => None,
    }
}

fn classify_api(api: &ApiError) -> Option<Retryable> {
    if api.is_rate_limited() {
        return Some(Retryable::Throttled);
    }
    let unavailable = UNAVAILABLE_STATUSES.contains(&api.status())
        || api.code_in(UNAVAILABLE_CODES)
        || TRANSIENT_MESSAGES.iter().any(|m| api.message().contains(m));
    unavailable.then_some(Retryable::Temporary)
}

/// Runs `attempt` (given the attempt number, from 1) until it succeeds, fails for good, or the
/// policy says stop; waits between attempts through `clock`.
///
/// `idempotent`: the operation may be repeated even when a failed attempt may have been
/// processed by the service.
pub(crate) fn run<T>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    operation: &str,
    idempotent: bool,
    mut attempt: impl FnMut(u32) -> Result<T, Error>,
) -> Result<T, Error> {
    let started = clock.now();
    let mut connect_failures = 0;
    let mut number = 1;
    loop {
        let error = match attempt(number) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let class = match classify(&error) {
            Some(Retryable::Temporary) if !idempotent => None,
            other => other,
        };
        let Some(class) = class else {
            return Err(error);
        };
        if !policy.is_enabled() {
            return Err(error);
        }
        if class == Retryable::NotConnected {
            connect_failures += 1;
        }
        let elapsed = clock.now().saturating_duration_since(started);
        let backoff = policy.backoff_for(number);
        let (wait, asked) = match error.api().and_then(ApiError::retry_after) {
            Some(asked) if asked > backoff => (asked, true),
            _ => (backoff, false),
        };
        let stop = if number >= policy.max_attempts {
            Some(format!("attempt limit of {}", policy.max_attempts))
        } else if connect_failures >= policy.connect_attempts {
            Some(format!(
                "connection attempt limit of {}",
                policy.connect_attempts
            ))
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
                operation: operation.to_string(),
                attempts: number,
                elapsed,
                reason,
                last: Box::new(error),
            });
        }
        let level = if number == 1 {
            log::Level::Warn
        } else {
            log::Level::Debug
        };
        log::log!(target: crate::LOG_TARGET, level, "{error}; retrying in {wait:.1?} (attempt {number} of at most {})", policy.max_attempts);
        clock.sleep(wait);
        number += 1;
    }
}

/// A random token for requests that carry an idempotency token (`clusters/create`): 128 random
/// bits as 32 hex digits, within [`crate::rules::IDEMPOTENCY_TOKEN`].
pub(crate) fn idempotency_token() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP date (compared with
/// `now`, the wall time of the client's clock).
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

    fn api(status: u16, code: Option<&str>, message: &str) -> Error {
        let body = match code {
            Some(code) => format!(r#"{{"error_code":"{code}","message":"{message}"}}"#),
            None => message.to_string(),
        };
        ApiError::from_response("op", status, body.as_bytes(), None, &[]).into()
    }

    #[test]
    fn everything_rate_limited_is_retried_and_nothing_else_is_called_throttling() {
        for code in crate::error::RATE_LIMIT_CODES {
            let e = api(400, Some(code), "slow down");
            assert!(e.is_rate_limited());
            assert_eq!(classify(&e), Some(Retryable::Throttled), "{code}");
        }
        assert_eq!(classify(&api(429, None, "")), Some(Retryable::Throttled));
        assert_eq!(classify(&api(503, None, "")), Some(Retryable::Temporary));
        assert_eq!(
            classify(&api(
                400,
                Some("INVALID_STATE"),
                "Unknown worker environment x"
            )),
            Some(Retryable::Temporary)
        );
        assert_eq!(classify(&api(500, Some("INTERNAL_ERROR"), "boom")), None);
        assert_eq!(classify(&api(404, Some("NOT_FOUND"), "gone")), None);
    }
}
