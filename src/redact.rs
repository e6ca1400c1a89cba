//! Masking of secrets in log output. There is deliberately no switch to turn it off.

use serde_json::Value;

/// Secret fields of the OAuth 2.0 / Azure AD token protocol (form fields and answers of token
/// endpoints), which are not part of the workspace schema. The workspace's own secret fields
/// come from the schema: [`crate::operations::SENSITIVE_FIELDS`].
const TOKEN_PROTOCOL_FIELDS: &[&str] = &[
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "client_assertion",
    "subject_token",
    "password",
];

/// Whether the value of the JSON key or form field `key` is never logged.
fn is_sensitive(key: &str) -> bool {
    crate::operations::SENSITIVE_FIELDS.contains(&key) || TOKEN_PROTOCOL_FIELDS.contains(&key)
}

/// Headers whose values are never logged.
pub(crate) const SENSITIVE_HEADERS: &[&str] =
    &["authorization", "x-databricks-azure-sp-management-token"];

/// The mask that replaces a secret.
pub(crate) const MASK: &str = "****";

/// Longest body text put in a log record.
const MAX_LOGGED: usize = 2048;

/// A body as it may be logged: JSON with sensitive values masked, form fields likewise, and
/// anything else (HTML, plain text) shortened.
pub(crate) fn body(bytes: &[u8]) -> String {
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

/// Query pairs as they may be logged: the values of sensitive keys (the `session_token` of a
/// multipart upload) masked.
pub(crate) fn query<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .map(|&(key, value)| (key, if is_sensitive(key) { MASK } else { value }))
        .collect()
}

/// A URL or host as it may be shown: credentials in it (`scheme://user:password@host`) masked.
pub(crate) fn url(text: &str) -> std::borrow::Cow<'_, str> {
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
pub(crate) fn header<'a>(name: &str, value: &'a str) -> &'a str {
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
                if is_sensitive(key) {
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
            Some((key, _)) if is_sensitive(key) => format!("{key}={MASK}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_token_in_a_query_is_masked() {
        let pairs = [("action", "complete-upload"), ("session_token", "hunter2")];
        assert_eq!(
            query(&pairs),
            [("action", "complete-upload"), ("session_token", MASK)]
        );
    }

    #[test]
    fn every_secret_field_of_the_schema_is_masked() {
        for key in crate::operations::SENSITIVE_FIELDS {
            let logged = super::body(format!(r#"{{"{key}":"hunter2"}}"#).as_bytes());
            assert!(!logged.contains("hunter2"), "{key}: {logged}");
        }
    }

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
