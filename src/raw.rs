//! The escape hatch: any endpoint, with the client's auth and errors, as JSON values.

use serde_json::Value;

use crate::call::Call;
use crate::operation::HttpMethod;
use crate::{Client, Result};

/// Untyped access to any endpoint of the workspace; see [`Client::raw`].
///
/// For endpoints this SDK does not cover yet, or to send a field the models lack (the original
/// Python SDK's `force=True`). Requests carry the same credentials and headers, and errors are
/// the same [`crate::Error`]s as the typed calls.
#[derive(Debug, Clone, Copy)]
pub struct Raw<'a> {
    client: &'a Client,
}

impl Client {
    /// Untyped access to any endpoint; see [`Raw`].
    pub fn raw(&self) -> Raw<'_> {
        Raw { client: self }
    }
}

/// `/api/...` paths are used as they are; other paths are relative to `/api/2.0/`.
fn full_path(path: &str) -> String {
    if path.starts_with("/api/") {
        path.to_string()
    } else {
        format!("/api/2.0/{}", path.trim_start_matches('/'))
    }
}

impl Raw<'_> {
    /// `GET` with query parameters; returns the JSON answer (`{}` for an empty body). Retried
    /// like any read.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// let cluster = client.raw().get("clusters/get", &[("cluster_id", "0923-164208-meows279")])?;
    /// println!("{}", cluster["state"]);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let path = full_path(path);
        self.client.execute(&Call {
            operation: &path,
            method: HttpMethod::Get,
            path: &path,
            query,
            body: None,
            idempotent: true,
            not_found_if: &[],
        })
    }

    /// `POST` with a JSON body, sent exactly as given; returns the JSON answer. Since the SDK
    /// cannot know whether an arbitrary `POST` is idempotent, it is retried only when it cannot
    /// have reached the service.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use serde_json::json;
    /// client.raw().post("/api/2.0/clusters/start", &json!({"cluster_id": "0923-164208-meows279"}))?;
    /// # Ok(()) }
    /// ```
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let path = full_path(path);
        let body = serde_json::to_vec(body).expect("a serde_json::Value always serializes");
        self.client.execute(&Call {
            operation: &path,
            method: HttpMethod::Post,
            path: &path,
            query: &[],
            body: Some(&body),
            // Unknown endpoint: never replayed once it may have reached the service.
            idempotent: false,
            not_found_if: &[],
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_paths_are_under_api_2_0() {
        assert_eq!(super::full_path("clusters/list"), "/api/2.0/clusters/list");
        assert_eq!(super::full_path("/clusters/list"), "/api/2.0/clusters/list");
        assert_eq!(
            super::full_path("/api/2.1/clusters/list"),
            "/api/2.1/clusters/list"
        );
    }
}
