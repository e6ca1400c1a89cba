//! The one error type of the generator: names the file and JSON pointer of what is wrong.

use std::fmt;

/// A schema problem found while loading, checking or rendering, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// File name relative to the schema folder (e.g. `clusters.json`).
    pub file: String,
    /// JSON pointer of the offending node inside `file` (empty for the whole file).
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl SchemaError {
    /// A problem at `pointer` in `file`.
    pub fn at(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// A problem reading or writing a file.
    pub fn io(file: String, message: String) -> Self {
        Self {
            file,
            pointer: String::new(),
            message,
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "schema/{}#{}: {}", self.file, self.pointer, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
