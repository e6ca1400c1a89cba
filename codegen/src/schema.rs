//! Loading and checking the model schema files (`schema/*.json` except `endpoints.json`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{SchemaError, escape};

/// Name of the endpoint description file; every other `*.json` file is a model file.
pub const ENDPOINTS_FILE: &str = "endpoints.json";

/// One named definition, its file and its schema (with `$ref`s made file-local).
#[derive(Debug, Clone)]
pub struct Definition {
    /// File the definition comes from.
    pub file: String,
    /// The schema, refs rewritten from `x.json#/definitions/A` to `#/definitions/A`; a
    /// definition that extends another (`allOf`) holds the merged object schema.
    pub schema: Value,
    /// The definition this one extends (`"allOf": [{"$ref": base}, {extension}]`), if any.
    pub base: Option<String>,
}

impl Definition {
    /// JSON pointer of this definition in its file.
    pub fn pointer(&self, name: &str) -> String {
        format!("/definitions/{}", escape(name))
    }

    /// The definition's description.
    pub fn description(&self) -> &str {
        self.schema["description"].as_str().unwrap_or_default()
    }
}

/// All model definitions of the schema folder, merged into one namespace.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    /// Definition name → definition. Names are unique across files.
    pub definitions: BTreeMap<String, Definition>,
}

