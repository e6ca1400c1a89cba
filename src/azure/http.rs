//! HTTP exchanges with a token endpoint: retries, the token answer, and errors without secrets.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use ureq::http::{Response, Uri};

use super::cache::AccessToken;
use crate::{Error, Result, SensitiveString, USER_AGENT};

/// The `log` target of the SDK.
pub(crate) const LOG_TARGET: &str = "azure_databricks_sdk";

/// Largest token answer read (an answer is a few kilobytes).
const MAX_ANSWER_BYTES: u64 = 256 * 1024;
/// Longest error description kept in an error message.
const MAX_DESCRIPTION: usize = 600;

/// How a token request is retried: on 429 and 5xx answers, and (when enabled) on connection
/// errors and timeouts. The wait doubles from `first_backoff`, or is the answer's `Retry-After`
/// (seconds) when that is longer, capped at `max_backoff`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retries {
    pub(crate) attempts: u32,
    pub(crate) first_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) on_connection_errors: bool,
}

impl Retries {
    /// 5 attempts, waits of 0.25, 0.5, 1 and 2 s (or `Retry-After`, at most 10 s).
    pub(crate) const DEFAULT: Retries = Retries {
        attempts: 5,
        first_backoff: Duration::from_millis(250),
        max_backoff: Duration::from_secs(10),
        on_connection_errors: true,
    };

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .first_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16));
        exponential
            .max(retry_after.unwrap_or_default())
            .min(self.max_backoff)
    }
}

/// A ureq agent for token requests: error statuses are answers, no redirects, its own timeouts.
pub(crate) fn agent(timeout: Duration, connect_timeout: Duration, use_proxy: bool) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .accept("application/json")
        .timeout_global(Some(timeout.min(crate::client::MAX_TIMEOUT)))
        .timeout_connect(Some(
            connect_timeout.min(timeout).min(crate::client::MAX_TIMEOUT),
        ));
    if !use_proxy {
        config = config.proxy(None);
    }
    config.build().new_agent()
}

/// Checks an endpoint URL: `https`, or plain `http` for loopback hosts (tests) and for the
/// link-local instance metadata address when `allow_link_local`.
pub(crate) fn check_endpoint(what: &str, url: &str, allow_link_local: bool) -> Result<()> {
    let bad = |why: &str| Error::Config(format!("invalid {what} `{url}`: {why}"));
    let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    let loopback = crate::client::is_loopback(host);
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok();
    let link_local = matches!(ip, Some(std::net::IpAddr::V4(v4)) if v4.is_link_local());
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if loopback || (allow_link_local && link_local) => Ok(()),
        Some("http") => Err(bad(
            "plain http is only allowed for loopback hosts; credentials must not cross the network unencrypted",
        )),
        _ => Err(bad("the scheme must be https")),
    }
}

/// Sends a token request (again, per `retries`) and reads the token from the answer.
///
/// `what` names the request in errors (`Azure AD token for resource ...`); `secret`, when
/// given, is masked out of every message (the endpoint could echo it).
pub(crate) fn fetch_token(
    what: &str,
    retries: &Retries,
    secret: Option<&SensitiveString>,
    clock: &dyn crate::Clock,
    send: impl Fn() -> std::result::Result<Response<ureq::Body>, ureq::Error>,
) -> Result<AccessToken> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= retries.attempts.max(1);
        let response = match send() {
            Ok(response) => response,
            Err(e) if !last && retries.on_connection_errors && is_connection_error(&e) => {
                let wait = retries.backoff(attempt, None);
                log::debug!(target: LOG_TARGET, "{what}: {e}; retrying in {wait:?}");
                clock.sleep(wait);
                continue;
            }
            Err(e) => {
                return Err(Error::Auth {
                    message: format!("{what}: the request failed after {attempt} attempt(s)"),
                    source: Some(Box::new(e)),
                });
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::retry::parse_retry_after(v, SystemTime::now()));
        let body = read_body(response).map_err(|e| Error::Auth {
            message: format!("{what}: cannot read the answer (HTTP {status})"),
            source: Some(Box::new(e)),
        })?;
        match status {
            200..=299 => {
                let token = parse_token(what, &body, clock.wall_time())?;
                log::debug!(target: LOG_TARGET, "{what}: new token, expires at {}", expiry(&token));
                return Ok(token);
            }
            429 | 500..=599 if !last => {
                let wait = retries.backoff(attempt, retry_after);
                log::debug!(target: LOG_TARGET, "{what}: HTTP {status}; retrying in {wait:?}");
                clock.sleep(wait);
            }
            _ => {
                let mut message = error_message(what, status, &body, attempt);
                if let Some(secret) = secret {
                    message = mask(&message, secret.expose());
                }
                return Err(Error::Auth {
                    message,
                    source: None,
                });
            }
        }
    }
}

