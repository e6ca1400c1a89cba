//! What the SDK knows about each operation of the API, as data: the generated
//! [`crate::operations`] table is made of these.

use std::fmt;

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `GET`: read.
    Get,
    /// `POST`: create or act.
    Post,
    /// `PUT`: replace or upload.
    Put,
    /// `PATCH`: change part of a resource.
    Patch,
    /// `DELETE`: delete.
    Delete,
    /// `HEAD`: headers only.
    Head,
}

impl HttpMethod {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `HEAD`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the body of a request or an answer of an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyKind {
    /// JSON (or none): a model, within the service's 10 MB request limit.
    Json,
    /// Raw bytes of any size, streamed ([`crate::Upload`] out, [`crate::Download`] in).
    Stream,
    /// No body, only headers: the answer to a `HEAD` ([`crate::Headers`]).
    Headers,
}

/// An error answer that means "not found" although it is not a 404, declared per operation in
/// the endpoint schema (`clusters/get` answers 400 `INVALID_PARAMETER_VALUE` "Cluster ... does
/// not exist").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotFoundIf {
    /// HTTP status.
    pub status: u16,
    /// `error_code` of the body.
    pub error_code: &'static str,
    /// Text the message contains.
    pub message_contains: &'static str,
}

/// The version and path parameters of a request path that matches an operation; see
/// [`Operation::match_path`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathMatch {
    /// The API version the path was called under, e.g. `2.0`.
    pub version: &'static str,
    /// The path parameters, percent-decoded, in the order of the path.
    pub params: Vec<(&'static str, String)>,
}

impl PathMatch {
    /// The value of path parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One operation of the API, from `schema/endpoints.json`.
///
/// ```
/// use azure_databricks_sdk::operations;
/// let get = operations::ALL.iter().find(|op| op.name == "clusters.get").unwrap();
/// assert_eq!((get.method.as_str(), get.idempotent), ("GET", true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Which operation it is, for an exhaustive `match`.
    pub id: crate::operations::OperationId,
    /// `service.method`, e.g. `clusters.get` or `secrets.acls.put`; used in errors and logs.
    pub name: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Full path, e.g. `/api/2.0/secrets/put`. A `{name}` after a `/` stands for one
    /// percent-encoded segment (`/api/2.0/preview/scim/v2/Users/{id}`); a `{name}` glued to
    /// the end of a segment takes the rest of the path, slashes kept, each segment
    /// percent-encoded (`/api/2.0/fs/files{file_path}`).
    pub path: &'static str,
    /// Every API version the operation answers under: the one of `path` first, then the
    /// aliases the schema declares (the clusters API also answers under `2.0`).
    pub versions: &'static [&'static str],
    /// Whether repeating the request can do no harm (see [`crate::RetryPolicy`]).
    pub idempotent: bool,
    /// Error answers that mean "does not exist" for this operation.
    pub not_found_if: &'static [NotFoundIf],
    /// What the request body is: JSON, or a byte stream (an upload).
    pub request_body: BodyKind,
    /// What the answer's body is: JSON, a byte stream (a download), or headers only (`HEAD`).
    pub response_body: BodyKind,
}

impl Operation {
    /// The path after the version prefix: `clusters/get` for `/api/2.1/clusters/get`.
    pub fn route(&self) -> &'static str {
        let rest = self.path.strip_prefix("/api/").unwrap_or(self.path);
        rest.split_once('/').map_or(rest, |(_, route)| route)
    }

    /// The API version of the path: `2.1` for `/api/2.1/clusters/get`.
    pub fn version(&self) -> &'static str {
        let rest = self.path.strip_prefix("/api/").unwrap_or(self.path);
        rest.split_once('/').map_or("", |(version, _)| version)
    }

    /// Whether the request path `path` (no query string) is this operation under one of its
    /// [`versions`](Operation::versions), and with which path parameters (percent-decoded).
    ///
    /// ```
    /// use azure_databricks_sdk::operations;
    /// let get = operations::CLUSTERS_GET.match_path("/api/2.0/clusters/get").unwrap();
    /// assert_eq!(get.version, "2.0");
    /// assert!(operations::CLUSTERS_GET.match_path("/api/2.2/clusters/get").is_none());
    /// ```
    pub fn match_path(&self, path: &str) -> Option<PathMatch> {
        let rest = path.strip_prefix("/api/")?;
        let (version, rest) = rest.split_once('/')?;
        let version = *self.versions.iter().find(|v| **v == version)?;
        let mut params = Vec::new();
        crate::path::match_template(self.route(), rest, &mut params)?;
        Some(PathMatch { version, params })
    }
}
