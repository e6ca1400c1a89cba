//! SCIM list queries and patches over resources as JSON: filters (`eq`, `co`, `sw`, `and`),
//! sorting, projection (`attributes`, `excludedAttributes`), pages by `startIndex` and
//! `count`, and patch operations (`add`, `remove`, `replace`).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Most results of one page, and the page size when `count` is not given.
pub(crate) const MAX_COUNT: i64 = 10_000;

/// One comparison of a filter.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    path: String,
    op: Op,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Co,
    Sw,
}

/// A filter: comparisons that must all hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Filter(Vec<Term>);

fn invalid(filter: &str, why: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Invalid filter '{filter}': {why}"))
}

/// Splits a filter into words, a quoted string being one word (its quotes removed, `\"`
/// unescaped) marked `true`.
fn words(filter: &str) -> Result<Vec<(String, bool)>, ApiError> {
    let mut out = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut word = String::new();
            loop {
                match chars.next() {
                    Some('\\') => word.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => word.push(c),
                    None => return Err(invalid(filter, "unterminated string")),
                }
            }
            out.push((word, true));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push((word, false));
        }
    }
    Ok(out)
}

impl Filter {
    /// Parses `attr op value [and attr op value]...`.
    pub(crate) fn parse(filter: &str) -> Result<Self, ApiError> {
        let words = words(filter)?;
        let mut terms = Vec::new();
        let mut rest = words.as_slice();
        loop {
            let [(path, false), (op, false), (value, quoted), tail @ ..] = rest else {
                return Err(invalid(filter, "expected `attribute op value`"));
            };
            let op = match op.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "co" => Op::Co,
                "sw" => Op::Sw,
                other => return Err(invalid(filter, &format!("unsupported operator `{other}`"))),
            };
            if !quoted
                && !matches!(value.as_str(), "true" | "false")
                && value.parse::<f64>().is_err()
            {
                return Err(invalid(
                    filter,
                    "a value is a quoted string, true, false or a number",
                ));
            }
            terms.push(Term {
                path: path.clone(),
                op,
                value: value.clone(),
            });
            match tail {
                [] => return Ok(Self(terms)),
                [(and, false), more @ ..] if and.eq_ignore_ascii_case("and") => rest = more,
                _ => return Err(invalid(filter, "terms are joined with `and`")),
            }
        }
    }

    /// Whether a resource passes the filter (strings compared without case, as SCIM does).
    pub(crate) fn matches(&self, resource: &Value) -> bool {
        self.0.iter().all(|term| {
            let want = term.value.to_lowercase();
            values_at(resource, &term.path).iter().any(|v| {
                let have = text(v).to_lowercase();
                match term.op {
                    Op::Eq => have == want,
                    Op::Co => have.contains(&want),
                    Op::Sw => have.starts_with(&want),
                }
            })
        })
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The key of `map` equal to `name` without case.
fn key<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name))
}

/// The values at a dotted attribute path (`userName`, `emails.value`, `name.givenName`),
/// looking into arrays.
fn values_at<'a>(value: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![value];
    for part in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            let items: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                if let Value::Object(map) = item
                    && let Some(k) = key(map, part)
                {
                    match &map[k] {
                        Value::Array(inner) => next.extend(inner.iter()),
                        other => next.push(other),
                    }
                }
            }
        }
        current = next;
    }
    current
}

/// Sorts by an attribute (resources without it last), descending if asked.
pub(crate) fn sort(resources: &mut [Value], by: &str, descending: bool) {
    resources.sort_by(|a, b| {
        let (a, b) = (
            values_at(a, by).first().map(|v| text(v).to_lowercase()),
            values_at(b, by).first().map(|v| text(v).to_lowercase()),
        );
        let order = match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if descending { order.reverse() } else { order }
    });
}

/// Keeps only `attributes` (and `id`, `schemas`) or drops `excluded` (top-level names, or the
/// first part of dotted ones), without case.
pub(crate) fn project(resource: &mut Value, attributes: Option<&str>, excluded: Option<&str>) {
    let names = |list: &str| -> Vec<String> {
        list.split(',')
            .map(|a| {
                a.trim()
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_lowercase()
            })
            .filter(|a| !a.is_empty())
            .collect()
    };
    let Value::Object(map) = resource else { return };
    if let Some(list) = attributes {
        let keep = names(list);
        map.retain(|k, _| {
            let k = k.to_lowercase();
            k == "id" || k == "schemas" || keep.contains(&k)
        });
    }
    if let Some(list) = excluded {
        let drop = names(list);
        map.retain(|k, _| k == "id" || !drop.contains(&k.to_lowercase()));
    }
}

/// A path of a patch: an attribute, optionally with a filter of its entries
/// (`members[value eq "123"]`).
fn split_path(path: &str) -> Result<(String, Option<Filter>), ApiError> {
    match path.split_once('[') {
        None => Ok((path.to_string(), None)),
        Some((attr, rest)) => {
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| ApiError::invalid_parameter(format!("Invalid path '{path}'")))?;
            Ok((attr.to_string(), Some(Filter::parse(inner)?)))
        }
    }
}

