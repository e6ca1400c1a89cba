//! Service handles and one method per endpoint, rendered with `quote`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::endpoints::{
    BodyKind, Check, CheckKind, Endpoint, EndpointFile, Location, Paging, Param, ParamType, Rule,
    Service,
};
use crate::error::SchemaError;
use crate::schema::Schemas;

/// Library name used in doc examples.
pub const CRATE: &str = "azure_databricks_sdk";

/// One `#[doc = " line"]` per line, so prettyplease prints ordinary `///` comments.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// Renders `services.rs` (handle structs, accessors and operation methods) and its summary
/// (see [`crate::summary`]).
pub fn render(schemas: &Schemas, file: &EndpointFile) -> Result<(String, String), SchemaError> {
    let mut items = Vec::new();
    let mut summary = Vec::new();
    for service in &file.services {
        items.push(render_service(service));
        let mut ops = Vec::new();
        let mut op_summaries = Vec::new();
        for e in file.endpoints.iter().filter(|e| e.service == service.name) {
            let (code, outline) = render_endpoint(schemas, file, e)?;
            ops.push(code);
            op_summaries.push(outline);
            if let Some(paging) = &e.paging {
                let code = render_paging(schemas, e, paging)?;
                op_summaries.push(crate::summary::outline(&code)?);
                ops.push(code);
            }
        }
        let children: Vec<TokenStream> = file
            .services
            .iter()
            .filter(|c| c.parent() == Some(service.name.as_str()))
            .map(render_accessor)
            .collect();
        let ty = format_ident!("{}", service.type_name);
        items.push(quote! {
            impl<'a> #ty<'a> {
                #(#children)*
                #(#ops)*
            }
        });
        summary.push(crate::summary::outline(&render_service(service))?);
        let children = crate::summary::outline(&quote! { #(#children)* })?;
        summary.push(quote! {
            impl<'a> #ty<'a> {
                #children
                #(#op_summaries)*
            }
        });
    }
    let roots = file
        .services
        .iter()
        .filter(|s| s.parent().is_none())
        .map(|s| {
            let ty = format_ident!("{}", s.type_name);
            let accessor = format_ident!("{}", s.accessor());
            let doc = doc_attrs(&format!(
                "{}\n\nSee [`{}`] for its operations.",
                first_line(&s.doc),
                s.type_name
            ));
            quote! {
                #doc
                pub fn #accessor(&self) -> #ty<'_> {
                    #ty { client: self }
                }
            }
        });
    let roots = quote! {
        impl crate::Client {
            #(#roots)*
        }
    };
    let outline = crate::summary::outline(&roots)?;
    let code = crate::unparse(quote! { #roots #(#items)* }, "endpoints.json")?;
    let summary = crate::summary::print(
        quote! { #outline #(#summary)* },
        "services.rs",
        "Each method: the first paragraph of its doc, its HTTP method and path, its signature, and \
the checks it makes before sending.",
    )?;
    Ok((code, summary))
}

fn first_line(doc: &str) -> &str {
    doc.lines().next().unwrap_or_default()
}

fn render_service(service: &Service) -> TokenStream {
    let ty = format_ident!("{}", service.type_name);
    let doc = doc_attrs(&service.doc);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a> {
            pub(crate) client: &'a crate::Client,
        }
    }
}

fn render_accessor(child: &Service) -> TokenStream {
    let ty = format_ident!("{}", child.type_name);
    let accessor = format_ident!("{}", child.accessor());
    let doc = doc_attrs(&format!(
        "{}\n\nSee [`{}`] for its operations.",
        first_line(&child.doc),
        child.type_name
    ));
    quote! {
        #doc
        pub fn #accessor(&self) -> #ty<'a> {
            #ty { client: self.client }
        }
    }
}

fn model(name: &str) -> TokenStream {
    let ident = format_ident!("{}", name);
    quote! { crate::models::#ident }
}

/// The argument type, the body field type, and whether the argument is already a reference.
/// Enums are passed by value, structs by reference.
fn param_type(schemas: &Schemas, p: &Param) -> (TokenStream, TokenStream, bool) {
    match &p.ty {
        ParamType::Primitive(_) => (quote! { &str }, quote! { &'b str }, true),
        ParamType::Ref { .. } => {
            let name = p.ty.model().unwrap_or_default();
            let m = model(name);
            if schemas.enum_values(name).is_some() {
                (quote! { #m }, quote! { &'b #m }, false)
            } else {
                (quote! { &#m }, quote! { &'b #m }, true)
            }
        }
        ParamType::Rust { rust, .. } => {
            let ident = format_ident!("{}", rust);
            (
                quote! { impl ::std::convert::Into<crate::#ident> },
                quote! { &'b crate::#ident },
                false,
            )
        }
    }
}

/// The path of the operation's constant in `crate::operations`.
fn operation_const(e: &Endpoint) -> TokenStream {
    let ident = format_ident!("{}", e.const_name());
    quote! { crate::operations::#ident }
}

/// The Rust field of a wire name: the name itself, or the snake_case of a camelCase one
/// (`startIndex` → `start_index`, `Resources` → `resources`), as the models name them.
fn field_ident(name: &str) -> syn::Ident {
    format_ident!("{}", heck::ToSnakeCase::to_snake_case(name))
}

/// The runtime call of a check of one value (`value` is a `&str`, or has `len()` for size
/// rules).
fn check_call(
    file: &EndpointFile,
    kind: &CheckKind,
    name: &str,
    value: TokenStream,
) -> TokenStream {
    match kind {
        CheckKind::NonEmpty => quote! { crate::validate::non_empty(#name, #value)?; },
        CheckKind::Rule(rule) => {
            let constant = format_ident!("{}", rule.to_ascii_uppercase());
            match file.rules.get(rule) {
                Some(Rule::Size { .. }) => {
                    quote! { crate::validate::size(&crate::rules::#constant, #name, #value.len())?; }
                }
                _ => quote! { crate::validate::name(&crate::rules::#constant, #name, #value)?; },
            }
        }
    }
}

fn render_checks(schemas: &Schemas, file: &EndpointFile, e: &Endpoint) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for p in &e.params {
        if let Some(check) = &p.check {
            let arg = field_ident(&p.name);
            out.push(check_call(file, check, &p.name, quote! { #arg }));
        }
    }
    let request = e.request.as_ref().map(|r| r.name()).unwrap_or_default();
    for check in &e.checks {
        out.push(match check {
            Check::Field { rule, field } => {
                let ident = field_ident(field);
                let value = if schemas
                    .property(request, field)
                    .is_some_and(|(_, required)| required)
                {
                    quote! { &request.#ident }
                } else {
                    quote! { crate::validate::required(#field, request.#ident.as_deref())? }
                };
                check_call(file, rule, field, value)
            }
            Check::Group { rule, fields } => {
                let rule = format_ident!("{}", rule.name());
                let pairs = fields.iter().map(|name| {
                    let ident = field_ident(name);
                    quote! { (#name, request.#ident.is_some()) }
                });
                quote! { crate::validate::#rule(&[#(#pairs),*])?; }
            }
        });
    }
    out
}

fn render_doc(schemas: &Schemas, e: &Endpoint, returns: &str) -> TokenStream {
    let method = e.method.as_str();
    let mut doc = format!("{}\n\n`{method} {}`", e.doc.trim_end(), e.path);
    if !e.params.is_empty() {
        doc.push_str("\n\n# Arguments\n");
        for p in &e.params {
            let optional = if p.optional {
                "(optional, `None`: not sent) "
            } else {
                ""
            };
            doc.push_str(&format!("\n* `{}`: {optional}{}", p.name, p.description));
        }
    }
    doc.push_str(&format!("\n\n# Returns\n\n{returns}"));
    doc.push_str("\n\n# Errors\n\n[`crate::Error::Api`] with the service's answer, or a transport or decode error.");
    let checked: Vec<String> = e
        .params
        .iter()
        .filter(|p| p.check.is_some())
        .map(|p| format!("`{}`", p.name))
        .chain(e.checks.iter().map(|c| match c {
            Check::Field { field, .. } => format!("`{field}`"),
            Check::Group { rule, fields } => {
                format!("{} `{}`", rule.name().replace('_', " "), fields.join("`/`"))
            }
        }))
        .collect();
    if !checked.is_empty() {
        doc.push_str(&format!(
            " [`crate::Error::InvalidInput`], before anything is sent, when these are invalid: {}.",
            checked.join(", ")
        ));
    }
    let token_doc;
    doc.push_str(if let Some(field) = &e.idempotency_token {
        token_doc = format!("\n\nSafe to retry: the request carries an `{field}` (yours, or a random one the SDK sets when you leave it unset), and the service answers a repeated request with the result of the first one instead of doing the work twice (for `clusters/create`: as long as the first cluster has not terminated; the service then forgets the token). So it is retried on throttling, connection failures and temporary failures, like idempotent operations (see [`crate::RetryPolicy`]).");
        &token_doc
    } else if e.idempotent {
        "\n\nIdempotent: retried on throttling, connection failures and temporary failures (see [`crate::RetryPolicy`])."
    } else {
        "\n\nNot idempotent: retried only when it cannot have been processed (see [`crate::RetryPolicy`])."
    });
    if !e.example.is_empty() {
        doc.push_str(&format!(
            "\n\n# Example\n\n```no_run\n# fn example(client: &{CRATE}::Client) -> {CRATE}::Result<()> {{\n# use {CRATE}::models::*;\n{}\n# Ok(())\n# }}\n```",
            e.example.join("\n")
        ));
    }
    let _ = schemas;
    doc_attrs(&doc)
}

/// The method of an operation, and its summary: first doc line, HTTP method and path,
/// signature, checks.
fn render_endpoint(
    schemas: &Schemas,
    file: &EndpointFile,
    e: &Endpoint,
) -> Result<(TokenStream, TokenStream), SchemaError> {
    let (name, visibility) = if e.wrapped {
        (format_ident!("send_{}", e.name), quote! { pub(crate) })
    } else {
        (format_ident!("{}", e.name), quote! { pub })
    };
    let operation = operation_const(e);
    let checks = render_checks(schemas, file, e);

    let (ret, returns, finish) = match (&e.response, &e.unwrap) {
        (None, _) => (
            quote! { () },
            "Nothing: the service answers `{}` or an empty body.".to_string(),
            Some(quote! { Ok(()) }),
        ),
        (Some(r), None) => {
            let ty = model(r.name());
            (
                quote! { #ty },
                format!("[`crate::models::{}`].", r.name()),
                None,
            )
        }
        (Some(r), Some(field)) => {
            let (item_schema, _) = schemas
                .property(r.name(), field)
                .expect("checked by the endpoint loader");
            let item = item_schema["items"]["$ref"]
                .as_str()
                .and_then(|s| s.rsplit('/').next())
                .ok_or_else(|| {
                    SchemaError::at(
                        "endpoints.json",
                        "",
                        format!("`{}.{field}` must be an array of a named type", r.name()),
                    )
                })?;
            let item_ty = model(item);
            let f = field_ident(field);
            (
                quote! { ::std::vec::Vec<#item_ty> },
                format!(
                    "The `{field}` of the answer as a `Vec<`[`crate::models::{item}`]`>`, empty when the service omits the key."
                ),
                Some(quote! { Ok(response.#f) }),
            )
        }
    };
    let response_ty = match &e.response {
        None => quote! { ::serde::de::IgnoredAny },
        Some(r) => model(r.name()),
    };

    let mut args = Vec::new();
    let mut body_fields = Vec::new();
    let mut body_init = Vec::new();
    let (mut path, mut query, mut headers) = (Vec::new(), Vec::new(), Vec::new());
    // Optional query and header parameters, pushed when set.
    let (mut optional_query, mut optional_headers) = (Vec::new(), Vec::new());
    for p in &e.params {
        let ident = field_ident(&p.name);
        let key = &p.name;
        let (arg_ty, field_ty, by_ref) = param_type(schemas, p);
        if p.optional {
            args.push(quote! { #ident: ::std::option::Option<&str> });
            let push = quote! { if let ::std::option::Option::Some(value) = #ident { pairs.push((#key, value)); } };
            match p.location() {
                Location::Header => optional_headers.push(push),
                _ => optional_query.push(push),
            }
            continue;
        }
        args.push(quote! { #ident: #arg_ty });
        match p.location() {
            Location::Path if p.ty.model().is_some() => {
                path.push(quote! { (#key, #ident.as_str()) })
            }
            Location::Path => path.push(quote! { (#key, #ident) }),
            Location::Query => query.push(quote! { (#key, #ident) }),
            Location::Header => headers.push(quote! { (#key, #ident) }),
            Location::Body => {
                let flatten = if matches!(p.ty, ParamType::Rust { .. }) {
                    quote! { #[serde(flatten)] }
                } else {
                    quote! {}
                };
                body_fields.push(quote! { #flatten #ident: #field_ty });
                body_init.push(if by_ref {
                    quote! { #ident }
                } else {
                    quote! { #ident: &#ident }
                });
            }
        }
    }
    let request_ty = e.request.as_ref().map(|r| model(r.name()));
    if let Some(ty) = &request_ty {
        args.push(quote! { request: &#ty });
    }
    let stream_in = e.request_body == BodyKind::Stream;
    let lifetime = if stream_in {
        args.push(quote! { body: impl ::std::convert::Into<crate::Upload<'b>> });
        quote! { <'b> }
    } else {
        quote! {}
    };
    let request_in_query = e.request.is_some() && e.method.default_location() == Location::Query;
    // The JSON body, if any, as `body: Option<&[u8]>`.
    let (prepare_body, body_arg) = if e.request.is_some() && !request_in_query {
        (
            quote! { let body = crate::call::json_body(&#operation, request)?; },
            quote! { Some(&body) },
        )
    } else if !body_fields.is_empty() {
        (
            quote! {
                #[derive(::serde::Serialize)]
                struct Body<'b> { #(#body_fields),* }
                let body = crate::call::json_body(&#operation, &Body { #(#body_init),* })?;
            },
            quote! { Some(&body) },
        )
    } else {
        (quote! {}, quote! { None })
    };
    let (prepare_query, query_arg) = if request_in_query {
        (
            quote! {
                let request_query = crate::call::query_of(&#operation, request)?;
                let query = crate::call::borrow_pairs(&request_query);
                #(let mut query = query; query.push(#query);)*
                #(let mut pairs = query; #optional_query let query = pairs;)*
            },
            quote! { &query },
        )
    } else if !optional_query.is_empty() {
        (
            quote! {
                let mut pairs: ::std::vec::Vec<(&str, &str)> = ::std::vec![#(#query),*];
                #(#optional_query)*
                let query = pairs;
            },
            quote! { &query },
        )
    } else {
        (quote! {}, quote! { &[#(#query),*] })
    };
    let (prepare_headers, headers_arg) = if optional_headers.is_empty() {
        (quote! {}, quote! { &[#(#headers),*] })
    } else {
        (
            quote! {
                let mut pairs: ::std::vec::Vec<(&str, &str)> = ::std::vec![#(#headers),*];
                #(#optional_headers)*
                let headers = pairs;
            },
            quote! { &headers },
        )
    };
    let parts = quote! {
        &crate::call::Parts { path: &[#(#path),*], query: #query_arg, headers: #headers_arg }
    };
    let (ret, returns, finish) = match e.response_body {
        BodyKind::Stream => (
            quote! { crate::Download },
            "The answer's body as a [`crate::Download`] to read, once its headers have arrived."
                .to_string(),
            None,
        ),
        BodyKind::Headers => (
            quote! { crate::Headers },
            "The answer's [`crate::Headers`].".to_string(),
            None,
        ),
        BodyKind::Json => (ret, returns, finish),
    };
    let call = match (e.response_body, stream_in) {
        (BodyKind::Stream, _) => quote! {
            self.client.send_download(&crate::call::Call::of(&#operation, #parts, #body_arg)?)
        },
        (BodyKind::Headers, _) => quote! {
            self.client.send_head(&crate::call::Call::of(&#operation, #parts, None)?)
        },
        (BodyKind::Json, true) => quote! {{
            let mut body = body.into();
            self.client.send_upload(&crate::call::Call::of(&#operation, #parts, None)?, &mut body)
        }},
        (BodyKind::Json, false) => quote! { self.client.json(&#operation, #parts, #body_arg) },
    };
    let response_ty = match e.response_body {
        BodyKind::Stream => quote! { crate::Download },
        BodyKind::Headers => quote! { crate::Headers },
        BodyKind::Json => response_ty,
    };
    let call = quote! {{
        #prepare_body
        #prepare_query
        #prepare_headers
        #call
    }};
    let doc = render_doc(schemas, e, &returns);
    let conversions = e.params.iter().filter_map(|p| match &p.ty {
        ParamType::Rust { rust, .. } => {
            let (ident, ty) = (field_ident(&p.name), format_ident!("{}", rust));
            Some(quote! { let #ident: crate::#ty = #ident.into(); })
        }
        _ => None,
    });
    let binding = if e.response.is_some() || e.response_body != BodyKind::Json {
        quote! { response }
    } else {
        quote! { _ }
    };
    // An answer returned as it comes is the tail of the method (no move through a local).
    let tail = match finish {
        None => call,
        Some(finish) => quote! {
            let #binding: #response_ty = #call?;
            #finish
        },
    };
    let token = e.idempotency_token.as_ref().map(|field| {
        let field = field_ident(field);
        quote! {
            let with_token;
            let request = if request.#field.is_none() {
                with_token = #request_ty {
                    #field: ::std::option::Option::Some(crate::idempotency_token()),
                    ..request.clone()
                };
                &with_token
            } else {
                request
            };
        }
    });
    let aliases = e
        .doc_alias
        .iter()
        .map(|alias| quote! { #[doc(alias = #alias)] });
    let signature =
        quote! { #visibility fn #name #lifetime (&self, #(#args),*) -> crate::Result<#ret> };
    let code = quote! {
        #doc
        #(#aliases)*
        #signature {
            #(#conversions)*
            #(#checks)*
            #token
            #tail
        }
    };
    let first = crate::summary::first_paragraph_doc(&e.doc);
    let route = format!(" `{} {}`", e.method.as_str(), e.path);
    let outline = quote! {
        #first
        #[doc = #route]
        #signature { #(#checks)* }
    };
    Ok((code, outline))
}

/// The Rust type of an integer request field (`i32` or `i64`).
fn int_type(schemas: &Schemas, ty: &str, field: &str) -> TokenStream {
    match schemas
        .property(ty, field)
        .map(|(p, _)| p["format"].clone())
    {
        Some(format) if format == "int32" => quote! { i32 },
        _ => quote! { i64 },
    }
}

/// The iterator method of a paged operation (and its collect-everything method, if named):
/// one [`Paging`] style each, built on `crate::Pages`.
fn render_paging(
    schemas: &Schemas,
    e: &Endpoint,
    paging: &Paging,
) -> Result<TokenStream, SchemaError> {
    let (request, response) = match (&e.request, &e.response) {
        (Some(request), Some(response)) => (request.name(), response.name()),
        _ => unreachable!("checked by the endpoint loader"),
    };
    let items_field = paging.items();
    let item = schemas
        .property(response, items_field)
        .and_then(|(p, _)| p["items"]["$ref"].as_str().map(str::to_string))
        .and_then(|r| r.rsplit('/').next().map(str::to_string))
        .ok_or_else(|| {
            SchemaError::at(
                "endpoints.json",
                "",
                format!("`{response}.{items_field}` must be an array of a named type"),
            )
        })?;
    let item_ty = model(&item);
    let request_ty = model(request);
    let items = field_ident(items_field);
    let page_method = if e.wrapped {
        format_ident!("send_{}", e.name)
    } else {
        format_ident!("{}", e.name)
    };
    let inline: Vec<_> = e.params.iter().map(|p| field_ident(&p.name)).collect();
    let advance = match paging {
        Paging::Token { token, next, .. } => {
            let (token, next) = (field_ident(token), field_ident(next));
            quote! {
                let next = crate::paging::next_token(page.#next.as_ref());
                request.#token = next.clone();
            }
        }
        Paging::Offset {
            offset, has_more, ..
        } => {
            let int = int_type(schemas, request, offset);
            let (offset, has_more) = (field_ident(offset), field_ident(has_more));
            quote! {
                let offset = request.#offset.unwrap_or(0) + page.#items.len() as #int;
                let next = page.#has_more.unwrap_or(false).then(|| offset.to_string());
                request.#offset = Some(offset);
            }
        }
        Paging::Index { start, total, .. } => {
            let int = int_type(schemas, request, start);
            let (start, total) = (field_ident(start), field_ident(total));
            quote! {
                let start = request.#start.unwrap_or(1) + page.#items.len() as #int;
                let total = page.#total.unwrap_or(0);
                // The fields may be i32 or i64; compared as i64.
                #[allow(clippy::useless_conversion)]
                let more = i64::from(start) <= i64::from(total);
                let next = more.then(|| start.to_string());
                request.#start = Some(start);
            }
        }
    };
    let name = &e.name;
    let operation_name = e.operation();
    let iter = format_ident!("{}", paging.iter());
    let doc = doc_attrs(&format!(
        "Every [`crate::models::{item}`] of [`Self::{name}`]'s answers, page after page, as a lazy iterator holding one page (see [`crate::Pages`]).\n\nPages follow each other by {}; a short page is not the end. Each page request is retried like [`Self::{name}`], and a page the service gives twice ends the iteration with [`crate::Error::RepeatedPage`].",
        match paging.style() {
            "token" => "the answer's page token, until an answer has none",
            "offset" => "offset, while the answer says more items follow",
            _ => "start index, until the total the answer gives is read",
        }
    ));
    let args: Vec<_> = e
        .params
        .iter()
        .map(|p| {
            let ident = field_ident(&p.name);
            quote! { #ident: &str }
        })
        .collect();
    let owned = inline.iter().map(|p| quote! { let #p = #p.to_string(); });
    let mut out = quote! {
        #doc
        pub fn #iter(&self, #(#args,)* request: &#request_ty) -> crate::Pages<'a, #item_ty> {
            let handle = *self;
            let mut request = request.clone();
            #(#owned)*
            crate::Pages::new(#operation_name, move || {
                let page = handle.#page_method(#(&#inline,)* &request)?;
                #advance
                Ok((page.#items, next))
            })
        }
    };
    if let Some(all) = paging.all() {
        let all = format_ident!("{}", all);
        let doc = doc_attrs(&format!(
            "Every [`crate::models::{item}`] of every page, in one `Vec` (see [`Self::{}`] to hold one page at a time).\n\n# Errors\n\nThe first error of a page request.",
            paging.iter()
        ));
        out.extend(quote! {
            #doc
            pub fn #all(&self, #(#args,)* request: &#request_ty) -> crate::Result<::std::vec::Vec<#item_ty>> {
                self.#iter(#(#inline,)* request).collect_all()
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(endpoint: serde_json::Value) -> (Schemas, EndpointFile) {
        let schemas = Schemas::from_files(vec![(
            "m.json".to_string(),
            json!({"definitions": {
                "Thing": {"type": "object", "description": "t", "required": ["id"], "properties": {
                    "id": {"type": "string", "description": "id"},
                    "name": {"type": "string", "description": "n"},
                    "a": {"type": "integer", "format": "int32", "description": "a"},
                    "b": {"type": "integer", "format": "int32", "description": "b"}
                }},
                "ListThings": {"type": "object", "description": "l", "properties": {
                    "things": {"type": "array", "description": "t", "items": {"$ref": "#/definitions/Thing"}},
                    "more": {"type": "boolean", "description": "m"}
                }}
            }}),
        )])
        .unwrap();
        let file = EndpointFile::from_value(
            json!({"services": [
                {"name": "things", "type_name": "Things", "doc": "Things."},
                {"name": "things.parts", "type_name": "ThingParts", "doc": "Parts of things."}
            ], "endpoints": [endpoint]}),
            &schemas,
        )
        .unwrap();
        (schemas, file)
    }

    fn render_one(endpoint: serde_json::Value) -> String {
        let (schemas, file) = fixture(endpoint);
        render(&schemas, &file).unwrap().0
    }

    /// `code` contains `needle`, ignoring whitespace (prettyplease decides the line breaks).
    fn has(code: &str, needle: &str) -> bool {
        let squash = |s: &str| {
            let s: String = s.split_whitespace().collect();
            s.replace(",)", ")").replace(",]", "]").replace(",}", "}")
        };
        squash(code).contains(&squash(needle))
    }

    #[test]
    fn get_with_query_parameter_and_unwrap() {
        let code = render_one(json!({
            "service": "things", "name": "list", "method": "GET", "path": "/api/2.0/things/list",
            "doc": "Lists things.", "idempotent": true,
            "params": [{"name": "owner", "in": "query", "type": "string", "description": "Owner.", "check": "non_empty"}],
            "response": {"$ref": "m.json#/definitions/ListThings"}, "unwrap": "things"
        }));
        assert!(
            has(
                &code,
                "pub fn list(&self, owner: &str) -> crate::Result<::std::vec::Vec<crate::models::Thing>>"
            ),
            "{code}"
        );
        assert!(
            has(&code, "crate::validate::non_empty(\"owner\", owner)?;"),
            "{code}"
        );
        assert!(
            has(
                &code,
                "let response: crate::models::ListThings = { self.client.json(&crate::operations::THINGS_LIST, &crate::call::Parts { path: &[], query: &[(\"owner\", owner)], headers: &[] }, None) }?;"
            ),
            "{code}"
        );
        assert!(has(&code, "Ok(response.things)"), "{code}");
        assert!(has(&code, "/// `GET /api/2.0/things/list`"), "{code}");
    }

    #[test]
    fn a_model_answer_is_the_tail_of_the_method() {
        // Returned as it comes: no move of the (possibly large) model through a local.
        let code = render_one(json!({
            "service": "things", "name": "get", "method": "GET", "path": "/api/2.0/things/get",
            "doc": "Gets a thing.", "idempotent": true,
            "params": [{"name": "id", "in": "query", "type": "string", "description": "Id."}],
            "response": {"$ref": "m.json#/definitions/Thing"}
        }));
        assert!(
            has(
                &code,
                "{ self.client.json(&crate::operations::THINGS_GET, &crate::call::Parts { path: &[], query: &[(\"id\", id)], headers: &[] }, None) } }"
            ),
            "{code}"
        );
        assert!(!code.contains("let response"), "{code}");
    }

    #[test]
    fn post_with_inline_body_returns_unit() {
        let code = render_one(json!({
            "service": "things.parts", "name": "delete", "method": "POST", "path": "/api/2.0/things/parts/delete",
            "doc": "Deletes.", "idempotent": true,
            "params": [{"name": "id", "in": "body", "type": "string", "description": "Id."}]
        }));
        assert!(has(&code, "struct Body<'b> { id: &'b str, }"), "{code}");
        assert!(has(&code, "let _: ::serde::de::IgnoredAny = {"), "{code}");
        assert!(
            has(
                &code,
                "let body = crate::call::json_body(&crate::operations::THINGS_PARTS_DELETE, &Body { id })?;"
            ),
            "{code}"
        );
        assert!(
            has(&code, "pub fn parts(&self) -> ThingParts<'a>"),
            "{code}"
        );
        assert!(has(&code, "Idempotent: retried"), "{code}");
        assert!(
            has(
                &code,
                "self.client.json(&crate::operations::THINGS_PARTS_DELETE, &crate::call::Parts { path: &[], query: &[], headers: &[] }, Some(&body)) }?; Ok(())"
            ),
            "{code}"
        );
    }

    #[test]
    fn doc_aliases_are_searchable_names() {
        let code = render_one(json!({
            "service": "things", "name": "delete", "method": "POST", "path": "/api/2.0/things/delete",
            "doc": "Deletes.", "idempotent": true, "doc_alias": ["terminate"]
        }));
        assert!(
            has(&code, "#[doc(alias = \"terminate\")] pub fn delete"),
            "{code}"
        );
    }

    #[test]
    fn path_parameters_streams_and_headers() {
        let code = render_one(json!({
            "service": "things", "name": "upload", "method": "PUT", "path": "/api/2.0/things/files{path}",
            "doc": "Uploads.", "idempotent": true, "request_body": "stream",
            "params": [{"name": "path", "type": "string", "description": "Path."},
                       {"name": "overwrite", "in": "query", "type": "string", "description": "O."}]
        }));
        assert!(
            has(
                &code,
                "pub fn upload<'b>(&self, path: &str, overwrite: &str, body: impl ::std::convert::Into<crate::Upload<'b>>)"
            ),
            "{code}"
        );
        assert!(
            has(
                &code,
                "crate::call::Parts { path: &[(\"path\", path)], query: &[(\"overwrite\", overwrite)], headers: &[] }"
            ),
            "{code}"
        );
        assert!(has(&code, "self.client.send_upload("), "{code}");

        let code = render_one(json!({
            "service": "things", "name": "download", "method": "GET", "path": "/api/2.0/things/files{path}",
            "doc": "Downloads.", "idempotent": true, "response_body": "stream",
            "params": [{"name": "path", "type": "string", "description": "Path."},
                       {"name": "range", "in": "header", "type": "string", "description": "R."}]
        }));
        assert!(has(&code, "-> crate::Result<crate::Download>"), "{code}");
        assert!(has(&code, "headers: &[(\"range\", range)]"), "{code}");
        assert!(has(&code, "self.client.send_download("), "{code}");
    }

    #[test]
    fn paged_operations_get_an_iterator_and_a_collect_all() {
        let code = render_one(json!({
            "service": "things", "name": "list_page", "operation": "things.list", "method": "GET", "path": "/api/2.0/things/list",
            "doc": "Lists.", "idempotent": true,
            "request": {"$ref": "m.json#/definitions/Thing"},
            "response": {"$ref": "m.json#/definitions/ListThings"},
            "paging": {"style": "offset", "items": "things", "offset": "a", "has_more": "more", "iter": "list_iter", "all": "list"}
        }));
        assert!(
            has(
                &code,
                "pub fn list_iter(&self, request: &crate::models::Thing) -> crate::Pages<'a, crate::models::Thing>"
            ),
            "{code}"
        );
        assert!(
            has(&code, "crate::Pages::new(\"things.list\", move ||"),
            "{code}"
        );
        assert!(
            has(
                &code,
                "let offset = request.a.unwrap_or(0) + page.things.len() as i32;"
            ),
            "{code}"
        );
        assert!(
            has(
                &code,
                "pub fn list(&self, request: &crate::models::Thing) -> crate::Result<::std::vec::Vec<crate::models::Thing>>"
            ),
            "{code}"
        );
    }

    #[test]
    fn request_checks_follow_the_schema() {
        let code = render_one(json!({
            "service": "things", "name": "edit", "method": "POST", "path": "/api/2.0/things/edit",
            "doc": "Edits.", "idempotent": false, "request": {"$ref": "m.json#/definitions/Thing"},
            "checks": [{"rule": "non_empty", "field": "id"}, {"rule": "non_empty", "field": "name"},
                       {"rule": "exactly_one_of", "fields": ["a", "b"]}]
        }));
        assert!(
            has(&code, "crate::validate::non_empty(\"id\", &request.id)?;"),
            "{code}"
        );
        assert!(
            has(
                &code,
                "crate::validate::non_empty(\"name\", crate::validate::required(\"name\", request.name.as_deref())?)?;"
            ),
            "{code}"
        );
        assert!(
            has(
                &code,
                "crate::validate::exactly_one_of(&[(\"a\", request.a.is_some()), (\"b\", request.b.is_some())])?;"
            ),
            "{code}"
        );
        assert!(has(&code, "Not idempotent"), "{code}");
    }

    #[test]
    fn doc_attrs_give_one_attribute_per_line() {
        let tokens = doc_attrs("First.\n\nSecond.").to_string();
        assert_eq!(
            tokens,
            "# [doc = \" First.\"] # [doc = \"\"] # [doc = \" Second.\"]"
        );
    }
}
