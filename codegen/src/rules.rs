//! The service's rules (the `rules` of `endpoints.json`): names, sizes, lengths, number ranges
//! and counts, each declared once. They become typed constants in `rules.rs` (used by the SDK's
//! checks and by the emulator), and documentation quotes them through `{rule:<name>}`
//! references, which the generator replaces by the rule in words (see [`expand`]).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Deserialize;

use crate::error::SchemaError;
use crate::schema::ENDPOINTS_FILE;
use crate::services::doc_attrs;

/// A rule of the service, generated into `crate::rules` as a constant named after it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// 1 to `max_len` ASCII letters, digits and the `extra` characters.
    Name {
        /// What is named, for messages (`scope name`).
        what: String,
        /// Allowed characters besides ASCII letters and digits.
        extra: String,
        /// Longest name in bytes.
        max_len: u32,
        /// The constant's documentation.
        description: String,
    },
    /// At most `max_bytes` bytes.
    Size {
        /// What is measured, for messages (`secret value`).
        what: String,
        /// Largest size in bytes.
        max_bytes: u64,
        /// The constant's documentation.
        description: String,
    },
    /// At most `max_chars` characters (Unicode scalar values, not bytes).
    Length {
        /// What is measured, for messages (`idempotency token`).
        what: String,
        /// Longest text in characters.
        max_chars: u32,
        /// The constant's documentation.
        description: String,
    },
    /// A whole number from `min` to `max`, or one of the `also` values (which mean something
    /// of their own, such as 0 for "off").
    Range {
        /// What is counted, for messages (`autotermination_minutes`).
        what: String,
        /// Smallest value of the range.
        min: i64,
        /// Largest value of the range.
        max: i64,
        /// Values accepted outside the range.
        #[serde(default)]
        also: Vec<i64>,
        /// Unit of the values, for the words (`minutes`); none by default.
        #[serde(default)]
        unit: Option<String>,
        /// The constant's documentation.
        description: String,
    },
    /// At most `max` of something the service holds (secrets in a scope): only the service
    /// can count them, so no request is checked against it before sending.
    Count {
        /// What is counted, for messages (`secrets in a scope`).
        what: String,
        /// Most items.
        max: u32,
        /// The constant's documentation.
        description: String,
    },
}

impl Rule {
    /// What the rule is about, for messages.
    pub fn what(&self) -> &str {
        match self {
            Rule::Name { what, .. }
            | Rule::Size { what, .. }
            | Rule::Length { what, .. }
            | Rule::Range { what, .. }
            | Rule::Count { what, .. } => what,
        }
    }

    /// The constant's documentation, `{rule:..}` references not yet expanded.
    pub fn description(&self) -> &str {
        match self {
            Rule::Name { description, .. }
            | Rule::Size { description, .. }
            | Rule::Length { description, .. }
            | Rule::Range { description, .. }
            | Rule::Count { description, .. } => description,
        }
    }

    fn description_mut(&mut self) -> &mut String {
        match self {
            Rule::Name { description, .. }
            | Rule::Size { description, .. }
            | Rule::Length { description, .. }
            | Rule::Range { description, .. }
            | Rule::Count { description, .. } => description,
        }
    }

