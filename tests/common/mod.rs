//! Shared helpers of the wire tests: a client pointed at an httpmock server, the headers every
//! request must carry, and the JSON fixtures under `tests/fixtures/`.
#![allow(dead_code)]

use azure_databricks_sdk::{Auth, Client, ClientBuilder, RetryPolicy, USER_AGENT};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, When};
use serde_json::Value;

/// The personal access token of [`client`].
pub const TOKEN: &str = "dapi0123456789abcdef0123456789abcd";

/// A client of `server` with [`TOKEN`], ignoring proxy variables of the environment.
pub fn client(server: &MockServer) -> Client {
    client_with(server, Auth::personal_access_token(TOKEN))
}

/// A client of `server` with the given credentials. Retries are off: these tests pin what one
/// request does (tests/retries.rs covers retrying).
pub fn client_with(server: &MockServer, auth: Auth) -> Client {
    builder(server, auth)
        .retry(RetryPolicy::disabled())
        .build()
        .expect("a loopback client builds")
}

/// A builder of a client of `server`, ignoring proxy variables of the environment.
pub fn builder(server: &MockServer, auth: Auth) -> ClientBuilder {
    Client::builder(server.base_url()).auth(auth).no_proxy()
}

/// The text of `tests/fixtures/<path>`.
pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `tests/fixtures/<path>` parsed as JSON.
pub fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).expect("fixtures are JSON")
}

/// Headers of every request: PAT auth, JSON accept, the SDK's user agent.
fn common(when: When) -> When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
}

/// A `GET path` whose query string is exactly `query` (in that order) and that has no body.
pub fn get(when: When, path: &str, query: &[(&str, &str)]) -> When {
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    common(when.method(GET).path(path))
        .is_true(move |req: &HttpMockRequest| req.query_params() == expected)
        .is_true(|req: &HttpMockRequest| req.body_ref().is_empty())
        .header_missing("content-type")
}

/// A `POST path` with a JSON content type whose body is exactly `body`, and no query string.
pub fn post(when: When, path: &str, body: Value) -> When {
    common(when.method(POST).path(path))
        .header("content-type", "application/json")
        .is_true(|req: &HttpMockRequest| req.uri().query().is_none())
        .json_body(body)
}

/// The keys of the JSON object `body` sent in `req`, sorted.
pub fn body_keys(req: &HttpMockRequest) -> Vec<String> {
    let body: Value = serde_json::from_slice(req.body_ref()).unwrap_or(Value::Null);
    let mut keys: Vec<String> = body
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}
