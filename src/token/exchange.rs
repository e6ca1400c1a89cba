//! HTTP exchanges with token endpoints (Azure AD v1 and v2, managed identity, App Service,
//! Databricks OAuth, GitHub's ID token service): the agent, the one retry engine with the token
//! preset, the token answer, and errors without secrets.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use ureq::http::Response;

use super::cache::AccessToken;
use crate::client::{AgentSettings, UrlPolicy, check_url};
use crate::error::{ApiError, AuthError, ConfigError};
use crate::{Clock, Error, LOG_TARGET, Result, RetryPolicy, SensitiveString, defaults};

/// Largest token answer read (an answer is a few kilobytes).
const MAX_ANSWER_BYTES: u64 = 256 * 1024;
/// Longest error description kept in an error message.
const MAX_DESCRIPTION: usize = 600;

/// A ureq agent for token requests, configured like the workspace client's (error statuses
/// are answers, no redirects, per-phase timeouts), with its own timeouts and proxy choice.
pub(crate) fn agent(timeout: Duration, connect_timeout: Duration, use_proxy: bool) -> ureq::Agent {
    crate::client::agent(AgentSettings {
        user_agent: defaults::USER_AGENT,
        timeout,
        connect_timeout,
        max_idle_connections_per_host: 1,
        proxy: if use_proxy {
            ureq::Proxy::try_from_env()
        } else {
            None
        },
    })
}

/// Checks a token endpoint URL with the SDK's URL policy (`https`, plain `http` for loopback
/// hosts and, for the managed identity, the link-local metadata address).
pub(crate) fn check_endpoint(method: &str, what: &str, url: &str, policy: UrlPolicy) -> Result<()> {
    check_url(what, url, policy)
        .map(drop)
        .map_err(|why| ConfigError::new(format!("{method}: {why}")).into())
}

/// A token request: what it is for (in errors), the secrets to mask out of every message (the
/// endpoint could echo them), and how to send it once.
pub(crate) struct TokenRequest<'a> {
    /// The `auth_type` name, e.g. `azure-client-secret`.
    pub(crate) method: &'a str,
    /// What is asked for, e.g. `Azure AD token for resource ... (client ...)`.
    pub(crate) what: &'a str,
    /// The endpoint, for transport errors.
    pub(crate) url: &'a str,
    /// Secrets sent with the request (client secret, assertion, subject token).
    pub(crate) secrets: &'a [&'a SensitiveString],
}

/// Sends a token request (again, per `policy`, through the SDK's one retry engine) and reads
/// the token from the answer. Failures are [`AuthError`]s of `request.method` whose source is
/// the last attempt's error.
pub(crate) fn fetch_token(
    request: &TokenRequest<'_>,
    policy: &RetryPolicy,
    clock: &dyn Clock,
    send: impl Fn() -> std::result::Result<Response<ureq::Body>, ureq::Error>,
) -> Result<AccessToken> {
    let body = exchange(request, policy, clock, send)?;
    let token = parse_token(request.method, request.what, &body, clock.wall_time())?;
    log::debug!(target: LOG_TARGET, "{}: new token, expires at {}", request.what, expiry(&token));
    Ok(token)
}

/// Sends a request to a token service (again, per `policy`) and returns the body of its
/// success answer. Failures are [`AuthError`]s of `request.method` whose source is the last
/// attempt's error, with `request.secrets` masked out.
pub(crate) fn exchange(
    request: &TokenRequest<'_>,
    policy: &RetryPolicy,
    clock: &dyn Clock,
    send: impl Fn() -> std::result::Result<Response<ureq::Body>, ureq::Error>,
) -> Result<Vec<u8>> {
    let what = request.what;
    let answer = crate::retry::run(policy, clock, what, true, |_| {
        let response =
            send().map_err(|e| Error::from(crate::call::transport_error(what, request.url, e)))?;
        let (status, body, headers) = crate::call::read(response, MAX_ANSWER_BYTES)
            .map_err(|e| Error::from(crate::call::transport_error(what, request.url, e)))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let mut error = token_error(what, status, &body, request.secrets);
        error.retry_after = headers
            .retry_after
            .and_then(|v| crate::retry::parse_retry_after(&v, clock.wall_time()));
        Err(error.into())
    });
    answer.map_err(|e| AuthError::new(request.method, what).with_source(e).into())
}

