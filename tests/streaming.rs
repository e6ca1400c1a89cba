//! Byte bodies both ways and every HTTP method, through the escape hatch (`Client::raw`),
//! which uses the same runtime as the generated operations: upload from bytes, a seekable
//! source or a one-pass reader (Content-Length or chunked), replay on retry only when the body
//! can be sent again, download as a `Read` with its headers, HEAD.

mod common;

use std::io::{Cursor, Read};
use std::sync::Arc;

use azure_databricks_sdk::{Auth, Client, Error, HttpMethod, RetryPolicy, Upload};
use common::{FakeClock, ScriptedServer, Step, TOKEN};
use httpmock::prelude::*;
use serde_json::json;

const FILE: &str = "/api/2.0/fs/files/Volumes/main/default/files/data.bin";

/// Bytes that are not all the same, so that a shifted or repeated block shows.
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// A matcher of a request whose body is exactly `expected`.
fn same_body(expected: &[u8]) -> impl Fn(&httpmock::HttpMockRequest) -> bool + Send + Sync + use<> {
    let expected = expected.to_vec();
    move |request| request.body_ref() == expected.as_slice()
}

fn retrying_client(url: &str, clock: &Arc<FakeClock>) -> Client {
    Client::builder(url)
        .auth(Auth::personal_access_token(TOKEN))
        .no_proxy()
        .clock(clock.clone())
        .retry(RetryPolicy::default())
        .build()
        .unwrap()
}

#[test]
fn an_upload_of_bytes_is_a_put_with_content_length_and_the_exact_body() {
    let server = MockServer::start();
    let body = data(300_000);
    let mock = server.mock(|when, then| {
        when.method(PUT)
            .path(FILE)
            .query_param("overwrite", "true")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/octet-stream")
            .header("content-length", "300000")
            .is_true(same_body(&body));
        then.status(204);
    });
    let answer = common::client(&server)
        .raw()
        .upload(
            HttpMethod::Put,
            FILE,
            &[("overwrite", "true")],
            Upload::bytes(&body),
        )
        .unwrap();
    mock.assert();
    assert_eq!(answer, json!({}));
}

#[test]
fn a_reader_of_unknown_length_is_sent_chunked() {
    let server = MockServer::start();
    let body = data(200_000);
    let mock = server.mock(|when, then| {
        when.method(PUT)
            .path(FILE)
            .header("transfer-encoding", "chunked")
            .header_missing("content-length")
            .is_true(same_body(&body));
        then.status(200).json_body(json!({"ok": true}));
    });
    let answer = common::client(&server)
        .raw()
        .upload(
            HttpMethod::Put,
            FILE,
            &[],
            Upload::reader(Cursor::new(body.clone()), None),
        )
        .unwrap();
    mock.assert();
    assert_eq!(answer["ok"], true);
}

