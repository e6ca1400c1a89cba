//! The Files API's multipart upload, as the official Python SDK sends it: `initiate-upload`,
//! a signed storage URL per part (`create-upload-part-urls`), a `PUT` of each part to its URL
//! (without the workspace's credentials) keeping its `ETag`, then `complete-upload` with the
//! parts; a failed upload is aborted (`create-abort-upload-url`, then a `DELETE` to that URL).
//! When the storage cannot be reached at all (the first part's connection is refused), the
//! file is sent in one `PUT` instead.

use std::io::{self, Read};
use std::time::Duration;

use crate::error::TransportErrorKind;
use crate::models::{
    CreateAbortUploadUrlRequest, CreateUploadPartUrlsRequest, PresignedUrl, UploadActionRequest,
    UploadedPart,
};
use crate::operation::HttpMethod;
use crate::streaming::io_error;
use crate::{Error, Files, Result, SensitiveString, Upload, rules};

/// Name of the part uploads in errors and logs.
const PART: &str = "files.upload_part";
/// Name of the abort request to the storage.
const ABORT: &str = "files.abort_upload";
/// How long the signed URLs asked for stay valid (the Python SDK's default).
const URL_LIFETIME: Duration = Duration::from_secs(3600);

/// How [`Files::upload_with`] sends a file: in one `PUT`, or in parts above a threshold.
///
/// The defaults are the official Python SDK's: files of known length up to
/// [`rules::FILES_MULTIPART_THRESHOLD`] (50 MiB) in one request, larger ones and those of
/// unknown length (unless they end within their first part) in parts of [`rules::FILES_MULTIPART_PART`] (10 MiB), each read into one
/// buffer of that size (the memory an upload holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOptions {
    threshold: u64,
    part_size: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            threshold: rules::FILES_MULTIPART_THRESHOLD.max_bytes,
            part_size: usize::try_from(rules::FILES_MULTIPART_PART.max_bytes).unwrap_or(usize::MAX),
        }
    }
}

impl UploadOptions {
    /// Files longer than `bytes` (and those of unknown length) are sent in parts.
    /// `u64::MAX` turns the multipart upload off for files of known length.
    #[must_use]
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// Size of each part (the last may be shorter), and of the one buffer the upload reads
    /// them into; at least 1.
    #[must_use]
    pub fn part_size(mut self, bytes: usize) -> Self {
        self.part_size = bytes;
        self
    }
}

impl UploadOptions {
    /// The multipart threshold.
    pub(super) fn threshold(self) -> u64 {
        self.threshold
    }
}

