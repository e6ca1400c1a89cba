//! DBFS against the emulator: files of every size up and back byte for byte (inline `put`,
//! blocks, reads as a `Read`), the 1 MB limits with the service's codes, listing, moves,
//! a large recursive delete done in parts, and a lost answer to `add-block`: a seekable upload
//! starts over and gives the identical file, a one-pass reader fails clearly.
// Needs the emulator crate of the repository (see build.rs).
#![cfg(emulator_tests)]

use std::io::{Cursor, Read};

use azure_databricks_emulator::{Emulator, Fault};
use azure_databricks_sdk::models::{DbfsAddBlockRequest, DbfsCreateRequest, DbfsReadRequest};
use azure_databricks_sdk::{Error, Upload, rules};
use base64::prelude::*;

/// `len` bytes that are not all the same, different for each `seed`.
fn data(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 7) % 251) as u8)
        .collect()
}

const MB: usize = 1 << 20;

#[test]
fn files_go_up_and_come_back_identical() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let dbfs = client.dbfs();
    dbfs.put("/tmp/small.txt", b"hello", false).unwrap();
    assert_eq!(
        dbfs.put("/tmp/small.txt", b"again", false)
            .unwrap_err()
            .error_code(),
        Some("RESOURCE_ALREADY_EXISTS")
    );
    let mut text = String::new();
    dbfs.open("/tmp/small.txt")
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "hello");
    for (i, len) in [0, 1, MB - 1, MB, MB + 1, 3 * MB + 17]
        .into_iter()
        .enumerate()
    {
        let bytes = data(i, len);
        let path = format!("/data/f{i}.bin");
        let written = dbfs
            .upload(&path, Upload::seekable(Cursor::new(&bytes)).unwrap(), false)
            .unwrap();
        assert_eq!(written, len as u64);
        let mut back = Vec::new();
        assert_eq!(dbfs.download_to(&path, &mut back).unwrap(), len as u64);
        assert!(back == bytes, "{path} came back different");
        assert_eq!(dbfs.get_status(&path).unwrap().file_size, Some(len as i64));
    }
    let bytes = data(9, 2 * MB + 3);
    dbfs.upload_from("/data/piped", bytes.as_slice(), true)
        .unwrap();
    let mut back = Vec::new();
    dbfs.open("/data/piped").read_to_end(&mut back).unwrap();
    assert!(back == bytes);
}

#[test]
fn the_one_megabyte_limits_answer_the_service_codes() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let dbfs = client.dbfs();
    let handle = dbfs
        .create(&DbfsCreateRequest {
            path: "/tmp/x".into(),
            ..Default::default()
        })
        .unwrap()
        .handle
        .unwrap();
    let too_big = BASE64_STANDARD.encode(vec![0u8; rules::DBFS_BLOCK.max_bytes as usize + 1]);
    let err = dbfs
        .add_block(&DbfsAddBlockRequest {
            handle,
            data: too_big,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_code(), Some("MAX_BLOCK_SIZE_EXCEEDED"));
    dbfs.put("/tmp/y", b"abc", false).unwrap();
    let err = dbfs
        .read(&DbfsReadRequest {
            path: "/tmp/y".into(),
            length: Some(rules::DBFS_READ.max_bytes as i64 + 1),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_code(), Some("MAX_READ_SIZE_EXCEEDED"));
    let part = dbfs
        .read(&DbfsReadRequest {
            path: "/tmp/y".into(),
            offset: Some(1),
            length: Some(10),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (part.bytes_read, part.data.as_deref()),
        (Some(2), Some("YmM="))
    );
    assert!(dbfs.get_status("/tmp/nope").unwrap_err().is_not_found());
}

#[test]
fn an_idle_handle_expires_after_ten_minutes() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let dbfs = client.dbfs();
    let handle = dbfs
        .create(&DbfsCreateRequest {
            path: "/tmp/slow".into(),
            ..Default::default()
        })
        .unwrap()
        .handle
        .unwrap();
    let block = DbfsAddBlockRequest {
        handle,
        data: "AAEC".into(),
        ..Default::default()
    };
    dbfs.add_block(&block).unwrap();
    ws.advance(std::time::Duration::from_secs(9 * 60));
    dbfs.add_block(&block).unwrap();
    ws.advance(std::time::Duration::from_secs(10 * 60 + 1));
    assert!(dbfs.add_block(&block).unwrap_err().is_not_found());
}

#[test]
fn list_mkdirs_move_and_a_large_delete_in_parts() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let dbfs = client.dbfs();
    dbfs.mkdirs("/a/b/c").unwrap();
    dbfs.put("/a/b/file", b"1", false).unwrap();
    let listed: Vec<_> = dbfs
        .list("/a/b")
        .unwrap()
        .into_iter()
        .map(|f| (f.path.unwrap(), f.is_dir.unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("/a/b/c".to_string(), true),
            ("/a/b/file".to_string(), false)
        ]
    );
    dbfs.move_path("/a/b", "/moved").unwrap();
    assert!(dbfs.get_status("/a/b").unwrap_err().is_not_found());
    assert_eq!(dbfs.list("/moved").unwrap().len(), 2);
    assert_eq!(
        dbfs.delete("/moved", false).unwrap_err().error_code(),
        Some("IO_ERROR")
    );
    // Over a thousand directories: the emulator deletes them in parts, answering
    // PARTIAL_DELETE, and the SDK calls again until the delete is done.
    let deep = format!("/deep{}", "/d".repeat(2500));
    dbfs.mkdirs(&deep).unwrap();
    let before = ws.request_count();
    dbfs.delete("/deep", true).unwrap();
    assert_eq!(
        ws.request_count() - before,
        3,
        "two partial answers, then done"
    );
    assert!(dbfs.get_status("/deep").unwrap_err().is_not_found());
}

#[test]
fn a_lost_answer_to_add_block_restarts_a_seekable_upload_and_the_file_is_identical() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let dbfs = client.dbfs();
    let bytes = data(3, 3 * MB + 5);
    // The first block is written, but its answer is lost: replaying it would write it twice.
    ws.inject(Fault::drop_answer().on("dbfs/add-block"));
    let written = dbfs
        .upload(
            "/tmp/restarted",
            Upload::seekable(Cursor::new(&bytes)).unwrap(),
            false,
        )
        .unwrap();
    assert_eq!(written, bytes.len() as u64);
    let mut back = Vec::new();
    dbfs.download_to("/tmp/restarted", &mut back).unwrap();
    assert_eq!(back.len(), bytes.len());
    assert!(back == bytes, "the restarted upload is identical");
    // The same fault with a one-pass reader: a clear error, and no file.
    ws.inject(Fault::drop_answer().on("dbfs/add-block"));
    let err = dbfs
        .upload_from("/tmp/one-pass", bytes.as_slice(), false)
        .unwrap_err();
    assert!(matches!(err, Error::NotReplayable { .. }), "{err:?}");
    assert!(dbfs.get_status("/tmp/one-pass").unwrap_err().is_not_found());
    // A lost answer to close: the file was completed; starting over gives it again whole.
    ws.inject(Fault::drop_answer().on("dbfs/close"));
    dbfs.upload("/tmp/closed", &bytes, false).unwrap();
    let mut back = Vec::new();
    dbfs.download_to("/tmp/closed", &mut back).unwrap();
    assert!(back == bytes);
}
