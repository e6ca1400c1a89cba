//! Types that hold secrets: their `Debug` never shows the value.

use std::fmt;

use base64::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::SerializeMap;

/// A secret string: a token, a password, a key.
///
/// `Debug` prints `"****"`; read the value explicitly with [`SensitiveString::expose`]. The
/// memory is zeroed when the value is dropped. On the wire it is a plain JSON string.
///
/// ```
/// use azure_databricks_sdk::SensitiveString;
/// let token = SensitiveString::new("dapi0123");
/// assert_eq!(format!("{token:?}"), "\"****\"");
/// assert_eq!(token.expose(), "dapi0123");
/// ```
#[derive(Clone)]
pub struct SensitiveString(SecretString);

impl SensitiveString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret itself. Take care where it goes.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SensitiveString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"****\"")
    }
}

impl PartialEq for SensitiveString {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl From<String> for SensitiveString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for SensitiveString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl serde::Serialize for SensitiveString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for SensitiveString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// The value of a secret for [`crate::Secrets::put`]: a UTF-8 string or arbitrary bytes.
///
/// Sent as `string_value`, or as `bytes_value` holding the base64 of the bytes. `Debug` shows
/// the kind and length, never the content. The content's size is limited by
/// [`rules::SECRET_VALUE`](crate::rules::SECRET_VALUE), checked before sending.
///
/// ```
/// use azure_databricks_sdk::SecretValue;
/// let value = SecretValue::Bytes(vec![0, 159, 146, 150]);
/// assert_eq!(format!("{value:?}"), "SecretValue::Bytes(<4 bytes>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    /// A UTF-8 string, stored as is (`string_value`).
    String(String),
    /// Arbitrary bytes (`bytes_value`, base64 on the wire).
    Bytes(Vec<u8>),
}

impl SecretValue {
    /// Length of the content in bytes (before base64).
    pub fn len(&self) -> usize {
        match self {
            SecretValue::String(s) => s.len(),
            SecretValue::Bytes(b) => b.len(),
        }
    }

    /// Whether the content is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretValue::String(s) => write!(f, "SecretValue::String(<{} bytes>)", s.len()),
            SecretValue::Bytes(b) => write!(f, "SecretValue::Bytes(<{} bytes>)", b.len()),
        }
    }
}

impl From<&str> for SecretValue {
    fn from(value: &str) -> Self {
        SecretValue::String(value.to_string())
    }
}

impl From<String> for SecretValue {
    fn from(value: String) -> Self {
        SecretValue::String(value)
    }
}

impl From<Vec<u8>> for SecretValue {
    fn from(value: Vec<u8>) -> Self {
        SecretValue::Bytes(value)
    }
}

impl serde::Serialize for SecretValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            SecretValue::String(s) => map.serialize_entry("string_value", s)?,
            SecretValue::Bytes(b) => {
                map.serialize_entry("bytes_value", &BASE64_STANDARD.encode(b))?
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_keys_of_secret_values_are_declared_sensitive_in_the_schema() {
        for value in [SecretValue::String("s".into()), SecretValue::Bytes(vec![1])] {
            let json = serde_json::to_value(&value).unwrap();
            for key in json.as_object().unwrap().keys() {
                assert!(
                    crate::operations::SENSITIVE_FIELDS.contains(&key.as_str()),
                    "`{key}` is not in the `sensitive_fields` of the SecretValue parameter in schema/endpoints.json"
                );
            }
        }
    }
}