/// Files whose change must re-run the generator: every `*.json` and `*.md` in the folder.
pub fn input_files(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| SchemaError::io(dir.display().to_string(), e.to_string()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and parses one JSON file of the schema folder.
pub fn read_json(path: &Path) -> Result<Value, SchemaError> {
    let file = file_name(path);
    let text =
        std::fs::read_to_string(path).map_err(|e| SchemaError::io(file.clone(), e.to_string()))?;
    serde_json::from_str(&text)
        .map_err(|e| SchemaError::at(&file, "", format!("invalid JSON: {e}")))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Schemas {
    /// Replaces the `{rule:<name>}` references in every description by the rule in words
    /// (see [`crate::rules::expand`]).
    pub fn expand_rule_references(
        &mut self,
        rules: &BTreeMap<String, crate::rules::Rule>,
    ) -> Result<(), SchemaError> {
        for (name, def) in &mut self.definitions {
            let pointer = def.pointer(name);
            crate::rules::expand_descriptions(&mut def.schema, rules, &def.file, &pointer)?;
        }
        Ok(())
    }

    /// Loads every model file of `dir`, checks it (see `schema/README.md`) and merges the
    /// definitions.
    pub fn load(dir: &Path) -> Result<Self, SchemaError> {
        let mut files = Vec::new();
        for path in input_files(dir)? {
            let name = file_name(&path);
            if name != ENDPOINTS_FILE {
                files.push((name, read_json(&path)?));
            }
        }
        Self::from_files(files)
    }

    /// Checks and merges already parsed model files (`(file name, contents)`).
    pub fn from_files(files: Vec<(String, Value)>) -> Result<Self, SchemaError> {
        let mut per_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, value) in &files {
            let defs = definitions_of(file, value)?;
            per_file.insert(file.clone(), defs.keys().cloned().collect());
        }
        let mut schemas = Schemas::default();
        for (file, value) in files {
            let defs = definitions_of(&file, &value)?;
            for (name, schema) in defs {
                let pointer = format!("/definitions/{}", escape(name));
                let base = extension_base(&file, &pointer, schema)?;
                if base.is_some() {
                    lint_name_and_description(&file, &pointer, name, schema)?;
                    // `required` may name base properties: checked once merged.
                    let mut extension = schema["allOf"][1].clone();
                    extension.as_object_mut().map(|o| o.remove("required"));
                    lint_node(&file, &format!("{pointer}/allOf/1"), &extension, true)?;
                } else {
                    lint_definition(&file, &pointer, name, schema)?;
                }
                check_refs(&file, &pointer, schema, &per_file)?;
                if let Some(first) = schemas.definitions.get(name) {
                    return Err(SchemaError::at(
                        &file,
                        pointer,
                        format!(
                            "duplicate type name `{name}` (already defined in {})",
                            first.file
                        ),
                    ));
                }
                let mut schema = schema.clone();
                localize_refs(&mut schema);
                schemas.definitions.insert(
                    name.clone(),
                    Definition {
                        file: file.clone(),
                        schema,
                        base,
                    },
                );
            }
        }
        let extensions: Vec<String> = schemas
            .definitions
            .iter()
            .filter(|(_, d)| d.base.is_some())
            .map(|(n, _)| n.clone())
            .collect();
        for name in extensions {
            schemas.merge_extension(&name, &mut Vec::new())?;
        }
        Ok(schemas)
    }

    /// Replaces the `allOf` of the extension `name` by one object schema: the base's
    /// properties (the base merged first), then the extension's; `required` is the union.
    fn merge_extension(
        &mut self,
        name: &str,
        visiting: &mut Vec<String>,
    ) -> Result<(), SchemaError> {
        let def = self.definitions[name].clone();
        let Some(base) = &def.base else {
            return Ok(());
        };
        let pointer = def.pointer(name);
        if def.schema.get("allOf").is_none() {
            return Ok(()); // merged already
        }
        if visiting.iter().any(|v| v == name) {
            return Err(SchemaError::at(
                &def.file,
                pointer,
                "`allOf` extends itself in a cycle",
            ));
        }
        visiting.push(name.to_string());
        self.merge_extension(base, visiting)?;
        visiting.pop();
        let base_def = &self.definitions[base];
        if base_def.schema.get("properties").is_none() || enum_values(&base_def.schema).is_some() {
            return Err(SchemaError::at(
                &def.file,
                format!("{pointer}/allOf/0"),
                format!("`{base}` is not an object type with properties"),
            ));
        }
        let extension = &def.schema["allOf"][1];
        let mut properties = base_def.schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (prop, value) in extension["properties"].as_object().into_iter().flatten() {
            if properties.insert(prop.clone(), value.clone()).is_some() {
                return Err(SchemaError::at(
                    &def.file,
                    format!("{pointer}/allOf/1/properties/{}", escape(prop)),
                    format!("`{prop}` is already a property of `{base}`"),
                ));
            }
        }
        let mut required: Vec<Value> = Vec::new();
        for r in [&base_def.schema["required"], &extension["required"]] {
            for item in r.as_array().into_iter().flatten() {
                if !required.contains(item) {
                    required.push(item.clone());
                }
            }
        }
        if let Some(missing) = required
            .iter()
            .find(|r| !r.as_str().is_some_and(|r| properties.contains_key(r)))
        {
            return Err(SchemaError::at(
                &def.file,
                format!("{pointer}/allOf/1/required"),
                format!("required property {missing} is not declared"),
            ));
        }
        let mut merged = serde_json::Map::new();
        merged.insert("type".into(), Value::String("object".into()));
        merged.insert("description".into(), def.schema["description"].clone());
        merged.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        self.definitions.get_mut(name).expect("known").schema = Value::Object(merged);
        Ok(())
    }

    /// The own properties of `name`: for an extension, those it adds to its base.
    pub fn own_properties(&self, name: &str) -> Vec<String> {
        let Some(def) = self.get(name) else {
            return Vec::new();
        };
        let all: Vec<String> = def.schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        match &def.base {
            Some(base) => {
                let inherited = self.own_and_inherited(base);
                all.into_iter().filter(|p| !inherited.contains(p)).collect()
            }
            None => all,
        }
    }

    fn own_and_inherited(&self, name: &str) -> Vec<String> {
        self.get(name)
            .and_then(|d| d.schema["properties"].as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Looks a definition up by name.
    pub fn get(&self, name: &str) -> Option<&Definition> {
        self.definitions.get(name)
    }

    /// The values of an enum definition with their descriptions, or `None` if `name` is not an
    /// enum.
    pub fn enum_values(&self, name: &str) -> Option<Vec<(String, Option<String>)>> {
        enum_values(&self.get(name)?.schema)
    }

    /// The property `prop` of object definition `name`: its schema and whether it is required.
    pub fn property(&self, name: &str, prop: &str) -> Option<(&Value, bool)> {
        let schema = &self.get(name)?.schema;
        let value = schema.get("properties")?.get(prop)?;
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == prop));
        Some((value, required))
    }
}

fn definitions_of<'v>(file: &str, value: &'v Value) -> Result<&'v Map<String, Value>, SchemaError> {
    value
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or_else(|| SchemaError::at(file, "", "a model file needs a `definitions` object"))
}

