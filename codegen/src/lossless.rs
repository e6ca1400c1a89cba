//! Lossless structs: every generated struct keeps the JSON fields it does not know in an
//! `unknown_fields` member and writes them back when serialized, so that decode → encode of
//! any answer is the identity (key order aside).
//!
//! typify derives serde's `Deserialize`/`Serialize`; `#[serde(flatten)]` of an extra map would
//! buffer every field of every object (serde's flatten goes through its `Content` type) and
//! roughly halve decode speed. Instead this post-pass replaces the derives by impls written
//! like serde's own derive output — a field-identifier visitor and a `visit_map` that stores
//! each known field directly — with one more arm that keeps an unknown key and its value.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;

use crate::error::SchemaError;

/// Name of the member that holds the unknown fields.
pub const UNKNOWN_FIELDS: &str = "unknown_fields";

/// What happens when a field is absent from the JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Absent {
    /// `Default::default()` (typify's `#[serde(default)]`: optional arrays and maps).
    Default,
    /// `None` (an `Option` field).
    None,
    /// A decode error: the field is required.
    Required,
}

/// A field of a generated struct, as typify described it.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust member name (`type_` for `type`).
    pub ident: syn::Ident,
    /// The JSON key.
    pub wire: String,
    absent: Absent,
    /// Whether the member's type is `Copy` (a number or boolean, or an `Option` of one).
    pub copy: bool,
    /// `skip_serializing_if` predicate, if any.
    skip: Option<TokenStream>,
}

impl Field {
    /// Whether the field must be present in the JSON (a non-`Option` member without default).
    pub fn is_required(&self) -> bool {
        self.absent == Absent::Required
    }
}

/// A generated struct and its fields (in member order).
#[derive(Debug, Clone)]
pub struct StructInfo {
    /// The type name.
    pub ident: syn::Ident,
    /// Its fields, `unknown_fields` excluded.
    pub fields: Vec<Field>,
}

/// Rewrites every struct of typify's output into a lossless one and returns the serde impls
/// (and the struct descriptions, for other generated code).
pub fn transform(file: &mut syn::File) -> Result<(Vec<StructInfo>, TokenStream), SchemaError> {
    let mut infos = Vec::new();
    let mut impls = Vec::new();
    for item in &mut file.items {
        let syn::Item::Struct(s) = item else { continue };
        let info = rewrite_struct(s)?;
        impls.push(serialize_impl(&info));
        impls.push(deserialize_impl(&info));
        infos.push(info);
    }
    Ok((infos, quote! { #(#impls)* }))
}

fn error(name: &syn::Ident, message: impl Into<String>) -> SchemaError {
    SchemaError::at("*.json", format!("/definitions/{name}"), message)
}

/// Drops serde's derives and attributes from `s`, records its fields, and adds
/// `unknown_fields`.
fn rewrite_struct(s: &mut syn::ItemStruct) -> Result<StructInfo, SchemaError> {
    for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let derives = attr
            .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .map_err(|e| error(&s.ident, format!("unexpected derive: {e}")))?;
        let kept: Vec<&syn::Path> = derives
            .iter()
            .filter(|p| {
                let last = p.segments.last().map(|s| s.ident.to_string());
                !matches!(last.as_deref(), Some("Serialize" | "Deserialize"))
            })
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    if s.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return Err(error(
            &s.ident,
            "a container-level serde attribute (the schema needs a feature the lossless models do not support)",
        ));
    }
    let syn::Fields::Named(named) = &mut s.fields else {
        return Err(error(
            &s.ident,
            "typify generated a struct without named fields",
        ));
    };
    let mut fields = Vec::new();
    for field in named.named.iter_mut() {
        let ident = field.ident.clone().expect("named field");
        let mut wire = ident.to_string();
        let mut default = false;
        let mut skip = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    wire = meta.value()?.parse::<syn::LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    if meta.input.peek(syn::Token![=]) {
                        return Err(meta.error("`default = ...` is not supported"));
                    }
                    default = true;
                } else if meta.path.is_ident("skip_serializing_if") {
                    let path = meta.value()?.parse::<syn::LitStr>()?;
                    skip = Some(quote::ToTokens::to_token_stream(
                        &path.parse::<syn::ExprPath>()?,
                    ));
                } else {
                    return Err(meta.error("unsupported serde attribute"));
                }
                Ok(())
            })
            .map_err(|e| error(&s.ident, format!("field `{ident}`: {e}")))?;
        }
        field.attrs.retain(|a| !a.path().is_ident("serde"));
        let absent = if default {
            Absent::Default
        } else if is_option(&field.ty) {
            Absent::None
        } else {
            Absent::Required
        };
        fields.push(Field {
            ident,
            wire,
            absent,
            copy: is_copy(&field.ty),
            skip,
        });
    }
    let unknown = format_ident!("{}", UNKNOWN_FIELDS);
    named.named.push(syn::parse_quote! {
        /// Fields of the JSON object this version of the SDK does not know, kept as they came
        /// and written back on serialization (so a decoded value re-encodes to what the
        /// service sent, and get → edit never drops a setting). Empty for values built in code.
        pub #unknown: crate::UnknownFields
    });
    Ok(StructInfo {
        ident: s.ident.clone(),
        fields,
    })
}

/// Numbers and booleans, and `Option`s of them.
fn is_copy(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return is_copy(inner);
    }
    matches!(
        last.ident.to_string().as_str(),
        "bool" | "i32" | "i64" | "u32" | "u64" | "f32" | "f64"
    )
}

fn is_option(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.path.segments.last().is_some_and(|s| s.ident == "Option")
}