impl Files<'_> {
    /// Sends `body` with the multipart protocol (see the module's doc).
    pub(super) fn upload_multipart(
        &self,
        file_path: &str,
        mut body: Upload<'_>,
        overwrite: &str,
        options: UploadOptions,
    ) -> Result<()> {
        if options.part_size == 0 {
            return Err(Error::InvalidInput {
                field: "part_size".into(),
                reason: "a part holds at least one byte".into(),
            });
        }
        let mut buffer = vec![0; options.part_size];
        let filled = fill(&mut body, &mut buffer)?;
        if filled < buffer.len() && filled as u64 <= options.threshold {
            // The whole source fitted below the threshold: one request.
            return self.send_upload(file_path, Some(overwrite), &buffer[..filled]);
        }
        let started = self.send_upload_action(
            file_path,
            "initiate-upload",
            None,
            None,
            Some(overwrite),
            &UploadActionRequest::default(),
        )?;
        let Some(token) = started
            .multipart_upload
            .and_then(|session| session.session_token)
        else {
            // Another protocol (not Azure's): the file goes in one request.
            return self.single_put(file_path, buffer, filled, body, overwrite);
        };
        let mut parts = Vec::new();
        let mut filled = filled;
        loop {
            let number = parts.len() as i64 + 1;
            let sent = self.send_part(file_path, &token, number, &buffer[..filled]);
            match sent {
                Ok(etag) => parts.push(UploadedPart {
                    part_number: number,
                    etag,
                    unknown_fields: Default::default(),
                }),
                Err(error) if number == 1 && unreachable(&error) => {
                    log::debug!(target: crate::LOG_TARGET, "{file_path}: the storage cannot be reached; uploading in one request");
                    self.abort(file_path, &token);
                    return self.single_put(file_path, buffer, filled, body, overwrite);
                }
                Err(error) => {
                    self.abort(file_path, &token);
                    return Err(error);
                }
            }
            if filled < buffer.len() {
                break;
            }
            filled = match fill(&mut body, &mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) => {
                    self.abort(file_path, &token);
                    return Err(error);
                }
            };
        }
        let request = UploadActionRequest {
            parts,
            unknown_fields: Default::default(),
        };
        self.send_upload_action(
            file_path,
            "complete-upload",
            Some("multipart"),
            Some(token.expose()),
            Some(overwrite),
            &request,
        )
        .map(drop)
        .inspect_err(|_| self.abort(file_path, &token))
    }

    /// Gets the URL of part `number` and sends `bytes` to it; gives the part's `ETag`.
    fn send_part(
        &self,
        file_path: &str,
        token: &SensitiveString,
        number: i64,
        bytes: &[u8],
    ) -> Result<String> {
        let request = CreateUploadPartUrlsRequest {
            path: file_path.to_string(),
            session_token: Some(token.clone()),
            start_part_number: number,
            count: 1,
            expire_time: Some(self.expire_time()),
            unknown_fields: Default::default(),
        };
        let answer = self.send_create_upload_part_urls(&request)?;
        let url = answer
            .upload_part_urls
            .into_iter()
            .find(|url| url.part_number.is_none_or(|n| n == number))
            .ok_or_else(|| missing("upload_part_urls", "no URL for the part"))?;
        let headers = self.send_to_storage(PART, HttpMethod::Put, &url, bytes)?;
        headers
            .get("etag")
            .map(str::to_string)
            .ok_or_else(|| missing("ETag", "the storage answered a part without an ETag"))
    }

    /// A request to a signed storage URL with its headers and no credentials.
    fn send_to_storage(
        &self,
        operation: &str,
        method: HttpMethod,
        url: &PresignedUrl,
        bytes: &[u8],
    ) -> Result<crate::Headers> {
        let address = url
            .url
            .as_ref()
            .ok_or_else(|| missing("url", "the service gave no storage URL"))?;
        let headers: Vec<(&str, &str)> = url
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        self.client
            .send_unauthenticated(operation, method, address.expose(), &headers, bytes)
    }

    /// Aborts the session, as well as it can: the error that made the upload fail is the
    /// one reported.
    fn abort(&self, file_path: &str, token: &SensitiveString) {
        let request = CreateAbortUploadUrlRequest {
            path: file_path.to_string(),
            session_token: Some(token.clone()),
            expire_time: Some(self.expire_time()),
            unknown_fields: Default::default(),
        };
        let aborted = self
            .send_create_abort_upload_url(&request)
            .and_then(|answer| {
                let url = answer
                    .abort_upload_url
                    .ok_or_else(|| missing("abort_upload_url", "no abort URL"))?;
                self.send_to_storage(ABORT, HttpMethod::Delete, &url, b"")
            });
        if let Err(error) = aborted {
            log::debug!(target: crate::LOG_TARGET, "{file_path}: aborting the multipart upload failed: {error}");
        }
    }

    /// The file in one `PUT`: the bytes already read, then the rest of the source (or the
    /// whole source again, when it can be replayed).
    fn single_put(
        &self,
        file_path: &str,
        mut buffer: Vec<u8>,
        filled: usize,
        mut body: Upload<'_>,
        overwrite: &str,
    ) -> Result<()> {
        if body.is_replayable() {
            body.rewind()
                .map_err(|e| io_error("files.upload", "rewinding the upload's source", e))?;
            return self.send_upload(file_path, Some(overwrite), body);
        }
        buffer.truncate(filled);
        let len = body.len();
        let rest = io::Cursor::new(buffer).chain(&mut body);
        self.send_upload(file_path, Some(overwrite), Upload::reader(rest, len))
    }

    /// When the signed URLs expire, RFC 3339 in UTC.
    fn expire_time(&self) -> String {
        let at = self.client.inner().clock.wall_time() + URL_LIFETIME;
        chrono::DateTime::<chrono::Utc>::from(at)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }
}

/// Reads into `buffer` until it is full or the source ends; gives the bytes read.
fn fill(body: &mut Upload<'_>, buffer: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match body.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error("files.upload", "reading the upload's source", e)),
        }
    }
    Ok(filled)
}

/// Whether nothing could connect to the storage (refused, unreachable), after the retries.
fn unreachable(error: &Error) -> bool {
    let error = match error {
        Error::RetriesExhausted { last, .. } => last,
        other => other,
    };
    matches!(error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect
        || t.kind() == TransportErrorKind::HostNotFound)
}

/// A typed error for an answer that lacks what the protocol needs.
fn missing(field: &str, what: &str) -> Error {
    Error::Decode {
        operation: "files.upload".into(),
        status: 200,
        path: field.into(),
        source: <serde_json::Error as serde::de::Error>::custom(what),
    }
}