/// `Some(values)` when the schema is an enum (`enum: [...]` or `oneOf: [{const}]`).
pub fn enum_values(schema: &Value) -> Option<Vec<(String, Option<String>)>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .map(|v| (v.as_str().unwrap_or_default().to_string(), None))
                .collect(),
        );
    }
    let one_of = schema.get("oneOf").and_then(Value::as_array)?;
    if !one_of.iter().all(|v| v.get("const").is_some()) {
        return None;
    }
    Some(
        one_of
            .iter()
            .map(|v| {
                (
                    v["const"].as_str().unwrap_or_default().to_string(),
                    v.get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
            })
            .collect(),
    )
}

fn is_enum(schema: &Value) -> bool {
    schema.get("enum").is_some()
        || schema
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.get("const").is_some()))
}

fn has_description(schema: &Value) -> bool {
    schema
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty())
}

/// The base of an extension definition (`{"description": .., "allOf": [{"$ref": base},
/// {"type": "object", "properties": .., "required": ..}]}`), or `None` for other definitions.
fn extension_base(
    file: &str,
    pointer: &str,
    schema: &Value,
) -> Result<Option<String>, SchemaError> {
    let Some(all_of) = schema.get("allOf") else {
        return Ok(None);
    };
    let shape = || {
        SchemaError::at(
            file,
            format!("{pointer}/allOf"),
            "`allOf` extends one type: `[{\"$ref\": base}, {\"type\": \"object\", \"properties\": ...}]`, beside only `description`",
        )
    };
    let items = all_of.as_array().ok_or_else(shape)?;
    let keys_ok = schema
        .as_object()
        .is_some_and(|o| o.keys().all(|k| k == "allOf" || k == "description"));
    let base = items
        .first()
        .and_then(|b| b.as_object())
        .filter(|b| b.len() == 1)
        .and_then(|b| b.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit_once("/definitions/"))
        .map(|(_, n)| n.to_string());
    let extension_ok =
        items.len() == 2 && items[1].get("$ref").is_none() && items[1].get("properties").is_some();
    match base {
        Some(base) if keys_ok && extension_ok => Ok(Some(base)),
        _ => Err(shape()),
    }
}

fn lint_name_and_description(
    file: &str,
    pointer: &str,
    name: &str,
    schema: &Value,
) -> Result<(), SchemaError> {
    let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid_name {
        return Err(SchemaError::at(
            file,
            pointer,
            format!("type name `{name}` must be PascalCase ASCII"),
        ));
    }
    if !has_description(schema) {
        return Err(SchemaError::at(
            file,
            pointer,
            format!("type `{name}` has no description"),
        ));
    }
    Ok(())
}

fn lint_definition(
    file: &str,
    pointer: &str,
    name: &str,
    schema: &Value,
) -> Result<(), SchemaError> {
    lint_name_and_description(file, pointer, name, schema)?;
    if is_enum(schema) {
        return lint_enum(file, pointer, schema);
    }
    lint_node(file, pointer, schema, true)
}

