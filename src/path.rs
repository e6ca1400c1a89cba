//! Path templates of operations (`/api/2.0/preview/scim/v2/Users/{id}`,
//! `/api/2.0/fs/files{file_path}`): filled in with percent-encoded values before a request,
//! matched against a request path by the emulator.
//!
//! A `{name}` right after a `/` is one segment: every byte but the unreserved ones
//! (`A-Z a-z 0-9 - . _ ~`) is percent-encoded, `/` included. A `{name}` glued to the end of a
//! segment (`files{file_path}`) is the rest of the path: an absolute path whose `/` are kept
//! and whose segments are each encoded. Values that would change which resource the path
//! names (empty, `.` or `..` segments) are refused before anything is sent.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::{Error, Result};

/// Bytes encoded in a segment: all but the unreserved characters of RFC 3986.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One piece of a template.
enum Piece<'t> {
    Literal(&'t str),
    /// `{name}` as one segment.
    Segment(&'t str),
    /// `{name}` as the rest of the path.
    Rest(&'t str),
}

/// The pieces of `template`, in order.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        let name = &rest[open + 1..close];
        let glued = open > 0 && !rest[..open].ends_with('/');
        let at_end = close + 1 == rest.len();
        out.push(if glued && at_end {
            Piece::Rest(name)
        } else {
            Piece::Segment(name)
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// `template` with each `{name}` replaced by the encoded value of `values` (name, value).
/// A template without placeholders is borrowed as it is.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming the parameter: a value missing, empty, or holding a `.` or
/// `..` segment; a rest-of-path value that does not start with `/`.
pub(crate) fn expand<'t>(template: &'t str, values: &[(&str, &str)]) -> Result<Cow<'t, str>> {
    if values.is_empty() && !template.contains('{') {
        return Ok(Cow::Borrowed(template));
    }
    let mut out = String::with_capacity(template.len() + 32);
    for piece in pieces(template) {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Segment(name) => {
                let value = value_of(name, values)?;
                check_segment(name, value)?;
                out.extend(utf8_percent_encode(value, SEGMENT));
            }
            Piece::Rest(name) => {
                let value = value_of(name, values)?;
                let Some(relative) = value.strip_prefix('/') else {
                    return Err(Error::invalid_input(
                        name,
                        format!("must be an absolute path (starting with `/`), not {value:?}"),
                    ));
                };
                for (i, segment) in relative.split('/').enumerate() {
                    // A trailing `/` (a directory) is kept; other empty segments are not.
                    let last = i == relative.split('/').count() - 1;
                    if !(last && segment.is_empty() && i > 0) {
                        check_segment(name, segment)?;
                    }
                    out.push('/');
                    out.extend(utf8_percent_encode(segment, SEGMENT));
                }
            }
        }
    }
    Ok(Cow::Owned(out))
}

fn value_of<'v>(name: &str, values: &[(&str, &'v str)]) -> Result<&'v str> {
    values
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| Error::invalid_input(name, "is missing"))
}

fn check_segment(name: &str, segment: &str) -> Result<()> {
    match segment {
        "" => Err(Error::invalid_input(
            name,
            "has an empty path segment (`//`, or nothing)",
        )),
        "." | ".." => Err(Error::invalid_input(
            name,
            format!("has a `{segment}` segment, which would name another path"),
        )),
        _ => Ok(()),
    }
}

/// Matches the request path `path` (after `/api/<version>/`) against `template` (the same part
/// of an operation's path), pushing the decoded parameters; `None` when it does not match.
pub(crate) fn match_template(
    template: &'static str,
    path: &str,
    params: &mut Vec<(&'static str, String)>,
) -> Option<()> {
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(Cow::into_owned)
    };
    let mut rest = path;
    let pieces = pieces(template);
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => rest = rest.strip_prefix(text)?,
            Piece::Segment(name) => {
                // A segment ends at the next `/` (or at the literal that follows it).
                let end = match pieces.get(i + 1) {
                    Some(Piece::Literal(next)) => {
                        let stop = rest.find('/').unwrap_or(rest.len());
                        rest[..stop]
                            .find(next)
                            .or_else(|| next.starts_with('/').then_some(stop))?
                    }
                    _ => rest.find('/').unwrap_or(rest.len()),
                };
                if end == 0 {
                    return None;
                }
                params.push((name, decode(&rest[..end])?));
                rest = &rest[end..];
            }
            Piece::Rest(name) => {
                if !rest.starts_with('/') {
                    return None;
                }
                params.push((name, decode(rest)?));
                rest = "";
            }
        }
    }
    rest.is_empty().then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_whole_and_rest_paths_keep_their_slashes() {
        let users = "/api/2.0/preview/scim/v2/Users/{id}";
        assert_eq!(
            expand(users, &[("id", "a/b c")]).unwrap(),
            "/api/2.0/preview/scim/v2/Users/a%2Fb%20c"
        );
        let files = "/api/2.0/fs/files{file_path}";
        assert_eq!(
            expand(
                files,
                &[("file_path", "/Volumes/main/default/files/a b#1%/ü.csv")]
            )
            .unwrap(),
            "/api/2.0/fs/files/Volumes/main/default/files/a%20b%231%25/%C3%BC.csv"
        );
        assert_eq!(
            expand("/api/2.0/fs/directories{p}", &[("p", "/Volumes/x/")]).unwrap(),
            "/api/2.0/fs/directories/Volumes/x/"
        );
        assert!(matches!(
            expand("/api/2.1/clusters/get", &[]).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn values_that_would_name_another_path_are_refused() {
        let files = "/api/2.0/fs/files{file_path}";
        for bad in ["relative/x", "/a/../b", "/a/./b", "/a//b", ""] {
            let err = expand(files, &[("file_path", bad)]).unwrap_err();
            assert!(err.to_string().contains("file_path"), "{bad}: {err}");
        }
        for bad in ["", ".", ".."] {
            assert!(
                expand("/api/2.0/x/{id}", &[("id", bad)]).is_err(),
                "{bad:?}"
            );
        }
        assert!(expand("/api/2.0/x/{id}", &[]).is_err());
    }

    #[test]
    fn matching_decodes_what_expanding_encodes() {
        let template = "preview/scim/v2/Users/{id}";
        let mut params = Vec::new();
        match_template(template, "preview/scim/v2/Users/a%2Fb", &mut params).unwrap();
        assert_eq!(params, [("id", "a/b".to_string())]);
        assert!(match_template(template, "preview/scim/v2/Users/", &mut Vec::new()).is_none());
        assert!(match_template(template, "preview/scim/v2/Users/a/b", &mut Vec::new()).is_none());

        let mut params = Vec::new();
        match_template(
            "fs/files{file_path}",
            "fs/files/Volumes/a%20b/c",
            &mut params,
        )
        .unwrap();
        assert_eq!(params, [("file_path", "/Volumes/a b/c".to_string())]);
        assert!(match_template("fs/files{p}", "fs/filesx", &mut Vec::new()).is_none());

        let mut params = Vec::new();
        let template = "permissions/{object_type}/{object_id}/permissionLevels";
        match_template(
            template,
            "permissions/clusters/0923-x/permissionLevels",
            &mut params,
        )
        .unwrap();
        assert_eq!(
            params,
            [
                ("object_type", "clusters".to_string()),
                ("object_id", "0923-x".to_string())
            ]
        );
        assert!(match_template("clusters/get", "clusters/get", &mut Vec::new()).is_some());
        assert!(match_template("clusters/get", "clusters/getx", &mut Vec::new()).is_none());
    }
}
