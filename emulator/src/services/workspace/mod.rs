//! The Workspace API (`/api/2.0/workspace/...`): notebooks, workspace files and directories.
//! Imports come as JSON (base64 content) or as a multipart form (what the official Python
//! SDK's `upload` sends); exports go out as JSON or, with `direct_download=true`, as raw
//! bytes. Both are capped at 10 MB (the schema's rules `workspace_import`,
//! `workspace_export`), answered `MAX_NOTEBOOK_SIZE_EXCEEDED`. Formats `SOURCE`, `AUTO`,
//! `RAW` and `JUPYTER` are imported, and also `HTML` exported; `DBC` and `R_MARKDOWN` are
//! refused as not emulated.

mod state;

pub(crate) use state::{Imported, WorkspaceTree};

use azure_databricks_sdk::models::{
    ExportResponse, Language, WorkspaceDeleteRequest, WorkspaceImportRequest, WorkspaceListResponse,
};
use azure_databricks_sdk::rules;
use base64::prelude::*;
use serde_json::{Map, Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::workspace::Workspace;
use state::header;

/// What separates the cells of a notebook's source.
const CELL_SEPARATOR: &str = "\n\n# COMMAND ----------\n\n";

fn too_large(what: &str, len: usize, max: u64) -> ApiError {
    ApiError::new(
        400,
        "MAX_NOTEBOOK_SIZE_EXCEEDED",
        format!("The {what} has {len} bytes, over the limit of {max} bytes."),
    )
}

fn not_emulated(format: &str) -> ApiError {
    ApiError::invalid_parameter(format!(
        "The format {format} is not supported by the emulator (SOURCE, AUTO, RAW, JUPYTER, and HTML for exports)."
    ))
}

/// `GET workspace/list?path=`.
pub(crate) fn list(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    let objects = ws.workspace_tree.list(params.str("path")?)?;
    to_json(&WorkspaceListResponse {
        objects,
        unknown_fields: Default::default(),
    })
}

/// `GET workspace/get-status?path=`.
pub(crate) fn get_status(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    to_json(&ws.workspace_tree.status(params.str("path")?)?)
}

/// `POST workspace/mkdirs`.
pub(crate) fn mkdirs(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    ws.workspace_tree.mkdirs(params.str("path")?, call.now)?;
    Ok(json!({}))
}

/// `POST workspace/delete`.
pub(crate) fn delete(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    let request: WorkspaceDeleteRequest = params.decode(&["path"])?;
    ws.workspace_tree
        .delete(&request.path, request.recursive.unwrap_or(false))?;
    Ok(json!({}))
}

/// The fields and the file of a `multipart/form-data` body.
fn parse_form(request: &Request, content_type: &str) -> Result<(Params, Vec<u8>), ApiError> {
    let bad = |why: &str| ApiError::malformed(format!("Could not parse the multipart form: {why}"));
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| bad("no boundary"))?;
    let body = request
        .body
        .to_bytes()
        .map_err(|e| ApiError::internal(format!("The request body could not be read back: {e}")))?;
    let delimiter = format!("--{boundary}");
    let mut fields = Map::new();
    let mut content = Vec::new();
    let mut rest: &[u8] = &body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, delimiter.as_bytes()).ok_or_else(|| bad("no part"))?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        let rest_part = rest.strip_prefix(b"\r\n").ok_or_else(|| bad("a part"))?;
        let end = find(rest_part, format!("\r\n{delimiter}").as_bytes())
            .ok_or_else(|| bad("an unterminated part"))?;
        let part = &rest_part[..end];
        rest = &rest_part[end + 2 + delimiter.len()..];
        let split = find(part, b"\r\n\r\n").ok_or_else(|| bad("a part without headers"))?;
        let headers = String::from_utf8_lossy(&part[..split]);
        let data = &part[split + 4..];
        let name = headers
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name="))
            .map(|n| n.trim().trim_matches('"').to_string())
            .ok_or_else(|| bad("a part without a name"))?;
        if name == "content" {
            content = data.to_vec();
        } else {
            let text = String::from_utf8_lossy(data).into_owned();
            let value = match (name.as_str(), text.as_str()) {
                ("overwrite", "true") => Value::Bool(true),
                ("overwrite", _) => Value::Bool(false),
                _ => Value::String(text),
            };
            fields.insert(name, value);
        }
    }
    Ok((Params::from_json(Value::Object(fields)), content))
}

/// The language of a notebook from its path's extension.
fn language_of(path: &str) -> Option<(Language, &str)> {
    let (stem, extension) = path.rsplit_once('.')?;
    let language = match extension {
        "py" => Language::Python,
        "sql" => Language::Sql,
        "scala" => Language::Scala,
        "r" | "R" => Language::R,
        _ => return None,
    };
    Some((language, stem))
}

/// `source` without its `Databricks notebook source` header line, if it has one.
fn strip_header<'a>(source: &'a [u8], language: &Language) -> Option<&'a [u8]> {
    let header = header(language).as_bytes();
    let rest = source.strip_prefix(header)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(b"\n")
            .or_else(|| rest.strip_prefix(b"\r\n"))
    }
}

/// The source cells of a Jupyter notebook.
fn from_jupyter(content: &[u8]) -> Result<String, ApiError> {
    let notebook: Value = serde_json::from_slice(content).map_err(|e| {
        ApiError::invalid_parameter(format!("The content is not a Jupyter notebook: {e}"))
    })?;
    let cells = notebook
        .get("cells")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid_parameter("The Jupyter notebook has no cells."))?;
    let sources: Vec<String> = cells
        .iter()
        .map(|cell| match cell.get("source") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect(),
            _ => String::new(),
        })
        .collect();
    Ok(sources.join(CELL_SEPARATOR))
}

