//! Schema facts as data: the operations table (`operations.rs`) and the names of secret
//! fields that logging masks. The service's rules (`rules.rs`) are in [`crate::rules`].

use std::collections::BTreeSet;

use quote::{format_ident, quote};

use crate::endpoints::EndpointFile;
use crate::error::SchemaError;
use crate::schema::Schemas;
use crate::services::doc_attrs;

/// Name of the model definition whose fields hold secrets.
pub const SENSITIVE_TYPE: &str = "SensitiveString";

/// Renders `operations.rs`: one constant per operation, `ALL`, and `SENSITIVE_FIELDS`.
pub fn render_operations(schemas: &Schemas, file: &EndpointFile) -> Result<String, SchemaError> {
    let mut consts = Vec::new();
    let mut names = Vec::new();
    let mut ids = Vec::new();
    for e in &file.endpoints {
        let ident = format_ident!("{}", e.const_name());
        let operation = e.operation();
        let path = &e.path;
        let idempotent = e.idempotent;
        let method = format_ident!("{}", e.method.variant());
        let id = format_ident!("{}", e.id_variant());
        let request_body = format_ident!("{}", e.request_body.variant());
        let response_body = format_ident!("{}", e.response_body.variant());
        let versions = file.versions(e);
        let not_found = file.not_found_if(e).map(|n| {
            let (status, code, text) = (n.status, &n.error_code, &n.message_contains);
            quote! { NotFoundIf { status: #status, error_code: #code, message_contains: #text } }
        });
        let doc = doc_attrs(&format!(
            "`{}`: `{} {path}`. {}",
            operation,
            e.method.as_str(),
            e.doc.lines().next().unwrap_or_default()
        ));
        consts.push(quote! {
            #doc
            pub const #ident: Operation = Operation {
                id: OperationId::#id,
                name: #operation,
                method: HttpMethod::#method,
                path: #path,
                versions: &[#(#versions),*],
                idempotent: #idempotent,
                not_found_if: &[#(#not_found),*],
                request_body: BodyKind::#request_body,
                response_body: BodyKind::#response_body,
            };
        });
        names.push(ident);
        let doc = doc_attrs(&format!("[`{}`]: `{operation}`.", e.const_name()));
        ids.push(quote! { #doc #id });
    }
    let sensitive = sensitive_fields(schemas, file);
    let extensions = schemas.definitions.iter().filter_map(|(name, def)| {
        let base = def.base.as_ref()?;
        let fields = schemas.own_properties(name);
        let ident = format_ident!("{}_OWN_FIELDS", upper_snake(name));
        let doc = doc_attrs(&format!(
            "The fields [`crate::models::{name}`] adds to [`crate::models::{base}`] (from the schema's `allOf`)."
        ));
        Some(quote! { #doc pub const #ident: &[&str] = &[#(#fields),*]; })
    });
    let tokens = quote! {
        #(#extensions)*
        /// Every operation by name, one variant each, for an exhaustive `match` (the emulator of
        /// this repository routes by it, so that an operation without a handler does not
        /// compile). A new operation of the API adds a variant: match with a wildcard arm
        /// unless you mean to handle every operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum OperationId {
            #(#ids),*
        }
        #(#consts)*
        /// Every operation, in the order of `schema/endpoints.json`.
        pub const ALL: &[Operation] = &[#(#names),*];
        /// Names of the JSON fields whose values are secrets: the properties typed
        /// `SensitiveString` in the schema and the secret body keys of runtime parameter types.
        /// Logging masks their values.
        pub const SENSITIVE_FIELDS: &[&str] = &[#(#sensitive),*];
    };
    crate::unparse(tokens, "endpoints.json")
}

/// `ClusterAttributes` → `CLUSTER_ATTRIBUTES`.
fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Every property name whose type is `SensitiveString` (directly, or as array items or map
/// values), plus the declared secret keys of runtime parameter types; sorted.
pub fn sensitive_fields(schemas: &Schemas, file: &EndpointFile) -> Vec<String> {
    let target = format!("#/definitions/{SENSITIVE_TYPE}");
    let is_sensitive = |schema: &serde_json::Value| {
        [
            &schema["$ref"],
            &schema["items"]["$ref"],
            &schema["additionalProperties"]["$ref"],
        ]
        .iter()
        .any(|r| r.as_str() == Some(target.as_str()))
    };
    let mut fields: BTreeSet<String> = file.sensitive_runtime_fields();
    for def in schemas.definitions.values() {
        if let Some(props) = def.schema["properties"].as_object() {
            fields.extend(
                props
                    .iter()
                    .filter(|(_, p)| is_sensitive(p))
                    .map(|(name, _)| name.clone()),
            );
        }
    }
    fields.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_fields_come_from_the_schema_and_runtime_types() {
        let schemas = Schemas::from_files(vec![(
            "m.json".to_string(),
            json!({"definitions": {
                "SensitiveString": {"type": "string", "description": "s"},
                "Thing": {"type": "object", "description": "t", "properties": {
                    "token_value": {"description": "v", "$ref": "#/definitions/SensitiveString"},
                    "keys": {"type": "array", "description": "k", "items": {"$ref": "#/definitions/SensitiveString"}},
                    "name": {"type": "string", "description": "n"}
                }}
            }}),
        )])
        .unwrap();
        let file = EndpointFile::from_value(
            json!({"services": [{"name": "things", "type_name": "Things", "doc": "T."}],
                   "endpoints": [{"service": "things", "name": "put", "method": "POST", "path": "/api/2.0/things/put",
                   "doc": "Puts.", "idempotent": true,
                   "params": [{"name": "value", "type": {"rust": "SecretValue", "sensitive_fields": ["bytes_value"]}, "description": "v"}]}]}),
            &schemas,
        )
        .unwrap();
        assert_eq!(
            sensitive_fields(&schemas, &file),
            vec!["bytes_value", "keys", "token_value"]
        );
        let code = render_operations(&schemas, &file).unwrap();
        assert!(code.contains("pub const THINGS_PUT: Operation"), "{code}");
        assert!(
            code.contains("pub const ALL: &[Operation] = &[THINGS_PUT];"),
            "{code}"
        );
    }
}
