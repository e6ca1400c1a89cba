//! Model types: structs from typify, enums from [`crate::enums`], in one `models.rs`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use schemars::schema::Schema;
use typify_impl::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use crate::error::SchemaError;
use crate::lossless::StructInfo;
use crate::schema::Schemas;
use crate::summary::keep_first_doc_paragraph;

/// Definitions that are not generated but mapped onto hand-written runtime types.
pub const RUNTIME_TYPES: &[(&str, &str)] = &[("SensitiveString", "crate::SensitiveString")];

/// The rendered models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Models {
    /// `models.rs`: lossless structs, open enums, conversions.
    pub code: String,
    /// Its reviewable summary (see [`crate::summary`]).
    pub summary: String,
    /// The same structs as typify derives them (serde's derives, unknown fields dropped): the
    /// benchmark's baseline.
    pub plain: String,
}

/// Renders `models.rs` for all definitions, its summary, and the plain structs. `request_types`
/// (the types sent as request bodies) get a `Default` impl even when a required string field
/// keeps typify from deriving one, so callers can write `Type { required: ..,
/// ..Default::default() }`.
pub fn render(schemas: &Schemas, request_types: &[String]) -> Result<Models, SchemaError> {
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_derive("PartialEq".to_string())
        .with_struct_builder(false)
        .with_map_type("::indexmap::IndexMap");
    let mut enums = Vec::new();
    let mut enum_summaries = Vec::new();
    let mut defs = BTreeMap::new();
    for (name, def) in &schemas.definitions {
        let runtime = RUNTIME_TYPES.iter().find(|(n, _)| n == name);
        if let Some((_, path)) = runtime {
            settings.with_replacement(name, path, std::iter::empty());
        } else if let Some(values) = schemas.enum_values(name) {
            settings.with_replacement(
                name,
                name,
                [TypeSpaceImpl::FromStr, TypeSpaceImpl::Display].into_iter(),
            );
            let (code, summary) = crate::enums::render(
                &def.file,
                &def.pointer(name),
                name,
                def.description(),
                &values,
            )?;
            enums.push(code);
            enum_summaries.push(summary);
        }
        let schema: Schema = serde_json::from_value(def.schema.clone()).map_err(|e| {
            SchemaError::at(
                &def.file,
                def.pointer(name),
                format!("not a schema typify understands: {e}"),
            )
        })?;
        defs.insert(name.clone(), schema);
    }
    let mut space = TypeSpace::new(&settings);
    space
        .add_ref_types(defs)
        .map_err(|e| SchemaError::at("*.json", "", format!("typify: {e}")))?;
    if space.uses_chrono() || space.uses_uuid() || space.uses_regress() {
        return Err(SchemaError::at(
            "*.json",
            "",
            "a schema needs chrono, uuid or regress (date-time/uuid format or a pattern); the SDK does not depend on them",
        ));
    }
    let structs = space.to_stream();
    let mut file: syn::File = syn::parse2(structs).map_err(|e| {
        SchemaError::at("*.json", "", format!("generated models do not parse: {e}"))
    })?;
    file.items
        .retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "error"));
    let plain = prettyplease::unparse(&file);
    let (infos, serde_impls) = crate::lossless::transform(&mut file)?;
    polish(&mut file, request_types);
    let conversions = conversions(schemas, &infos)?;
    let registry = roundtrip_registry(&infos);
    let parse = |tokens: TokenStream| {
        syn::parse2::<syn::File>(tokens).map_err(|e| {
            SchemaError::at("*.json", "", format!("generated models do not parse: {e}"))
        })
    };
    let extras = parse(quote! { #conversions #registry })?;
    let summary = summary(&file.items, &infos, &extras.items, &enum_summaries)?;
    let impls = parse(serde_impls)?;
    let enums = parse(quote! { #(#enums)* })?;
    file.items.extend(impls.items);
    file.items.extend(extras.items);
    file.items.extend(enums.items);
    Ok(Models {
        code: format!(
            "{}{}",
            crate::GENERATED_HEADER,
            prettyplease::unparse(&file)
        ),
        summary,
        plain: format!("{}{plain}", crate::GENERATED_HEADER),
    })
}

/// The summary of `models.rs`: every struct with the first line of its doc, its derives and
/// its fields (Rust type; `#[serde(rename)]` where the wire name differs), the conversions and
/// functions without bodies, and the enums with their wire values.
fn summary(
    structs: &[syn::Item],
    infos: &[StructInfo],
    extras: &[syn::Item],
    enums: &[TokenStream],
) -> Result<String, SchemaError> {
    let mut items = Vec::new();
    for item in structs {
        let syn::Item::Struct(s) = item else { continue };
        let mut s = s.clone();
        keep_first_doc_paragraph(&mut s.attrs);
        let info = infos.iter().find(|i| i.ident == s.ident);
        if let syn::Fields::Named(named) = &mut s.fields {
            named.named = std::mem::take(&mut named.named)
                .into_iter()
                .filter(|f| {
                    f.ident
                        .as_ref()
                        .is_some_and(|i| i != crate::lossless::UNKNOWN_FIELDS)
                })
                .map(|mut f| {
                    f.attrs.clear();
                    let wire = info
                        .and_then(|info| {
                            info.fields
                                .iter()
                                .find(|x| Some(&x.ident) == f.ident.as_ref())
                        })
                        .map(|x| x.wire.as_str());
                    if let Some(wire) = wire.filter(|w| f.ident.as_ref().is_some_and(|i| i != w)) {
                        f.attrs.push(syn::parse_quote!(#[serde(rename = #wire)]));
                    }
                    f
                })
                .collect();
        }
        items.push(quote! { #s });
    }
    for item in extras {
        match item.clone() {
            syn::Item::Impl(mut i) => {
                i.attrs.clear();
                i.items.clear();
                items.push(quote! { #i });
            }
            syn::Item::Fn(mut f) => {
                keep_first_doc_paragraph(&mut f.attrs);
                f.block.stmts.clear();
                items.push(quote! { #f });
            }
            other => items.push(quote! { #other }),
        }
    }
    items.extend(enums.iter().cloned());
    crate::summary::print(
        quote! { #(#items)* },
        "models.rs",
        "Every struct also has `pub unknown_fields: UnknownFields` and lossless serde impls; every \
enum also has `as_str`, `From<&str>`, `From<String>`, `FromStr`, `Display` and serde impls. \
Enum variants show their wire value: `Variant = \"WIRE\"`.",
    )
}

/// For every extension `D` of a base `B` (`allOf`): `From<&D> for B` (the base's fields of a
/// `D`) and `From<B> for D` (a `D` with the base's fields, unknown fields included, and its own
/// fields unset; a required own field gets its type's default).
fn conversions(schemas: &Schemas, infos: &[StructInfo]) -> Result<TokenStream, SchemaError> {
    let find = |name: &str| infos.iter().find(|i| i.ident == name);
    let mut out = Vec::new();
    for (name, def) in &schemas.definitions {
        let Some(base) = &def.base else { continue };
        let (Some(derived), Some(base_info)) = (find(name), find(base)) else {
            return Err(SchemaError::at(
                &def.file,
                def.pointer(name),
                format!("`{name}` or its base `{base}` is not a generated struct"),
            ));
        };
        let (d, b) = (&derived.ident, &base_info.ident);
        let mut to_base = Vec::new();
        let mut from_base = Vec::new();
        for bf in &base_info.fields {
            let df = derived
                .fields
                .iter()
                .find(|f| f.wire == bf.wire)
                .expect("an extension has every base field");
            let (dm, bm) = (&df.ident, &bf.ident);
            let copied = if df.copy {
                quote! { value.#dm }
            } else {
                quote! { value.#dm.clone() }
            };
            match (df.is_required(), bf.is_required()) {
                (true, false) => {
                    to_base.push(quote! { #bm: ::std::option::Option::Some(#copied), });
                    from_base.push(quote! { #dm: value.#bm.unwrap_or_default(), });
                }
                _ => {
                    to_base.push(quote! { #bm: #copied, });
                    from_base.push(quote! { #dm: value.#bm, });
                }
            }
        }
        for df in derived
            .fields
            .iter()
            .filter(|f| !base_info.fields.iter().any(|b| b.wire == f.wire))
        {
            let dm = &df.ident;
            from_base.push(quote! { #dm: ::std::default::Default::default(), });
        }
        let unknown = format_ident!("{}", crate::lossless::UNKNOWN_FIELDS);
        let to_doc = format!(
            " The [`{b}`] part of a [`{d}`] (its unknown fields are not carried over: they may be {d}-only)."
        );
        let from_doc = format!(
            " A [`{d}`] with the fields (and unknown fields) of a [`{b}`]; the fields only {d} has are unset."
        );
        out.push(quote! {
            impl ::std::convert::From<&#d> for #b {
                #[doc = #to_doc]
                fn from(value: &#d) -> Self {
                    Self { #(#to_base)* #unknown: ::std::default::Default::default() }
                }
            }
            impl ::std::convert::From<#b> for #d {
                #[doc = #from_doc]
                fn from(value: #b) -> Self {
                    Self { #(#from_base)* #unknown: value.#unknown }
                }
            }
        });
    }
    Ok(quote! { #(#out)* })
}

/// `roundtrip_json(type, json)`: decodes `json` as the named model and encodes it again; the
/// SDK's property tests use it to check that every model is lossless.
fn roundtrip_registry(infos: &[StructInfo]) -> TokenStream {
    let arms = infos.iter().map(|i| {
        let ident = &i.ident;
        let name = ident.to_string();
        quote! {
            #name => ::serde_json::from_str::<#ident>(json).and_then(|v| ::serde_json::to_string(&v)),
        }
    });
    quote! {
        /// Decodes `json` as the model named `type_name` and encodes it again (`None` for a name
        /// that is not a generated struct). For tests that check the models are lossless.
        #[doc(hidden)]
        pub fn roundtrip_json(
            type_name: &str,
            json: &str,
        ) -> ::std::option::Option<::std::result::Result<::std::string::String, ::serde_json::Error>> {
            ::std::option::Option::Some(match type_name {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }
    }
}

/// Post-pass over typify's output: derives `Default` on request types and on the structs they
/// contain whose fields all have a default (see [`with_default`]), and puts a space after
/// `///`.
fn polish(file: &mut syn::File, request_types: &[String]) {
    let defaults = with_default(file, request_types);
    for item in &mut file.items {
        let syn::Item::Struct(s) = item else { continue };
        space_docs(&mut s.attrs);
        for field in s.fields.iter_mut() {
            space_docs(&mut field.attrs);
        }
        if defaults.contains(&s.ident.to_string()) {
            add_default(&mut s.attrs);
        }
    }
}

/// The structs that get `Default`: the request types, and the structs reachable from them
/// whose required fields all have a default (strings, numbers, booleans, options, lists, maps,
/// boxes of such, or structs that have one), so that a nested part of a request is written
/// `Task { task_key: .., ..Default::default() }` too. A struct with a required enum has none.
fn with_default(file: &syn::File, request_types: &[String]) -> std::collections::BTreeSet<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let structs: BTreeMap<String, (Vec<syn::Type>, bool)> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => {
                let derived = s
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("derive"))
                    .any(|a| a.meta.to_token_stream().to_string().contains("Default"));
                let types = s.fields.iter().map(|f| f.ty.clone()).collect();
                Some((s.ident.to_string(), (types, derived)))
            }
            _ => None,
        })
        .collect();
    let mut reachable: BTreeSet<String> = request_types.iter().cloned().collect();
    let mut todo: Vec<String> = request_types.to_vec();
    while let Some(name) = todo.pop() {
        for ty in structs
            .get(&name)
            .map(|(t, _)| t.as_slice())
            .unwrap_or_default()
        {
            for ident in type_idents(ty) {
                if structs.contains_key(&ident) && reachable.insert(ident.clone()) {
                    todo.push(ident);
                }
            }
        }
    }
    let mut ok: BTreeSet<String> = structs
        .iter()
        .filter(|(_, (_, derived))| *derived)
        .map(|(name, _)| name.clone())
        .chain(request_types.iter().cloned())
        .collect();
    loop {
        let more: Vec<String> = reachable
            .iter()
            .filter(|name| !ok.contains(*name))
            .filter(|name| {
                structs
                    .get(*name)
                    .is_some_and(|(types, _)| types.iter().all(|t| has_default(t, &ok)))
            })
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        ok.extend(more);
    }
    ok.retain(|name| reachable.contains(name));
    ok
}

/// Every identifier of a type's path and generic arguments.
fn type_idents(ty: &syn::Type) -> Vec<String> {
    ty.to_token_stream()
        .into_iter()
        .filter_map(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether `ty` has a `Default` (`ok`: the structs known to have one).
fn has_default(ty: &syn::Type, ok: &std::collections::BTreeSet<String>) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    match last.ident.to_string().as_str() {
        "Option" | "Vec" | "IndexMap" | "String" | "i64" | "i32" | "u64" | "bool" | "f64"
        | "UnknownFields" | "Value" | "Map" => true,
        "Box" => match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => args.args.iter().all(|arg| match arg {
                syn::GenericArgument::Type(inner) => has_default(inner, ok),
                _ => true,
            }),
            _ => false,
        },
        other => ok.contains(other),
    }
}

fn space_docs(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &mut nv.value
        {
            let text = s.value();
            if !text.starts_with(' ') && !text.is_empty() {
                *s = syn::LitStr::new(&format!(" {text}"), s.span());
            }
        }
    }
}

fn add_default(attrs: &mut Vec<syn::Attribute>) {
    let derives: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .map(|a| a.meta.to_token_stream().to_string())
        .collect();
    if !derives.iter().any(|d| d.contains("Default")) {
        attrs.push(syn::parse_quote!(#[derive(Default)]));
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
                "Req": {"type": "object", "description": "A request.", "required": ["id"], "properties": {
                    "id": {"type": "string", "description": "The id."},
                    "state": {"description": "State.", "$ref": "#/definitions/State"},
                    "secret": {"description": "Secret.", "$ref": "#/definitions/SensitiveString"}
                }},
                "State": {"type": "string", "description": "A state.", "enum": ["ON", "OFF"]},
                "SensitiveString": {"type": "string", "description": "Masked."}
            }}),
        )])
        .unwrap()
    }

    #[test]
    fn enums_are_open_and_runtime_types_replaced() {
        let code = render(&schemas(), &[]).unwrap().code;
        assert!(code.contains("Unknown(::std::string::String)"), "{code}");
        assert!(
            code.contains("::std::option::Option<crate::SensitiveString>"),
            "{code}"
        );
        assert!(!code.contains("pub struct SensitiveString"), "{code}");
        assert!(!code.contains("pub mod error"), "{code}");
        assert!(code.contains("/// A request."), "{code}");
    }

    #[test]
    fn request_types_get_default() {
        let plain = render(&schemas(), &[]).unwrap().code;
        let request = render(&schemas(), &["Req".to_string()]).unwrap().code;
        assert!(!plain.contains("#[derive(Default)]"), "{plain}");
        assert!(request.contains("#[derive(Default)]"), "{request}");
    }
}
