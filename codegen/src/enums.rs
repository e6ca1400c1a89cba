//! Open enums: every schema enum becomes a Rust enum with a catch-all `Unknown(String)`.
//!
//! typify's enums are closed (one new server value fails the whole decode), so enum definitions
//! are replaced in typify and rendered here instead. An unknown wire value decodes into
//! `Unknown(value)` and serializes back unchanged.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::SchemaError;
use crate::services::doc_attrs;

/// Name of the catch-all variant.
pub const UNKNOWN: &str = "Unknown";

/// The Rust variant name of a wire value (`"NOT_FOUND"` → `NotFound`).
pub fn variant_name(value: &str) -> String {
    let name = value.to_upper_camel_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// Renders the open enum `name` with the given wire values and their descriptions; gives the
/// code and its summary (first doc line, variants as `Variant = "WIRE"`, see
/// [`crate::summary`]).
pub fn render(
    file: &str,
    pointer: &str,
    name: &str,
    description: &str,
    values: &[(String, Option<String>)],
) -> Result<(TokenStream, TokenStream), SchemaError> {
    let ident = format_ident!("{}", name);
    let visitor = format_ident!("{}Visitor", name);
    let mut seen = std::collections::BTreeMap::new();
    let mut known = Vec::new();
    for (value, doc) in values {
        let variant = variant_name(value);
        if variant == UNKNOWN {
            // The service's own "UNKNOWN" value is kept as `Unknown("UNKNOWN")`.
            continue;
        }
        if let Some(other) = seen.insert(variant.clone(), value.clone()) {
            return Err(SchemaError::at(
                file,
                pointer,
                format!(
                    "enum values `{other}` and `{value}` both become the Rust variant `{variant}`"
                ),
            ));
        }
        let doc = doc
            .clone()
            .unwrap_or_else(|| format!("The value `{value}`."));
        known.push((format_ident!("{}", variant), value.clone(), doc));
    }
    let has_unknown_value = values.iter().any(|(v, _)| variant_name(v) == UNKNOWN);
    let mut doc = description.to_string();
    doc.push_str(
        "\n\nThis enum is open: a value this version of the SDK does not know decodes into \
         `Unknown(value)` and is written back unchanged, so always match with a wildcard arm. \
         Build values with `From<&str>` (e.g. `\"VALUE\".into()`), not by constructing `Unknown`.",
    );
    if has_unknown_value {
        doc.push_str(" The service's own value `UNKNOWN` decodes as `Unknown(\"UNKNOWN\")`.");
    }
    let doc = doc_attrs(&doc);
    let variant_defs = known.iter().map(|(v, _, d)| {
        let d = doc_attrs(d);
        quote! { #d #v, }
    });
    let as_str_arms = known.iter().map(|(v, s, _)| quote! { Self::#v => #s, });
    let from_arms = known.iter().map(|(v, s, _)| quote! { #s => Self::#v, });
    let from_arms2 = from_arms.clone();
    let expecting = format!("a {name} string");
    let summary_doc = crate::summary::first_paragraph_doc(description);
    let summary_variants = known.iter().map(|(v, s, _)| quote! { #v = #s, });
    let unknown_doc = if has_unknown_value {
        quote! { #[doc = " Also the service's own value `UNKNOWN`."] }
    } else {
        quote! {}
    };
    let summary = quote! {
        #summary_doc
        #[non_exhaustive]
        pub enum #ident {
            #(#summary_variants)*
            #unknown_doc
            Unknown(::std::string::String),
        }
    };
    let code = quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ident {
            #(#variant_defs)*
            /// A value not known to this version of the SDK, kept verbatim.
            Unknown(::std::string::String),
        }
        impl #ident {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str_arms)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }
        impl ::std::convert::From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #ident {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#from_arms2)*
                    _ => Self::Unknown(value),
                }
            }
        }
        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct #visitor;
                impl ::serde::de::Visitor<'_> for #visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_str<DeError: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#ident, DeError> {
                        Ok(#ident::from(value))
                    }
                    fn visit_string<DeError: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#ident, DeError> {
                        Ok(#ident::from(value))
                    }
                }
                deserializer.deserialize_str(#visitor)
            }
        }
    };
    Ok((code, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_pascal_case() {
        assert_eq!(
            variant_name("NOT_AVAILABLE_IN_REGION"),
            "NotAvailableInRegion"
        );
        assert_eq!(variant_name("RUNNING"), "Running");
        assert_eq!(variant_name("1x"), "V1x");
    }

    #[test]
    fn colliding_values_are_refused() {
        let values = vec![
            ("NotFound".to_string(), None),
            ("NOT_FOUND".to_string(), None),
        ];
        let err = render("a.json", "/definitions/E", "E", "e", &values).unwrap_err();
        assert!(
            err.message
                .contains("both become the Rust variant `NotFound`"),
            "{err}"
        );
    }

    #[test]
    fn the_unknown_value_has_no_variant_of_its_own() {
        let values = vec![("RUNNING".to_string(), None), ("UNKNOWN".to_string(), None)];
        let (code, summary) = render("a.json", "/definitions/E", "E", "e", &values).unwrap();
        let code = code.to_string();
        assert!(code.contains("Running"));
        assert!(!code.contains("\"UNKNOWN\" =>"), "{code}");
        assert!(
            code.contains("decodes as `Unknown(\\\"UNKNOWN\\\")`"),
            "{code}"
        );
        let summary = summary.to_string();
        assert!(summary.contains("Running = \"RUNNING\""), "{summary}");
        assert!(summary.contains("own value `UNKNOWN`"), "{summary}");
    }
}
