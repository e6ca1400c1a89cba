//! Wire tests of the Files API (`/api/2.0/fs/...`): streamed uploads (`PUT` with the exact
//! bytes, `overwrite`), downloads (whole, with `Range`, into a `Write`), metadata from the
//! headers of a `HEAD`, deletes, directories and their paged listing, and paths encoded per
//! segment (spaces, `#`, `%`, Unicode) or refused before sending.

mod common;

use std::io::Cursor;

use azure_databricks_sdk::models::ListDirectoryRequest;
use azure_databricks_sdk::{Error, Upload, UploadOptions};
use httpmock::HttpMockRequest;
use httpmock::prelude::*;
use serde_json::json;

/// `/Volumes/main/default/files/my dir/a#b%c é.csv`, as the client must send it.
const ENCODED: &str =
    "/api/2.0/fs/files/Volumes/main/default/files/my%20dir/a%23b%25c%20%C3%A9.csv";
const PLAIN: &str = "/Volumes/main/default/files/my dir/a#b%c é.csv";

/// Bytes that are not all the same, so that a shifted or repeated block shows.
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn same_body(expected: &[u8]) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + use<> {
    let expected = expected.to_vec();
    move |request| request.body_ref() == expected.as_slice()
}

#[test]
fn upload_is_a_put_of_the_exact_bytes_with_overwrite_and_each_segment_encoded() {
    let server = MockServer::start();
    let body = data(200_000);
    let mock = server.mock(|when, then| {
        common::call(when, PUT, ENCODED, &[("overwrite", "true")])
            .header("content-type", "application/octet-stream")
            .header("content-length", "200000")
            .is_true(same_body(&body));
        then.status(204);
    });
    common::client(&server)
        .files()
        .upload(PLAIN, Upload::seekable(Cursor::new(&body)).unwrap(), true)
        .unwrap();
    mock.assert();
}

#[test]
fn upload_from_a_short_reader_of_unknown_length_is_one_put_with_overwrite_false() {
    let server = MockServer::start();
    let body = data(100_000);
    let mock = server.mock(|when, then| {
        common::call(
            when,
            PUT,
            "/api/2.0/fs/files/Volumes/main/default/files/x.bin",
            &[("overwrite", "false")],
        )
        // Read into the part buffer, found shorter than the multipart threshold: one PUT.
        .header("content-length", "100000")
        .is_true(same_body(&body));
        then.status(204);
    });
    common::client(&server)
        .files()
        .upload_from("/Volumes/main/default/files/x.bin", body.as_slice(), false)
        .unwrap();
    mock.assert();
}

#[test]
fn download_reads_the_bytes_and_a_range_is_a_header() {
    let server = MockServer::start();
    let body = data(70_000);
    let whole = server.mock(|when, then| {
        common::call(when, GET, ENCODED, &[])
            .header("accept-encoding", "identity")
            .header_missing("range");
        then.status(200)
            .header("content-type", "application/octet-stream")
            .header("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT")
            .body(&body);
    });
    let part = server.mock(|when, then| {
        common::call(when, GET, ENCODED, &[]).header("range", "bytes=65536-");
        then.status(206)
            .header("content-range", "bytes 65536-69999/70000")
            .body(&body[65_536..]);
    });
    let client = common::client(&server);
    let mut out = Vec::new();
    assert_eq!(client.files().download_to(PLAIN, &mut out).unwrap(), 70_000);
    assert_eq!(out, body);
    let tail = client
        .files()
        .download(PLAIN, Some("bytes=65536-"))
        .unwrap();
    assert_eq!(tail.headers().status(), 206);
    assert_eq!(
        tail.headers().get("content-range"),
        Some("bytes 65536-69999/70000")
    );
    let mut rest = Vec::new();
    tail.copy_to(&mut rest).unwrap();
    assert_eq!(rest, &body[65_536..]);
    whole.assert();
    part.assert();
}

#[test]
fn get_metadata_is_a_head_typed_from_its_headers() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::call(when, httpmock::Method::HEAD, ENCODED, &[]);
        then.status(200)
            .header("content-length", "1234")
            .header("content-type", "text/csv")
            .header("last-modified", "Sun, 06 Nov 1994 08:49:37 GMT");
    });
    let metadata = common::client(&server).files().get_metadata(PLAIN).unwrap();
    mock.assert();
    assert_eq!(metadata.content_length, 1234);
    assert_eq!(metadata.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        metadata.last_modified,
        Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(784_111_777))
    );
}

#[test]
fn a_missing_file_is_not_found() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::call(when, httpmock::Method::HEAD, ENCODED, &[]);
        then.status(404);
    });
    let err = common::client(&server)
        .files()
        .get_metadata(PLAIN)
        .unwrap_err();
    mock.assert();
    assert!(err.is_not_found(), "{err:?}");
}

#[test]
fn delete_is_a_delete_without_a_body() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::call(when, DELETE, ENCODED, &[])
            .is_true(|r: &HttpMockRequest| r.body_ref().is_empty());
        then.status(204);
    });
    common::client(&server).files().delete(PLAIN).unwrap();
    mock.assert();
}