    /// The rule's `kind` in the schema: `name`, `size`, `length`, `range` or `count`.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Name { .. } => "name",
            Rule::Size { .. } => "size",
            Rule::Length { .. } => "length",
            Rule::Range { .. } => "range",
            Rule::Count { .. } => "count",
        }
    }

    /// The name of the runtime type of the constant (`NameRule`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Rule::Name { .. } => "NameRule",
            Rule::Size { .. } => "SizeRule",
            Rule::Length { .. } => "LengthRule",
            Rule::Range { .. } => "RangeRule",
            Rule::Count { .. } => "CountRule",
        }
    }

    /// The rule in words, as documentation and error messages quote it: `1 to 128 ASCII
    /// letters, digits, `-`, `_` or `.``, `at most 128 KiB (131072 bytes)`, `at most 64
    /// characters`, `10 to 10000 minutes, or 0`, `at most 1000`.
    pub fn words(&self) -> String {
        match self {
            Rule::Name { extra, max_len, .. } => {
                let mut extra: Vec<String> = extra.chars().map(|c| format!("`{c}`")).collect();
                let last = extra.pop();
                let mut text = format!("1 to {max_len} ASCII letters, digits");
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
            Rule::Size { max_bytes, .. } if max_bytes % 1024 == 0 => {
                let (amount, unit) = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
                    .into_iter()
                    .find(|(size, _)| max_bytes % size == 0)
                    .map(|(size, unit)| (max_bytes / size, unit))
                    .unwrap_or((*max_bytes, "bytes"));
                format!("at most {amount} {unit} ({max_bytes} bytes)")
            }
            Rule::Size { max_bytes, .. } => format!("at most {max_bytes} bytes"),
            Rule::Length { max_chars, .. } => format!("at most {max_chars} characters"),
            Rule::Range {
                min,
                max,
                also,
                unit,
                ..
            } => {
                let mut text = format!("{min} to {max}");
                if let Some(unit) = unit {
                    text.push(' ');
                    text.push_str(unit);
                }
                if !also.is_empty() {
                    let also: Vec<String> = also.iter().map(i64::to_string).collect();
                    text.push_str(", or ");
                    text.push_str(&also.join(" or "));
                }
                text
            }
            Rule::Count { max, .. } => format!("at most {max}"),
        }
    }

    /// Checks the rule's own values; `Err` is the message.
    fn check(&self) -> Result<(), &'static str> {
        match self {
            Rule::Name { extra, max_len, .. } if *max_len == 0 || !extra.is_ascii() => {
                Err("a name rule needs max_len ≥ 1 and ASCII extras")
            }
            Rule::Size { max_bytes: 0, .. } => Err("a size rule needs max_bytes ≥ 1"),
            Rule::Length { max_chars: 0, .. } => Err("a length rule needs max_chars ≥ 1"),
            Rule::Count { max: 0, .. } => Err("a count rule needs max ≥ 1"),
            Rule::Range { min, max, also, .. }
                if min > max || also.iter().any(|v| (min..=max).contains(&v)) =>
            {
                Err("a range rule needs min ≤ max, and `also` values outside the range")
            }
            Rule::Range { unit: Some(u), .. } if u.trim().is_empty() => {
                Err("a range rule's unit is a word such as `minutes`")
            }
            _ => Ok(()),
        }
    }
}

/// Checks every rule of `endpoints.json` and expands the `{rule:..}` references of their
/// descriptions.
pub fn check_all(rules: &mut BTreeMap<String, Rule>) -> Result<(), SchemaError> {
    let words = words_of(rules);
    for (name, rule) in rules.iter_mut() {
        let at = format!("/rules/{}", crate::error::escape(name));
        let err = |at: &str, message: &str| SchemaError::at(ENDPOINTS_FILE, at, message);
        rule.check().map_err(|m| err(&at, m))?;
        if !crate::endpoints::is_snake(name) || name == "non_empty" {
            return Err(err(
                &at,
                "a rule name is snake_case and not a built-in check",
            ));
        }
        if rule.what().trim().is_empty() || rule.description().trim().is_empty() {
            return Err(err(&at, "a rule needs `what` and a `description`"));
        }
        let text = expand_with(rule.description(), &words)
            .map_err(|m| err(&format!("{at}/description"), &m))?;
        *rule.description_mut() = text;
    }
    Ok(())
}

/// Marker of a rule reference in documentation: `{rule:secret_value}`.
pub const REFERENCE: &str = "{rule:";

/// Replaces every `{rule:<name>}` of `text` by the rule in words ([`Rule::words`]); `Err`
/// names a reference to an unknown rule.
pub fn expand(text: &str, rules: &BTreeMap<String, Rule>) -> Result<String, String> {
    if !text.contains(REFERENCE) {
        return Ok(text.to_string());
    }
    expand_with(text, &words_of(rules))
}

fn words_of(rules: &BTreeMap<String, Rule>) -> BTreeMap<String, String> {
    rules
        .iter()
        .map(|(name, rule)| (name.clone(), rule.words()))
        .collect()
}

