//! The Workspace API against the emulator: notebooks imported in SOURCE come back from a
//! SOURCE export with their header (and an export imported again is unchanged), AUTO and
//! JUPYTER imports, workspace files byte for byte, the recursive walk, deletes, and the
//! service's errors and limits.
// Needs the emulator crate of the repository (see build.rs).
#![cfg(emulator_tests)]

use std::io::{Cursor, Read};

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::Upload;
use azure_databricks_sdk::models::{
    ExportFormat, ImportFormat, Language, ObjectType, WorkspaceDeleteRequest,
};

#[test]
fn a_source_notebook_round_trips_with_its_header() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let w = client.workspace();
    w.mkdirs("/Users/alice@example.com/etl").unwrap();
    let path = "/Users/alice@example.com/etl/job.py";
    w.import(
        path,
        b"print(1)",
        ImportFormat::Source,
        Some(Language::Python),
        false,
    )
    .unwrap();
    let status = w.get_status(path).unwrap();
    assert_eq!(status.object_type, Some(ObjectType::Notebook));
    assert_eq!(status.language, Some(Language::Python));
    let exported = w.export(path, ExportFormat::Source).unwrap();
    assert_eq!(exported.content, b"# Databricks notebook source\nprint(1)");
    assert_eq!(exported.file_type.as_deref(), Some("py"));
    // Imported again as exported: the header is not doubled.
    w.import(
        path,
        &exported.content,
        ImportFormat::Source,
        Some(Language::Python),
        true,
    )
    .unwrap();
    let mut raw = Vec::new();
    w.download(path, ExportFormat::Source)
        .unwrap()
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw, exported.content);
    let err = w
        .import(
            path,
            b"x",
            ImportFormat::Source,
            Some(Language::Python),
            false,
        )
        .unwrap_err();
    assert_eq!(err.error_code(), Some("RESOURCE_ALREADY_EXISTS"));
    // SQL uses its own comment.
    w.import(
        "/Shared/q",
        b"SELECT 1",
        ImportFormat::Source,
        Some(Language::Sql),
        false,
    )
    .unwrap();
    let sql = w.export("/Shared/q", ExportFormat::Source).unwrap();
    assert_eq!(sql.content, b"-- Databricks notebook source\nSELECT 1");
}

#[test]
fn auto_raw_and_jupyter_imports() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let w = client.workspace();
    // AUTO: a header makes a notebook (the extension goes), none a workspace file.
    w.import(
        "/Shared/nb.py",
        b"# Databricks notebook source\nx = 1",
        ImportFormat::Auto,
        None,
        false,
    )
    .unwrap();
    assert_eq!(
        w.get_status("/Shared/nb").unwrap().object_type,
        Some(ObjectType::Notebook)
    );
    w.import(
        "/Shared/plain.py",
        b"x = 1",
        ImportFormat::Auto,
        None,
        false,
    )
    .unwrap();
    assert_eq!(
        w.get_status("/Shared/plain.py").unwrap().object_type,
        Some(ObjectType::File)
    );
    // RAW: the bytes as they are, back byte for byte.
    let bytes: Vec<u8> = (0..200_000).map(|i| (i * 31 % 251) as u8).collect();
    w.upload(
        "/Shared/data.bin",
        bytes.as_slice(),
        ImportFormat::Raw,
        None,
        false,
    )
    .unwrap();
    let mut back = Vec::new();
    assert_eq!(
        w.download_to("/Shared/data.bin", ExportFormat::Raw, &mut back)
            .unwrap(),
        bytes.len() as u64
    );
    assert!(back == bytes);
    assert_eq!(
        w.get_status("/Shared/data.bin").unwrap().size,
        Some(200_000)
    );
    // JUPYTER: exported as a notebook again, its cells kept.
    let ipynb = br#"{"cells": [{"cell_type": "code", "source": ["a = 1\n", "b = 2"]}, {"cell_type": "code", "source": "c = 3"}], "nbformat": 4}"#;
    w.import(
        "/Shared/nb2.ipynb",
        ipynb,
        ImportFormat::Jupyter,
        None,
        false,
    )
    .unwrap();
    let source = w.export("/Shared/nb2", ExportFormat::Source).unwrap();
    assert_eq!(
        String::from_utf8(source.content).unwrap(),
        "# Databricks notebook source\na = 1\nb = 2\n\n# COMMAND ----------\n\nc = 3"
    );
    let again = w.export("/Shared/nb2", ExportFormat::Jupyter).unwrap();
    assert_eq!(again.file_type.as_deref(), Some("ipynb"));
    let notebook: serde_json::Value = serde_json::from_slice(&again.content).unwrap();
    assert_eq!(notebook["cells"].as_array().unwrap().len(), 2);
    let html = w.export("/Shared/nb2", ExportFormat::Html).unwrap();
    assert!(String::from_utf8(html.content).unwrap().contains("c = 3"));
    let err = w.export("/Shared/nb2", ExportFormat::Dbc).unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[test]
