//! Checks run before a request is sent; the generated methods call them as the endpoint
//! schema says (`check` of a parameter, `checks` of a request type).

use crate::{Error, Result, SecretValue};

/// Largest secret value the service accepts: 128 KB.
pub const MAX_SECRET_BYTES: usize = 128 * 1024;

/// Longest scope name or secret key.
pub const MAX_NAME_LEN: usize = 128;

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A string that must not be empty or blank.
pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}

/// An optional field that must be set; gives the value for further checks.
pub(crate) fn required<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str> {
    value.ok_or_else(|| invalid(field, "must be set"))
}

/// `value` is 1 to 128 ASCII letters, digits, `-`, `_`, `.` and the `extra` characters.
fn name_rule(field: &str, value: &str, what: &str, extra: &[u8]) -> Result<()> {
    let valid_chars = value.bytes().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') || extra.contains(&b)
    });
    if value.is_empty() || value.len() > MAX_NAME_LEN || !valid_chars {
        let extra: String = extra
            .iter()
            .map(|&b| format!(", `{}`", b as char))
            .collect();
        return Err(invalid(
            field,
            format!(
                "{what} `{value}` must be 1 to {MAX_NAME_LEN} ASCII letters, digits, `-`, `_`{extra} or `.`"
            ),
        ));
    }
    Ok(())
}

/// A secret scope name: `[A-Za-z0-9_.@-]{1,128}`. The service also accepts `@` in scope names
/// (e.g. a scope named after its owner, `alice@example.com`), so the SDK does too.
pub(crate) fn scope_name(field: &str, value: &str) -> Result<()> {
    name_rule(field, value, "scope name", b"@")
}

/// A secret key: `[A-Za-z0-9_.-]{1,128}`.
pub(crate) fn secret_key(field: &str, value: &str) -> Result<()> {
    name_rule(field, value, "secret key", b"")
}

/// A secret value of at most [`MAX_SECRET_BYTES`]. The error never shows the value.
pub(crate) fn secret_value(field: &str, value: &SecretValue) -> Result<()> {
    if value.len() > MAX_SECRET_BYTES {
        return Err(invalid(
            field,
            format!(
                "the value has {} bytes; the service accepts at most {MAX_SECRET_BYTES}",
                value.len()
            ),
        ));
    }
    Ok(())
}

fn names(fields: &[(&str, bool)]) -> String {
    fields
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Exactly one of the fields is set.
pub(crate) fn exactly_one_of(fields: &[(&str, bool)]) -> Result<()> {
    match fields.iter().filter(|(_, set)| *set).count() {
        1 => Ok(()),
        0 => Err(invalid(
            &names(fields),
            "set exactly one of them (none is set)",
        )),
        _ => Err(invalid(
            &names(fields),
            "set exactly one of them (both are set)",
        )),
    }
}

/// At most one of the fields is set.
pub(crate) fn at_most_one_of(fields: &[(&str, bool)]) -> Result<()> {
    if fields.iter().filter(|(_, set)| *set).count() > 1 {
        return Err(invalid(&names(fields), "set at most one of them"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_follow_the_service_rule() {
        for ok in ["etl", "a.b-c_D9", "alice@example.com", &"x".repeat(128)] {
            scope_name("scope", ok).unwrap();
        }
        for bad in ["", "has space", "ünï", "a/b", &"x".repeat(129)] {
            assert!(
                matches!(scope_name("scope", bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn secret_keys_take_no_at_sign() {
        assert!(secret_key("key", "a@b").is_err());
        secret_key("key", "a.b-c_D9").unwrap();
    }

    #[test]
    fn secret_value_limit_is_128_kib_and_the_error_hides_the_value() {
        secret_value("value", &SecretValue::Bytes(vec![1; MAX_SECRET_BYTES])).unwrap();
        let big = SecretValue::String("s".repeat(MAX_SECRET_BYTES + 1));
        let err = secret_value("value", &big).unwrap_err().to_string();
        assert!(err.contains("131073 bytes"), "{err}");
        assert!(!err.contains("sss"), "{err}");
    }

    #[test]
    fn one_of_rules() {
        exactly_one_of(&[("a", true), ("b", false)]).unwrap();
        assert!(exactly_one_of(&[("a", false), ("b", false)]).is_err());
        assert!(exactly_one_of(&[("a", true), ("b", true)]).is_err());
        at_most_one_of(&[("a", false), ("b", false)]).unwrap();
        assert!(at_most_one_of(&[("a", true), ("b", true)]).is_err());
    }

    #[test]
    fn blank_ids_are_refused() {
        assert!(non_empty("cluster_id", " \t").is_err());
        assert!(required("cluster_id", None).is_err());
        assert_eq!(required("cluster_id", Some("x")).unwrap(), "x");
    }
}
