//! Checks run before a request is sent; the generated methods call them as the endpoint
//! schema says (`check` of a parameter, `checks` of a request type), with the typed rules of
//! [`crate::rules`].

use crate::rules::{NameRule, SizeRule};
use crate::{Error, Result};

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::invalid_input(field, reason)
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

/// A name that must follow `rule`.
pub(crate) fn name(rule: &NameRule, field: &str, value: &str) -> Result<()> {
    if !rule.accepts(value) {
        return Err(invalid(
            field,
            format!("{} `{value}` must be {}", rule.what, rule.describe()),
        ));
    }
    Ok(())
}

/// A value of `len` bytes that must fit `rule`. The error never shows the value.
pub(crate) fn size(rule: &SizeRule, field: &str, len: usize) -> Result<()> {
    if len as u64 > rule.max_bytes {
        return Err(invalid(
            field,
            format!(
                "the {} has {len} bytes; the service accepts at most {}",
                rule.what, rule.max_bytes
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

    use crate::SecretValue;
    use crate::rules::{SCOPE_NAME, SECRET_KEY, SECRET_VALUE};

    #[test]
    fn scope_names_follow_the_service_rule() {
        let longest = "x".repeat(SCOPE_NAME.max_len);
        for ok in ["etl", "a.b-c_D9", "alice@example.com", &longest] {
            name(&SCOPE_NAME, "scope", ok).unwrap();
        }
        let too_long = "x".repeat(SCOPE_NAME.max_len + 1);
        for bad in ["", "has space", "ünï", "a/b", &too_long] {
            assert!(
                matches!(
                    name(&SCOPE_NAME, "scope", bad),
                    Err(Error::InvalidInput { .. })
                ),
                "{bad}"
            );
        }
        let err = name(&SCOPE_NAME, "scope", "a b").unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "invalid scope: scope name `a b` must be {}",
                SCOPE_NAME.words
            )
        );
        assert!(
            SCOPE_NAME
                .words
                .starts_with(&format!("1 to {} ASCII letters", SCOPE_NAME.max_len))
                && SCOPE_NAME.words.ends_with("`.` or `@`"),
            "{}",
            SCOPE_NAME.words
        );
    }

    #[test]
    fn secret_keys_take_no_at_sign() {
        assert!(name(&SECRET_KEY, "key", "a@b").is_err());
        name(&SECRET_KEY, "key", "a.b-c_D9").unwrap();
    }

    #[test]
    fn secret_value_limit_is_its_rule_and_the_error_hides_the_value() {
        let max = SECRET_VALUE.max_bytes as usize;
        size(
            &SECRET_VALUE,
            "value",
            SecretValue::Bytes(vec![1; max]).len(),
        )
        .unwrap();
        let big = SecretValue::String("s".repeat(max + 1));
        let err = size(&SECRET_VALUE, "value", big.len())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("{} bytes", max + 1)), "{err}");
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