/// `Authorization: Basic` of OAuth client authentication (RFC 6749, 2.3.1): the client id and
/// secret, each form-encoded, joined by `:`, in base64.
pub(crate) fn basic_auth(client_id: &str, client_secret: &SensitiveString) -> SensitiveString {
    use base64::Engine as _;
    let encode = |text: &str| form_urlencoded_component(text);
    let pair = format!("{}:{}", encode(client_id), encode(client_secret.expose()));
    SensitiveString::new(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

/// `application/x-www-form-urlencoded` encoding of one component.
fn form_urlencoded_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A string field of a JSON object answer (`token_endpoint`, `value`), for answers that are
/// not tokens. The answer is never quoted: it may hold a token.
pub(crate) fn json_field(method: &str, what: &str, body: &[u8], key: &str) -> Result<String> {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    value
        .as_ref()
        .and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            AuthError::new(method, format!("{what}: unexpected answer: no `{key}`")).into()
        })
}

/// The expiry of a token as epoch seconds, for logs.
pub(crate) fn expiry(token: &AccessToken) -> String {
    match token.expires_at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => format!("epoch {}", d.as_secs()),
        Err(_) => "?".into(),
    }
}

/// The error answer of a token endpoint: `{"error": "invalid_client", "error_description":
/// "AADSTS7000215: ..."}` (the OAuth 2.0 shape) as an [`ApiError`] whose code is `error` and
/// whose message is the description on one line; anything else as its text. `secret` is
/// masked out of both.
fn token_error(what: &str, status: u16, body: &[u8], secrets: &[&SensitiveString]) -> ApiError {
    let masked = |text: &str| {
        secrets.iter().fold(text.to_string(), |text, secret| {
            mask(&text, secret.expose())
        })
    };
    let mut error = ApiError::from_response(
        what,
        status,
        masked(&String::from_utf8_lossy(body)).as_bytes(),
        None,
        &[],
    );
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        let field = |key: &str| map.get(key).and_then(Value::as_str);
        if let Some(code) = field("error") {
            error.error_code = Some(code.to_string());
            let description = field("error_description").unwrap_or_default();
            let one_line = description.split_whitespace().collect::<Vec<_>>().join(" ");
            error.message = masked(crate::error::truncate(&one_line, MAX_DESCRIPTION));
        }
    }
    error
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
pub(crate) fn parse_token(
    method: &str,
    what: &str,
    body: &[u8],
    now: SystemTime,
) -> Result<AccessToken> {
    let bad = |why: &str| -> Error {
        AuthError::new(method, format!("{what}: unexpected answer: {why}")).into()
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
            let token = parse_token("m", "t", body.as_bytes(), now()).unwrap();
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
            let err = parse_token("m", "t", body.as_bytes(), now()).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("SECRET"), "{err}");
        }
    }

    #[test]
    fn aad_errors_become_one_line_with_the_secret_masked() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret hunter22.\r\nTrace ID: 1\r\nCorrelation ID: 2"}"#;
        let secret = SensitiveString::new("hunter22");
        let e = token_error("token", 401, body.as_bytes(), &[&secret]);
        assert_eq!(
            e.to_string(),
            "token: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret ****. Trace ID: 1 Correlation ID: 2"
        );
        assert!(!e.body().contains("hunter22"));
        let e = token_error(
            "token",
            502,
            b"<html><title>Bad gateway</title></html>",
            &[],
        );
        assert_eq!(e.to_string(), "token: HTTP 502: Bad gateway");
    }

    #[test]
    fn masks_the_secret() {
        assert_eq!(mask("echo s3cr3t!", "s3cr3t"), "echo ****!");
    }

    #[test]
    fn basic_auth_encodes_the_pair() {
        let secret = SensitiveString::new("dose:cret+1");
        // base64("id%3A1:dose%3Acret%2B1")
        assert_eq!(
            basic_auth("id:1", &secret).expose(),
            "Basic aWQlM0ExOmRvc2UlM0FjcmV0JTJCMQ=="
        );
        assert_eq!(
            basic_auth("abc", &SensitiveString::new("xyz")).expose(),
            "Basic YWJjOnh5eg=="
        );
    }
}
