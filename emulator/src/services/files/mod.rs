//! The Files API (`/api/2.0/fs/...`): files and directories of Unity Catalog volumes. Uploads
//! arrive as raw bytes (spooled to disk by the server) and are kept as files of the scratch
//! directory; downloads are sent from those files with `Range` and `HEAD`, never held in
//! memory. The volume `/Volumes/main/default/files` exists from the start.

mod multipart;
mod state;

pub(crate) use multipart::{
    Sessions, create_abort_upload_url, create_upload_part_urls, upload_action,
};

pub(crate) use state::Volumes;

/// The storage routes of the multipart upload (outside `/api/`).
pub(crate) mod storage {
    pub(crate) use super::multipart::{answer, serves};
}

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use azure_databricks_sdk::models::{DirectoryEntry, ListDirectoryResponse};
use serde_json::{Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::page_token;
use crate::workspace::Workspace;

use state::MAX_PAGE_SIZE;

/// The `Last-Modified` time of an upload made at `ms` (epoch milliseconds).
fn system_time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// `overwrite=true|false` (absent: false).
fn overwrite(params: &Params) -> Result<bool, ApiError> {
    match params.opt_str("overwrite")? {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::invalid_parameter(format!(
            "overwrite must be true or false, not {other:?}"
        ))),
    }
}

/// `PUT fs/files{file_path}?overwrite=`: stores the body's bytes (204).
pub(crate) fn upload(
    ws: &mut Workspace,
    call: &Call,
    params: &Params,
    request: &Request,
) -> Result<Response, ApiError> {
    let overwrite = overwrite(params)?;
    ws.files
        .upload(params.str("file_path")?, &request.body, overwrite, call.now)?;
    Ok(Response::bytes(204, "application/json", Vec::new()))
}

/// `GET fs/files{file_path}` (the bytes, or those of one `Range`) and `HEAD
/// fs/files{file_path}` (`Content-Length`, `Content-Type` and `Last-Modified` alone): the
/// stored file, sent from disk.
pub(crate) fn read(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
    request: &Request,
) -> Result<Response, ApiError> {
    let stored = ws.files.file(params.str("file_path")?)?;
    Response::file(
        request,
        stored.open()?,
        "application/octet-stream",
        Some(system_time(stored.modified)),
    )
    .map_err(|e| ApiError::internal(format!("The stored file cannot be read: {e}")))
}

/// `DELETE fs/files{file_path}`.
pub(crate) fn delete(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    ws.files.delete_file(params.str("file_path")?)?;
    Ok(json!({}))
}

/// `PUT fs/directories{directory_path}`: the directory and its parents.
pub(crate) fn create_directory(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
) -> Result<Value, ApiError> {
    ws.files.create_directory(params.str("directory_path")?)?;
    Ok(json!({}))
}

/// `HEAD fs/directories{directory_path}`: 200 when it is a directory.
pub(crate) fn get_directory_metadata(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
    _: &Request,
) -> Result<Response, ApiError> {
    ws.files.directory(params.str("directory_path")?)?;
    Ok(Response::bytes(200, "application/json", Vec::new()))
}

/// `GET fs/directories{directory_path}?page_size=&page_token=`: one page of the entries,
/// ordered by path; a token holds the last path of its page.
pub(crate) fn list_directory_contents(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
) -> Result<Value, ApiError> {
    let path = params.str("directory_path")?;
    let size = match params.opt_str("page_size")? {
        None => MAX_PAGE_SIZE,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n.min(MAX_PAGE_SIZE),
            _ => {
                return Err(ApiError::invalid_parameter(format!(
                    "page_size must be a positive integer, not {text:?}"
                )));
            }
        },
    };
    let entries: Vec<(String, DirectoryEntry)> = ws
        .files
        .children(path)?
        .into_iter()
        .map(|(full, file)| {
            let entry = DirectoryEntry {
                path: Some(full.to_string()),
                name: full.rsplit('/').next().map(str::to_string),
                is_directory: Some(file.is_none()),
                file_size: file.map(|f| i64::try_from(f.len).unwrap_or(i64::MAX)),
                last_modified: file.map(|f| f.modified),
                unknown_fields: Default::default(),
            };
            (full.to_string(), entry)
        })
        .collect();
    let query = page_token::fingerprint(&json!({ "directory": path.trim_end_matches('/') }));
    let page = page_token::page(
        entries,
        |(full, _)| full.clone(),
        |a, b| a.cmp(b),
        size,
        params.opt_str("page_token")?,
        &query,
    )?;
    to_json(&ListDirectoryResponse {
        contents: page.items.into_iter().map(|(_, entry)| entry).collect(),
        next_page_token: page.next,
        unknown_fields: Default::default(),
    })
}

/// `DELETE fs/directories{directory_path}`: an empty directory.
pub(crate) fn delete_directory(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
) -> Result<Value, ApiError> {
    ws.files.delete_directory(params.str("directory_path")?)?;
    Ok(json!({}))
}
