//! Wire tests of the Workspace API (`/api/2.0/workspace/...`): list, get-status, mkdirs,
//! delete, import (JSON with base64 content, size checked before sending) and export (JSON,
//! or raw bytes with `direct_download=true`); formats and languages as open enums.

mod common;

use azure_databricks_sdk::models::{
    ExportFormat, ImportFormat, Language, ObjectType, WorkspaceDeleteRequest,
};
use azure_databricks_sdk::{Error, Upload, rules};
use httpmock::prelude::*;
use serde_json::json;

#[test]
fn list_and_get_status_decode_objects_with_open_enums() {
    let server = MockServer::start();
    let list = server.mock(|when, then| {
        common::get(when, "/api/2.0/workspace/list", &[("path", "/Users/a@b.c")]);
        then.status(200).json_body(json!({"objects": [
            {"object_type": "NOTEBOOK", "path": "/Users/a@b.c/etl", "language": "PYTHON", "object_id": 12, "created_at": 1, "modified_at": 2, "resource_id": "12"},
            {"object_type": "DIRECTORY", "path": "/Users/a@b.c/lib", "object_id": 13},
            {"object_type": "MLFLOW_EXPERIMENT", "path": "/Users/a@b.c/exp", "object_id": 14}
        ]}));
    });
    let status = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/workspace/get-status",
            &[("path", "/Users/a@b.c/data.csv")],
        );
        then.status(200).json_body(json!(
            {"object_type": "FILE", "path": "/Users/a@b.c/data.csv", "object_id": 15, "size": 42}
        ));
    });
    let client = common::client(&server);
    let objects = client.workspace().list("/Users/a@b.c").unwrap();
    assert_eq!(objects[0].language, Some(Language::Python));
    assert_eq!(objects[1].object_type, Some(ObjectType::Directory));
    assert_eq!(
        objects[2].object_type,
        Some(ObjectType::Unknown("MLFLOW_EXPERIMENT".into()))
    );
    let file = client
        .workspace()
        .get_status("/Users/a@b.c/data.csv")
        .unwrap();
    assert_eq!(
        (file.object_type, file.size),
        (Some(ObjectType::File), Some(42))
    );
    list.assert();
    status.assert();
}

#[test]
fn mkdirs_and_delete_are_posts_of_their_fields() {
    let server = MockServer::start();
    let mkdirs = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/workspace/mkdirs",
            json!({"path": "/Shared/x/y"}),
        );
        then.status(200).json_body(json!({}));
    });
    let delete = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/workspace/delete",
            json!({"path": "/Shared/x", "recursive": true}),
        );
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client.workspace().mkdirs("/Shared/x/y").unwrap();
    client
        .workspace()
        .delete(&WorkspaceDeleteRequest {
            path: "/Shared/x".into(),
            recursive: Some(true),
            ..Default::default()
        })
        .unwrap();
    mkdirs.assert();
    delete.assert();
}

#[test]
fn import_sends_base64_content_with_format_language_and_overwrite() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/workspace/import",
            json!({
                "path": "/Shared/etl",
                "format": "SOURCE",
                "language": "PYTHON",
                "content": "cHJpbnQoMSk=",
                "overwrite": true
            }),
        );
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client
        .workspace()
        .import(
            "/Shared/etl",
            b"print(1)",
            ImportFormat::Source,
            Some(Language::Python),
            true,
        )
        .unwrap();
    mock.assert();
}

#[test]
fn an_import_over_the_json_limit_is_refused_before_sending() {
    let server = MockServer::start();
    // Base64 makes 4 bytes of 3: this content is over the limit once encoded.
    let big = vec![b'x'; (rules::WORKSPACE_IMPORT.max_bytes / 4 * 3 + 3) as usize];
    let err = common::client(&server)
        .workspace()
        .import("/Shared/big", &big, ImportFormat::Raw, None, true)
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "content"),
        "{err:?}"
    );
}

#[test]
fn upload_streams_a_multipart_form_with_the_content_as_it_is() {
    let server = MockServer::start();
    let content: Vec<u8> = (0..100_000).map(|i| (i * 31 % 251) as u8).collect();
    let expected = content.clone();
    let mock = server.mock(|when, then| {
        when.method(POST)
            .path("/api/2.0/workspace/import")
            .header("authorization", format!("Bearer {}", common::TOKEN))
            .is_true(|req: &httpmock::HttpMockRequest| req.uri().query().is_none())
            .is_true(move |req: &httpmock::HttpMockRequest| {
                let Some(boundary) = req
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("multipart/form-data; boundary="))
                    .map(str::to_string)
                else {
                    return false;
                };
                let field = |name: &str, value: &str| {
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                };
                let mut form = [
                    field("path", "/Shared/etl.ipynb"),
                    field("format", "JUPYTER"),
                    field("overwrite", "true"),
                    field("language", "PYTHON"),
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\nContent-Type: application/octet-stream\r\n\r\n"),
                ]
                .concat()
                .into_bytes();
                form.extend_from_slice(&expected);
                form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                req.body_ref() == form.as_slice()
            });
        then.status(200).json_body(json!({}));
    });
    common::client(&server)
        .workspace()
        .upload(
            "/Shared/etl.ipynb",
            Upload::seekable(std::io::Cursor::new(&content)).unwrap(),
            ImportFormat::Jupyter,
            Some(Language::Python),
            true,
        )
        .unwrap();
    mock.assert();
}

#[test]
fn export_decodes_json_and_download_is_the_raw_bytes() {
    let server = MockServer::start();
    let json_export = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/workspace/export",
            &[("path", "/Shared/etl"), ("format", "JUPYTER")],
        );
        then.status(200)
            .json_body(json!({"content": "e30=", "file_type": "ipynb"}));
    });
    let raw = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/workspace/export",
            &[
                ("path", "/Shared/etl"),
                ("format", "SOURCE"),
                ("direct_download", "true"),
            ],
        );
        then.status(200)
            .header("content-type", "application/octet-stream")
            .body("# Databricks notebook source\nprint(1)");
    });
    let client = common::client(&server);
    let exported = client
        .workspace()
        .export("/Shared/etl", ExportFormat::Jupyter)
        .unwrap();
    assert_eq!(exported.content, b"{}");
    assert_eq!(exported.file_type.as_deref(), Some("ipynb"));
    let mut out = Vec::new();
    client
        .workspace()
        .download_to("/Shared/etl", ExportFormat::Source, &mut out)
        .unwrap();
    assert_eq!(out, b"# Databricks notebook source\nprint(1)");
    json_export.assert();
    raw.assert();
}

#[test]
fn every_format_has_its_wire_value_and_unknown_ones_survive() {
    let all = [
        (ExportFormat::Source, "SOURCE"),
        (ExportFormat::Html, "HTML"),
        (ExportFormat::Jupyter, "JUPYTER"),
        (ExportFormat::Dbc, "DBC"),
        (ExportFormat::RMarkdown, "R_MARKDOWN"),
        (ExportFormat::Auto, "AUTO"),
        (ExportFormat::Raw, "RAW"),
    ];
    for (format, wire) in all {
        assert_eq!(format.as_str(), wire);
        assert_eq!(serde_json::to_value(&format).unwrap(), json!(wire));
    }
    let unknown: ImportFormat = serde_json::from_value(json!("ZIP")).unwrap();
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("ZIP"));
    let languages: Vec<Language> =
        serde_json::from_value(json!(["SCALA", "PYTHON", "SQL", "R"])).unwrap();
    assert_eq!(languages.len(), 4);
}
