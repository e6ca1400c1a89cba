//! What the Workspace API gains by hand on top of the generated operations: imports of bytes
//! or any reader (size checked, base64 encoded), exports as JSON or as raw bytes into any
//! writer, and a recursive walk over the unpaged listing.

use std::io::{self, Read, Write};

use base64::prelude::*;

use crate::models::WorkspaceImportRequest;
use crate::models::{ExportFormat, ExportResponse, ImportFormat, Language, ObjectInfo, ObjectType};
use crate::streaming::io_error;
use crate::{Download, Error, Result, Upload, Workspace, rules};

/// Name of the hand-written exports in errors.
const EXPORT: &str = "workspace.export";

impl<'a> Workspace<'a> {
    /// Imports `content` as the object `path` in `format` (a notebook needs its `language`
    /// in `SOURCE`), in the JSON form: the base64 content at most
    /// [`rules::WORKSPACE_IMPORT`], so about 7.5 MiB of bytes; [`Workspace::upload`] streams
    /// larger content as a multipart form.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{ImportFormat, Language};
    /// client.workspace().import(
    ///     "/Users/alice@example.com/etl",
    ///     b"print('hello')",
    ///     ImportFormat::Source,
    ///     Some(Language::Python),
    ///     true,
    /// )?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for larger content or an empty path, before sending; the
    /// service's answer (`RESOURCE_ALREADY_EXISTS` without `overwrite`).
    pub fn import(
        &self,
        path: &str,
        content: &[u8],
        format: ImportFormat,
        language: Option<Language>,
        overwrite: bool,
    ) -> Result<()> {
        crate::validate::non_empty("path", path)?;
        let encoded = BASE64_STANDARD.encode(content);
        crate::validate::size(&rules::WORKSPACE_IMPORT, "content", encoded.len())?;
        self.send_import(&WorkspaceImportRequest {
            path: path.to_string(),
            format: Some(format),
            language,
            content: Some(encoded),
            overwrite: Some(overwrite),
            ..Default::default()
        })
    }