fn walk_list_and_recursive_delete() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let w = client.workspace();
    w.mkdirs("/Shared/a/b").unwrap();
    w.import(
        "/Shared/a/one",
        b"1",
        ImportFormat::Source,
        Some(Language::Scala),
        false,
    )
    .unwrap();
    w.import(
        "/Shared/a/b/two",
        b"2",
        ImportFormat::Source,
        Some(Language::R),
        false,
    )
    .unwrap();
    let walked: Vec<String> = w
        .walk("/Shared")
        .map(|o| o.unwrap().path.unwrap())
        .collect();
    assert_eq!(
        walked,
        [
            "/Shared/a",
            "/Shared/a/b",
            "/Shared/a/b/two",
            "/Shared/a/one"
        ]
    );
    assert!(
        w.import("/Shared/nope/x", b"1", ImportFormat::Raw, None, false)
            .unwrap_err()
            .is_not_found()
    );
    let delete = |recursive| WorkspaceDeleteRequest {
        path: "/Shared/a".into(),
        recursive: Some(recursive),
        ..Default::default()
    };
    assert_eq!(
        w.delete(&delete(false)).unwrap_err().error_code(),
        Some("DIRECTORY_NOT_EMPTY")
    );
    w.delete(&delete(true)).unwrap();
    assert!(w.list("/Shared").unwrap().is_empty());
    assert!(w.get_status("/Shared/a/one").unwrap_err().is_not_found());
}

#[test]
fn a_multipart_import_over_ten_megabytes_is_refused() {
    let ws = Emulator::start().unwrap();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    let boundary = "XyZ";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n/Shared/big\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nRAW\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\n\r\n"
    )
    .into_bytes();
    let form_end = format!("\r\n--{boundary}--\r\n");
    let small = [
        body.clone(),
        b"hello".to_vec(),
        form_end.clone().into_bytes(),
    ]
    .concat();
    body.extend(vec![b'x'; 10 * 1024 * 1024 + 1]);
    body.extend(form_end.as_bytes());
    let send = |body: &[u8]| {
        agent
            .post(format!("{}/api/2.0/workspace/import", ws.base_url()))
            .header("authorization", format!("Bearer {}", ws.admin_token()))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(body)
            .unwrap()
    };
    let mut answer = send(&body);
    assert_eq!(answer.status(), 400);
    assert!(
        answer
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("MAX_NOTEBOOK_SIZE_EXCEEDED")
    );
    assert_eq!(send(&small).status(), 200);
    let mut back = Vec::new();
    ws.client()
        .workspace()
        .download_to("/Shared/big", ExportFormat::Raw, &mut back)
        .unwrap();
    assert_eq!(back, b"hello");
}

#[test]
fn an_upload_beyond_the_json_form_streams_as_a_multipart_form() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let w = client.workspace();
    // 9 MiB: too large for a JSON import once base64-encoded, within the form's 10 MiB.
    let bytes: Vec<u8> = (0..9 * 1024 * 1024).map(|i| (i * 7 % 253) as u8).collect();
    assert!(
        w.import("/Shared/big.bin", &bytes, ImportFormat::Raw, None, false)
            .is_err()
    );
    w.upload(
        "/Shared/big.bin",
        Upload::seekable(Cursor::new(&bytes)).unwrap(),
        ImportFormat::Raw,
        None,
        false,
    )
    .unwrap();
    let mut back = Vec::new();
    w.download_to("/Shared/big.bin", ExportFormat::Raw, &mut back)
        .unwrap();
    assert!(back == bytes, "the upload came back different");
    // A one-pass reader of unknown length goes chunked; a notebook from a form keeps its
    // language.
    w.upload(
        "/Shared/nb",
        Upload::reader(&b"-- Databricks notebook source\nSELECT 2"[..], None),
        ImportFormat::Source,
        Some(Language::Sql),
        false,
    )
    .unwrap();
    let exported = w.export("/Shared/nb", ExportFormat::Source).unwrap();
    assert_eq!(exported.content, b"-- Databricks notebook source\nSELECT 2");
    // Over 10 MiB the form is refused by the service.
    let over = vec![0u8; 10 * 1024 * 1024 + 1];
    let err = w
        .upload("/Shared/over.bin", &over, ImportFormat::Raw, None, false)
        .unwrap_err();
    assert_eq!(err.error_code(), Some("MAX_NOTEBOOK_SIZE_EXCEEDED"));
}