#[test]
fn directories_are_created_checked_and_deleted_with_a_trailing_slash_kept() {
    let server = MockServer::start();
    let path = "/api/2.0/fs/directories/Volumes/main/default/files/r%C3%A9ports/2024/";
    let create = server.mock(|when, then| {
        common::call(when, PUT, path, &[]).is_true(|r: &HttpMockRequest| r.body_ref().is_empty());
        then.status(204);
    });
    let head = server.mock(|when, then| {
        common::call(when, httpmock::Method::HEAD, path, &[]);
        then.status(200);
    });
    let delete = server.mock(|when, then| {
        common::call(when, DELETE, path, &[]);
        then.status(204);
    });
    let files = common::client(&server);
    let dir = "/Volumes/main/default/files/réports/2024/";
    files.files().create_directory(dir).unwrap();
    assert_eq!(
        files.files().get_directory_metadata(dir).unwrap().status(),
        200
    );
    files.files().delete_directory(dir).unwrap();
    create.assert();
    head.assert();
    delete.assert();
}

#[test]
fn listing_follows_page_tokens_and_a_short_page_is_not_the_end() {
    let server = MockServer::start();
    let path = "/api/2.0/fs/directories/Volumes/main/default/files/in";
    let first = server.mock(|when, then| {
        common::get(when, path, &[("page_size", "2")]);
        then.status(200).json_body(json!({
            "contents": [
                {"path": "/Volumes/main/default/files/in/a.csv", "name": "a.csv", "is_directory": false,
                 "file_size": 10, "last_modified": 1_719_835_215_000_i64, "etag": "x1"}
            ],
            "next_page_token": "t1"
        }));
    });
    let second = server.mock(|when, then| {
        common::get(when, path, &[("page_size", "2"), ("page_token", "t1")]);
        then.status(200).json_body(json!({
            "contents": [
                {"path": "/Volumes/main/default/files/in/sub", "name": "sub", "is_directory": true}
            ]
        }));
    });
    let entries: Vec<_> = common::client(&server)
        .files()
        .list_directory_contents(
            "/Volumes/main/default/files/in",
            &ListDirectoryRequest {
                page_size: Some(2),
                ..Default::default()
            },
        )
        .collect::<Result<_, _>>()
        .unwrap();
    first.assert();
    second.assert();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].name.as_deref(), Some("a.csv"));
    assert_eq!(entries[0].file_size, Some(10));
    assert_eq!(entries[0].last_modified, Some(1_719_835_215_000));
    assert_eq!(entries[0].is_directory, Some(false));
    assert_eq!(entries[0].unknown_fields.get("etag"), Some(&json!("x1")));
    assert_eq!(entries[1].is_directory, Some(true));
    assert_eq!(entries[1].file_size, None);
}

#[test]
fn dot_dot_relative_and_empty_segments_are_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200);
    });
    let client = common::client(&server);
    for bad in [
        "/Volumes/main/default/files/../secrets.txt",
        "Volumes/main/default/files/a.txt",
        "/Volumes/main//a.txt",
        "/Volumes/main/default/files/./a.txt",
    ] {
        let err = client.files().upload(bad, "x", true).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
        let err = client.files().get_metadata(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
    }
    any.assert_calls(0);
}

