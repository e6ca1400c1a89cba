//! The endpoint description file (`schema/endpoints.json`): one entry per operation.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::SchemaError;
use crate::schema::{ENDPOINTS_FILE, Schemas, read_json};

/// Checks an inline parameter may name (functions of the SDK's `validate` module).
pub const PARAM_CHECKS: &[&str] = &["non_empty", "scope_name", "secret_key", "secret_value"];

/// The whole endpoint file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// Documentation of the file itself (ignored by the generator).
    #[serde(default, rename = "description")]
    pub _description: Option<String>,
    /// Service handles, parents before children.
    pub services: Vec<Service>,
    /// Every operation.
    pub endpoints: Vec<Endpoint>,
}

/// A service handle such as `clusters` or `secrets.acls`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Dotted path: `clusters`, `secrets.acls`.
    pub name: String,
    /// Rust type of the handle, e.g. `Clusters`.
    pub type_name: String,
    /// Documentation of the handle.
    pub doc: String,
}

impl Service {
    /// The accessor method name (last path segment).
    pub fn accessor(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// The parent service path, if this is a sub-service.
    pub fn parent(&self) -> Option<&str> {
        self.name.rsplit_once('.').map(|(p, _)| p)
    }
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Method {
    /// Parameters in the query string.
    #[serde(rename = "GET")]
    Get,
    /// Parameters in a JSON body.
    #[serde(rename = "POST")]
    Post,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// Percent-encoded query string.
    Query,
    /// Field of the JSON body.
    Body,
}

/// The type of an inline parameter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ParamType {
    /// A JSON string, passed as `&str`.
    Primitive(String),
    /// A model type, passed by value.
    Ref {
        /// `file.json#/definitions/Name`.
        #[serde(rename = "$ref")]
        reference: String,
    },
    /// A hand-written runtime type (`crate::<rust>`), passed by value.
    Rust {
        /// Type name in the crate root.
        rust: String,
    },
}

impl ParamType {
    /// The referenced model name, for `$ref` types.
    pub fn model(&self) -> Option<&str> {
        match self {
            ParamType::Ref { reference } => Some(ref_name(reference)),
            _ => None,
        }
    }
}

/// One inline parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Argument and wire name.
    pub name: String,
    /// Query or body.
    #[serde(rename = "in")]
    pub location: Location,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Documentation.
    pub description: String,
    /// Validation before sending (one of [`PARAM_CHECKS`]).
    #[serde(default)]
    pub check: Option<String>,
    /// Serialize the value's fields into the body instead of under `name`.
    #[serde(default)]
    pub flatten: bool,
}

/// A `{"$ref": ...}` to a model type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRef {
    /// `file.json#/definitions/Name`.
    #[serde(rename = "$ref")]
    pub reference: String,
}

impl TypeRef {
    /// The referenced definition name.
    pub fn name(&self) -> &str {
        ref_name(&self.reference)
    }
}

fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// String checks a request field may name (functions of the SDK's `validate` module).
pub const FIELD_CHECKS: &[&str] = &["non_empty", "scope_name", "secret_key"];

/// Checks over several optional fields of a request.
pub const GROUP_CHECKS: &[&str] = &["exactly_one_of", "at_most_one_of"];

/// Validation of request-struct fields before sending: `{"rule": "non_empty", "field": "x"}` or
/// `{"rule": "exactly_one_of", "fields": ["a", "b"]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// One of [`FIELD_CHECKS`] (with `field`) or [`GROUP_CHECKS`] (with `fields`).
    pub rule: String,
    /// The string field a field check applies to; an optional field must also be set.
    #[serde(default)]
    pub field: Option<String>,
    /// The optional fields a group check counts.
    #[serde(default)]
    pub fields: Vec<String>,
}

/// An error answer that means "not found" although it is not a 404.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotFoundIf {
    /// HTTP status.
    pub status: u16,
    /// `error_code` of the body.
    pub error_code: String,
    /// Text the message contains.
    pub message_contains: String,
}

