//! What the SDK knows about each operation of the API, as data: the generated
//! [`crate::operations`] table is made of these.

use std::fmt;

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in a JSON body.
    Post,
}

impl HttpMethod {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// `service.method`, e.g. `clusters.get` or `secrets.acls.put`; used in errors and logs.
    pub name: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Full path, e.g. `/api/2.0/secrets/put`.
    pub path: &'static str,
    /// Whether repeating the request can do no harm (see [`crate::RetryPolicy`]).
    pub idempotent: bool,
    /// Error answers that mean "does not exist" for this operation.
    pub not_found_if: &'static [NotFoundIf],
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
}