    /// Imports from `body` (bytes, a seekable source such as a `File`, or a one-pass reader:
    /// see [`Upload`]) as the multipart form the official SDKs send: the content streamed as
    /// it is, never base64-encoded nor held in memory. A replayable body is sent again whole
    /// when a retry is needed.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::Upload;
    /// use azure_databricks_sdk::models::ImportFormat;
    /// let file = std::fs::File::open("etl.ipynb").expect("a local file");
    /// let body = Upload::seekable(file).expect("seekable");
    /// client.workspace().upload("/Shared/etl", body, ImportFormat::Jupyter, None, true)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty path, before sending; the service's answer
    /// (`RESOURCE_ALREADY_EXISTS` without `overwrite`, `MAX_NOTEBOOK_SIZE_EXCEEDED`);
    /// [`Error::Io`] when the source cannot be read.
    pub fn upload<'b>(
        &self,
        path: &str,
        body: impl Into<Upload<'b>>,
        format: ImportFormat,
        language: Option<Language>,
        overwrite: bool,
    ) -> Result<()> {
        crate::validate::non_empty("path", path)?;
        let boundary = format!("azure-databricks-sdk-{:032x}", fastrand::u128(..));
        let mut before = String::new();
        let overwrite = if overwrite { "true" } else { "false" };
        let mut fields = vec![
            ("path", path),
            ("format", format.as_str()),
            ("overwrite", overwrite),
        ];
        if let Some(language) = &language {
            fields.push(("language", language.as_str()));
        }
        for (name, value) in fields {
            before.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        before.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ));
        let after = format!("\r\n--{boundary}--\r\n");
        let mut form = Upload::framed(before.into_bytes(), body.into(), after.into_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let _: serde::de::IgnoredAny = self.client.send_upload(
            &crate::call::Call::of(
                &crate::operations::WORKSPACE_IMPORT,
                &crate::call::Parts {
                    path: &[],
                    query: &[],
                    headers: &[("content-type", &content_type)],
                },
                None,
            )?,
            &mut form,
        )?;
        Ok(())
    }

    /// Exports the object `path` in `format` as JSON: the content (decoded from base64) and
    /// its file type.
    ///
    /// # Errors
    ///
    /// The service's answer (`MAX_NOTEBOOK_SIZE_EXCEEDED` above
    /// [`rules::WORKSPACE_EXPORT`]); [`Error::Decode`] for an answer that is not the JSON
    /// expected.
    pub fn export(&self, path: &str, format: ExportFormat) -> Result<Exported> {
        let download = self.send_export(path, Some(format.as_str()), None)?;
        let status = download.headers().status();
        // Base64 of the largest export, with room for the JSON around it.
        let limit = rules::WORKSPACE_EXPORT.max_bytes / 3 * 4 + 64 * 1024;
        let mut body = Vec::new();
        download
            .take(limit)
            .read_to_end(&mut body)
            .map_err(|e| io_error(EXPORT, "reading the answer", e))?;
        let answer: ExportResponse =
            serde_json::from_slice(&body).map_err(|source| Error::Decode {
                operation: EXPORT.into(),
                status,
                path: ".".into(),
                source,
            })?;
        let content = BASE64_STANDARD
            .decode(answer.content.as_deref().unwrap_or_default())
            .map_err(|e| {
                io_error(
                    EXPORT,
                    "decoding the content",
                    io::Error::new(io::ErrorKind::InvalidData, e),
                )
            })?;
        Ok(Exported {
            content,
            file_type: answer.file_type,
        })
    }

    /// Exports the object `path` in `format` as its raw bytes (`direct_download=true`), to
    /// read as they arrive.
    ///
    /// # Errors
    ///
    /// The service's answer.
    pub fn download(&self, path: &str, format: ExportFormat) -> Result<Download> {
        self.send_export(path, Some(format.as_str()), Some("true"))
    }

    /// Exports the object `path` in `format` into `out` through a fixed buffer; gives the
    /// bytes written.
    ///
    /// # Errors
    ///
    /// The service's answer; [`Error::Io`] when the connection breaks, the answer ends
    /// before its `Content-Length`, or writing to `out` fails.
    pub fn download_to(
        &self,
        path: &str,
        format: ExportFormat,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let download = self.download(path, format)?;
        let expected = download.headers().content_length();
        let copied = download.copy_to(out)?;
        match expected {
            Some(expected) if expected != copied => Err(io_error(
                EXPORT,
                "reading the answer",
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the answer announced {expected} bytes, {copied} arrived"),
                ),
            )),
            _ => Ok(copied),
        }
    }

    /// Every object under the directory `path`, subdirectories included (each directory
    /// before its objects), depth first, as a lazy iterator: one listing per directory.
    pub fn walk(&self, path: &str) -> WorkspaceWalk<'a> {
        WorkspaceWalk {
            workspace: *self,
            start: Some(path.to_string()),
            open: Vec::new(),
        }
    }
}

/// What [`Workspace::export`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exported {
    /// The content, decoded.
    pub content: Vec<u8>,
    /// Its file type, e.g. `py`, `ipynb`.
    pub file_type: Option<String>,
}

/// The objects under a directory, depth first; see [`Workspace::walk`].
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct WorkspaceWalk<'a> {
    workspace: Workspace<'a>,
    /// The directory to list first, until it is.
    start: Option<String>,
    /// The listings being read, innermost last.
    open: Vec<std::vec::IntoIter<ObjectInfo>>,
}

impl Iterator for WorkspaceWalk<'_> {
    type Item = Result<ObjectInfo>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(start) = self.start.take() {
            match self.workspace.list(&start) {
                Ok(objects) => self.open.push(objects.into_iter()),
                Err(error) => return Some(Err(error)),
            }
        }
        loop {
            let listing = self.open.last_mut()?;
            let Some(object) = listing.next() else {
                self.open.pop();
                continue;
            };
            if object.object_type == Some(ObjectType::Directory)
                && let Some(path) = &object.path
            {
                match self.workspace.list(path) {
                    Ok(objects) => self.open.push(objects.into_iter()),
                    Err(error) => return Some(Err(error)),
                }
            }
            return Some(Ok(object));
        }
    }
}

impl std::fmt::Debug for WorkspaceWalk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceWalk")
            .field("depth", &self.open.len())
            .finish_non_exhaustive()
    }
}
