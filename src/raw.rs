//! The escape hatch: any endpoint, with the client's auth and errors, as JSON values.

use std::borrow::Cow;

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
            path: Cow::Borrowed(&path),
            query,
            headers: &[],
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
            path: Cow::Borrowed(&path),
            query: &[],
            headers: &[],
            body: Some(&body),
            // Unknown endpoint: never replayed once it may have reached the service.
            idempotent: false,
            not_found_if: &[],
        })
    }

    /// Any method with query parameters and an optional JSON body, sent exactly as given;
    /// returns the JSON answer (`{}` for an empty body). `GET`, `HEAD`, `PUT` and `DELETE`
    /// are retried like idempotent operations (HTTP defines them so); `POST` and `PATCH`
    /// only when they cannot have reached the service.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::HttpMethod;
    /// use serde_json::json;
    /// let acl = json!({"access_control_list": [{"group_name": "users", "permission_level": "CAN_ATTACH_TO"}]});
    /// client.raw().request(HttpMethod::Patch, "permissions/clusters/0923-164208-meows279", &[], Some(&acl))?;
    /// # Ok(()) }
    /// ```
    pub fn request(
        &self,
        method: HttpMethod,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let path = full_path(path);
        let body =
            body.map(|b| serde_json::to_vec(b).expect("a serde_json::Value always serializes"));
        self.client
            .execute(&call(method, &path, query, &[], body.as_deref()))
    }

    /// A request whose body is streamed from `body` (`Content-Type:
    /// application/octet-stream`), with a JSON answer; see [`crate::Upload`] for when it is
    /// retried.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::{HttpMethod, Upload};
    /// let file = std::fs::File::open("data.csv").map_err(|e| azure_databricks_sdk::Error::Io {
    ///     operation: "open".into(), what: "data.csv".into(), source: e })?;
    /// let body = Upload::seekable(file).expect("seekable");
    /// client.raw().upload(HttpMethod::Put, "/api/2.0/fs/files/Volumes/main/default/files/data.csv",
    ///     &[("overwrite", "true")], body)?;
    /// # Ok(()) }
    /// ```
    pub fn upload<'b>(
        &self,
        method: HttpMethod,
        path: &str,
        query: &[(&str, &str)],
        body: impl Into<crate::Upload<'b>>,
    ) -> Result<Value> {
        let path = full_path(path);
        let mut body = body.into();
        self.client
            .send_upload(&call(method, &path, query, &[], None), &mut body)
    }

    /// A `GET` whose answer is read as a stream ([`crate::Download`]), with extra request
    /// headers (e.g. `Range`). Retried like any read until the answer's headers arrive.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// let download = client.raw().download("/api/2.0/fs/files/Volumes/main/default/files/data.csv",
    ///     &[], &[("range", "bytes=0-1023")])?;
    /// let mut first_kib = Vec::new();
    /// download.copy_to(&mut first_kib)?;
    /// # Ok(()) }
    /// ```
    pub fn download(
        &self,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<crate::Download> {
        let path = full_path(path);
        self.client
            .send_download(&call(HttpMethod::Get, &path, query, headers, None))
    }

    /// A `HEAD`: the answer's headers.
    pub fn head(&self, path: &str, query: &[(&str, &str)]) -> Result<crate::Headers> {
        let path = full_path(path);
        self.client
            .send_head(&call(HttpMethod::Head, &path, query, &[], None))
    }
}

/// The call of a raw request: retried as HTTP's idempotent methods allow.
fn call<'a>(
    method: HttpMethod,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    body: Option<&'a [u8]>,
) -> Call<'a> {
    Call {
        operation: path,
        method,
        path: Cow::Borrowed(path),
        query,
        headers,
        body,
        idempotent: !matches!(method, HttpMethod::Post | HttpMethod::Patch),
        not_found_if: &[],
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
