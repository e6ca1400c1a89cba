//! Absolute paths of the trees the emulator keeps (DBFS, the workspace): checked and made
//! canonical once, so that the stores compare clean strings.

use crate::error::ApiError;

/// `/a/b/` → `/a/b` (`/` stays): absolute, no empty, `.` or `..` segments.
///
/// # Errors
///
/// `INVALID_PARAMETER_VALUE` naming the path otherwise.
pub(crate) fn clean(path: &str) -> Result<String, ApiError> {
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() && path.starts_with('/') {
        "/"
    } else {
        trimmed
    };
    let bad = !trimmed.starts_with('/')
        || (trimmed != "/"
            && trimmed[1..]
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".."));
    if bad {
        return Err(ApiError::invalid_parameter(format!(
            "Path ({path}) is not an absolute path."
        )));
    }
    Ok(trimmed.to_string())
}

/// The parent of a clean absolute path (`/a/b` → `/a`, `/a` → `/`).
pub(crate) fn parent(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((p, _)) => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_canonical_or_refused() {
        assert_eq!(clean("/a/b/").unwrap(), "/a/b");
        assert_eq!(clean("/").unwrap(), "/");
        assert!(clean("a/b").is_err());
        assert!(clean("/a/../b").is_err());
        assert!(clean("/a//b").is_err());
        assert!(clean("").is_err());
        assert_eq!((parent("/a/b"), parent("/a")), ("/a", "/"));
    }
}
