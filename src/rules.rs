//! The service's rules for names and sizes, generated from the `rules` of
//! `schema/endpoints.json`. The SDK checks inputs against them before sending; the emulator of
//! this repository enforces the same rules.
//!
//! ```
//! use azure_databricks_sdk::rules;
//! assert!(rules::SCOPE_NAME.accepts("alice@example.com"));
//! assert!(!rules::SECRET_KEY.accepts("a@b"));
//! assert_eq!(rules::SECRET_VALUE.max_bytes, 128 * 1024);
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

    /// The rule in words: `1 to 128 ASCII letters, digits, `-`, `_` or `.``.
    pub fn describe(&self) -> String {
        let mut extra: Vec<String> = self.extra.chars().map(|c| format!("`{c}`")).collect();
        let last = extra.pop();
        let mut text = format!("1 to {} ASCII letters, digits", self.max_len);
        for c in extra {
            text.push_str(", ");
            text.push_str(&c);
        }
        if let Some(last) = last {
            text.push_str(" or ");
            text.push_str(&last);
        }
        text
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
}

include!(concat!(env!("OUT_DIR"), "/rules.rs"));