/// The expiry of a token as epoch seconds, for logs.
pub(crate) fn expiry(token: &AccessToken) -> String {
    match token.expires_at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => format!("epoch {}", d.as_secs()),
        Err(_) => "?".into(),
    }
}

fn read_body(mut response: Response<ureq::Body>) -> std::result::Result<Vec<u8>, ureq::Error> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_vec()
}

/// Failures where the request may not have been answered: worth another try.
fn is_connection_error(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed
    )
}

/// `{"error": "invalid_client", "error_description": "AADSTS7000215: ..."}` as one line.
fn error_message(what: &str, status: u16, body: &[u8], attempts: u32) -> String {
    let mut message = format!("{what}: HTTP {status}");
    let json = serde_json::from_slice::<Value>(body).ok();
    let field = |key: &str| json.as_ref()?.get(key)?.as_str().map(str::to_string);
    match (field("error"), field("error_description")) {
        (Some(error), description) => {
            message.push(' ');
            message.push_str(&error);
            if let Some(description) = description {
                let one_line = description.split_whitespace().collect::<Vec<_>>().join(" ");
                message.push_str(": ");
                message.push_str(crate::error::truncate(&one_line, MAX_DESCRIPTION));
            }
        }
        (None, _) if json.is_none() && !body.is_empty() => {
            let text = String::from_utf8_lossy(body);
            let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
            message.push_str(": ");
            message.push_str(crate::error::truncate(&one_line, 200));
        }
        _ => {}
    }
    if attempts > 1 {
        message.push_str(&format!(" (after {attempts} attempts)"));
    }
    message
}

/// Replaces every occurrence of `secret` in `text` by `****`.
pub(crate) fn mask(text: &str, secret: &str) -> String {
    if secret.len() < 3 {
        return text.to_string();
    }
    text.replace(secret, "****")
}