#[test]
fn a_seekable_upload_is_sent_again_whole_after_a_503() {
    let server = ScriptedServer::start(vec![
        Step::Answer(503, r#"{"error_code": "TEMPORARILY_UNAVAILABLE"}"#),
        Step::Answer(200, "{}"),
    ]);
    let clock = FakeClock::new();
    let body = data(100_000);
    // The body starts where the source is: the first 10 bytes are not part of it.
    let mut source = Cursor::new([vec![7u8; 10], body.clone()].concat());
    source.set_position(10);
    retrying_client(&server.url, &clock)
        .raw()
        .upload(
            HttpMethod::Put,
            FILE,
            &[],
            Upload::seekable(source).unwrap(),
        )
        .unwrap();
    assert_eq!(server.bodies(), [body.clone(), body]);
    assert_eq!(clock.sleeps().len(), 1);
}

#[test]
fn a_one_pass_reader_already_sent_is_not_replayed_and_the_error_says_why() {
    let server = ScriptedServer::start(vec![
        Step::Answer(503, r#"{"error_code": "TEMPORARILY_UNAVAILABLE"}"#),
        Step::Answer(200, "{}"),
    ]);
    let clock = FakeClock::new();
    let body = data(50_000);
    let err = retrying_client(&server.url, &clock)
        .raw()
        .upload(
            HttpMethod::Put,
            FILE,
            &[],
            Upload::reader(Cursor::new(body.clone()), Some(body.len() as u64)),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotReplayable { .. }), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains("seekable"), "{err}");
    assert_eq!(server.bodies(), [body]);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_source_shorter_than_its_declared_length_is_an_error_not_a_short_file() {
    let server = ScriptedServer::start(vec![Step::Answer(200, "{}")]);
    let err = common::client_with_url(&server.url)
        .raw()
        .upload(
            HttpMethod::Put,
            FILE,
            &[],
            Upload::reader(&b"only this"[..], Some(1000)),
        )
        .unwrap_err();
    assert!(err.transport().is_some(), "{err:?}");
}

#[test]
fn a_download_streams_the_body_with_its_headers_and_asks_for_identity_encoding() {
    let server = MockServer::start();
    let body = data(1_000_000);
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path(FILE)
            .header("range", "bytes=1000-")
            .header("accept-encoding", "identity")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(206)
            .header("content-type", "application/octet-stream")
            .header("last-modified", "Wed, 02 Dec 2026 10:00:00 GMT")
            .body(&body[1000..]);
    });
    let mut download = common::client(&server)
        .raw()
        .download(FILE, &[], &[("range", "bytes=1000-")])
        .unwrap();
    assert_eq!(download.headers().status(), 206);
    assert_eq!(download.headers().content_length(), Some(999_000));
    assert_eq!(
        download.headers().last_modified(),
        Some("Wed, 02 Dec 2026 10:00:00 GMT")
    );
    let mut first = [0u8; 10];
    download.read_exact(&mut first).unwrap();
    let mut rest = Vec::new();
    let copied = download.copy_to(&mut rest).unwrap();
    mock.assert();
    assert_eq!(copied, 999_000 - 10);
    assert_eq!([&first[..], &rest[..]].concat(), &body[1000..]);
}

#[test]
fn a_download_of_a_missing_file_is_a_not_found_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path(FILE);
        then.status(404).json_body(json!({
            "error_code": "NOT_FOUND", "message": "The file being accessed is not found."
        }));
    });
    let err = common::client(&server)
        .raw()
        .download(FILE, &[], &[])
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[test]
fn a_broken_download_is_an_error_when_read_not_a_short_file() {
    let server = ScriptedServer::start(vec![Step::Truncate]);
    let download = common::client_with_url(&server.url)
        .raw()
        .download(FILE, &[], &[])
        .unwrap();
    let err = download.copy_to(&mut Vec::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

#[test]
fn head_gives_the_headers_and_any_method_takes_a_json_body() {
    let server = MockServer::start();
    let head = server.mock(|when, then| {
        when.method("HEAD").path(FILE);
        then.status(200)
            .header("content-length", "12345")
            .header("content-type", "application/octet-stream");
    });
    let patch = server.mock(|when, then| {
        when.method(PATCH)
            .path("/api/2.0/permissions/clusters/0923-164208-meows279")
            .header("content-type", "application/json")
            .json_body(json!({"access_control_list": []}));
        then.status(200)
            .json_body(json!({"object_id": "/clusters/0923-164208-meows279"}));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE)
            .path(FILE)
            .header_missing("content-type");
        then.status(204);
    });
    let client = common::client(&server);
    let headers = client.raw().head(FILE, &[]).unwrap();
    assert_eq!(headers.content_length(), Some(12345));
    assert_eq!(headers.content_type(), Some("application/octet-stream"));
    let answer = client
        .raw()
        .request(
            HttpMethod::Patch,
            "permissions/clusters/0923-164208-meows279",
            &[],
            Some(&json!({"access_control_list": []})),
        )
        .unwrap();
    assert_eq!(answer["object_id"], "/clusters/0923-164208-meows279");
    client
        .raw()
        .request(HttpMethod::Delete, FILE, &[], None)
        .unwrap();
    head.assert();
    patch.assert();
    delete.assert();
}