/// One operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Service path (`clusters`, `secrets.acls`).
    pub service: String,
    /// Method name.
    pub name: String,
    /// HTTP method.
    pub method: Method,
    /// Full path, e.g. `/api/2.0/clusters/get`.
    pub path: String,
    /// Documentation (Markdown).
    pub doc: String,
    /// Inline parameters in argument order.
    #[serde(default)]
    pub params: Vec<Param>,
    /// A body type passed by reference (instead of inline body parameters).
    #[serde(default)]
    pub request: Option<TypeRef>,
    /// Checks of `request` fields.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Response type; absent = returns `()`.
    #[serde(default)]
    pub response: Option<TypeRef>,
    /// Array field of the response returned as `Vec<T>`.
    #[serde(default)]
    pub unwrap: Option<String>,
    /// Whether repeating the request can do no harm.
    pub idempotent: bool,
    /// A non-404 answer that means "does not exist".
    #[serde(default)]
    pub not_found_if: Option<NotFoundIf>,
    /// Lines of the doc example (`client` in scope).
    #[serde(default)]
    pub example: Vec<String>,
}

impl EndpointFile {
    /// Reads `endpoints.json` from `dir` and checks it against the models.
    pub fn load(dir: &Path, schemas: &Schemas) -> Result<Self, SchemaError> {
        let value = read_json(&dir.join(ENDPOINTS_FILE))?;
        Self::from_value(value, schemas)
    }

    /// Parses and checks an already read endpoint file.
    pub fn from_value(value: Value, schemas: &Schemas) -> Result<Self, SchemaError> {
        let file: EndpointFile = serde_json::from_value(value).map_err(|e| {
            SchemaError::at(
                ENDPOINTS_FILE,
                "",
                format!("not a valid endpoint file: {e}"),
            )
        })?;
        file.check(schemas)?;
        Ok(file)
    }

    /// Model types sent by some endpoint (request bodies and inline `$ref` parameters).
    pub fn request_roots(&self) -> Vec<String> {
        let mut roots = Vec::new();
        for e in &self.endpoints {
            roots.extend(e.request.as_ref().map(|r| r.name().to_string()));
            roots.extend(
                e.params
                    .iter()
                    .filter_map(|p| p.ty.model().map(str::to_string)),
            );
        }
        roots
    }

    /// The service with the dotted path `name`.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    fn check(&self, schemas: &Schemas) -> Result<(), SchemaError> {
        let mut names = BTreeSet::new();
        for (i, s) in self.services.iter().enumerate() {
            let at = format!("/services/{i}");
            if !names.insert(s.name.as_str()) {
                return Err(err(&at, format!("service `{}` is declared twice", s.name)));
            }
            if !is_pascal(&s.type_name)
                || s.doc.trim().is_empty()
                || !s.name.split('.').all(is_snake)
            {
                return Err(err(
                    &at,
                    "a service needs a snake_case name, a PascalCase type_name and a doc",
                ));
            }
            if let Some(parent) = s.parent()
                && !names.contains(parent)
            {
                return Err(err(
                    &at,
                    format!(
                        "parent service `{parent}` must be declared before `{}`",
                        s.name
                    ),
                ));
            }
        }
        let mut ops = BTreeSet::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            e.check(&format!("/endpoints/{i}"), self, schemas)?;
            if !ops.insert((e.service.as_str(), e.name.as_str())) {
                return Err(err(
                    &format!("/endpoints/{i}"),
                    format!("operation `{}.{}` is declared twice", e.service, e.name),
                ));
            }
        }
        Ok(())
    }
}