fn expand_with(text: &str, words: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(REFERENCE) {
        out.push_str(&rest[..start]);
        let after = &rest[start + REFERENCE.len()..];
        let Some(end) = after.find('}') else {
            return Err(format!("unclosed `{REFERENCE}` reference"));
        };
        let name = &after[..end];
        let Some(text) = words.get(name) else {
            return Err(format!(
                "`{REFERENCE}{name}}}` names no rule (known: {})",
                words.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        out.push_str(text);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands the `{rule:..}` references of every `description` in a JSON schema `value` (at
/// `pointer` of `file`).
pub fn expand_descriptions(
    value: &mut serde_json::Value,
    rules: &BTreeMap<String, Rule>,
    file: &str,
    pointer: &str,
) -> Result<(), SchemaError> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let at = format!("{pointer}/{}", crate::error::escape(key));
                match v {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = expand(text, rules).map_err(|m| SchemaError::at(file, at, m))?;
                    }
                    _ => expand_descriptions(v, rules, file, &at)?,
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                expand_descriptions(v, rules, file, &format!("{pointer}/{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Renders `rules.rs`: one constant per rule, with its words for messages.
pub fn render(rules: &BTreeMap<String, Rule>) -> Result<String, SchemaError> {
    let consts = rules.iter().map(|(name, rule)| {
        let ident = format_ident!("{}", name.to_ascii_uppercase());
        let ty = format_ident!("{}", rule.type_name());
        let doc = doc_attrs(rule.description());
        let (what, words) = (rule.what(), rule.words());
        let fields: TokenStream = match rule {
            Rule::Name { extra, max_len, .. } => {
                let max_len = *max_len as usize;
                quote! { extra: #extra, max_len: #max_len, }
            }
            Rule::Size { max_bytes, .. } => {
                let max_bytes = *max_bytes;
                quote! { max_bytes: #max_bytes, }
            }
            Rule::Length { max_chars, .. } => {
                let max_chars = *max_chars as usize;
                quote! { max_chars: #max_chars, }
            }
            Rule::Range { min, max, also, .. } => {
                quote! { min: #min, max: #max, also: &[#(#also),*], }
            }
            Rule::Count { max, .. } => {
                let max = *max as usize;
                quote! { max: #max, }
            }
        };
        quote! {
            #doc
            pub const #ident: #ty = #ty { what: #what, #fields words: #words };
        }
    });
    crate::unparse(quote! { #(#consts)* }, "endpoints.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(value: serde_json::Value) -> Result<BTreeMap<String, Rule>, SchemaError> {
        let mut rules: BTreeMap<String, Rule> = serde_json::from_value(value).unwrap();
        check_all(&mut rules)?;
        Ok(rules)
    }

    /// `rule` loads, speaks `words` and renders to code holding every fragment.
    fn renders(rule: serde_json::Value, words: &str, fragments: &[&str]) -> Rule {
        let rules = rules(json!({ "r": rule })).unwrap();
        let code = render(&rules).unwrap();
        assert_eq!(rules["r"].words(), words);
        assert!(code.contains(&format!("words: {words:?}")), "{code}");
        for fragment in fragments {
            assert!(code.contains(fragment), "{fragment} in {code}");
        }
        rules["r"].clone()
    }

    fn refused(rule: serde_json::Value) -> String {
        rules(json!({ "r": rule })).unwrap_err().message
    }

    #[test]
    fn name_rules_become_typed_constants_with_their_words() {
        let words = "1 to 128 ASCII letters, digits, `-`, `_`, `.` or `@`";
        let rule = renders(
            json!({"kind": "name", "what": "scope name", "extra": "-_.@", "max_len": 128, "description": "Scope names: {rule:r}."}),
            words,
            &[
                "pub const R: NameRule = NameRule",
                "max_len: 128usize",
                &format!("/// Scope names: {words}."),
            ],
        );
        assert_eq!(rule.description(), format!("Scope names: {words}."));
        let bad =
            json!({"kind": "name", "what": "n", "extra": "é", "max_len": 1, "description": "d"});
        assert!(refused(bad).contains("ASCII"));
    }

    #[test]
    fn size_rules_speak_kib_when_they_can() {
        renders(
            json!({"kind": "size", "what": "secret value", "max_bytes": 131072, "description": "d"}),
            "at most 128 KiB (131072 bytes)",
            &["pub const R: SizeRule = SizeRule", "max_bytes: 131072u64"],
        );
        let gib =
            json!({"kind": "size", "what": "v", "max_bytes": 5368709120u64, "description": "d"});
        renders(gib, "at most 5 GiB (5368709120 bytes)", &[]);
        let odd = json!({"kind": "size", "what": "v", "max_bytes": 1000, "description": "d"});
        renders(odd, "at most 1000 bytes", &[]);
        let zero = json!({"kind": "size", "what": "v", "max_bytes": 0, "description": "d"});
        assert!(refused(zero).contains("max_bytes"));
    }

    #[test]
    fn length_rules_count_characters() {
        renders(
            json!({"kind": "length", "what": "idempotency token", "max_chars": 64, "description": "d"}),
            "at most 64 characters",
            &["pub const R: LengthRule = LengthRule", "max_chars: 64usize"],
        );
        let zero = json!({"kind": "length", "what": "t", "max_chars": 0, "description": "d"});
        assert!(refused(zero).contains("max_chars"));
    }

    #[test]
    fn range_rules_have_bounds_extra_values_and_a_unit() {
        renders(
            json!({"kind": "range", "what": "autotermination_minutes", "min": 10, "max": 10000, "also": [0], "unit": "minutes", "description": "d"}),
            "10 to 10000 minutes, or 0",
            &[
                "pub const R: RangeRule = RangeRule",
                "min: 10i64",
                "max: 10000i64",
                "also: &[0i64]",
            ],
        );
        let plain =
            json!({"kind": "range", "what": "limit", "min": 1, "max": 500, "description": "d"});
        renders(plain, "1 to 500", &["also: &[]"]);
        for bad in [
            json!({"kind": "range", "what": "x", "min": 2, "max": 1, "description": "d"}),
            json!({"kind": "range", "what": "x", "min": 1, "max": 9, "also": [5], "description": "d"}),
        ] {
            assert!(refused(bad).contains("min ≤ max"));
        }
    }

    #[test]
    fn count_rules_are_limits_of_the_service() {
        renders(
            json!({"kind": "count", "what": "secrets in a scope", "max": 1000, "description": "d"}),
            "at most 1000",
            &["pub const R: CountRule = CountRule", "max: 1000usize"],
        );
        let zero = json!({"kind": "count", "what": "x", "max": 0, "description": "d"});
        assert!(refused(zero).contains("max ≥ 1"));
    }

    #[test]
    fn references_expand_to_words_and_unknown_ones_are_refused() {
        let rules = rules(json!({
            "token": {"kind": "length", "what": "token", "max_chars": 64, "description": "d"},
            "per_scope": {"kind": "count", "what": "secrets in a scope", "max": 1000, "description": "d"}
        }))
        .unwrap();
        assert_eq!(
            expand("A token of {rule:token}; {rule:per_scope} secrets.", &rules).unwrap(),
            "A token of at most 64 characters; at most 1000 secrets."
        );
        assert_eq!(
            expand("no {braces} here", &rules).unwrap(),
            "no {braces} here"
        );
        let error = expand("{rule:tokne}", &rules).unwrap_err();
        assert!(error.contains("known: per_scope, token"), "{error}");
        assert!(
            expand("{rule:token", &rules)
                .unwrap_err()
                .contains("unclosed")
        );

        let mut schema =
            json!({"properties": {"t": {"type": "string", "description": "At most {rule:nope}."}}});
        let error =
            expand_descriptions(&mut schema, &rules, "m.json", "/definitions/T").unwrap_err();
        assert_eq!(
            (error.file.as_str(), error.pointer.as_str()),
            ("m.json", "/definitions/T/properties/t/description")
        );
    }

    #[test]
    fn rules_need_a_snake_case_name_what_and_a_description() {
        let rule = json!({"kind": "count", "what": "x", "max": 1, "description": "d"});
        let error = rules(json!({ "Bad": rule })).unwrap_err();
        assert_eq!(
            (error.file.as_str(), error.pointer.as_str()),
            ("endpoints.json", "/rules/Bad")
        );
        let error = rules(json!({ "non_empty": rule })).unwrap_err();
        assert!(error.message.contains("built-in"), "{error}");
        let error = refused(json!({"kind": "count", "what": " ", "max": 1, "description": "d"}));
        assert!(error.contains("`what`"), "{error}");
    }
}