/// Reads `access_token` and the expiry of a token answer: `expires_in` (seconds, a JSON string
/// in the v1 endpoint's answers, a number elsewhere), else `expires_on` (epoch seconds).
/// Messages never contain the answer itself: it holds the token.
pub(crate) fn parse_token(what: &str, body: &[u8], now: SystemTime) -> Result<AccessToken> {
    let bad = |why: &str| Error::Auth {
        message: format!("{what}: unexpected answer: {why}"),
        source: None,
    };
    let map: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(bad("not a JSON object")),
    };
    let token = map
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("no access_token"))?;
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(
            "the access_token has characters not allowed in a header",
        ));
    }
    let seconds = |key: &str| -> Option<u64> {
        match map.get(key)? {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    };
    let expires_at = if let Some(expires_in) = seconds("expires_in") {
        now.checked_add(Duration::from_secs(expires_in))
    } else if let Some(expires_on) = seconds("expires_on") {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(expires_on))
    } else {
        return Err(bad("no expires_in or expires_on"));
    };
    let expires_at = expires_at.ok_or_else(|| bad("an expiry beyond the representable time"))?;
    Ok(AccessToken {
        value: SensitiveString::new(token),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::from_secs(1_700_000_000);

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + NOW
    }

    #[test]
    fn expires_in_as_string_or_number_and_expires_on() {
        for body in [
            r#"{"access_token":"a.b.c","expires_in":"3599","token_type":"Bearer"}"#,
            r#"{"access_token":"a.b.c","expires_in":3599}"#,
            r#"{"access_token":"a.b.c","expires_on":"1700003599"}"#,
        ] {
            let token = parse_token("t", body.as_bytes(), now()).unwrap();
            assert_eq!(token.value.expose(), "a.b.c");
            assert_eq!(
                token.expires_at,
                now() + Duration::from_secs(3599),
                "{body}"
            );
        }
    }

    #[test]
    fn bad_answers_never_echo_the_body() {
        for body in [
            r#"{"access_token":"SECRET-TOKEN"}"#,
            r#"{"access_token":"SECRET-TOKEN","expires_in":"soon"}"#,
            r#"["SECRET-TOKEN"]"#,
            r#"{"access_token":"SECRET TOKEN","expires_in":"1"}"#,
        ] {
            let err = parse_token("t", body.as_bytes(), now()).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("SECRET"), "{err}");
        }
    }

    #[test]
    fn aad_errors_become_one_line() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2"}"#;
        assert_eq!(
            error_message("token", 401, body.as_bytes(), 1),
            "token: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2"
        );
        assert_eq!(
            error_message("token", 502, b"<html>Bad gateway</html>", 5),
            "token: HTTP 502: <html>Bad gateway</html> (after 5 attempts)"
        );
    }

    /// Sends the scripted answers in order (`Err` = a connection failure) and counts them.
    fn scripted(
        retries: Retries,
        answers: Vec<std::result::Result<(u16, &'static str), ()>>,
    ) -> (Result<AccessToken>, usize) {
        let answers = std::sync::Mutex::new(answers.into_iter());
        let sent = std::sync::atomic::AtomicUsize::new(0);
        // Waits between attempts only move this clock.
        let clock = crate::azure::cache::tests::FakeClock::new();
        let result = fetch_token(
            "token",
            &retries,
            Some(&SensitiveString::new("hunter22")),
            &*clock,
            || {
                sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match answers.lock().unwrap().next().expect("an answer left") {
                    Ok((status, body)) => Ok(Response::builder()
                        .status(status)
                        .body(ureq::Body::builder().data(body))
                        .unwrap()),
                    Err(()) => Err(ureq::Error::ConnectionFailed),
                }
            },
        );
        (result, sent.into_inner())
    }

    const FAST: Retries = Retries {
        first_backoff: Duration::ZERO,
        ..Retries::DEFAULT
    };
    const OK: &str = r#"{"access_token":"tok","expires_in":"3599"}"#;

    #[test]
    fn retries_connection_errors_429_and_5xx() {
        let (result, sent) = scripted(
            FAST,
            vec![Err(()), Ok((429, "")), Ok((503, "busy")), Ok((200, OK))],
        );
        assert_eq!(result.unwrap().value.expose(), "tok");
        assert_eq!(sent, 4);
    }

    #[test]
    fn gives_up_after_the_last_attempt_and_says_so() {
        let (result, sent) = scripted(FAST, vec![Ok((500, "")); 5]);
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains("HTTP 500") && err.contains("after 5 attempts"),
            "{err}"
        );
        assert_eq!(sent, 5);
        let (result, sent) = scripted(FAST, vec![Err(()); 5]);
        assert!(
            result
                .unwrap_err()
                .to_string()
                .contains("after 5 attempt(s)")
        );
        assert_eq!(sent, 5);
    }

    #[test]
    fn client_errors_are_not_retried_and_the_secret_is_masked() {
        let body = r#"{"error":"invalid_client","error_description":"bad secret hunter22"}"#;
        let (result, sent) = scripted(FAST, vec![Ok((401, body))]);
        let err = result.unwrap_err().to_string();
        assert_eq!(sent, 1);
        assert!(err.contains("invalid_client: bad secret ****"), "{err}");
        let no_connection_retries = Retries {
            on_connection_errors: false,
            ..FAST
        };
        let (result, sent) = scripted(no_connection_retries, vec![Err(())]);
        assert!(result.is_err());
        assert_eq!(sent, 1);
    }

    #[test]
    fn masks_the_secret() {
        assert_eq!(mask("echo s3cr3t!", "s3cr3t"), "echo ****!");
    }

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        let r = Retries::DEFAULT;
        assert_eq!(r.backoff(1, None), Duration::from_millis(250));
        assert_eq!(r.backoff(3, None), Duration::from_secs(1));
        assert_eq!(
            r.backoff(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(r.backoff(30, None), Duration::from_secs(10));
    }

    #[test]
    fn endpoints_must_be_https_except_loopback_and_imds() {
        assert!(check_endpoint("authority", "https://login.microsoftonline.com/", false).is_ok());
        assert!(check_endpoint("authority", "http://127.0.0.1:9/", false).is_ok());
        assert!(check_endpoint("authority", "http://login.example.com/", false).is_err());
        assert!(check_endpoint("authority", "http://169.254.169.254/x", false).is_err());
        assert!(check_endpoint("msi", "http://169.254.169.254/x", true).is_ok());
        assert!(check_endpoint("authority", "ftp://h/", false).is_err());
    }
}