fn serialize_impl(info: &StructInfo) -> TokenStream {
    let ident = &info.ident;
    let unknown = format_ident!("{}", UNKNOWN_FIELDS);
    let entries = info.fields.iter().map(|f| {
        let (member, wire) = (&f.ident, &f.wire);
        match &f.skip {
            Some(skip) => quote! {
                if !#skip(&self.#member) {
                    map.serialize_entry(#wire, &self.#member)?;
                }
            },
            None => quote! { map.serialize_entry(#wire, &self.#member)?; },
        }
    });
    quote! {
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                #(#entries)*
                for (key, value) in self.#unknown.iter() {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

fn deserialize_impl(info: &StructInfo) -> TokenStream {
    let ident = &info.ident;
    let unknown = format_ident!("{}", UNKNOWN_FIELDS);
    let variants: Vec<syn::Ident> = (0..info.fields.len())
        .map(|i| format_ident!("F{}", i))
        .collect();
    let wires: Vec<&String> = info.fields.iter().map(|f| &f.wire).collect();
    let slots: Vec<syn::Ident> = (0..info.fields.len())
        .map(|i| format_ident!("f{}", i))
        .collect();
    let expecting = format!("a {ident} JSON object");
    let arms = variants.iter().zip(&slots).zip(&wires).map(|((v, slot), wire)| {
        quote! {
            Field::#v => {
                if #slot.is_some() {
                    return ::std::result::Result::Err(<A::Error as ::serde::de::Error>::duplicate_field(#wire));
                }
                #slot = ::std::option::Option::Some(map.next_value()?);
            }
        }
    });
    let inits = info.fields.iter().zip(&slots).map(|(f, slot)| {
        let (member, wire) = (&f.ident, &f.wire);
        match f.absent {
            // Absent: the default (an empty list or map) or `None`.
            Absent::Default | Absent::None => quote! { #member: #slot.unwrap_or_default(), },
            Absent::Required => quote! {
                #member: match #slot {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(<A::Error as ::serde::de::Error>::missing_field(#wire));
                    }
                },
            },
        }
    });
    let slot_decls = slots.iter().map(|slot| {
        quote! { let mut #slot = ::std::option::Option::None; }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                /// A known field, or `Unknown` (its name is put in the seed's slot): a one-byte
                /// key, whatever the name.
                #[derive(Clone, Copy)]
                enum Field {
                    #(#variants,)*
                    Unknown,
                }
                /// Reads a field name; an unknown one goes into the slot.
                struct FieldSeed<'a>(&'a mut ::std::option::Option<::std::string::String>);
                impl<'de> ::serde::de::DeserializeSeed<'de> for FieldSeed<'_> {
                    type Value = Field;
                    fn deserialize<D: ::serde::Deserializer<'de>>(self, deserializer: D) -> ::std::result::Result<Field, D::Error> {
                        deserializer.deserialize_identifier(self)
                    }
                }
                impl ::serde::de::Visitor<'_> for FieldSeed<'_> {
                    type Value = Field;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a field name")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<Field, E> {
                        ::std::result::Result::Ok(match value {
                            #(#wires => Field::#variants,)*
                            other => {
                                *self.0 = ::std::option::Option::Some(::std::string::ToString::to_string(other));
                                Field::Unknown
                            }
                        })
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<Field, E> {
                        ::std::result::Result::Ok(match value.as_str() {
                            #(#wires => Field::#variants,)*
                            _ => {
                                *self.0 = ::std::option::Option::Some(value);
                                Field::Unknown
                            }
                        })
                    }
                }
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#ident, A::Error> {
                        #(#slot_decls)*
                        let mut #unknown = crate::UnknownFields::default();
                        let mut name = ::std::option::Option::None;
                        while let ::std::option::Option::Some(key) = map.next_key_seed(FieldSeed(&mut name))? {
                            match key {
                                #(#arms)*
                                Field::Unknown => {
                                    #unknown.insert(name.take().unwrap_or_default(), map.next_value()?);
                                }
                            }
                        }
                        ::std::result::Result::Ok(#ident {
                            #(#inits)*
                            #unknown,
                        })
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_derives_and_attributes_are_replaced_and_unknown_fields_added() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            pub struct Thing {
                pub id: ::std::string::String,
                #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                pub type_: ::std::option::Option<::std::string::String>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<::std::string::String>,
            }
        };
        let (infos, impls) = transform(&mut file).unwrap();
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("#[derive(Clone, Debug, PartialEq)]"),
            "{code}"
        );
        assert!(!code.contains("serde("), "{code}");
        assert!(
            code.contains("pub unknown_fields: crate::UnknownFields"),
            "{code}"
        );
        let fields: Vec<(String, String, Absent)> = infos[0]
            .fields
            .iter()
            .map(|f| (f.ident.to_string(), f.wire.clone(), f.absent.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("id".into(), "id".into(), Absent::Required),
                ("type_".into(), "type".into(), Absent::None),
                ("tags".into(), "tags".into(), Absent::Default),
            ]
        );
        let impls = impls.to_string();
        assert!(impls.contains("missing_field (\"id\")"), "{impls}");
        assert!(impls.contains("\"type\" => Field :: F1"), "{impls}");
        assert!(impls.contains("Field :: Unknown =>"), "{impls}");
    }

    #[test]
    fn unsupported_serde_attributes_are_refused() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Thing {
                #[serde(deserialize_with = "x")]
                pub id: ::std::option::Option<i64>,
            }
        };
        let err = transform(&mut file).unwrap_err();
        assert!(err.message.contains("unsupported serde attribute"), "{err}");
    }
}
