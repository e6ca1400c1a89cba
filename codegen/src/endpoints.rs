//! The endpoint description file (`schema/endpoints.json`): the services, one entry per
//! operation, shared parameter definitions, and the service's rules (see [`crate::rules`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{SchemaError, escape};
pub use crate::rules::Rule;
use crate::schema::{ENDPOINTS_FILE, Schemas, read_json};

/// The whole endpoint file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// Documentation of the file itself (ignored by the generator).
    #[serde(default, rename = "description")]
    pub _description: Option<String>,
    /// The service's rules (names, sizes, lengths, ranges, counts), by name; checks and
    /// `{rule:<name>}` references in documentation refer to them.
    #[serde(default)]
    pub rules: BTreeMap<String, Rule>,
    /// Parameter definitions shared by several operations (`{"$ref": "#/parameters/x"}`).
    #[serde(default)]
    pub parameters: BTreeMap<String, Param>,
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
    /// Non-404 answers that mean "does not exist" for every operation of the service.
    #[serde(default)]
    pub not_found_if: Vec<NotFoundIf>,
    /// Other API versions every operation of the service also answers under (the clusters
    /// API also answers under `2.0`, for clients written for it).
    #[serde(default)]
    pub also_under: Vec<String>,
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
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Read; parameters in the query string by default.
    Get,
    /// Create or act; parameters in a JSON body by default.
    Post,
    /// Replace or upload; parameters in a JSON body by default.
    Put,
    /// Change part of a resource; parameters in a JSON body by default.
    Patch,
    /// Delete; parameters in the query string by default.
    Delete,
    /// Headers only; parameters in the query string by default.
    Head,
}

impl Method {
    /// Every method, for the generated runtime enum.
    pub const ALL: [Method; 6] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
    ];

    /// `GET`, `POST`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// The variant name of the runtime `HttpMethod`: `Get`, `Post`, ...
    pub fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
            Method::Head => "Head",
        }
    }

    /// Where parameters go unless they say otherwise: the body of a POST, PUT or PATCH, the
    /// query string of the others.
    pub fn default_location(self) -> Location {
        match self {
            Method::Post | Method::Put | Method::Patch => Location::Body,
            Method::Get | Method::Delete | Method::Head => Location::Query,
        }
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// Percent-encoded query string.
    Query,
    /// Field of the JSON body.
    Body,
    /// A `{name}` of the path, percent-encoded (see `Endpoint::path`).
    Path,
    /// A request header.
    Header,
}

/// What a request or response body is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// JSON, decoded into (or encoded from) a model.
    #[default]
    Json,
    /// Raw bytes of any size, streamed: from a `Read` the caller gives (request) or as a
    /// `Read` the caller drains (response).
    Stream,
    /// Response only: no body (HEAD); the answer's headers are returned.
    Headers,
}

impl BodyKind {
    /// The variant name of the runtime `BodyKind`: `Json`, `Stream`, `Headers`.
    pub fn variant(self) -> &'static str {
        match self {
            BodyKind::Json => "Json",
            BodyKind::Stream => "Stream",
            BodyKind::Headers => "Headers",
        }
    }
}

/// How the pages of a paged operation follow each other; the generator writes an iterator
/// method (`iter`) and, if named, a collect-everything method (`all`) for the operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Paging {
    /// The answer's `next` token (absent or empty on the last page) goes in the request's
    /// `token` field; a short page is not the end.
    Token {
        /// Array field of the answer with the items.
        items: String,
        /// Request field of the page token (`page_token`).
        token: String,
        /// Answer field of the next page's token (`next_page_token`).
        next: String,
        /// Name of the iterator method.
        iter: String,
        /// Name of the collect-everything method, if any.
        #[serde(default)]
        all: Option<String>,
    },
    /// `offset` advances by the items read while the answer's `has_more` is true.
    Offset {
        /// Array field of the answer with the items.
        items: String,
        /// Request field of the offset.
        offset: String,
        /// Answer field saying more items follow.
        has_more: String,
        /// Name of the iterator method.
        iter: String,
        /// Name of the collect-everything method, if any.
        #[serde(default)]
        all: Option<String>,
    },
    /// SCIM: 1-based `start` index advanced by the items read until `total` items are read.
    Index {
        /// Array field of the answer with the items.
        items: String,
        /// Request field of the 1-based start index (`startIndex`).
        start: String,
        /// Answer field of the total number of items (`totalResults`).
        total: String,
        /// Name of the iterator method.
        iter: String,
        /// Name of the collect-everything method, if any.
        #[serde(default)]
        all: Option<String>,
    },
}

