//! Request parameters: the JSON body of a POST, the query string of a GET (and a JSON body on
//! a GET too, as the original Python package sends one), decoded like the service does.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

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
    /// object.
    pub(crate) fn from_request(request: &Request) -> Result<Self, ApiError> {
        let mut fields = if request.body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
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
        for (name, value) in &request.query {
            fields.insert(name.clone(), Value::String(value.clone()));
        }
        Ok(Self { fields })
    }

    /// Parameters from a JSON object (tests).
    #[cfg(test)]
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
            body: body.as_bytes().to_vec(),
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
    fn query_parameters_and_get_bodies_are_both_read() {
        let mut req = post(r#"{"scope": "from-body", "principal": "p"}"#);
        req.method = "GET".into();
        req.query = vec![("scope".into(), "from-query".into())];
        let params = Params::from_request(&req).unwrap();
        assert_eq!(params.str("scope").unwrap(), "from-query");
        assert_eq!(params.str("principal").unwrap(), "p");
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
