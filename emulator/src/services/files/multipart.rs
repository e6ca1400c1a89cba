//! The multipart upload of the Files API: `?action=initiate-upload` opens a session,
//! `create-upload-part-urls` gives signed URLs served by the emulator itself under
//! [`STORAGE`] (outside `/api/`, like a cloud storage account), each part `PUT` there is kept
//! on disk and answered with an `ETag`, `?action=complete-upload` joins the parts in order
//! into the file (checking every ETag), and `create-abort-upload-url` gives the URL whose
//! `DELETE` drops the session. The storage routes answer 403 to a request that carries an
//! `Authorization` header: the workspace's credentials must never reach a storage URL.

use std::collections::BTreeMap;
use std::io::{self, Write};

use azure_databricks_sdk::SensitiveString;
use azure_databricks_sdk::models::{
    CreateAbortUploadUrlRequest, CreateAbortUploadUrlResponse, CreateUploadPartUrlsRequest,
    CreateUploadPartUrlsResponse, MultipartUploadSession, PresignedUrl, UploadActionRequest,
    UploadActionResponse,
};
use serde_json::{Value, json};
use tempfile::TempPath;

use super::overwrite;
use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::workspace::Workspace;

/// Where the emulator's storage routes start.
pub(crate) const STORAGE: &str = "/storage/";

/// An open multipart upload.
#[derive(Debug)]
pub(crate) struct Session {
    /// The file it writes.
    path: String,
    overwrite: bool,
    /// Secret of the signed URLs of this session.
    signature: String,
    /// The parts received: their bytes on disk, length and ETag.
    parts: BTreeMap<i64, (TempPath, u64, String)>,
}

/// The open sessions, by token, and where their storage URLs point.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    open: BTreeMap<String, Session>,
    /// Base of the storage URLs (`http://host:port`); by default the address the request
    /// came to. Set to an address nothing listens on to emulate an unreachable storage.
    pub(crate) storage_base: Option<String>,
}

fn no_session() -> ApiError {
    ApiError::not_found("The upload session does not exist or has ended.")
}

/// `POST fs/files{file_path}?action=initiate-upload|complete-upload`.
pub(crate) fn upload_action(
    ws: &mut Workspace,
    call: &Call,
    params: &Params,
) -> Result<Value, ApiError> {
    let path = params.str("file_path")?.to_string();
    match params.str("action")? {
        "initiate-upload" => {
            let overwrite = overwrite(params)?;
            ws.files.check_writable(&path, overwrite)?;
            let token = ws.env.rng.uuid();
            let signature = ws.env.rng.uuid();
            let session = Session {
                path,
                overwrite,
                signature,
                parts: BTreeMap::new(),
            };
            ws.files.sessions.open.insert(token.clone(), session);
            to_json(&UploadActionResponse {
                multipart_upload: Some(MultipartUploadSession {
                    session_token: Some(SensitiveString::new(token)),
                    unknown_fields: Default::default(),
                }),
                unknown_fields: Default::default(),
            })
        }
        "complete-upload" => {
            if params.opt_str("upload_type")? != Some("multipart") {
                return Err(ApiError::invalid_parameter("upload_type must be multipart"));
            }
            let token = params.str("session_token")?.to_string();
            let request: UploadActionRequest = params.decode(&[])?;
            complete(ws, call.now, &path, &token, &request)?;
            Ok(json!({}))
        }
        other => Err(ApiError::invalid_parameter(format!(
            "action must be initiate-upload or complete-upload, not {other:?}"
        ))),
    }
}

/// Joins the parts of session `token` into the file `path`, in order, each checked against
/// the ETag the request names.
fn complete(
    ws: &mut Workspace,
    now: i64,
    path: &str,
    token: &str,
    request: &UploadActionRequest,
) -> Result<(), ApiError> {
    let session = ws.files.sessions.open.get(token).ok_or_else(no_session)?;
    if session.path != path {
        return Err(ApiError::invalid_parameter(
            "The session is of another file.",
        ));
    }
    if request.parts.is_empty() {
        return Err(ApiError::invalid_parameter("parts must not be empty"));
    }
    let mut previous = 0;
    for part in &request.parts {
        if part.part_number <= previous {
            return Err(ApiError::invalid_parameter(
                "parts must be in ascending order of part_number",
            ));
        }
        previous = part.part_number;
        match session.parts.get(&part.part_number) {
            Some((_, _, etag)) if *etag == part.etag => {}
            Some(_) => {
                return Err(ApiError::invalid_parameter(format!(
                    "The ETag of part {} does not match the part stored.",
                    part.part_number
                )));
            }
            None => {
                return Err(ApiError::invalid_parameter(format!(
                    "Part {} was not uploaded.",
                    part.part_number
                )));
            }
        }
    }
    let joined = join(ws, session, request)?;
    let overwrite = session.overwrite;
    let len = joined.1;
    ws.files.sessions.open.remove(token);
    ws.files.insert_file(path, joined.0, len, overwrite, now)
}

/// The named parts of `session` copied one after another into a new file of the scratch
/// directory, through a fixed buffer.
fn join(
    ws: &Workspace,
    session: &Session,
    request: &UploadActionRequest,
) -> Result<(TempPath, u64), ApiError> {
    let stored = |e: io::Error| ApiError::internal(format!("The file could not be stored: {e}"));
    let mut file = ws.files.scratch().file("file-").map_err(stored)?;
    let mut len = 0;
    for part in &request.parts {
        if let Some((bytes, _, _)) = session.parts.get(&part.part_number) {
            let mut source = std::fs::File::open(bytes).map_err(stored)?;
            len += io::copy(&mut source, &mut file).map_err(stored)?;
        }
    }
    file.flush().map_err(stored)?;
    Ok((file.into_temp_path(), len))
}

