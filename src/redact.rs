//! Masking of secrets in log output. There is deliberately no switch to turn it off.

use serde_json::Value;

/// JSON keys (and form fields) whose values are never logged.
pub const SENSITIVE_KEYS: &[&str] = &[
    "token_value",
    "string_value",
    "bytes_value",
    "client_secret",
    "access_token",
    "refresh_token",
    "password",
    "log_analytics_primary_key",
];

/// Headers whose values are never logged.
pub const SENSITIVE_HEADERS: &[&str] = &["authorization", "x-databricks-azure-sp-management-token"];

/// The mask that replaces a secret.
pub const MASK: &str = "****";

/// Longest body text put in a log record.
const MAX_LOGGED: usize = 2048;

/// A body as it may be logged: JSON with sensitive values masked, form fields likewise, and
/// anything else (HTML, plain text) shortened.
pub fn body(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
        mask_json(&mut value);
        return crate::error::truncate(&value.to_string(), MAX_LOGGED).to_string();
    }
    let text = String::from_utf8_lossy(bytes);
    if text.contains('=') && !text.contains(char::is_whitespace) {
        return mask_form(&text);
    }
    // Neither JSON nor a form: its secrets cannot be found, so only its size is logged.
    format!("<{} bytes, not JSON>", bytes.len())
}

/// A URL or host as it may be shown: credentials in it (`scheme://user:password@host`) masked.
pub fn url(text: &str) -> std::borrow::Cow<'_, str> {
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    match authority.rfind('@') {
        Some(at) => {
            let start = text.len() - rest.len();
            format!("{}{MASK}{}", &text[..start], &text[start + at..]).into()
        }
        None => text.into(),
    }
}

/// A header value as it may be logged.
pub fn header<'a>(name: &str, value: &'a str) -> &'a str {
    if SENSITIVE_HEADERS
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
    {
        MASK
    } else {
        value
    }
}

fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SENSITIVE_KEYS.contains(&key.as_str()) {
                    *v = Value::String(MASK.into());
                } else {
                    mask_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

fn mask_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SENSITIVE_KEYS.contains(&key) => format!("{key}={MASK}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_masked_at_any_depth() {
        let body =
            br#"{"scope":"etl","string_value":"s3cr3t","items":[{"token_value":"dapi1"}],"n":1}"#;
        let logged = super::body(body);
        assert!(
            !logged.contains("s3cr3t") && !logged.contains("dapi1"),
            "{logged}"
        );
        assert!(logged.contains("\"scope\":\"etl\""), "{logged}");
    }

    #[test]
    fn form_secrets_are_masked() {
        let logged = super::body(
            b"grant_type=client_credentials&client_id=abc&client_secret=p%40ss&resource=x",
        );
        assert_eq!(
            logged,
            "grant_type=client_credentials&client_id=abc&client_secret=****&resource=x"
        );
    }

    #[test]
    fn credentials_in_urls_are_masked() {
        assert_eq!(
            url("https://token:dapi1@adb-1.2.azuredatabricks.net"),
            "https://****@adb-1.2.azuredatabricks.net"
        );
        assert_eq!(url("user:pw@proxy:8080/x@y"), "****@proxy:8080/x@y");
        assert_eq!(
            url("https://adb-1.2.azuredatabricks.net/a@b"),
            "https://adb-1.2.azuredatabricks.net/a@b"
        );
    }

    #[test]
    fn other_bodies_are_not_logged() {
        assert_eq!(super::body(b"<html>secret</html>"), "<19 bytes, not JSON>");
    }

    #[test]
    fn auth_headers_are_masked() {
        assert_eq!(header("Authorization", "Bearer dapi"), MASK);
        assert_eq!(header("X-Databricks-Azure-SP-Management-Token", "ey"), MASK);
        assert_eq!(
            header("content-type", "application/json"),
            "application/json"
        );
    }
}