fn err(pointer: &str, message: impl Into<String>) -> SchemaError {
    SchemaError::at(ENDPOINTS_FILE, pointer, message)
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_pascal(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn check_ref(at: &str, r: &TypeRef, schemas: &Schemas) -> Result<(), SchemaError> {
    if schemas.get(r.name()).is_none() || !r.reference.contains("#/definitions/") {
        return Err(err(
            &format!("{at}/$ref"),
            format!("`$ref` to nowhere: `{}`", r.reference),
        ));
    }
    Ok(())
}

impl Endpoint {
    fn check(&self, at: &str, file: &EndpointFile, schemas: &Schemas) -> Result<(), SchemaError> {
        if file.service(&self.service).is_none() {
            return Err(err(at, format!("unknown service `{}`", self.service)));
        }
        if !is_snake(&self.name) {
            return Err(err(
                &format!("{at}/name"),
                "the method name must be snake_case",
            ));
        }
        if !self.path.starts_with("/api/") || self.path.contains(['?', '#', ' ']) {
            return Err(err(
                &format!("{at}/path"),
                "the path must start with /api/ and hold no query",
            ));
        }
        if self.doc.trim().is_empty() {
            return Err(err(
                at,
                format!("operation `{}.{}` has no doc", self.service, self.name),
            ));
        }
        if self.request.is_some() && !self.params.is_empty() {
            return Err(err(at, "use either `request` or `params`, not both"));
        }
        if self.method == Method::Get && self.request.is_some() {
            return Err(err(
                &format!("{at}/request"),
                "a GET takes inline query parameters, not a body",
            ));
        }
        let expected = if self.method == Method::Get {
            Location::Query
        } else {
            Location::Body
        };
        for (j, p) in self.params.iter().enumerate() {
            let pat = format!("{at}/params/{j}");
            if p.description.trim().is_empty() || !is_snake(&p.name) {
                return Err(err(
                    &pat,
                    "a parameter needs a snake_case name and a description",
                ));
            }
            if p.location != expected {
                return Err(err(
                    &format!("{pat}/in"),
                    format!(
                        "a {:?} sends its parameters in the {expected:?}",
                        self.method
                    ),
                ));
            }
            if p.location == Location::Query && !matches!(p.ty, ParamType::Primitive(_)) {
                return Err(err(&format!("{pat}/type"), "query parameters are strings"));
            }
            match &p.ty {
                ParamType::Primitive(t) if t != "string" => {
                    return Err(err(
                        &format!("{pat}/type"),
                        "inline parameter types: \"string\", a `$ref`, or {\"rust\": ..}",
                    ));
                }
                ParamType::Ref { reference } => check_ref(
                    &format!("{pat}/type"),
                    &TypeRef {
                        reference: reference.clone(),
                    },
                    schemas,
                )?,
                _ => {}
            }
            if p.flatten != matches!(p.ty, ParamType::Rust { .. }) {
                return Err(err(
                    &format!("{pat}/flatten"),
                    "runtime (`rust`) parameters are flattened into the body, others are not",
                ));
            }
            if let Some(c) = &p.check {
                if !PARAM_CHECKS.contains(&c.as_str()) {
                    return Err(err(
                        &format!("{pat}/check"),
                        format!("unknown check `{c}` (known: {})", PARAM_CHECKS.join(", ")),
                    ));
                }
                let on_string = matches!(p.ty, ParamType::Primitive(_));
                if on_string == (c == "secret_value") {
                    return Err(err(
                        &format!("{pat}/check"),
                        format!("check `{c}` does not apply to this parameter type"),
                    ));
                }
            }
        }
        if let Some(r) = &self.request {
            check_ref(&format!("{at}/request"), r, schemas)?;
        }
        for (j, c) in self.checks.iter().enumerate() {
            self.check_check(&format!("{at}/checks/{j}"), c, schemas)?;
        }
        if let Some(r) = &self.response {
            check_ref(&format!("{at}/response"), r, schemas)?;
        }
        if let Some(field) = &self.unwrap {
            let uat = format!("{at}/unwrap");
            let Some(r) = &self.response else {
                return Err(err(&uat, "`unwrap` needs a `response`"));
            };
            match schemas.property(r.name(), field) {
                Some((p, false)) if p["type"] == "array" => {}
                _ => {
                    return Err(err(
                        &uat,
                        format!("`{}` has no optional array field `{field}`", r.name()),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_check(&self, at: &str, check: &Check, schemas: &Schemas) -> Result<(), SchemaError> {
        let Some(request) = &self.request else {
            return Err(err(at, "`checks` apply to the fields of `request`"));
        };
        let field = |f: &str| {
            schemas
                .property(request.name(), f)
                .ok_or_else(|| err(at, format!("`{}` has no field `{f}`", request.name())))
        };
        match (&check.field, check.fields.as_slice()) {
            (Some(f), []) if FIELD_CHECKS.contains(&check.rule.as_str()) => {
                if field(f)?.0["type"] != "string" {
                    return Err(err(
                        at,
                        format!("`{}` needs a string field, `{f}` is not", check.rule),
                    ));
                }
            }
            (None, fields) if GROUP_CHECKS.contains(&check.rule.as_str()) && fields.len() > 1 => {
                for f in fields {
                    if field(f)?.1 {
                        return Err(err(at, format!("`{f}` is required, so it is always set")));
                    }
                }
            }
            _ => {
                return Err(err(
                    at,
                    format!(
                        "unknown check: use `field` with one of {} or `fields` with one of {}",
                        FIELD_CHECKS.join(", "),
                        GROUP_CHECKS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Schemas {
        Schemas::from_files(vec![(
            "m.json".to_string(),
            json!({"definitions": {
                "Req": {"type": "object", "description": "r", "required": ["id"], "properties": {
                    "id": {"type": "string", "description": "id"},
                    "a": {"type": "integer", "format": "int32", "description": "a"},
                    "b": {"type": "integer", "format": "int32", "description": "b"}
                }},
                "ListResp": {"type": "object", "description": "l", "properties": {
                    "items": {"type": "array", "description": "i", "items": {"type": "string"}}
                }}
            }}),
        )])
        .unwrap()
    }

    fn file(endpoint: Value) -> Value {
        json!({"services": [{"name": "things", "type_name": "Things", "doc": "Things."}], "endpoints": [endpoint]})
    }

    fn get() -> Value {
        json!({"service": "things", "name": "list", "method": "GET", "path": "/api/2.0/things/list",
               "doc": "Lists.", "response": {"$ref": "m.json#/definitions/ListResp"}, "unwrap": "items", "idempotent": true})
    }

    #[test]
    fn a_valid_file_loads() {
        let f = EndpointFile::from_value(file(get()), &schemas()).unwrap();
        assert_eq!(f.endpoints[0].response.as_ref().unwrap().name(), "ListResp");
    }

    #[test]
    fn response_ref_to_nowhere_is_refused() {
        let mut e = get();
        e["response"] = json!({"$ref": "m.json#/definitions/Nope"});
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(
            (error.file.as_str(), error.pointer.as_str()),
            ("endpoints.json", "/endpoints/0/response/$ref")
        );
    }

    #[test]
    fn operation_without_doc_is_refused() {
        let mut e = get();
        e["doc"] = json!(" ");
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert!(error.message.contains("has no doc"), "{error}");
    }

    #[test]
    fn unwrap_of_a_missing_field_is_refused() {
        let mut e = get();
        e["unwrap"] = json!("nothing");
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/unwrap");
    }

    #[test]
    fn get_parameters_must_go_in_the_query() {
        let mut e = get();
        e["params"] = json!([{"name": "id", "in": "body", "type": "string", "description": "id"}]);
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/in");
    }

    #[test]
    fn checks_must_name_optional_fields_of_the_request() {
        let post = json!({"service": "things", "name": "make", "method": "POST", "path": "/api/2.0/things/make",
            "doc": "Makes.", "request": {"$ref": "m.json#/definitions/Req"}, "idempotent": false,
            "checks": [{"rule": "exactly_one_of", "fields": ["a", "id"]}]});
        let error = EndpointFile::from_value(file(post), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/checks/0");
        assert!(error.message.contains("`id` is required"), "{error}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let mut e = get();
        e["idempotnet"] = json!(true);
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert!(error.message.contains("idempotnet"), "{error}");
    }

    #[test]
    fn request_roots_include_inline_refs() {
        let post = json!({"service": "things", "name": "make", "method": "POST", "path": "/api/2.0/things/make",
            "doc": "Makes.", "idempotent": true,
            "params": [{"name": "req", "in": "body", "type": {"$ref": "m.json#/definitions/Req"}, "description": "r"}]});
        let f = EndpointFile::from_value(file(post), &schemas()).unwrap();
        assert_eq!(f.request_roots(), vec!["Req".to_string()]);
    }
}