/// `POST fs/create-upload-part-urls`: a signed URL per asked part.
pub(crate) fn create_upload_part_urls(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
    http: &Request,
) -> Result<Response, ApiError> {
    let request: CreateUploadPartUrlsRequest = params.decode(&["path", "session_token"])?;
    let token = request
        .session_token
        .as_ref()
        .map(SensitiveString::expose)
        .unwrap_or_default();
    let session = ws.files.sessions.open.get(token).ok_or_else(no_session)?;
    if session.path != request.path {
        return Err(ApiError::invalid_parameter(
            "The session is of another file.",
        ));
    }
    if request.start_part_number < 1 || !(1..=1000).contains(&request.count) {
        return Err(ApiError::invalid_parameter(
            "start_part_number must be at least 1 and count from 1 to 1000",
        ));
    }
    let base = storage_base(ws, http);
    let urls = (request.start_part_number..request.start_part_number + request.count)
        .map(|number| PresignedUrl {
            part_number: Some(number),
            url: Some(SensitiveString::new(format!(
                "{base}{STORAGE}upload/{number}/{token}?sig={}",
                session.signature
            ))),
            headers: vec![header("x-ms-blob-type", "BlockBlob")],
            unknown_fields: Default::default(),
        })
        .collect();
    let answer = to_json(&CreateUploadPartUrlsResponse {
        upload_part_urls: urls,
        unknown_fields: Default::default(),
    })?;
    Ok(Response::json(200, &answer))
}

/// `POST fs/create-abort-upload-url`: the URL whose `DELETE` ends the session.
pub(crate) fn create_abort_upload_url(
    ws: &mut Workspace,
    _: &Call,
    params: &Params,
    http: &Request,
) -> Result<Response, ApiError> {
    let request: CreateAbortUploadUrlRequest = params.decode(&["path", "session_token"])?;
    let token = request
        .session_token
        .as_ref()
        .map(SensitiveString::expose)
        .unwrap_or_default();
    let session = ws.files.sessions.open.get(token).ok_or_else(no_session)?;
    let base = storage_base(ws, http);
    let answer = to_json(&CreateAbortUploadUrlResponse {
        abort_upload_url: Some(PresignedUrl {
            url: Some(SensitiveString::new(format!(
                "{base}{STORAGE}abort/{token}?sig={}",
                session.signature
            ))),
            ..Default::default()
        }),
        unknown_fields: Default::default(),
    })?;
    Ok(Response::json(200, &answer))
}

/// `http://<the address the request came to>`, unless set otherwise.
fn storage_base(ws: &Workspace, request: &Request) -> String {
    ws.files
        .sessions
        .storage_base
        .clone()
        .unwrap_or_else(|| format!("http://{}", request.header("host").unwrap_or("localhost")))
}

fn header(name: &str, value: &str) -> azure_databricks_sdk::models::HttpHeader {
    azure_databricks_sdk::models::HttpHeader {
        name: name.to_string(),
        value: value.to_string(),
        unknown_fields: Default::default(),
    }
}

/// Whether `path` is one of the storage routes.
pub(crate) fn serves(path: &str) -> bool {
    path.starts_with(STORAGE)
}

/// A request to the storage: `PUT upload/<part>/<token>?sig=` stores a part and answers its
/// `ETag`; `DELETE abort/<token>?sig=` ends the session. 403 with an `Authorization` header
/// or a wrong signature.
pub(crate) fn answer(ws: &mut Workspace, request: &Request) -> Response {
    let denied = |why: &str| {
        Response::bytes(
            403,
            "application/xml",
            format!("<Error><Code>AuthenticationFailed</Code><Message>{why}</Message></Error>")
                .into_bytes(),
        )
    };
    if request.header("authorization").is_some() {
        return denied("A signed storage URL takes no Authorization header.");
    }
    let rest = &request.path[STORAGE.len()..];
    let signature = request
        .query
        .iter()
        .find(|(name, _)| name == "sig")
        .map(|(_, value)| value.as_str());
    let segments: Vec<&str> = rest.split('/').collect();
    let (token, part) = match (request.method.as_str(), segments.as_slice()) {
        ("PUT", ["upload", part, token]) => match part.parse::<i64>() {
            Ok(part) if part >= 1 => (*token, Some(part)),
            _ => return Response::bytes(400, "application/xml", Vec::new()),
        },
        ("DELETE", ["abort", token]) => (*token, None),
        _ => return Response::bytes(404, "application/xml", Vec::new()),
    };
    let Some(session) = ws.files.sessions.open.get(token) else {
        return Response::bytes(404, "application/xml", Vec::new());
    };
    if signature != Some(session.signature.as_str()) {
        return denied("The signature does not match.");
    }
    let Some(part) = part else {
        ws.files.sessions.open.remove(token);
        return Response::bytes(204, "application/xml", Vec::new());
    };
    if request.header("x-ms-blob-type") != Some("BlockBlob") {
        return Response::bytes(
            400,
            "application/xml",
            b"<Error><Code>MissingRequiredHeader</Code></Error>".to_vec(),
        );
    }
    let kept = match request.body.keep_in(ws.files.scratch()) {
        Ok(kept) => kept,
        Err(e) => {
            return Response::error(&ApiError::internal(format!(
                "The part could not be stored: {e}"
            )));
        }
    };
    let etag = format!("\"{}\"", ws.env.rng.uuid());
    let len = request.body.len();
    if let Some(session) = ws.files.sessions.open.get_mut(token) {
        session.parts.insert(part, (kept, len, etag.clone()));
    }
    let mut response = Response::bytes(201, "application/xml", Vec::new());
    response.headers.push(("ETag", etag));
    response
}
