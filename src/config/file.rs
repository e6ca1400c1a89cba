//! The configuration file (`~/.databrickscfg`): INI profiles.
//!
//! Parsed by `configparser` (sections, keys, comment lines) with the rules of the official
//! SDKs: only a `#` or `;` after whitespace starts an inline comment (so `pass#word` is a
//! value; stripped here, as configparser would cut at any `#`), no quote or escape processing,
//! keys before the first section belong to `[DEFAULT]`. Lines are checked first, so that a
//! malformed file fails with its line number instead of being misread.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::Result;

/// The profile used when none is named.
pub(crate) const DEFAULT_PROFILE: &str = "DEFAULT";
/// The section holding file-wide settings (`default_profile`).
const SETTINGS_SECTION: &str = "__settings__";

/// A parsed configuration file: profiles by name, keys by name.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    profiles: BTreeMap<String, HashMap<String, String>>,
}

impl ConfigFile {
    /// Reads and parses `path`; `Ok(None)` when it does not exist.
    pub(crate) fn load(path: &Path) -> Result<Option<ConfigFile>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(crate::error::config_error(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )));
            }
        };
        Self::parse(path, &text).map(Some)
    }

    pub(crate) fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
        let malformed = |line: usize, why: &str| {
            crate::error::config_error(format!(
                "cannot parse config file {}: line {line}: {why}",
                path.display()
            ))
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        check_lines(text).map_err(|(line, why)| malformed(line, why))?;
        let mut options = configparser::ini::IniDefault::default();
        options.case_sensitive = true;
        options.multiline = false;
        options.default_section = DEFAULT_PROFILE.to_string();
        options.comment_symbols = vec!['#', ';'];
        options.inline_comment_symbols = Some(Vec::new());
        options.delimiters = vec!['=', ':'];
        let parsed = configparser::ini::Ini::new_from_defaults(options)
            .read(text.to_string())
            .map_err(|why| malformed(0, &why))?;
        let profiles = parsed
            .into_iter()
            .map(|(section, properties)| {
                let properties = properties
                    .into_iter()
                    .filter_map(|(key, value)| {
                        let value = strip_inline_comment(value.as_deref()?).trim().to_string();
                        Some((key, value))
                    })
                    .collect();
                (section, properties)
            })
            .filter(
                |(section, properties): &(String, HashMap<String, String>)| {
                    section != DEFAULT_PROFILE
                        || !properties.is_empty()
                        || text.contains("[DEFAULT]")
                },
            )
            .collect();
        Ok(ConfigFile { profiles })
    }

    /// The keys of profile `name`, if the file has it.
    pub(crate) fn profile(&self, name: &str) -> Option<&HashMap<String, String>> {
        self.profiles.get(name)
    }

    /// `[__settings__] default_profile`, if set.
    pub(crate) fn default_profile(&self) -> Option<&str> {
        self.profiles
            .get(SETTINGS_SECTION)?
            .get("default_profile")
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    }

    /// The names of the profiles, for messages.
    pub(crate) fn profile_names(&self) -> Vec<&str> {
        self.profiles
            .keys()
            .map(String::as_str)
            .filter(|p| *p != SETTINGS_SECTION)
            .collect()
    }
}

/// Checks that every line is blank, a comment, a `[section]` header or a `key = value` pair
/// (or the continuation of a value ending in `\`): the line number and reason of the first
/// that is not.
fn check_lines(text: &str) -> std::result::Result<(), (usize, &'static str)> {
    let mut continued = false;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end_matches('\r');
        let was_continued = continued;
        continued = line.ends_with('\\');
        if was_continued {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            continued = false;
            let header = strip_inline_comment(rest).trim_end();
            let Some(name) = header.strip_suffix(']') else {
                return Err((line_no, "a section header must end with `]`"));
            };
            if name.trim().is_empty() {
                return Err((line_no, "empty section name"));
            }
            continue;
        }
        match line.find(['=', ':']) {
            Some(0) => return Err((line_no, "a key is missing before `=`")),
            Some(_) => {}
            None => {
                return Err((
                    line_no,
                    "expected `key = value`, a `[profile]` header or a comment",
                ));
            }
        }
    }
    Ok(())
}

/// The text before an inline comment: `#` or `;` preceded by whitespace.
fn strip_inline_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    for i in 1..bytes.len() {
        if matches!(bytes[i], b'#' | b';') && matches!(bytes[i - 1], b' ' | b'\t') {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        ConfigFile::parse(Path::new("/cfg"), text)
    }

    #[test]
    fn hash_inside_a_value_is_kept_and_spaced_hash_is_a_comment() {
        let file = parse(
            "[p]\nazure_client_secret = pass#word;x\ntoken = dapi1 # a comment\nhost = h ; note\n",
        )
        .unwrap();
        let p = file.profile("p").unwrap();
        assert_eq!(p["azure_client_secret"], "pass#word;x");
        assert_eq!(p["token"], "dapi1");
        assert_eq!(p["host"], "h");
    }

    #[test]
    fn quotes_and_backslashes_are_kept_verbatim() {
        let file = parse("[p]\ntoken = \"a\\tb\"\n").unwrap();
        assert_eq!(file.profile("p").unwrap()["token"], "\"a\\tb\"");
    }

    #[test]
    fn keys_before_any_section_belong_to_default_and_crlf_works() {
        let file = parse("host = h0\r\n[DEFAULT]\r\ntoken = t\r\n[x]\r\nhost = h1\r\n").unwrap();
        let default = file.profile(DEFAULT_PROFILE).unwrap();
        assert_eq!(
            (default["host"].as_str(), default["token"].as_str()),
            ("h0", "t")
        );
        assert_eq!(file.profile("x").unwrap()["host"], "h1");
    }

    #[test]
    fn settings_name_the_default_profile_and_are_not_a_profile() {
        let file = parse("[__settings__]\ndefault_profile = dev\n[dev]\nhost = h\n").unwrap();
        assert_eq!(file.default_profile(), Some("dev"));
        assert_eq!(file.profile_names(), vec!["dev"]);
    }

    #[test]
    fn malformed_lines_give_their_number() {
        for (text, line, why) in [
            ("[a]\nhost = h\n[b\ntoken = t\n", 3, "must end with `]`"),
            (
                "[a]\nhost = h\njust some words\n",
                3,
                "expected `key = value`",
            ),
            ("\n\n[]\n", 3, "empty section name"),
            ("[a]\n= value\n", 2, "key is missing"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.contains(&format!("/cfg: line {line}: ")) && err.contains(why),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn continued_values_are_not_flagged() {
        let file = parse("[a]\ntoken = abc\\\ndef\nhost = h\n").unwrap();
        assert_eq!(file.profile("a").unwrap()["host"], "h");
    }
}
