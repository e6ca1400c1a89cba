//! Shared helpers of the wire tests: a client pointed at an httpmock server, the headers every
//! request must carry, and the JSON fixtures under `tests/fixtures/`.
#![allow(dead_code)]

pub mod fake_cli;

use azure_databricks_sdk::defaults::USER_AGENT;
use azure_databricks_sdk::{Auth, Client, ClientBuilder, RetryPolicy};
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

/// A client of the server at `url` (e.g. a [`ScriptedServer`]) with [`TOKEN`], retries off.
pub fn client_with_url(url: &str) -> Client {
    Client::builder(url)
        .auth(Auth::personal_access_token(TOKEN))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .build()
        .expect("a loopback client builds")
}

/// A builder of a client of `server`, ignoring proxy variables of the environment.
pub fn builder(server: &MockServer, auth: Auth) -> ClientBuilder {
    Client::builder(server.base_url()).auth(auth).no_proxy()
}

/// An environment for `ConfigBuilder::environment`: the given variables and nothing else.
pub fn env(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `http://127.0.0.1:<port>` of a port nothing listens on (a listener is bound and dropped, so
/// the port is closed now, almost certainly).
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
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
    without_body(when, GET, path, query)
}

/// A `method path` whose query string is exactly `query` (in that order) and that has no body.
fn without_body(when: When, method: httpmock::Method, path: &str, query: &[(&str, &str)]) -> When {
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    common(when.method(method).path(path))
        .is_true(move |req: &HttpMockRequest| req.query_params() == expected)
        .is_true(|req: &HttpMockRequest| req.body_ref().is_empty())
        .header_missing("content-type")
}

/// A `method path` (PUT, DELETE, HEAD, ...) whose query string is exactly `query` (in that
/// order); the body is matched by the caller.
pub fn call(when: When, method: httpmock::Method, path: &str, query: &[(&str, &str)]) -> When {
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    common(when.method(method).path(path))
        .is_true(move |req: &HttpMockRequest| req.query_params() == expected)
}

/// A `POST path` with a JSON content type whose body is exactly `body`, and no query string.
pub fn post(when: When, path: &str, body: Value) -> When {
    common(when.method(POST).path(path))
        .header("content-type", "application/json")
        .is_true(|req: &HttpMockRequest| req.uri().query().is_none())
        .json_body(body)
}

/// A `method path` (PUT, PATCH, DELETE, ...) with a JSON content type whose body is exactly
/// `body`, and no query string.
pub fn json(when: When, method: httpmock::Method, path: &str, body: Value) -> When {
    common(when.method(method).path(path))
        .header("content-type", "application/json")
        .is_true(|req: &HttpMockRequest| req.uri().query().is_none())
        .json_body(body)
}

/// A `PUT path` with exactly the JSON `body`.
pub fn put(when: When, path: &str, body: Value) -> When {
    json(when, PUT, path, body)
}

/// A `PATCH path` with exactly the JSON `body`.
pub fn patch(when: When, path: &str, body: Value) -> When {
    json(when, PATCH, path, body)
}

/// A `DELETE path` whose query string is exactly `query` and that has no body.
pub fn delete(when: When, path: &str, query: &[(&str, &str)]) -> When {
    without_body(when, DELETE, path, query)
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

/// A [`Clock`](azure_databricks_sdk::Clock) that never sleeps: `sleep` records the wait and
/// moves virtual time forward.
#[derive(Debug)]
pub struct FakeClock {
    start: std::time::Instant,
    elapsed: std::sync::Mutex<std::time::Duration>,
    sleeps: std::sync::Mutex<Vec<std::time::Duration>>,
}

impl FakeClock {
    /// A clock at virtual time zero.
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            start: std::time::Instant::now(),
            elapsed: Default::default(),
            sleeps: Default::default(),
        })
    }

    /// Every wait asked for, in order.
    pub fn sleeps(&self) -> Vec<std::time::Duration> {
        self.sleeps.lock().unwrap().clone()
    }

    /// Virtual time slept in total.
    pub fn slept(&self) -> std::time::Duration {
        *self.elapsed.lock().unwrap()
    }
}

impl azure_databricks_sdk::Clock for FakeClock {
    fn now(&self) -> std::time::Instant {
        self.start + *self.elapsed.lock().unwrap()
    }

    fn sleep(&self, duration: std::time::Duration) {
        *self.elapsed.lock().unwrap() += duration;
        self.sleeps.lock().unwrap().push(duration);
    }
}

/// What the [`ScriptedServer`] does with one connection.
#[derive(Debug, Clone)]
pub enum Step {
    /// Reads the request, then closes the connection without answering.
    Drop,
    /// Reads the request and answers with this status and JSON body.
    Answer(u16, &'static str),
    /// Reads the request and sends a body shorter than its `Content-Length`, then closes.
    Truncate,
}

/// A raw TCP server for misbehaviour httpmock cannot produce: it handles one request per
/// connection following `steps` (the last step repeats) and records each request line.
pub struct ScriptedServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

impl ScriptedServer {
    /// Starts the server on a free loopback port.
    pub fn start(steps: Vec<Step>) -> Self {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = requests.clone();
        let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen_bodies = bodies.clone();
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let step = steps.get(i).or(steps.last()).cloned().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    if header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                seen.lock().unwrap().push(line.trim().to_string());
                seen_bodies.lock().unwrap().push(body);
                match step {
                    Step::Drop => {}
                    Step::Answer(status, body) => {
                        let answer = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        stream.write_all(answer.as_bytes()).unwrap();
                    }
                    Step::Truncate => {
                        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{\"clusters\": [";
                        stream.write_all(answer.as_bytes()).unwrap();
                    }
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        });
        Self {
            url,
            requests,
            bodies,
        }
    }

    /// The bodies of the requests received so far (read by their `Content-Length`).
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }

    /// The request lines received so far (`POST /api/2.1/clusters/create HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}
