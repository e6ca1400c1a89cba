//! Request parameters: the JSON body of a POST, the query string of a GET (and a JSON body on
//! a GET too, as the original Python package sends one), decoded like the service does.
//!
//! A query string becomes JSON the way the service reads it: a dotted key is a nested field
//! (`filter_by.is_pinned=true` is `{"filter_by": {"is_pinned": "true"}}`) and a repeated key a
//! list (`filter_by.cluster_states=RUNNING&filter_by.cluster_states=PENDING`). Query values are
//! text; [`Params::decode_query`] gives them the types of the request ([`Shape`]).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::MAX_JSON_BODY;
use crate::error::ApiError;
use crate::http::Request;

/// String-to-string map fields of cluster specs whose values the docs show as bare JSON
/// scalars (`"spark.speculation": true`); they are read as their text.
const STRING_MAPS: &[&str] = &["spark_conf", "spark_env_vars", "custom_tags"];

/// The parameters of one request, as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Params {
    fields: Map<String, Value>,
}

impl Params {
    /// Parameters of `request`.
    ///
    /// # Errors
    ///
    /// `MALFORMED_REQUEST` when a POST body (or a GET body that is there) is not a JSON
    /// object; 413 for a body over the service's limit ([`MAX_JSON_BODY`]), which is not
    /// parsed.
    pub(crate) fn from_request(request: &Request) -> Result<Self, ApiError> {
        if request.body.len() > MAX_JSON_BODY {
            return Err(ApiError::too_large(MAX_JSON_BODY));
        }
        // Within the limit a body is read whole (from its spool file when it is there).
        let body = request.body.to_bytes().map_err(|e| {
            ApiError::internal(format!("The request body could not be read back: {e}"))
        })?;
        let mut fields = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => map,
                Ok(other) => {
                    return Err(ApiError::malformed(format!(
                        "Could not parse request object: expected a JSON object, got {}",
                        kind(&other)
                    )));
                }
                Err(e) => {
                    return Err(ApiError::malformed(format!(
                        "Could not parse request object: {e}"
                    )));
                }
            }
        };
        strip_nulls(&mut fields);
        Ok(Self::with_query(fields, request))
    }

    /// Parameters of the query string alone, for a request whose body is not JSON (a file's
    /// bytes).
    pub(crate) fn from_query(request: &Request) -> Self {
        Self::with_query(Map::new(), request)
    }

    /// `fields` with those of the query string: a key's first occurrence in the query replaces
    /// what the body said; the next ones make it a list.
    fn with_query(mut fields: Map<String, Value>, request: &Request) -> Self {
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &request.query {
            let repeated = seen.contains(&name.as_str());
            seen.push(name);
            insert_path(&mut fields, name, Value::String(value.clone()), repeated);
        }
        Self { fields }
    }

    /// The parameters with those of the path (`{cluster_id}` of a path template), which take
    /// the place of a body or query parameter of the same name.
    pub(crate) fn with_path_params(mut self, params: Vec<(&'static str, String)>) -> Self {
        for (name, value) in params {
            self.fields.insert(name.to_string(), Value::String(value));
        }
        self
    }

    /// The parameters decoded into a request model read from a query string (or a JSON
    /// body): the fields at the dotted `shapes` paths are first given their type.
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` for a boolean other than `true`/`false` or a number that is
    /// not an integer; `MALFORMED_REQUEST` when the result does not decode.
    pub(crate) fn decode_query<T: DeserializeOwned>(
        &self,
        shapes: &[(&str, Shape)],
    ) -> Result<T, ApiError> {
        let mut typed = self.clone();
        for (path, shape) in shapes {
            if let Some(value) = value_at_mut(&mut typed.fields, path) {
                shape.apply(path, value)?;
            }
        }
        typed.decode(&[])
    }

    /// All parameters as one JSON object.
    pub(crate) fn to_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }

    /// Parameters from a JSON object.
    pub(crate) fn from_json(value: Value) -> Self {
        match value {
            Value::Object(fields) => Self { fields },
            _ => Self::default(),
        }
    }

    /// A string parameter, if present.
    ///
    /// # Errors
    ///
    /// `MALFORMED_REQUEST` when it is present but not a string.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.fields.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ApiError::malformed(format!(
                "Could not parse request object: {name} must be a string, got {}",
                kind(other)
            ))),
        }
    }

    /// A required, non-empty string parameter.
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` "Missing required field" when absent or empty.
    pub(crate) fn str(&self, name: &str) -> Result<&str, ApiError> {
        match self.opt_str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::missing(name)),
        }
    }

    /// Whether a parameter is present.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// A parameter's JSON value.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// The parameters decoded into a request model, after checking `required` fields.
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` for a missing required field, `MALFORMED_REQUEST` for a
    /// field of the wrong type.
    pub(crate) fn decode<T: DeserializeOwned>(&self, required: &[&str]) -> Result<T, ApiError> {
        for name in required {
            self.str(name)?;
        }
        let mut fields = self.fields.clone();
        for map in STRING_MAPS {
            if let Some(Value::Object(entries)) = fields.get_mut(*map) {
                for value in entries.values_mut() {
                    if let Value::Bool(_) | Value::Number(_) = value {
                        *value = Value::String(value.to_string());
                    }
                }
            }
        }
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| ApiError::malformed(format!("Could not parse request object: {e}")))
    }
}

/// The type a query parameter has in the request model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A list: one value is a list of one.
    List,
    /// `true` or `false`.
    Bool,
    /// An integer.
    Int,
}

impl Shape {
    /// Gives `value` (text from a query, or already typed JSON) this shape.
    fn apply(self, path: &str, value: &mut Value) -> Result<(), ApiError> {
        let converted = match (self, &*value) {
            (Shape::List, Value::Array(_))
            | (Shape::Bool, Value::Bool(_))
            | (Shape::Int, Value::Number(_)) => return Ok(()),
            (Shape::List, other) => Value::Array(vec![other.clone()]),
            (Shape::Bool, Value::String(s)) if s == "true" => Value::Bool(true),
            (Shape::Bool, Value::String(s)) if s == "false" => Value::Bool(false),
            (Shape::Int, Value::String(s)) if s.parse::<i64>().is_ok() => {
                Value::Number(s.parse::<i64>().unwrap_or_default().into())
            }
            (Shape::Bool, other) => {
                return Err(ApiError::invalid_parameter(format!(
                    "{path} must be true or false; got {}",
                    text(other)
                )));
            }
            (Shape::Int, other) => {
                return Err(ApiError::invalid_parameter(format!(
                    "{path} must be an integer; got {}",
                    text(other)
                )));
            }
        };
        *value = converted;
        Ok(())
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sets the dotted `path` of `fields` to `value`, making the objects on the way; with
/// `append`, an existing value becomes (or grows) a list instead.
fn insert_path(fields: &mut Map<String, Value>, path: &str, value: Value, append: bool) {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) if !head.is_empty() && !rest.is_empty() => (head, Some(rest)),
        _ => (path, None),
    };
    match rest {
        Some(rest) => {
            let slot = fields
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_path(inner, rest, value, append);
            }
        }
        None => match fields.get_mut(head) {
            Some(Value::Array(items)) if append => items.push(value),
            Some(existing) if append => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            _ => {
                fields.insert(head.to_string(), value);
            }
        },
    }
}

/// The value at a dotted path, if there is one.
fn value_at_mut<'a>(fields: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    match path.split_once('.') {
        Some((head, rest)) => match fields.get_mut(head)? {
            Value::Object(inner) => value_at_mut(inner, rest),
            _ => None,
        },
        None => fields.get_mut(path),
    }
}

/// Drops `null` members everywhere: the service reads them as absent (the original Python
/// package sends every unset field as `null`).
fn strip_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for value in map.values_mut() {
        match value {
            Value::Object(inner) => strip_nulls(inner),
            Value::Array(items) => items.iter_mut().for_each(|item| {
                if let Value::Object(inner) = item {
                    strip_nulls(inner);
                }
            }),
            _ => {}
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_databricks_sdk::models::ClusterAttributes;
    use serde_json::json;

    fn post(body: &str) -> Request {
        Request {
            method: "POST".into(),
            body: body.as_bytes().to_vec().into(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_json_and_non_objects_are_malformed() {
        for body in ["{", "[1]", "\"x\"", "{\"a\":}"] {
            let err = Params::from_request(&post(body)).unwrap_err();
            assert_eq!(
                (err.status, err.code()),
                (400, "MALFORMED_REQUEST"),
                "{body}"
            );
        }
        assert_eq!(
            Params::from_request(&post("  ")).unwrap(),
            Params::default()
        );
    }

    #[test]
    fn path_parameters_win_over_body_and_query() {
        let mut req = post(r#"{"scope": "from-body", "key": "k"}"#);
        req.query = vec![("scope".into(), "from-query".into())];
        let params = Params::from_request(&req)
            .unwrap()
            .with_path_params(vec![("scope", "from/path".into())]);
        assert_eq!(params.str("scope").unwrap(), "from/path");
        assert_eq!(params.str("key").unwrap(), "k");
    }

    #[test]
    fn a_body_over_the_service_limit_is_refused_not_parsed() {
        let at_limit = " ".repeat(usize::try_from(MAX_JSON_BODY).unwrap());
        assert_eq!(
            Params::from_request(&post(&at_limit)).unwrap(),
            Params::default()
        );
        let err = Params::from_request(&post(&format!("{at_limit} "))).unwrap_err();
        assert_eq!((err.status, err.code()), (413, "RESOURCE_LIMIT_EXCEEDED"));
    }

    #[test]
    fn query_parameters_and_get_bodies_are_both_read() {
        let mut req = post(r#"{"scope": "from-body", "principal": "p"}"#);
        req.method = "GET".into();
        req.query = vec![("scope".into(), "from-query".into())];
        let params = Params::from_request(&req).unwrap();
        assert_eq!(params.str("scope").unwrap(), "from-query");
        assert_eq!(params.str("principal").unwrap(), "p");
    }

    fn get(query: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn dotted_query_keys_nest_and_repeated_keys_make_lists() {
        let params = Params::from_request(&get(&[
            ("filter_by.cluster_states", "RUNNING"),
            ("filter_by.cluster_states", "PENDING"),
            ("filter_by.is_pinned", "true"),
            ("sort_by.field", "CLUSTER_NAME"),
            ("page_size", "100"),
        ]))
        .unwrap();
        assert_eq!(
            params.to_json(),
            json!({
                "filter_by": {"cluster_states": ["RUNNING", "PENDING"], "is_pinned": "true"},
                "sort_by": {"field": "CLUSTER_NAME"},
                "page_size": "100"
            })
        );
        let shapes = [
            ("filter_by.cluster_states", Shape::List),
            ("filter_by.cluster_sources", Shape::List),
            ("filter_by.is_pinned", Shape::Bool),
            ("page_size", Shape::Int),
        ];
        let typed: Value = params.decode_query(&shapes).unwrap();
        assert_eq!(typed["filter_by"]["is_pinned"], json!(true));
        assert_eq!(typed["page_size"], json!(100));
        // One value of a list parameter is a list of one.
        let one: Value = Params::from_request(&get(&[("filter_by.cluster_states", "RUNNING")]))
            .unwrap()
            .decode_query(&shapes)
            .unwrap();
        assert_eq!(one["filter_by"]["cluster_states"], json!(["RUNNING"]));
    }

    #[test]
    fn query_booleans_are_true_or_false_and_numbers_integers() {
        let shapes = [
            ("filter_by.is_pinned", Shape::Bool),
            ("page_size", Shape::Int),
        ];
        for (key, value) in [
            ("filter_by.is_pinned", "True"),
            ("filter_by.is_pinned", "1"),
            ("page_size", "ten"),
            ("page_size", "1.5"),
        ] {
            let err = Params::from_request(&get(&[(key, value)]))
                .unwrap()
                .decode_query::<Value>(&shapes)
                .unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE", "{key}={value}");
            assert!(err.message.contains(value), "{}", err.message);
        }
        // A JSON body on a GET is already typed.
        let mut req = post(r#"{"filter_by": {"is_pinned": false}, "page_size": 5}"#);
        req.method = "GET".into();
        let typed: Value = Params::from_request(&req)
            .unwrap()
            .decode_query(&shapes)
            .unwrap();
        assert_eq!(
            typed,
            json!({"filter_by": {"is_pinned": false}, "page_size": 5})
        );
    }

    #[test]
    fn missing_fields_are_invalid_and_wrong_types_malformed() {
        let params = Params::from_json(json!({"cluster_id": 7, "empty": ""}));
        assert_eq!(
            params.str("nope").unwrap_err().message,
            "Missing required field: nope"
        );
        assert_eq!(
            params.str("empty").unwrap_err().code(),
            "INVALID_PARAMETER_VALUE"
        );
        assert_eq!(
            params.str("cluster_id").unwrap_err().code(),
            "MALFORMED_REQUEST"
        );
    }

    #[test]
    fn nulls_are_absent_and_scalar_conf_values_are_text() {
        let req = post(
            r#"{"spark_version": "15.4.x-scala2.12", "num_workers": null, "init_scripts": null,
                "spark_conf": {"spark.speculation": true, "spark.x": 2}, "autoscale": {"min_workers": 1, "max_workers": null}}"#,
        );
        let spec: ClusterAttributes = Params::from_request(&req)
            .unwrap()
            .decode(&["spark_version"])
            .unwrap();
        assert_eq!(spec.num_workers, None);
        assert_eq!(spec.spark_conf["spark.speculation"], "true");
        assert_eq!(spec.spark_conf["spark.x"], "2");
        assert_eq!(spec.autoscale.unwrap().max_workers, None);
    }

    #[test]
    fn decode_reports_wrong_types_as_malformed() {
        let params = Params::from_json(json!({"spark_version": "v", "num_workers": "three"}));
        let err = params
            .decode::<ClusterAttributes>(&["spark_version"])
            .unwrap_err();
        assert_eq!(err.code(), "MALFORMED_REQUEST");
        assert!(
            err.message.contains("Could not parse request object"),
            "{}",
            err.message
        );
    }
}
