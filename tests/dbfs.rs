//! Wire tests of the DBFS API (`/api/2.0/dbfs/...`): every operation's method, path, query
//! and exact body; `put` checked and base64-encoded; uploads in blocks of at most 1 MB;
//! reads as a `Read`; and a delete that calls again while the answer is `PARTIAL_DELETE`.

mod common;

use std::io::{Cursor, Read};

use azure_databricks_sdk::models::{
    DbfsAddBlockRequest, DbfsCloseRequest, DbfsCreateRequest, DbfsReadRequest,
};
use azure_databricks_sdk::{Error, rules};
use base64::prelude::*;
use httpmock::prelude::*;
use serde_json::json;

/// Bytes that are not all the same, so that a shifted or repeated block shows.
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

const MB: usize = 1 << 20;

#[test]
fn put_sends_the_contents_base64_with_overwrite() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/put",
            json!({"path": "/tmp/a.txt", "contents": "aGVsbG8=", "overwrite": true}),
        );
        then.status(200).json_body(json!({}));
    });
    common::client(&server)
        .dbfs()
        .put("/tmp/a.txt", b"hello", true)
        .unwrap();
    mock.assert();
}

#[test]
fn put_of_more_than_the_inline_limit_is_refused_before_sending() {
    let server = MockServer::start();
    let big = vec![0u8; rules::DBFS_INLINE_PUT.max_bytes as usize + 1];
    let err = common::client(&server)
        .dbfs()
        .put("/tmp/a", &big, true)
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "contents"),
        "{err:?}"
    );
}

#[test]
fn create_add_block_and_close_are_posts_of_their_fields() {
    let server = MockServer::start();
    let create = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/create",
            json!({"path": "/tmp/b", "overwrite": false}),
        );
        then.status(200).json_body(json!({"handle": 7}));
    });
    let add = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/add-block",
            json!({"handle": 7, "data": "AAEC"}),
        );
        then.status(200).json_body(json!({}));
    });
    let close = server.mock(|when, then| {
        common::post(when, "/api/2.0/dbfs/close", json!({"handle": 7}));
        then.status(200).json_body(json!({}));
    });
    let dbfs = common::client(&server);
    let dbfs = dbfs.dbfs();
    let created = dbfs
        .create(&DbfsCreateRequest {
            path: "/tmp/b".into(),
            overwrite: Some(false),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(created.handle, Some(7));
    dbfs.add_block(&DbfsAddBlockRequest {
        handle: 7,
        data: "AAEC".into(),
        ..Default::default()
    })
    .unwrap();
    dbfs.close(&DbfsCloseRequest {
        handle: 7,
        ..Default::default()
    })
    .unwrap();
    create.assert();
    add.assert();
    close.assert();
}

#[test]
fn upload_sends_blocks_of_at_most_one_megabyte_in_order() {
    let server = MockServer::start();
    let body = data(2 * MB + 5);
    let create = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/create",
            json!({"path": "/tmp/big", "overwrite": true}),
        );
        then.status(200).json_body(json!({"handle": 1}));
    });
    let blocks: Vec<_> = body
        .chunks(MB)
        .map(|chunk| {
            let encoded = BASE64_STANDARD.encode(chunk);
            server.mock(|when, then| {
                common::post(
                    when,
                    "/api/2.0/dbfs/add-block",
                    json!({"handle": 1, "data": encoded}),
                );
                then.status(200).json_body(json!({}));
            })
        })
        .collect();
    let close = server.mock(|when, then| {
        common::post(when, "/api/2.0/dbfs/close", json!({"handle": 1}));
        then.status(200).json_body(json!({}));
    });
    let written = common::client(&server)
        .dbfs()
        .upload("/tmp/big", &body, true)
        .unwrap();
    assert_eq!(written, body.len() as u64);
    create.assert();
    assert_eq!(blocks.len(), 3);
    for block in &blocks {
        block.assert();
    }
    close.assert();
}

#[test]
fn a_block_failing_with_a_one_pass_reader_is_not_replayed() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/create",
            json!({"path": "/tmp/c", "overwrite": false}),
        );
        then.status(200).json_body(json!({"handle": 2}));
    });
    let add = server.mock(|when, then| {
        when.method(POST).path("/api/2.0/dbfs/add-block");
        then.status(500)
            .json_body(json!({"error_code": "INTERNAL_ERROR", "message": "boom"}));
    });
    let body = data(10);
    let err = common::client(&server)
        .dbfs()
        .upload_from("/tmp/c", Cursor::new(body), false)
        .unwrap_err();
    assert!(matches!(err, Error::NotReplayable { .. }), "{err:?}");
    add.assert_calls(1);
}