impl Paging {
    /// The answer's array field of items.
    pub fn items(&self) -> &str {
        match self {
            Paging::Token { items, .. }
            | Paging::Offset { items, .. }
            | Paging::Index { items, .. } => items,
        }
    }

    /// The iterator method's name.
    pub fn iter(&self) -> &str {
        match self {
            Paging::Token { iter, .. }
            | Paging::Offset { iter, .. }
            | Paging::Index { iter, .. } => iter,
        }
    }

    /// The collect-everything method's name, if any.
    pub fn all(&self) -> Option<&str> {
        match self {
            Paging::Token { all, .. } | Paging::Offset { all, .. } | Paging::Index { all, .. } => {
                all.as_deref()
            }
        }
    }

    /// `token`, `offset` or `index`.
    pub fn style(&self) -> &'static str {
        match self {
            Paging::Token { .. } => "token",
            Paging::Offset { .. } => "offset",
            Paging::Index { .. } => "index",
        }
    }
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
    /// A hand-written runtime type (`crate::<rust>`), passed by value and flattened into the
    /// body; `sensitive_fields` are the body keys it writes whose values are secrets.
    Rust {
        /// Type name in the crate root.
        rust: String,
        /// Body keys of the type whose values are secrets (masked in logs).
        #[serde(default)]
        sensitive_fields: Vec<String>,
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

/// A check of a value before sending: the built-in `non_empty`, or the name of a [`Rule`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum CheckKind {
    /// Must not be empty or blank.
    NonEmpty,
    /// Must follow the named rule of the file's `rules`.
    Rule(String),
}

impl From<String> for CheckKind {
    fn from(name: String) -> Self {
        if name == "non_empty" {
            CheckKind::NonEmpty
        } else {
            CheckKind::Rule(name)
        }
    }
}

/// One inline parameter, or a reference to a shared one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// `#/parameters/<name>`: the shared definition to use (the other keys must be absent).
    #[serde(default, rename = "$ref")]
    pub reference: Option<String>,
    /// Argument and wire name.
    #[serde(default)]
    pub name: String,
    /// Query or body; by default the query of a GET and the body of a POST.
    #[serde(default, rename = "in")]
    pub location: Option<Location>,
    /// Its type.
    #[serde(default = "string_type", rename = "type")]
    pub ty: ParamType,
    /// Documentation.
    #[serde(default)]
    pub description: String,
    /// Validation before sending.
    #[serde(default)]
    pub check: Option<CheckKind>,
    /// A query or header parameter that may be left out: passed as `Option<&str>` and not
    /// sent when `None`.
    #[serde(default)]
    pub optional: bool,
}

fn string_type() -> ParamType {
    ParamType::Primitive("string".into())
}

impl Param {
    /// Where the parameter goes (resolved by the loader).
    pub fn location(&self) -> Location {
        self.location.unwrap_or(Location::Body)
    }
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

/// Validation of request-struct fields before sending: `{"rule": "non_empty", "field": "x"}`,
/// `{"rule": "scope_name", "field": "x"}`, or a group rule over optional fields:
/// `{"rule": "exactly_one_of", "fields": ["a", "b"]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Check {
    /// A check of one string field.
    Field {
        /// `non_empty` or a rule name.
        rule: CheckKind,
        /// The field; an optional field must also be set.
        field: String,
    },
    /// A rule over several optional fields.
    Group {
        /// Which rule.
        rule: GroupRule,
        /// The optional fields it counts.
        fields: Vec<String>,
    },
}

