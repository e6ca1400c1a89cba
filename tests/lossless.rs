//! Property test of the models: for every generated struct, documents generated from the
//! schema — random subsets of its fields, random values, unknown enum values, and fields the
//! schema does not know at every level — decode and encode back to the same JSON.
//!
//! Two normalizations are by design and not generated here: a known field sent as `null`, and
//! an empty list or map, are read as absent and not written back (the service omits empty
//! lists itself; `null_members_and_empty_lists_decode_as_absent` pins it).

use azure_databricks_sdk::models::roundtrip_json;
use serde_json::{Map, Value, json};

/// Every definition of `schema/`, `$ref`s local and extensions merged, as the generator saw it
/// (written by build.rs with the SDK's `dev-files` feature, which the crate's dev-dependency on
/// itself turns on for tests).
const SCHEMA: &str = include_str!(concat!(env!("OUT_DIR"), "/schema.json"));

/// Documents generated per type.
const CASES: usize = 40;
/// Nesting below which only required fields are generated (keeps documents finite).
const MAX_DEPTH: usize = 5;

struct Generator<'a> {
    definitions: &'a Map<String, Value>,
    rng: fastrand::Rng,
    unknown_fields: usize,
}

impl Generator<'_> {
    fn definition(&mut self, name: &str, depth: usize) -> Value {
        let schema = &self.definitions[name];
        if let Some(values) = enum_values(schema) {
            return if self.rng.u8(..10) == 0 {
                json!(format!("FUTURE_VALUE_{}", self.rng.u16(..)))
            } else {
                json!(values[self.rng.usize(..values.len())])
            };
        }
        self.value(schema, depth)
    }

    fn value(&mut self, schema: &Value, depth: usize) -> Value {
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            return self.definition(name, depth);
        }
        match schema["type"].as_str() {
            Some("string") => json!(format!("s{}", self.rng.u32(..))),
            Some("boolean") => json!(self.rng.bool()),
            Some("integer") if schema["format"] == "int32" => json!(self.rng.i32(..)),
            Some("integer") => json!(self.rng.i64(..)),
            // Quarters are exact in binary: the encoder writes back the same number.
            Some("number") => json!(f64::from(self.rng.i32(-4000..4000)) / 4.0),
            Some("array") => {
                let n = if depth >= MAX_DEPTH {
                    1
                } else {
                    self.rng.usize(1..4)
                };
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&schema["items"], depth + 1))
                        .collect(),
                )
            }
            Some("object") if schema.get("properties").is_some() => self.object(schema, depth),
            Some("object") => {
                let n = if depth >= MAX_DEPTH {
                    1
                } else {
                    self.rng.usize(1..4)
                };
                let values = &schema["additionalProperties"];
                Value::Object(
                    (0..n)
                        .map(|i| (format!("key{i}"), self.value(values, depth + 1)))
                        .collect(),
                )
            }
            // A free-form value (`{}`): anything JSON, kept as it is.
            None if schema
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "description")) =>
            {
                json!({"any": [self.rng.u32(..), "text", true, null]})
            }
            // No type: any JSON value (a SCIM patch's `value`).
            None => json!([format!("s{}", self.rng.u32(..)), {"k": self.rng.bool()}, null]),
            _ => panic!("the generator does not know {schema}"),
        }
    }

    fn object(&mut self, schema: &Value, depth: usize) -> Value {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut object = Map::new();
        for (name, property) in schema["properties"].as_object().unwrap() {
            let wanted = depth < MAX_DEPTH && self.rng.u8(..10) < 7;
            if required.contains(&name.as_str()) || wanted {
                object.insert(name.clone(), self.value(property, depth + 1));
            }
        }
        // Fields the schema does not know, at this level: scalars and nested JSON.
        for i in 0..self.rng.usize(0..3) {
            self.unknown_fields += 1;
            let value = match self.rng.u8(..4) {
                0 => json!(null),
                1 => json!(self.rng.i64(..)),
                2 => json!({"nested": [1, "two", {"three": false}]}),
                _ => json!(format!("unknown-{i}")),
            };
            object.insert(format!("zz_field_of_the_future_{i}"), value);
        }
        Value::Object(object)
    }
}

fn enum_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(values) = schema["enum"].as_array() {
        return Some(
            values
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
        );
    }
    let one_of = schema["oneOf"].as_array()?;
    Some(
        one_of
            .iter()
            .filter_map(|v| v["const"].as_str().map(String::from))
            .collect(),
    )
}

#[test]
fn decode_then_encode_of_any_document_is_the_identity() {
    let definitions: Map<String, Value> = serde_json::from_str(SCHEMA).unwrap();
    let mut generator = Generator {
        definitions: &definitions,
        rng: fastrand::Rng::with_seed(0x5eed),
        unknown_fields: 0,
    };
    let mut structs = 0;
    for (name, schema) in &definitions {
        if schema.get("properties").is_none() {
            continue; // enums and plain strings
        }
        structs += 1;
        for case in 0..CASES {
            let document = generator.definition(name, 0);
            let text = document.to_string();
            let back = roundtrip_json(name, &text)
                .unwrap_or_else(|| panic!("{name} is not a generated struct"))
                .unwrap_or_else(|e| panic!("{name} case {case} does not decode: {e}\n{text}"));
            let back: Value = serde_json::from_str(&back).unwrap();
            assert_eq!(back, document, "{name} case {case} changed in a round trip");
        }
    }
    assert!(structs > 40, "only {structs} structs in the schema?");
    assert!(
        generator.unknown_fields > 1000,
        "unknown fields were generated"
    );
}

#[test]
fn null_members_and_empty_lists_decode_as_absent() {
    let back = roundtrip_json("AutoScale", r#"{"min_workers": null, "max_workers": 3}"#)
        .unwrap()
        .unwrap();
    assert_eq!(back, r#"{"max_workers":3}"#);
    let back = roundtrip_json("CloudProviderNodeInfo", r#"{"status": []}"#)
        .unwrap()
        .unwrap();
    assert_eq!(back, "{}");
}