/// Applies one patch operation to a resource's attributes.
///
/// # Errors
///
/// `INVALID_PARAMETER_VALUE` for an unknown `op`, a missing `value`, or a bad path.
pub(crate) fn apply(
    doc: &mut Map<String, Value>,
    op: &str,
    path: Option<&str>,
    value: Option<&Value>,
) -> Result<(), ApiError> {
    let op = op.to_ascii_lowercase();
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        // No path: the value is an object of attributes.
        let Some(Value::Object(attrs)) = value else {
            return Err(ApiError::invalid_parameter(
                "A patch operation without a path needs an object value",
            ));
        };
        for (name, v) in attrs {
            apply(doc, &op, Some(name), Some(v))?;
        }
        return Ok(());
    };
    let (attr, selector) = split_path(path)?;
    // `name.givenName`: into the sub-object.
    if selector.is_none()
        && let Some((head, tail)) = attr.split_once('.')
    {
        let name = key(doc, head).cloned().unwrap_or_else(|| head.to_string());
        let entry = doc.entry(name).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(inner) = entry {
            return apply(inner, &op, Some(tail), value);
        }
        return Err(ApiError::invalid_parameter(format!(
            "Invalid path '{path}'"
        )));
    }
    let name = key(doc, &attr).cloned().unwrap_or(attr);
    match (op.as_str(), selector) {
        ("remove", None) => {
            doc.remove(&name);
        }
        ("remove", Some(filter)) => {
            if let Some(Value::Array(items)) = doc.get_mut(&name) {
                items.retain(|item| !filter.matches(item));
            }
        }
        ("add" | "replace", Some(filter)) => {
            // Replace the selected entries' attributes.
            let Some(Value::Object(update)) = value else {
                return Err(ApiError::invalid_parameter(format!(
                    "Invalid value for '{path}'"
                )));
            };
            if let Some(Value::Array(items)) = doc.get_mut(&name) {
                for item in items.iter_mut().filter(|i| filter.matches(i)) {
                    if let Value::Object(map) = item {
                        map.extend(update.clone());
                    }
                }
            }
        }
        ("add", None) => {
            let value = value.ok_or_else(|| ApiError::missing("value"))?;
            match (doc.get_mut(&name), value) {
                (Some(Value::Array(items)), Value::Array(new)) => {
                    for v in new {
                        if !items.contains(v) {
                            items.push(v.clone());
                        }
                    }
                }
                _ => {
                    doc.insert(name, value.clone());
                }
            }
        }
        ("replace", None) => {
            let value = value.ok_or_else(|| ApiError::missing("value"))?;
            doc.insert(name, value.clone());
        }
        (other, _) => {
            return Err(ApiError::invalid_parameter(format!(
                "Unsupported patch operation '{other}'; use add, remove or replace"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alice() -> Value {
        json!({"id": "1", "userName": "Alice@example.com", "displayName": "Alice Smith", "active": true,
               "emails": [{"value": "alice@example.com", "primary": true}]})
    }

    #[test]
    fn filters_compare_without_case_look_into_arrays_and_join_with_and() {
        let a = alice();
        for yes in [
            r#"userName eq "alice@example.com""#,
            r#"displayName co "smith""#,
            r#"displayName sw "Ali" and active eq true"#,
            r#"emails.value eq "ALICE@example.com""#,
            r#"USERNAME EQ "alice@example.com" AND displayName co "Sm""#,
        ] {
            assert!(Filter::parse(yes).unwrap().matches(&a), "{yes}");
        }
        for no in [
            r#"userName eq "bob""#,
            r#"displayName sw "Smith""#,
            r#"displayName co "A" and active eq false"#,
        ] {
            assert!(!Filter::parse(no).unwrap().matches(&a), "{no}");
        }
        for bad in [
            "userName",
            r#"userName gt "a""#,
            r#"userName eq "a" or id eq "1""#,
            r#"userName eq "a"#,
            "userName eq bare",
        ] {
            assert_eq!(
                Filter::parse(bad).unwrap_err().code(),
                "INVALID_PARAMETER_VALUE",
                "{bad}"
            );
        }
    }

    #[test]
    fn projection_keeps_id_and_schemas() {
        let mut a = alice();
        project(&mut a, Some("userName"), None);
        assert_eq!(a, json!({"id": "1", "userName": "Alice@example.com"}));
        let mut a = alice();
        project(&mut a, None, Some("emails,displayName"));
        assert_eq!(
            a,
            json!({"id": "1", "userName": "Alice@example.com", "active": true})
        );
    }

    #[test]
    fn patches_add_remove_and_replace() {
        let mut doc = json!({"members": [{"value": "1"}], "displayName": "a"})
            .as_object()
            .unwrap()
            .clone();
        apply(
            &mut doc,
            "add",
            Some("members"),
            Some(&json!([{"value": "2"}, {"value": "1"}])),
        )
        .unwrap();
        assert_eq!(doc["members"], json!([{"value": "1"}, {"value": "2"}]));
        apply(&mut doc, "remove", Some(r#"members[value eq "1"]"#), None).unwrap();
        assert_eq!(doc["members"], json!([{"value": "2"}]));
        apply(
            &mut doc,
            "replace",
            None,
            Some(&json!({"displayName": "b"})),
        )
        .unwrap();
        assert_eq!(doc["displayName"], "b");
        apply(
            &mut doc,
            "Replace",
            Some("name.givenName"),
            Some(&json!("Al")),
        )
        .unwrap();
        assert_eq!(doc["name"], json!({"givenName": "Al"}));
        assert!(apply(&mut doc, "move", Some("x"), Some(&json!(1))).is_err());
    }
}