/// Rules over several optional fields of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRule {
    /// Exactly one of the fields is set.
    ExactlyOneOf,
    /// At most one of the fields is set.
    AtMostOneOf,
}

impl GroupRule {
    /// The name of the runtime check (`crate::validate::<name>`).
    pub fn name(self) -> &'static str {
        match self {
            GroupRule::ExactlyOneOf => "exactly_one_of",
            GroupRule::AtMostOneOf => "at_most_one_of",
        }
    }
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
    /// The operation's name in errors and logs when it is not `service.name` (e.g.
    /// `clusters.list` for the method `list_page`).
    #[serde(default)]
    pub operation: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Full path, e.g. `/api/2.0/clusters/get`.
    pub path: String,
    /// Documentation (Markdown).
    pub doc: String,
    /// Inline parameters in argument order.
    #[serde(default)]
    pub params: Vec<Param>,
    /// A request type passed by reference (instead of inline parameters): the JSON body of a
    /// POST, or the query of a GET (nested fields as dotted keys, lists as repeated keys).
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
    /// The optional string field of `request` that makes the call idempotent: when the caller
    /// leaves it unset, the generated method sets it to a random token, so that the call can be
    /// retried and the service answers a repeated call as the first one.
    #[serde(default)]
    pub idempotency_token: Option<String>,
    /// The generated method is `send_<name>`, crate-private: a hand-written `<name>` in
    /// `src/services/` wraps it (e.g. to unpin and retry).
    #[serde(default)]
    pub wrapped: bool,
    /// Non-404 answers that mean "does not exist".
    #[serde(default)]
    pub not_found_if: Vec<NotFoundIf>,
    /// The request body: JSON (default) or a stream of bytes.
    #[serde(default)]
    pub request_body: BodyKind,
    /// The response body: JSON (default), a stream of bytes, or headers only.
    #[serde(default)]
    pub response_body: BodyKind,
    /// How the pages of the answer follow each other, for paged operations.
    #[serde(default)]
    pub paging: Option<Paging>,
    /// API versions the operation also answers under, besides its service's `also_under`.
    #[serde(default)]
    pub also_under: Vec<String>,
    /// Other words a reader may search the docs for (`terminate` for `clusters.delete`),
    /// generated as `#[doc(alias = ..)]`.
    #[serde(default)]
    pub doc_alias: Vec<String>,
    /// Lines of the doc example (`client` in scope).
    #[serde(default)]
    pub example: Vec<String>,
}

impl Endpoint {
    /// The operation's name in errors and logs: `operation`, else `service.method`, e.g.
    /// `secrets.acls.put`.
    pub fn operation(&self) -> String {
        self.operation
            .clone()
            .unwrap_or_else(|| format!("{}.{}", self.service, self.name))
    }

    /// The name of the generated operation constant, e.g. `SECRETS_ACLS_PUT`.
    pub fn const_name(&self) -> String {
        self.operation().replace('.', "_").to_ascii_uppercase()
    }

    /// The variant of the generated `OperationId`, e.g. `SecretsAclsPut`.
    pub fn id_variant(&self) -> String {
        self.operation()
            .split(['.', '_'])
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect()
    }

    /// The API version of the path: `2.1` for `/api/2.1/clusters/get`.
    pub fn version(&self) -> &str {
        self.path
            .strip_prefix("/api/")
            .and_then(|p| p.split_once('/'))
            .map_or("", |(version, _)| version)
    }

    /// The names of the path's `{placeholders}`, in order.
    pub fn path_placeholders(&self) -> Vec<&str> {
        self.path
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }
}

impl EndpointFile {
    /// Reads `endpoints.json` from `dir` and checks it against the models.
    pub fn load(dir: &Path, schemas: &Schemas) -> Result<Self, SchemaError> {
        let value = read_json(&dir.join(ENDPOINTS_FILE))?;
        Self::from_value(value, schemas)
    }

