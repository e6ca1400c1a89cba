//! The service's rules — names, sizes, lengths, number ranges and counts — generated from the
//! `rules` of `schema/endpoints.json`, where each is declared once. The SDK checks inputs
//! against the name and size rules before sending; the emulator of this repository enforces
//! all of them, and the generated documentation quotes them.
//!
//! ```
//! use azure_databricks_sdk::rules;
//! assert!(rules::SCOPE_NAME.accepts("alice@example.com"));
//! assert!(!rules::SECRET_KEY.accepts("a@b"));
//! let value = vec![0u8; 1024];
//! assert!(value.len() as u64 <= rules::SECRET_VALUE.max_bytes);
//! println!("a secret value is {}", rules::SECRET_VALUE.words);
//! ```

/// A name rule: 1 to `max_len` ASCII letters, digits and the `extra` characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NameRule {
    /// What is named, for messages: `scope name`.
    pub what: &'static str,
    /// Allowed characters besides ASCII letters and digits.
    pub extra: &'static str,
    /// Longest name, in bytes.
    pub max_len: usize,
    /// The rule in words, as messages and the generated docs quote it.
    pub words: &'static str,
}

impl NameRule {
    /// Whether `name` follows the rule.
    pub fn accepts(&self, name: &str) -> bool {
        !name.is_empty()
            && name.len() <= self.max_len
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || self.extra.as_bytes().contains(&b))
    }

    /// The rule in words (its [`words`](Self::words)).
    pub fn describe(&self) -> &'static str {
        self.words
    }
}

/// A size rule: at most `max_bytes` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SizeRule {
    /// What is measured, for messages: `secret value`.
    pub what: &'static str,
    /// Largest size in bytes.
    pub max_bytes: u64,
    /// The rule in words, as messages and the generated docs quote it.
    pub words: &'static str,
}

/// A length rule: at most `max_chars` characters (Unicode scalar values, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LengthRule {
    /// What is measured, for messages: `idempotency token`.
    pub what: &'static str,
    /// Longest text, in characters.
    pub max_chars: usize,
    /// The rule in words, as messages and the generated docs quote it.
    pub words: &'static str,
}

impl LengthRule {
    /// Whether `text` is short enough.
    pub fn accepts(&self, text: &str) -> bool {
        text.chars().nth(self.max_chars).is_none()
    }
}

/// A range rule: a whole number from `min` to `max`, or one of `also` (values with a meaning
/// of their own, such as 0 for "off").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RangeRule {
    /// What is counted, for messages: `autotermination_minutes`.
    pub what: &'static str,
    /// Smallest value of the range.
    pub min: i64,
    /// Largest value of the range.
    pub max: i64,
    /// Values accepted outside the range.
    pub also: &'static [i64],
    /// The rule in words, as messages and the generated docs quote it.
    pub words: &'static str,
}

impl RangeRule {
    /// Whether `value` is in the range or one of the `also` values.
    pub fn accepts(&self, value: i64) -> bool {
        (self.min..=self.max).contains(&value) || self.also.contains(&value)
    }
}

/// A count rule: at most `max` of something the service holds (secrets in a scope). Only the
/// service can count them, so the SDK checks no request against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CountRule {
    /// What is counted, for messages: `secrets in a scope`.
    pub what: &'static str,
    /// Most items.
    pub max: usize,
    /// The rule in words, as messages and the generated docs quote it.
    pub words: &'static str,
}

impl CountRule {
    /// Whether holding `count` items is within the rule.
    pub fn accepts(&self, count: usize) -> bool {
        count <= self.max
    }
}

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_count_characters_not_bytes() {
        let max = IDEMPOTENCY_TOKEN.max_chars;
        assert!(IDEMPOTENCY_TOKEN.accepts(""));
        assert!(IDEMPOTENCY_TOKEN.accepts(&"é".repeat(max)));
        assert!(!IDEMPOTENCY_TOKEN.accepts(&"x".repeat(max + 1)));
    }

    #[test]
    fn the_tokens_the_sdk_sets_follow_the_idempotency_token_rule() {
        for _ in 0..100 {
            let token = crate::idempotency_token();
            assert!(IDEMPOTENCY_TOKEN.accepts(&token), "{token}");
        }
    }

    #[test]
    fn range_rules_take_their_bounds_and_extra_values_only() {
        for rule in [AUTOTERMINATION_MINUTES, EVENTS_LIMIT] {
            assert!(rule.accepts(rule.min) && rule.accepts(rule.max), "{rule:?}");
            for outside in [rule.min - 1, rule.max + 1, i64::MIN, i64::MAX] {
                assert_eq!(
                    rule.accepts(outside),
                    rule.also.contains(&outside),
                    "{outside}"
                );
            }
            for &value in rule.also {
                assert!(rule.accepts(value), "{value}");
            }
        }
        // 0 turns automatic termination off.
        assert!(AUTOTERMINATION_MINUTES.accepts(0) && !EVENTS_LIMIT.accepts(0));
    }

    #[test]
    fn count_rules_allow_up_to_their_maximum() {
        for rule in [SECRETS_PER_SCOPE, SCOPES_PER_WORKSPACE] {
            assert!(
                rule.accepts(rule.max) && !rule.accepts(rule.max + 1),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn every_rule_has_words_and_describe_gives_them() {
        assert_eq!(SCOPE_NAME.describe(), SCOPE_NAME.words);
        for words in [
            SCOPE_NAME.words,
            SECRET_KEY.words,
            SECRET_VALUE.words,
            IDEMPOTENCY_TOKEN.words,
            AUTOTERMINATION_MINUTES.words,
            EVENTS_LIMIT.words,
            SECRETS_PER_SCOPE.words,
            SCOPES_PER_WORKSPACE.words,
        ] {
            assert!(!words.trim().is_empty());
        }
    }
}
