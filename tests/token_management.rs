//! Wire tests of the Token Management API: list (with creator filters), get, delete and
//! create on behalf of a service principal.

mod common;

use azure_databricks_sdk::models::{
    AutoscopeState, CreateOboTokenRequest, ListManagedTokensRequest,
};
use httpmock::prelude::*;
use serde_json::json;

const TOKEN_ID: &str = "768e5d3157702459ae7382bdb85a9f0d022e9b8e27ca797717a020f1dda43004";

fn token_info() -> serde_json::Value {
    json!({
        "token_id": TOKEN_ID,
        "comment": "nightly export",
        "creation_time": 1_726_664_901_234_i64,
        "expiry_time": 1_789_736_901_234_i64,
        "created_by_id": 4_000_000_000_007_919_i64,
        "created_by_username": "alice@example.com",
        "owner_id": 4_000_000_000_007_919_i64,
        "workspace_id": 1_234_567_890_123_456_i64,
        "autoscope_state": "AUTOSCOPE_STATE_RUNNING",
        "last_used_day": 1_726_617_600_000_i64,
        "new_field": {"kept": true}
    })
}

#[test]
fn list_sends_the_creator_filters_in_the_query_and_decodes_every_token() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/token-management/tokens",
            &[
                ("created_by_id", "4000000000007919"),
                ("created_by_username", "alice@example.com"),
            ],
        );
        then.status(200)
            .json_body(json!({"token_infos": [token_info(), {"token_id": "b2"}]}));
    });

    let tokens = common::client(&server)
        .token_management()
        .list(&ListManagedTokensRequest {
            created_by_id: Some(4_000_000_000_007_919),
            created_by_username: Some("alice@example.com".into()),
            ..Default::default()
        })
        .unwrap();

    mock.assert();
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        tokens[0].created_by_username.as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(tokens[0].workspace_id, Some(1_234_567_890_123_456));
    assert_eq!(
        tokens[0].autoscope_state,
        Some(AutoscopeState::AutoscopeStateRunning)
    );
    assert_eq!(serde_json::to_value(&tokens[0]).unwrap(), token_info());
}

#[test]
fn list_without_filters_sends_no_query_and_an_empty_answer_is_no_tokens() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/token-management/tokens", &[]);
        then.status(200).json_body(json!({}));
    });
    let tokens = common::client(&server)
        .token_management()
        .list(&ListManagedTokensRequest::default())
        .unwrap();
    mock.assert();
    assert!(tokens.is_empty());
}

#[test]
fn get_reads_one_token_by_id_in_the_path() {
    let server = MockServer::start();
    let path = format!("/api/2.0/token-management/tokens/{TOKEN_ID}");
    let mock = server.mock(|when, then| {
        common::get(when, &path, &[]);
        then.status(200)
            .json_body(json!({"token_info": token_info()}));
    });
    let got = common::client(&server)
        .token_management()
        .get(TOKEN_ID)
        .unwrap();
    mock.assert();
    assert_eq!(
        got.token_info.unwrap().comment.as_deref(),
        Some("nightly export")
    );
}

#[test]
fn delete_sends_delete_with_the_id_in_the_path_and_no_body() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::delete(
            when,
            "/api/2.0/token-management/tokens/768e5d3157702459ae7382bdb85a9f0d022e9b8e27ca797717a020f1dda43004",
            &[],
        );
        then.status(200).json_body(json!({}));
    });
    common::client(&server)
        .token_management()
        .delete(TOKEN_ID)
        .unwrap();
    mock.assert();
}

#[test]
fn an_empty_token_id_is_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let client = common::client(&server);
    assert!(
        client
            .token_management()
            .get("")
            .unwrap_err()
            .is_invalid_input()
    );
    assert!(
        client
            .token_management()
            .delete(" ")
            .unwrap_err()
            .is_invalid_input()
    );
    let err = client
        .token_management()
        .create_obo_token(&CreateOboTokenRequest::default())
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    any.assert_calls(0);
}

#[test]
fn create_obo_token_posts_the_application_id_and_masks_the_value() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/token-management/on-behalf-of/tokens",
            json!({
                "application_id": "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f",
                "comment": "ci",
                "lifetime_seconds": 3600,
                "scopes": ["clusters:read"]
            }),
        );
        then.status(200).json_body(json!({
            "token_info": token_info(),
            "token_value": "dapi0123456789abcdef0123456789ab-2"
        }));
    });
    let created = common::client(&server)
        .token_management()
        .create_obo_token(&CreateOboTokenRequest {
            application_id: "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into(),
            comment: Some("ci".into()),
            lifetime_seconds: Some(3600),
            scopes: vec!["clusters:read".into()],
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    let value = created.token_value.as_ref().unwrap();
    assert_eq!(value.expose(), "dapi0123456789abcdef0123456789ab-2");
    assert!(!format!("{created:?}").contains("dapi0123456789abcdef0123456789ab-2"));
}

#[test]
fn a_non_admin_gets_the_service_permission_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::get(when, "/api/2.0/token-management/tokens", &[]);
        then.status(403).json_body(json!({
            "error_code": "PERMISSION_DENIED",
            "message": "Only Admins can access token management APIs."
        }));
    });
    let err = common::client(&server)
        .token_management()
        .list(&ListManagedTokensRequest::default())
        .unwrap_err();
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));
}