    /// Parses and checks an already read endpoint file; shared parameters are resolved.
    pub fn from_value(value: Value, schemas: &Schemas) -> Result<Self, SchemaError> {
        let mut file: EndpointFile = serde_json::from_value(value).map_err(|e| {
            SchemaError::at(
                ENDPOINTS_FILE,
                "",
                format!("not a valid endpoint file: {e}"),
            )
        })?;
        file.resolve_parameters()?;
        crate::rules::check_all(&mut file.rules)?;
        file.expand_rule_references()?;
        file.check(schemas)?;
        Ok(file)
    }

    /// Replaces the `{rule:<name>}` references of the documentation (service docs, operation
    /// docs, parameter descriptions) by the rules in words.
    fn expand_rule_references(&mut self) -> Result<(), SchemaError> {
        let rules = &self.rules;
        let expand = |text: &mut String, at: String| {
            *text = crate::rules::expand(text, rules).map_err(|m| err(&at, m))?;
            Ok::<(), SchemaError>(())
        };
        for (name, p) in &mut self.parameters {
            expand(
                &mut p.description,
                format!("/parameters/{}/description", escape(name)),
            )?;
        }
        for (i, s) in self.services.iter_mut().enumerate() {
            expand(&mut s.doc, format!("/services/{i}/doc"))?;
        }
        for (i, e) in self.endpoints.iter_mut().enumerate() {
            expand(&mut e.doc, format!("/endpoints/{i}/doc"))?;
            for (j, p) in e.params.iter_mut().enumerate() {
                expand(
                    &mut p.description,
                    format!("/endpoints/{i}/params/{j}/description"),
                )?;
            }
        }
        Ok(())
    }