/// The JSON body of `req` equals `expected` once its `expire_time` (now + 1 h, RFC 3339 in
/// UTC) is checked and removed.
fn json_with_expiry(
    expected: serde_json::Value,
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync {
    move |req| {
        let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(req.body_ref()) else {
            return false;
        };
        let Some(expiry) = body.as_object_mut().and_then(|o| o.remove("expire_time")) else {
            return false;
        };
        let Some(at) = expiry
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        else {
            return false;
        };
        let ahead = at.timestamp() - chrono::Utc::now().timestamp();
        expiry.as_str().is_some_and(|s| s.ends_with('Z'))
            && (3500..=3700).contains(&ahead)
            && body == expected
    }
}

/// Parts of 4 bytes above 6 bytes.
fn tiny_parts() -> UploadOptions {
    UploadOptions::default().multipart_threshold(6).part_size(4)
}

#[test]
fn a_multipart_upload_initiates_puts_each_part_without_credentials_and_completes() {
    let server = MockServer::start();
    let file = "/api/2.0/fs/files/Volumes/main/default/files/big.bin";
    let initiate = server.mock(|when, then| {
        common::call(
            when,
            POST,
            file,
            &[("action", "initiate-upload"), ("overwrite", "true")],
        )
        .header("content-type", "application/json")
        .body("{}");
        then.status(200).json_body(
            json!({"multipart_upload": {"session_token": "tok-1"}, "resumable_upload": null}),
        );
    });
    let mut urls = Vec::new();
    let mut puts = Vec::new();
    for (number, bytes) in [(1, &b"abcd"[..]), (2, b"efgh"), (3, b"ij")] {
        urls.push(server.mock(|when, then| {
            common::call(when, POST, "/api/2.0/fs/create-upload-part-urls", &[])
                .header("content-type", "application/json")
                .is_true(json_with_expiry(json!({
                    "path": "/Volumes/main/default/files/big.bin",
                    "session_token": "tok-1",
                    "start_part_number": number,
                    "count": 1
                })));
            then.status(200).json_body(json!({"upload_part_urls": [{
                "part_number": number,
                "url": server.url(format!("/storage/part-{number}?sig=s{number}")),
                "headers": [{"name": "x-ms-blob-type", "value": "BlockBlob"}]
            }]}));
        }));
        puts.push(server.mock(|when, then| {
            when.method(PUT)
                .path(format!("/storage/part-{number}"))
                .query_param("sig", format!("s{number}"))
                .header("x-ms-blob-type", "BlockBlob")
                .header("content-type", "application/octet-stream")
                .header_missing("authorization")
                .body(String::from_utf8(bytes.to_vec()).unwrap());
            then.status(201)
                .header("ETag", format!("\"etag-{number}\""));
        }));
    }
    let complete = server.mock(|when, then| {
        common::call(
            when,
            POST,
            file,
            &[
                ("action", "complete-upload"),
                ("upload_type", "multipart"),
                ("session_token", "tok-1"),
                ("overwrite", "true"),
            ],
        )
        .header("content-type", "application/json")
        .json_body(json!({"parts": [
            {"part_number": 1, "etag": "\"etag-1\""},
            {"part_number": 2, "etag": "\"etag-2\""},
            {"part_number": 3, "etag": "\"etag-3\""}
        ]}));
        then.status(200).json_body(json!({}));
    });
    common::client(&server)
        .files()
        .upload_with(
            "/Volumes/main/default/files/big.bin",
            &b"abcdefghij"[..],
            true,
            tiny_parts(),
        )
        .unwrap();
    initiate.assert();
    for mock in urls.iter().chain(&puts) {
        mock.assert();
    }
    complete.assert();
}

#[test]
fn a_refused_part_aborts_the_session_through_its_abort_url_and_fails() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).query_param("action", "initiate-upload");
        then.status(200)
            .json_body(json!({"multipart_upload": {"session_token": "tok-2"}}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/api/2.0/fs/create-upload-part-urls");
        then.status(200).json_body(json!({"upload_part_urls": [
            {"part_number": 1, "url": server.url("/storage/p1"), "headers": []}
        ]}));
    });
    server.mock(|when, then| {
        when.method(PUT).path("/storage/p1");
        then.status(403)
            .body("<Error><Code>AuthorizationFailure</Code></Error>");
    });
    let abort_url = server.mock(|when, then| {
        common::call(when, POST, "/api/2.0/fs/create-abort-upload-url", &[])
            .header("content-type", "application/json")
            .is_true(json_with_expiry(json!({
                "path": "/Volumes/main/default/files/big.bin",
                "session_token": "tok-2"
            })));
        then.status(200).json_body(json!({"abort_upload_url": {
            "url": server.url("/storage/abort?sig=a"),
            "headers": [{"name": "x-ms-version", "value": "2021-08-06"}]
        }}));
    });
    let abort = server.mock(|when, then| {
        when.method(DELETE)
            .path("/storage/abort")
            .query_param("sig", "a")
            .header("x-ms-version", "2021-08-06")
            .header("content-type", "application/octet-stream")
            .header_missing("authorization");
        then.status(204);
    });
    let error = common::client(&server)
        .files()
        .upload_with(
            "/Volumes/main/default/files/big.bin",
            &b"abcdefghij"[..],
            true,
            tiny_parts(),
        )
        .unwrap_err();
    assert_eq!(error.api().map(|e| e.status()), Some(403), "{error}");
    abort_url.assert();
    abort.assert();
}

#[test]
fn a_part_url_that_is_not_http_is_refused_without_sending() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).query_param("action", "initiate-upload");
        then.status(200)
            .json_body(json!({"multipart_upload": {"session_token": "tok-3"}}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/api/2.0/fs/create-upload-part-urls");
        then.status(200).json_body(json!({"upload_part_urls": [
            {"part_number": 1, "url": "file:///etc/passwd", "headers": []}
        ]}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/api/2.0/fs/create-abort-upload-url");
        then.status(200)
            .json_body(json!({"abort_upload_url": {"url": "ftp://x/abort"}}));
    });
    let error = common::client(&server)
        .files()
        .upload_with(
            "/Volumes/main/default/files/big.bin",
            &b"abcdefghij"[..],
            true,
            tiny_parts(),
        )
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error}");
    assert!(!format!("{error:?}").contains("passwd"));
}

#[test]
fn a_part_size_of_zero_is_refused_before_sending() {
    let server = MockServer::start();
    let error = common::client(&server)
        .files()
        .upload_with(
            "/Volumes/main/default/files/big.bin",
            Upload::reader(&b"abcdefghij"[..], None),
            true,
            UploadOptions::default().part_size(0),
        )
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error}");
}
