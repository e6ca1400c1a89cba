//! The DBFS API (`/api/2.0/dbfs/...`): files and directories of the Databricks File System,
//! contents base64-encoded in JSON, 1 MB per `put`, block and read (the schema's rules
//! `dbfs_inline_put`, `dbfs_block`, `dbfs_read`); files kept on disk (see [`state`]).

mod state;

pub(crate) use state::DbfsStore;

use azure_databricks_sdk::models::{
    DbfsAddBlockRequest, DbfsCloseRequest, DbfsCreateRequest, DbfsCreateResponse,
    DbfsDeleteRequest, DbfsListResponse, DbfsPutRequest, DbfsReadRequest, DbfsReadResponse,
};
use azure_databricks_sdk::rules;
use base64::prelude::*;
use serde_json::{Value, json};

use crate::api::params::{Params, Shape};
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::workspace::Workspace;

fn decode_base64(field: &str, text: Option<&str>) -> Result<Vec<u8>, ApiError> {
    BASE64_STANDARD
        .decode(text.unwrap_or_default())
        .map_err(|e| ApiError::invalid_parameter(format!("{field} is not valid base64: {e}")))
}

/// `POST dbfs/put`.
pub(crate) fn put(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    let request: DbfsPutRequest = params.decode(&["path"])?;
    let contents = decode_base64("contents", request.contents.as_deref())?;
    ws.dbfs.put(
        &request.path,
        &contents,
        request.overwrite.unwrap_or(false),
        call.now,
    )?;
    Ok(json!({}))
}

/// `POST dbfs/create`.
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    let request: DbfsCreateRequest = params.decode(&["path"])?;
    let handle = ws
        .dbfs
        .create(&request.path, request.overwrite.unwrap_or(false), call.now)?;
    to_json(&DbfsCreateResponse {
        handle: Some(handle),
        unknown_fields: Default::default(),
    })
}

/// `POST dbfs/add-block`.
pub(crate) fn add_block(
    ws: &mut Workspace,
    call: &Call,
    params: &Params,
) -> Result<Value, ApiError> {
    if !params.has("handle") {
        return Err(ApiError::missing("handle"));
    }
    let request: DbfsAddBlockRequest = params.decode(&["data"])?;
    let data = decode_base64("data", Some(&request.data))?;
    ws.dbfs.add_block(request.handle, &data, call.now)?;
    Ok(json!({}))
}

/// `POST dbfs/close`.
pub(crate) fn close(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    if !params.has("handle") {
        return Err(ApiError::missing("handle"));
    }
    let request: DbfsCloseRequest = params.decode(&[])?;
    ws.dbfs.close(request.handle, call.now)?;
    Ok(json!({}))
}

/// `GET dbfs/read?path=&offset=&length=`.
pub(crate) fn read(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    params.str("path")?;
    let request: DbfsReadRequest =
        params.decode_query(&[("offset", Shape::Int), ("length", Shape::Int)])?;
    let default_length = i64::try_from(rules::DBFS_READ.max_bytes).unwrap_or(i64::MAX);
    let data = ws.dbfs.read(
        &request.path,
        request.offset.unwrap_or(0),
        request.length.unwrap_or(default_length),
    )?;
    to_json(&DbfsReadResponse {
        bytes_read: Some(data.len() as i64),
        data: Some(BASE64_STANDARD.encode(&data)),
        unknown_fields: Default::default(),
    })
}

/// `GET dbfs/list?path=`.
pub(crate) fn list(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    let files = ws.dbfs.list(params.str("path")?)?;
    to_json(&DbfsListResponse {
        files,
        unknown_fields: Default::default(),
    })
}

/// `GET dbfs/get-status?path=`.
pub(crate) fn get_status(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    to_json(&ws.dbfs.status(params.str("path")?)?)
}

/// `POST dbfs/mkdirs`.
pub(crate) fn mkdirs(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    ws.dbfs.mkdirs(params.str("path")?, call.now)?;
    Ok(json!({}))
}

/// `POST dbfs/move`.
pub(crate) fn rename(ws: &mut Workspace, call: &Call, params: &Params) -> Result<Value, ApiError> {
    ws.dbfs.rename(
        params.str("source_path")?,
        params.str("destination_path")?,
        call.now,
    )?;
    Ok(json!({}))
}

/// `POST dbfs/delete`: 503 `PARTIAL_DELETE` while a large recursive delete is not done.
pub(crate) fn delete(ws: &mut Workspace, _: &Call, params: &Params) -> Result<Value, ApiError> {
    let request: DbfsDeleteRequest = params.decode(&["path"])?;
    ws.dbfs
        .delete(&request.path, request.recursive.unwrap_or(false))?;
    Ok(json!({}))
}