    /// Replaces `{"$ref": "#/parameters/x"}` by the shared definition and fills in each
    /// parameter's location from the method.
    fn resolve_parameters(&mut self) -> Result<(), SchemaError> {
        for (name, p) in &self.parameters {
            let at = format!("/parameters/{}", escape(name));
            if p.reference.is_some() || p.name != *name {
                return Err(err(
                    &at,
                    format!(
                        "a shared parameter is named after its key (`{name}`) and holds no `$ref`"
                    ),
                ));
            }
        }
        let shared = self.parameters.clone();
        for (i, e) in self.endpoints.iter_mut().enumerate() {
            let default = e.method.default_location();
            let placeholders: Vec<String> = e
                .path_placeholders()
                .into_iter()
                .map(str::to_string)
                .collect();
            for (j, p) in e.params.iter_mut().enumerate() {
                let at = format!("/endpoints/{i}/params/{j}");
                if let Some(reference) = &p.reference {
                    let key = reference.strip_prefix("#/parameters/").unwrap_or_default();
                    let Some(definition) = shared.get(key) else {
                        return Err(err(
                            &format!("{at}/$ref"),
                            format!("`$ref` to nowhere: `{reference}`"),
                        ));
                    };
                    let only_ref = p.name.is_empty()
                        && p.description.is_empty()
                        && p.check.is_none()
                        && !p.optional
                        && p.ty == string_type();
                    if !only_ref {
                        return Err(err(
                            &at,
                            "a parameter `$ref` takes nothing else but an optional `in`",
                        ));
                    }
                    let location = p.location;
                    *p = definition.clone();
                    p.location = location.or(definition.location);
                }
                let location = if placeholders.contains(&p.name) {
                    Location::Path
                } else {
                    default
                };
                p.location.get_or_insert(location);
            }
        }
        Ok(())
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

    /// Every API version an operation answers under: its path's, then its own and its
    /// service's `also_under`, without repeats.
    pub fn versions(&self, e: &Endpoint) -> Vec<String> {
        let mut versions = vec![e.version().to_string()];
        let service = self.service(&e.service).map(|s| s.also_under.as_slice());
        for v in e.also_under.iter().chain(service.unwrap_or_default()) {
            if !versions.contains(v) {
                versions.push(v.clone());
            }
        }
        versions
    }

    /// The "not found" answers of an operation: its own and its service's.
    pub fn not_found_if<'a>(&'a self, e: &'a Endpoint) -> impl Iterator<Item = &'a NotFoundIf> {
        let service = self.service(&e.service).map(|s| s.not_found_if.as_slice());
        e.not_found_if.iter().chain(service.unwrap_or_default())
    }

    /// Body keys of runtime parameter types whose values are secrets.
    pub fn sensitive_runtime_fields(&self) -> BTreeSet<String> {
        self.endpoints
            .iter()
            .flat_map(|e| &e.params)
            .filter_map(|p| match &p.ty {
                ParamType::Rust {
                    sensitive_fields, ..
                } => Some(sensitive_fields.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect()
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
        let mut routes = BTreeSet::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            let at = format!("/endpoints/{i}");
            e.check(&at, self, schemas)?;
            if !ops.insert(e.operation()) {
                return Err(err(
                    &at,
                    format!("operation `{}` is declared twice", e.operation()),
                ));
            }
            if !routes.insert((e.method.as_str(), e.path.clone())) {
                return Err(err(
                    &format!("{at}/path"),
                    format!("`{} {}` is declared twice", e.method.as_str(), e.path),
                ));
            }
        }
        Ok(())
    }

    fn check_kind(&self, at: &str, kind: &CheckKind) -> Result<Option<&Rule>, SchemaError> {
        match kind {
            CheckKind::NonEmpty => Ok(None),
            CheckKind::Rule(name) => self.rules.get(name).map(Some).ok_or_else(|| {
                err(
                    at,
                    format!(
                        "unknown check `{name}` (known: non_empty, {})",
                        self.rules.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            }),
        }
    }
}

fn err(pointer: &str, message: impl Into<String>) -> SchemaError {
    SchemaError::at(ENDPOINTS_FILE, pointer, message)
}

/// A check naming a rule the SDK does not check before sending (length, range, count rules:
/// the service and the emulator check them, the documentation quotes them).
fn not_checked(pointer: &str, rule: &Rule) -> SchemaError {
    err(
        pointer,
        format!(
            "a `{}` rule is not checked before sending (only `non_empty`, name and size rules are); quote it in the docs with `{{rule:<name>}}`",
            rule.kind()
        ),
    )
}

/// Whether `s` is a snake_case identifier.
pub(crate) fn is_snake(s: &str) -> bool {
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
        let versioned = self
            .path
            .strip_prefix("/api/")
            .and_then(|p| p.split_once('/'))
            .is_some_and(|(v, rest)| {
                !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && !rest.is_empty()
            });
        if !versioned || self.path.contains(['?', '#', ' ']) {
            return Err(err(
                &format!("{at}/path"),
                "the path must be /api/<version>/<route> and hold no query",
            ));
        }
        if self.doc.trim().is_empty() {
            return Err(err(
                at,
                format!("operation `{}` has no doc", self.operation()),
            ));
        }
        let default = self.method.default_location();
        if self.request.is_some() && self.params.iter().any(|p| p.location() == default) {
            return Err(err(
                at,
                "with a `request`, the other parameters go in the path, the query or a header",
            ));
        }
        let placeholders = self.path_placeholders();
        if let Some(name) = placeholders
            .iter()
            .find(|name| !self.params.iter().any(|p| p.name == **name))
        {
            return Err(err(
                &format!("{at}/path"),
                format!("the path placeholder `{{{name}}}` has no parameter"),
            ));
        }
        if self.path.matches('{').count() != placeholders.len()
            || self.path.matches('}').count() != placeholders.len()
        {
            return Err(err(&format!("{at}/path"), "unbalanced `{` `}` in the path"));
        }
        if self.request_body == BodyKind::Headers
            || (self.request_body == BodyKind::Stream
                && (self.request.is_some()
                    || self.params.iter().any(|p| p.location() == Location::Body)))
        {
            return Err(err(
                &format!("{at}/request_body"),
                "a streamed request body takes no `request` and no body parameters",
            ));
        }
        if self.response_body != BodyKind::Json
            && (self.response.is_some() || self.unwrap.is_some())
        {
            return Err(err(
                &format!("{at}/response_body"),
                "a streamed or headers-only answer has no `response` type",
            ));
        }
        if (self.response_body == BodyKind::Headers) != (self.method == Method::Head) {
            return Err(err(
                &format!("{at}/response_body"),
                "HEAD answers `headers`, and only HEAD does",
            ));
        }
        for version in &self.also_under {
            if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(err(&format!("{at}/also_under"), "versions look like `2.0`"));
            }
        }
        for (j, p) in self.params.iter().enumerate() {
            let pat = format!("{at}/params/{j}");
            if p.description.trim().is_empty() || !is_snake(&p.name) {
                return Err(err(
                    &pat,
                    "a parameter needs a snake_case name and a description",
                ));
            }
            let in_path = placeholders.contains(&p.name.as_str());
            if in_path != (p.location() == Location::Path) {
                return Err(err(
                    &format!("{pat}/in"),
                    "a parameter is in the path exactly when the path has its `{name}`",
                ));
            }
            let is_enum =
                p.ty.model()
                    .is_some_and(|name| schemas.enum_values(name).is_some());
            if matches!(
                p.location(),
                Location::Query | Location::Path | Location::Header
            ) && !matches!(p.ty, ParamType::Primitive(_))
                && !(is_enum && p.location() == Location::Path)
            {
                return Err(err(
                    &format!("{pat}/type"),
                    "path, query and header parameters are strings (a path parameter may be an enum)",
                ));
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
            if p.optional
                && (!matches!(p.location(), Location::Query | Location::Header)
                    || p.check.is_some())
            {
                return Err(err(
                    &format!("{pat}/optional"),
                    "only query and header parameters without a `check` are optional",
                ));
            }
            if let Some(kind) = &p.check {
                let rule = file.check_kind(&format!("{pat}/check"), kind)?;
                let on_string = matches!(p.ty, ParamType::Primitive(_));
                let applies = match rule {
                    None | Some(Rule::Name { .. }) => on_string,
                    // Anything with a `len()`: a string, or a runtime type that has one.
                    Some(Rule::Size { .. }) => !matches!(p.ty, ParamType::Ref { .. }),
                    Some(other) => return Err(not_checked(&format!("{pat}/check"), other)),
                };
                if !applies {
                    return Err(err(
                        &format!("{pat}/check"),
                        "this check does not apply to this parameter type",
                    ));
                }
            }
        }
        if let Some(r) = &self.request {
            check_ref(&format!("{at}/request"), r, schemas)?;
        }
        if let Some(field) = &self.idempotency_token {
            let fat = format!("{at}/idempotency_token");
            let Some(r) = &self.request else {
                return Err(err(&fat, "`idempotency_token` names a field of `request`"));
            };
            match schemas.property(r.name(), field) {
                Some((p, false)) if p["type"] == "string" => {}
                _ => {
                    return Err(err(
                        &fat,
                        format!("`{}` has no optional string field `{field}`", r.name()),
                    ));
                }
            }
            if !self.idempotent {
                return Err(err(
                    &fat,
                    "an operation with an idempotency token is idempotent: set `idempotent: true`",
                ));
            }
        }
        for (j, c) in self.checks.iter().enumerate() {
            self.check_check(&format!("{at}/checks/{j}"), c, file, schemas)?;
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
        if let Some(paging) = &self.paging {
            self.check_paging(&format!("{at}/paging"), paging, schemas)?;
        }
        Ok(())
    }

    /// A paged operation has a `request` and a `response` type with the fields its paging
    /// names.
    fn check_paging(
        &self,
        at: &str,
        paging: &Paging,
        schemas: &Schemas,
    ) -> Result<(), SchemaError> {
        let (Some(request), Some(response)) = (&self.request, &self.response) else {
            return Err(err(
                at,
                "a paged operation has a `request` and a `response`",
            ));
        };
        if self.unwrap.is_some() {
            return Err(err(at, "a paged operation returns its pages: no `unwrap`"));
        }
        let has =
            |ty: &TypeRef, field: &str, json_type: &str| match schemas.property(ty.name(), field) {
                Some((p, false)) if p["type"] == json_type => Ok(()),
                _ => Err(err(
                    at,
                    format!(
                        "`{}` has no optional {json_type} field `{field}`",
                        ty.name()
                    ),
                )),
            };
        has(response, paging.items(), "array")?;
        match paging {
            Paging::Token { token, next, .. } => {
                has(request, token, "string")?;
                has(response, next, "string")?;
            }
            Paging::Offset {
                offset, has_more, ..
            } => {
                has(request, offset, "integer")?;
                has(response, has_more, "boolean")?;
            }
            Paging::Index { start, total, .. } => {
                has(request, start, "integer")?;
                has(response, total, "integer")?;
            }
        }
        for name in [Some(paging.iter()), paging.all()].into_iter().flatten() {
            if !is_snake(name) || name == self.name {
                return Err(err(
                    at,
                    format!("`{name}`: a snake_case method name of its own"),
                ));
            }
        }
        Ok(())
    }

    fn check_check(
        &self,
        at: &str,
        check: &Check,
        file: &EndpointFile,
        schemas: &Schemas,
    ) -> Result<(), SchemaError> {
        let Some(request) = &self.request else {
            return Err(err(at, "`checks` apply to the fields of `request`"));
        };
        let field = |f: &str| {
            schemas
                .property(request.name(), f)
                .ok_or_else(|| err(at, format!("`{}` has no field `{f}`", request.name())))
        };
        match check {
            Check::Field { rule, field: f } => {
                match file.check_kind(at, rule)? {
                    None | Some(Rule::Name { .. }) => {}
                    Some(Rule::Size { .. }) => {
                        return Err(err(
                            at,
                            "size rules apply to parameters, not request fields",
                        ));
                    }
                    Some(other) => return Err(not_checked(at, other)),
                }
                if field(f)?.0["type"] != "string" {
                    return Err(err(at, format!("`{f}` is not a string field")));
                }
            }
            Check::Group { fields, .. } => {
                if fields.len() < 2 {
                    return Err(err(at, "a group rule needs at least two fields"));
                }
                for f in fields {
                    if field(f)?.1 {
                        return Err(err(at, format!("`{f}` is required, so it is always set")));
                    }
                }
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
        json!({
            "rules": {"thing_name": {"kind": "name", "what": "thing name", "extra": "-_", "max_len": 64, "description": "d"}},
            "parameters": {"id": {"name": "id", "description": "The id.", "check": "non_empty"}},
            "services": [{"name": "things", "type_name": "Things", "doc": "Things."}],
            "endpoints": [endpoint]
        })
    }

    fn get() -> Value {
        json!({"service": "things", "name": "list", "method": "GET", "path": "/api/2.0/things/list",
               "doc": "Lists.", "response": {"$ref": "m.json#/definitions/ListResp"}, "unwrap": "items", "idempotent": true})
    }

    #[test]
    fn a_valid_file_loads() {
        let f = EndpointFile::from_value(file(get()), &schemas()).unwrap();
        assert_eq!(f.endpoints[0].response.as_ref().unwrap().name(), "ListResp");
        assert_eq!(f.endpoints[0].const_name(), "THINGS_LIST");
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
    fn path_placeholders_and_path_parameters_go_together() {
        let mut e = get();
        e["path"] = json!("/api/2.0/things/{id}");
        let error = EndpointFile::from_value(file(e.clone()), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/path");
        assert!(error.message.contains("`{id}` has no parameter"), "{error}");

        e["params"] = json!([{"name": "id", "type": "string", "description": "id"}]);
        let file_ok = EndpointFile::from_value(file(e.clone()), &schemas()).unwrap();
        assert_eq!(file_ok.endpoints[0].params[0].location(), Location::Path);

        e["params"] = json!([{"name": "id", "in": "query", "type": "string", "description": "id"}]);
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/in");
    }

    #[test]
    fn streams_and_headers_only_answers_are_declared_consistently() {
        let mut e = get();
        e["method"] = json!("HEAD");
        e.as_object_mut().unwrap().remove("response");
        e.as_object_mut().unwrap().remove("unwrap");
        let error = EndpointFile::from_value(file(e.clone()), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/response_body");
        e["response_body"] = json!("headers");
        EndpointFile::from_value(file(e), &schemas()).unwrap();

        let mut e = get();
        e["method"] = json!("PUT");
        e["request_body"] = json!("stream");
        e["request"] = json!({"$ref": "m.json#/definitions/Req"});
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/request_body");
    }

    #[test]
    fn paging_names_fields_the_types_have() {
        let mut e = get();
        e["request"] = json!({"$ref": "m.json#/definitions/Req"});
        e["response"] = json!({"$ref": "m.json#/definitions/ListResp"});
        e.as_object_mut().unwrap().remove("unwrap");
        e["paging"] = json!({"style": "token", "items": "items", "token": "page_token", "next": "next_page_token", "iter": "list_iter"});
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/paging");
        assert!(error.message.contains("page_token"), "{error}");
    }

    #[test]
    fn shared_parameters_resolve_and_take_their_location_from_the_method() {
        let mut e = get();
        e["params"] = json!([{"$ref": "#/parameters/id"}]);
        let f = EndpointFile::from_value(file(e), &schemas()).unwrap();
        let p = &f.endpoints[0].params[0];
        assert_eq!((p.name.as_str(), p.location()), ("id", Location::Query));
        assert_eq!(p.check, Some(CheckKind::NonEmpty));
        let mut e = get();
        e["params"] = json!([{"$ref": "#/parameters/nope"}]);
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/$ref");
    }

    #[test]
    fn checks_must_name_a_known_rule() {
        let mut e = get();
        e["params"] = json!([{"name": "id", "description": "id", "check": "thing_nmae"}]);
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/check");
        assert!(
            error.message.contains("known: non_empty, thing_name"),
            "{error}"
        );
    }

    #[test]
    fn rules_the_sdk_does_not_check_are_refused_as_checks() {
        let mut f = file(get());
        f["rules"]["per_thing"] =
            json!({"kind": "count", "what": "things", "max": 10, "description": "d"});
        f["endpoints"][0]["params"] =
            json!([{"name": "id", "description": "id", "check": "per_thing"}]);
        let error = EndpointFile::from_value(f, &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/check");
        assert!(
            error.message.contains("`count` rule is not checked"),
            "{error}"
        );
    }

    #[test]
    fn rule_references_in_docs_expand_and_unknown_ones_fail_where_they_are() {
        let mut e = get();
        e["doc"] = json!("Lists things named {rule:thing_name}.");
        e["params"] = json!([{"name": "id", "description": "Id: {rule:thing_name}."}]);
        let f = EndpointFile::from_value(file(e.clone()), &schemas()).unwrap();
        let words = "1 to 64 ASCII letters, digits, `-` or `_`";
        assert_eq!(f.endpoints[0].doc, format!("Lists things named {words}."));
        assert_eq!(
            f.endpoints[0].params[0].description,
            format!("Id: {words}.")
        );

        e["params"][0]["description"] = json!("Id: {rule:thing_nmae}.");
        let error = EndpointFile::from_value(file(e), &schemas()).unwrap_err();
        assert_eq!(error.pointer, "/endpoints/0/params/0/description");
        assert!(error.message.contains("known: thing_name"), "{error}");
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
    fn the_same_route_twice_is_refused() {
        let mut other = get();
        other["name"] = json!("list_again");
        let mut f = file(get());
        f["endpoints"].as_array_mut().unwrap().push(other);
        let error = EndpointFile::from_value(f, &schemas()).unwrap_err();
        assert!(error.message.contains("declared twice"), "{error}");
    }

    #[test]
    fn request_roots_include_inline_refs() {
        let post = json!({"service": "things", "name": "make", "method": "POST", "path": "/api/2.0/things/make",
            "doc": "Makes.", "idempotent": true,
            "params": [{"name": "req", "type": {"$ref": "m.json#/definitions/Req"}, "description": "r"}]});
        let f = EndpointFile::from_value(file(post), &schemas()).unwrap();
        assert_eq!(f.request_roots(), vec!["Req".to_string()]);
    }
}