/// A Jupyter notebook of source cells.
fn to_jupyter(source: &str, language: &Language) -> Vec<u8> {
    let cells: Vec<Value> = source
        .split(CELL_SEPARATOR)
        .map(|cell| {
            json!({"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": [cell]})
        })
        .collect();
    let notebook = json!({
        "cells": cells,
        "metadata": {"language_info": {"name": language.as_str().to_ascii_lowercase()}},
        "nbformat": 4,
        "nbformat_minor": 0
    });
    serde_json::to_vec_pretty(&notebook).unwrap_or_default()
}

/// `POST workspace/import`: JSON with base64 content, or a multipart form with the content
/// as its `content` file.
pub(crate) fn import(
    ws: &mut Workspace,
    call: &Call,
    params: &Params,
    request: &Request,
) -> Result<Response, ApiError> {
    let max = rules::WORKSPACE_IMPORT.max_bytes;
    let (request_params, content) = match request.header("content-type") {
        Some(ct) if ct.starts_with("multipart/form-data") => {
            let (form, content) = parse_form(request, ct)?;
            if content.len() as u64 > max {
                return Err(too_large("import content", content.len(), max));
            }
            (form, content)
        }
        _ => {
            let encoded = params.opt_str("content")?.unwrap_or_default();
            if encoded.len() as u64 > max {
                return Err(too_large("import content", encoded.len(), max));
            }
            let content = BASE64_STANDARD.decode(encoded).map_err(|e| {
                ApiError::invalid_parameter(format!("content is not valid base64: {e}"))
            })?;
            (params.clone(), content)
        }
    };
    let mut imported: WorkspaceImportRequest = request_params.decode(&["path"])?;
    imported.content = None;
    let format = imported
        .format
        .as_ref()
        .map_or(
            if imported.language.is_some() {
                "SOURCE"
            } else {
                "AUTO"
            },
            |f| f.as_str(),
        )
        .to_string();
    let overwrite = imported.overwrite.unwrap_or(false);
    let mut path = imported.path.clone();
    let jupyter;
    let what = match format.as_str() {
        "SOURCE" => {
            let language = imported.language.clone().ok_or_else(|| {
                ApiError::invalid_parameter("The language is required to import a SOURCE notebook.")
            })?;
            let source = strip_header(&content, &language).unwrap_or(&content);
            Imported::Notebook { language, source }
        }
        "AUTO" => match language_of(&imported.path) {
            Some((language, stem)) if strip_header(&content, &language).is_some() => {
                let source = strip_header(&content, &language).unwrap_or(&content);
                path = stem.to_string();
                Imported::Notebook { language, source }
            }
            _ => Imported::File(&content),
        },
        "RAW" => Imported::File(&content),
        "JUPYTER" => {
            jupyter = from_jupyter(&content)?;
            if let Some(stem) = path.strip_suffix(".ipynb") {
                path = stem.to_string();
            }
            Imported::Notebook {
                language: imported.language.clone().unwrap_or(Language::Python),
                source: jupyter.as_bytes(),
            }
        }
        other => return Err(not_emulated(other)),
    };
    ws.workspace_tree.import(&path, what, overwrite, call.now)?;
    Ok(Response::json(200, &json!({})))
}

/// `GET workspace/export?path=&format=&direct_download=`.
pub(crate) fn export(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
    _: &Request,
) -> Result<Response, ApiError> {
    let path = params.str("path")?;
    let format = params.opt_str("format")?.unwrap_or("SOURCE");
    let direct = params.opt_str("direct_download")? == Some("true");
    let (language, bytes, _) = ws.workspace_tree.content(path)?;
    let (out, file_type) = match (&language, format) {
        (None, "SOURCE" | "AUTO" | "RAW") => {
            let extension = path.rsplit_once('.').map_or("", |(_, e)| e).to_string();
            (bytes, extension)
        }
        (Some(language), "SOURCE" | "AUTO") => {
            let mut out = format!("{}\n", header(language)).into_bytes();
            out.extend_from_slice(&bytes);
            let extension = match language {
                Language::Python => "py",
                Language::Sql => "sql",
                Language::Scala => "scala",
                _ => "r",
            };
            (out, extension.to_string())
        }
        (Some(language), "JUPYTER") => (
            to_jupyter(&String::from_utf8_lossy(&bytes), language),
            "ipynb".to_string(),
        ),
        (Some(_), "HTML") => {
            let escaped = String::from_utf8_lossy(&bytes)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            (
                format!("<!DOCTYPE html>\n<html><body><pre>{escaped}</pre></body></html>\n")
                    .into_bytes(),
                "html".to_string(),
            )
        }
        (_, other) => return Err(not_emulated(other)),
    };
    let max = rules::WORKSPACE_EXPORT.max_bytes;
    if out.len() as u64 > max {
        return Err(too_large("export", out.len(), max));
    }
    if direct {
        return Ok(Response::bytes(200, "application/octet-stream", out));
    }
    let answer = to_json(&ExportResponse {
        content: Some(BASE64_STANDARD.encode(&out)),
        file_type: Some(file_type),
        unknown_fields: Default::default(),
    })?;
    Ok(Response::json(200, &answer))
}