#[test]
fn read_asks_for_a_range_and_open_reads_the_whole_file() {
    let server = MockServer::start();
    let body = data(MB + 10);
    let first = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/dbfs/read",
            &[("length", "1048576"), ("offset", "0"), ("path", "/tmp/r")],
        );
        then.status(200).json_body(json!({
            "bytes_read": MB, "data": BASE64_STANDARD.encode(&body[..MB])
        }));
    });
    let second = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/dbfs/read",
            &[
                ("length", "1048576"),
                ("offset", "1048576"),
                ("path", "/tmp/r"),
            ],
        );
        then.status(200).json_body(json!({
            "bytes_read": 10, "data": BASE64_STANDARD.encode(&body[MB..])
        }));
    });
    let end = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/dbfs/read",
            &[
                ("length", "1048576"),
                ("offset", "1048586"),
                ("path", "/tmp/r"),
            ],
        );
        then.status(200)
            .json_body(json!({"bytes_read": 0, "data": ""}));
    });
    let client = common::client(&server);
    let mut read = Vec::new();
    client.dbfs().open("/tmp/r").read_to_end(&mut read).unwrap();
    assert_eq!(read, body);
    let mut copied = Vec::new();
    assert_eq!(
        client.dbfs().download_to("/tmp/r", &mut copied).unwrap(),
        body.len() as u64
    );
    assert_eq!(copied, body);
    first.assert_calls(2);
    second.assert_calls(2);
    end.assert_calls(2);
    let one = client
        .dbfs()
        .read(&DbfsReadRequest {
            path: "/tmp/r".into(),
            offset: Some(1_048_576),
            length: Some(1_048_576),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(one.bytes_read, Some(10));
}

#[test]
fn an_answer_whose_data_does_not_match_bytes_read_is_an_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/api/2.0/dbfs/read");
        then.status(200)
            .json_body(json!({"bytes_read": 5, "data": "AAEC"}));
    });
    let err = common::client(&server)
        .dbfs()
        .download_to("/tmp/r", &mut Vec::new())
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

#[test]
fn list_and_get_status_decode_file_infos() {
    let server = MockServer::start();
    let list = server.mock(|when, then| {
        common::get(when, "/api/2.0/dbfs/list", &[("path", "/tmp")]);
        then.status(200).json_body(json!({"files": [
            {"path": "/tmp/a", "is_dir": false, "file_size": 5, "modification_time": 1700000000000i64},
            {"path": "/tmp/d", "is_dir": true, "file_size": 0, "modification_time": 1700000000001i64}
        ]}));
    });
    let status = server.mock(|when, then| {
        common::get(when, "/api/2.0/dbfs/get-status", &[("path", "/tmp/a")]);
        then.status(200).json_body(json!(
            {"path": "/tmp/a", "is_dir": false, "file_size": 5, "modification_time": 1700000000000i64}
        ));
    });
    let client = common::client(&server);
    let files = client.dbfs().list("/tmp").unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].is_dir, Some(true));
    let info = client.dbfs().get_status("/tmp/a").unwrap();
    assert_eq!(
        (info.file_size, info.modification_time),
        (Some(5), Some(1_700_000_000_000))
    );
    list.assert();
    status.assert();
}

#[test]
fn mkdirs_and_move_are_posts_of_their_paths() {
    let server = MockServer::start();
    let mkdirs = server.mock(|when, then| {
        common::post(when, "/api/2.0/dbfs/mkdirs", json!({"path": "/tmp/x/y"}));
        then.status(200).json_body(json!({}));
    });
    let moved = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/move",
            json!({"source_path": "/tmp/x", "destination_path": "/tmp/z"}),
        );
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client.dbfs().mkdirs("/tmp/x/y").unwrap();
    client.dbfs().move_path("/tmp/x", "/tmp/z").unwrap();
    mkdirs.assert();
    moved.assert();
}

#[test]
fn delete_calls_again_while_the_answer_is_partial_delete() {
    const PARTIAL: &str = r#"{"error_code": "PARTIAL_DELETE", "message": "The requested operation has deleted 1000 files. There are more files remaining. You must make another request to delete more."}"#;
    let server = common::ScriptedServer::start(vec![
        common::Step::Answer(503, PARTIAL),
        common::Step::Answer(503, PARTIAL),
        common::Step::Answer(200, "{}"),
    ]);
    common::client_with_url(&server.url)
        .dbfs()
        .delete("/tmp/many", true)
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("POST /api/2.0/dbfs/delete ")),
        "{requests:?}"
    );
    for body in server.bodies() {
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, json!({"path": "/tmp/many", "recursive": true}));
    }
}

#[test]
fn delete_stops_at_another_error() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/dbfs/delete",
            json!({"path": "/tmp/d", "recursive": false}),
        );
        then.status(400)
            .json_body(json!({"error_code": "IO_ERROR", "message": "not empty"}));
    });
    let err = common::client(&server)
        .dbfs()
        .delete("/tmp/d", false)
        .unwrap_err();
    assert_eq!(err.error_code(), Some("IO_ERROR"));
    mock.assert_calls(1);
}