fn lint_enum(file: &str, pointer: &str, schema: &Value) -> Result<(), SchemaError> {
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return Err(SchemaError::at(
            file,
            pointer,
            "an enum must have `\"type\": \"string\"`",
        ));
    }
    let Some(values) = enum_values(schema) else {
        return Err(SchemaError::at(
            file,
            pointer,
            "`oneOf` of an enum must list only `const` entries",
        ));
    };
    if let Some(items) = schema.get("enum").and_then(Value::as_array)
        && let Some(i) = items.iter().position(|v| !v.is_string())
    {
        return Err(SchemaError::at(
            file,
            format!("{pointer}/enum/{i}"),
            "enum values must be strings",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, (value, _)) in values.iter().enumerate() {
        if value.is_empty() || !seen.insert(value.as_str()) {
            return Err(SchemaError::at(
                file,
                format!("{pointer}/enum/{i}"),
                format!("empty or repeated enum value `{value}`"),
            ));
        }
    }
    Ok(())
}

fn lint_node(file: &str, pointer: &str, schema: &Value, root: bool) -> Result<(), SchemaError> {
    let Some(obj) = schema.as_object() else {
        return Err(SchemaError::at(
            file,
            pointer,
            "a schema must be a JSON object",
        ));
    };
    if is_enum(schema) {
        return Err(SchemaError::at(
            file,
            pointer,
            "inline enum: declare it as a named definition and `$ref` it",
        ));
    }
    for key in ["anyOf", "allOf", "oneOf", "not", "if", "patternProperties"] {
        if obj.contains_key(key) {
            return Err(SchemaError::at(
                file,
                format!("{pointer}/{key}"),
                format!("`{key}` is not supported by the generator"),
            ));
        }
    }
    if obj.contains_key("default") {
        return Err(SchemaError::at(
            file,
            format!("{pointer}/default"),
            "`default` would be filled in on decode and written back on encode (requests must send only what the caller set; answers must survive a round trip unchanged): document the service's default in the description instead",
        ));
    }
    for key in [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "minLength",
        "maxLength",
        "uniqueItems",
    ] {
        if obj.contains_key(key) {
            return Err(SchemaError::at(
                file,
                format!("{pointer}/{key}"),
                format!("`{key}` changes the generated Rust type; enforce it in a check instead"),
            ));
        }
    }
    if let Some(props) = obj.get("properties") {
        if !root {
            return Err(SchemaError::at(
                file,
                pointer,
                "inline object with properties: declare it as a named definition and `$ref` it",
            ));
        }
        let Some(props) = props.as_object() else {
            return Err(SchemaError::at(
                file,
                format!("{pointer}/properties"),
                "`properties` must be an object",
            ));
        };
        for (prop, value) in props {
            let at = format!("{pointer}/properties/{}", escape(prop));
            // snake_case, or the camelCase of SCIM (`userName`, `Resources`, `$ref`): the
            // Rust field is the snake_case form, renamed to the wire name.
            let name = prop.strip_prefix('$').unwrap_or(prop);
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(SchemaError::at(
                    file,
                    at,
                    format!("property `{prop}` must be ASCII snake_case or camelCase"),
                ));
            }
            if !has_description(value) {
                return Err(SchemaError::at(
                    file,
                    at,
                    format!("property `{prop}` has no description"),
                ));
            }
            lint_node(file, &at, value, false)?;
        }
        if let Some(required) = obj.get("required").and_then(Value::as_array) {
            for (i, r) in required.iter().enumerate() {
                if !r.as_str().is_some_and(|r| props.contains_key(r)) {
                    return Err(SchemaError::at(
                        file,
                        format!("{pointer}/required/{i}"),
                        format!("required property {r} is not declared"),
                    ));
                }
            }
        }
    }
    match obj.get("additionalProperties") {
        Some(Value::Bool(false)) => {
            return Err(SchemaError::at(
                file,
                format!("{pointer}/additionalProperties"),
                "`additionalProperties: false` would make a new server field fail the decode",
            ));
        }
        Some(ap @ Value::Object(_)) => {
            lint_node(file, &format!("{pointer}/additionalProperties"), ap, false)?
        }
        _ => {}
    }
    if let Some(items) = obj.get("items") {
        lint_node(file, &format!("{pointer}/items"), items, false)?;
    }
    let format = obj.get("format").and_then(Value::as_str);
    match obj.get("type").and_then(Value::as_str) {
        Some("integer") if !matches!(format, Some("int32" | "int64")) => {
            return Err(SchemaError::at(
                file,
                pointer,
                "an integer needs `\"format\": \"int32\"` or `\"int64\"`",
            ));
        }
        Some("number") if !matches!(format, Some("double" | "float")) => {
            return Err(SchemaError::at(
                file,
                pointer,
                "a number needs `\"format\": \"double\"`",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Checks that every `$ref` under `schema` points at a definition that exists.
fn check_refs(
    file: &str,
    pointer: &str,
    schema: &Value,
    per_file: &BTreeMap<String, BTreeSet<String>>,
) -> Result<(), SchemaError> {
    match schema {
        Value::Object(obj) => {
            if let Some(r) = obj.get("$ref") {
                let r = r.as_str().unwrap_or_default();
                let (target_file, fragment) = match r.split_once('#') {
                    Some(("", fragment)) => (file, fragment),
                    Some((f, fragment)) => (f, fragment),
                    None => (r, ""),
                };
                let exists = fragment.strip_prefix("/definitions/").is_some_and(|name| {
                    per_file.get(target_file).is_some_and(|d| d.contains(name))
                });
                if !exists {
                    return Err(SchemaError::at(
                        file,
                        format!("{pointer}/$ref"),
                        format!("`$ref` to nowhere: `{r}`"),
                    ));
                }
            }
            for (k, v) in obj {
                check_refs(file, &format!("{pointer}/{}", escape(k)), v, per_file)?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_refs(file, &format!("{pointer}/{i}"), v, per_file)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Rewrites `x.json#/definitions/A` to `#/definitions/A` (typify only resolves local refs).
pub fn localize_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref")
                && let Some(i) = r.find('#')
            {
                *r = r[i..].to_string();
            }
            m.values_mut().for_each(localize_refs);
        }
        Value::Array(a) => a.iter_mut().for_each(localize_refs),
        _ => {}
    }
}

/// Names of the definitions referenced (directly) from `v`.
pub fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit_once("/definitions/"))
            {
                out.push(name.1.to_string());
            }
            m.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(files: Vec<(&str, Value)>) -> Result<Schemas, SchemaError> {
        Schemas::from_files(files.into_iter().map(|(f, v)| (f.to_string(), v)).collect())
    }

    fn thing(props: Value) -> Value {
        json!({"definitions": {"Thing": {"type": "object", "description": "A thing.", "properties": props}}})
    }

    #[test]
    fn ref_to_nowhere_names_file_and_pointer() {
        let err = load(vec![(
            "a.json",
            thing(json!({"x": {"description": "x", "$ref": "b.json#/definitions/Nope"}})),
        )])
        .unwrap_err();
        assert_eq!(err.file, "a.json");
        assert_eq!(err.pointer, "/definitions/Thing/properties/x/$ref");
        assert!(err.message.contains("to nowhere"), "{err}");
    }

    #[test]
    fn cross_file_ref_resolves_and_is_localized() {
        let s = load(vec![
            (
                "a.json",
                thing(json!({"x": {"description": "x", "$ref": "b.json#/definitions/Other"}})),
            ),
            (
                "b.json",
                json!({"definitions": {"Other": {"type": "string", "description": "o"}}}),
            ),
        ])
        .unwrap();
        assert_eq!(
            s.get("Thing").unwrap().schema["properties"]["x"]["$ref"],
            "#/definitions/Other"
        );
    }

    #[test]
    fn duplicate_type_name_across_files_is_refused() {
        let other = json!({"definitions": {"Thing": {"type": "string", "description": "again"}}});
        let err = load(vec![("a.json", thing(json!({}))), ("b.json", other)]).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.pointer.as_str()),
            ("b.json", "/definitions/Thing")
        );
        assert!(err.message.contains("duplicate type name"), "{err}");
    }

    #[test]
    fn property_without_description_is_refused() {
        let err = load(vec![("a.json", thing(json!({"x": {"type": "string"}})))]).unwrap_err();
        assert_eq!(err.pointer, "/definitions/Thing/properties/x");
        assert!(err.message.contains("no description"), "{err}");
    }

    #[test]
    fn inline_enum_is_refused() {
        let err = load(vec![(
            "a.json",
            thing(json!({"x": {"type": "string", "description": "x", "enum": ["A"]}})),
        )])
        .unwrap_err();
        assert_eq!(err.pointer, "/definitions/Thing/properties/x");
        assert!(err.message.contains("inline enum"), "{err}");
    }

    #[test]
    fn inline_object_is_refused_but_maps_and_arrays_are_fine() {
        let ok = thing(json!({
            "m": {"type": "object", "description": "m", "additionalProperties": {"type": "string"}},
            "a": {"type": "array", "description": "a", "items": {"type": "integer", "format": "int64"}}
        }));
        load(vec![("a.json", ok)]).unwrap();
        let err = load(vec![(
            "a.json",
            thing(json!({"x": {"type": "object", "description": "x", "properties": {}}})),
        )])
        .unwrap_err();
        assert!(err.message.contains("inline object"), "{err}");
    }

    #[test]
    fn integer_without_format_and_bounds_are_refused() {
        let err = load(vec![(
            "a.json",
            thing(json!({"n": {"type": "integer", "description": "n"}})),
        )])
        .unwrap_err();
        assert!(err.message.contains("int32"), "{err}");
        let err = load(vec![("a.json", thing(json!({"n": {"type": "integer", "format": "int32", "minimum": 0, "description": "n"}})))]).unwrap_err();
        assert_eq!(err.pointer, "/definitions/Thing/properties/n/minimum");
    }

    #[test]
    fn closed_objects_are_refused() {
        let mut v = thing(json!({}));
        v["definitions"]["Thing"]["additionalProperties"] = json!(false);
        let err = load(vec![("a.json", v)]).unwrap_err();
        assert_eq!(err.pointer, "/definitions/Thing/additionalProperties");
    }

    #[test]
    fn default_is_refused_everywhere() {
        let err = load(vec![(
            "a.json",
            thing(json!({"n": {"type": "integer", "format": "int32", "description": "n", "default": 3}})),
        )])
        .unwrap_err();
        assert_eq!(err.pointer, "/definitions/Thing/properties/n/default");
    }

    #[test]
    fn an_extension_has_the_base_properties_and_its_own() {
        let s = load(vec![(
            "a.json",
            json!({"definitions": {
                "Base": {"type": "object", "description": "b", "properties": {
                    "a": {"type": "string", "description": "a"}}},
                "Ext": {"description": "e", "allOf": [{"$ref": "#/definitions/Base"},
                    {"type": "object", "required": ["a", "b"], "properties": {"b": {"type": "string", "description": "b"}}}]}
            }}),
        )])
        .unwrap();
        let ext = s.get("Ext").unwrap();
        assert_eq!(ext.base.as_deref(), Some("Base"));
        assert_eq!(ext.schema["required"], json!(["a", "b"]));
        assert!(ext.schema["properties"]["a"].is_object());
        assert_eq!(s.own_properties("Ext"), vec!["b".to_string()]);
        let err = load(vec![(
            "a.json",
            json!({"definitions": {
                "Base": {"type": "object", "description": "b", "properties": {
                    "a": {"type": "string", "description": "a"}}},
                "Ext": {"description": "e", "allOf": [{"$ref": "#/definitions/Base"},
                    {"type": "object", "properties": {"a": {"type": "string", "description": "again"}}}]}
            }}),
        )])
        .unwrap_err();
        assert!(
            err.message.contains("already a property of `Base`"),
            "{err}"
        );
    }

    #[test]
    fn enum_values_read_both_spellings() {
        let plain = json!({"type": "string", "description": "e", "enum": ["A", "B"]});
        assert_eq!(
            enum_values(&plain).unwrap(),
            vec![("A".into(), None), ("B".into(), None)]
        );
        let documented = json!({"type": "string", "description": "e", "oneOf": [{"const": "A", "description": "first"}]});
        assert_eq!(
            enum_values(&documented).unwrap(),
            vec![("A".into(), Some("first".into()))]
        );
    }

    #[test]
    fn error_display_names_file_and_pointer() {
        let e = SchemaError::at("x.json", "/definitions/A", "bad");
        assert_eq!(e.to_string(), "schema/x.json#/definitions/A: bad");
    }
}
