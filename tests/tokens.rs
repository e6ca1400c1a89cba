//! Wire tests of the Token API: `token/list`, `token/create` and `token/delete`.

mod common;

use azure_databricks_sdk::models::{CreateTokenRequest, PublicTokenInfo};
use httpmock::HttpMockRequest;
use httpmock::prelude::*;
use serde_json::{Value, json};

/// Checks one decoded token info against its JSON in a fixture, field by field.
fn assert_token_info(decoded: &PublicTokenInfo, expected: &Value) {
    assert_eq!(decoded.token_id, expected["token_id"].as_str().unwrap());
    assert_eq!(decoded.creation_time, expected["creation_time"].as_i64());
    assert_eq!(decoded.expiry_time, expected["expiry_time"].as_i64());
    assert_eq!(decoded.comment.as_deref(), expected["comment"].as_str());
    assert_eq!(decoded.last_accessed_time, None);
}

#[test]
fn list_decodes_token_infos_including_the_never_expiring_minus_one() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/token/list", &[]);
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("tokens/list.json"));
    });

    let tokens = common::client(&server).tokens().list().unwrap();

    mock.assert();
    let expected = common::fixture_json("tokens/list.json");
    let expected = expected["token_infos"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    for (decoded, expected) in tokens.iter().zip(expected) {
        assert_token_info(decoded, expected);
    }
    assert_eq!(
        tokens[0].token_id,
        "8a531e7961978eb2b5ea4c230293061f4ecf215a74916c5c3bc8b69dcb5b8538"
    );
    assert_eq!(tokens[0].creation_time, Some(1_719_835_215_771));
    assert_eq!(tokens[0].expiry_time, Some(1_727_611_215_771));
    assert_eq!(
        tokens[0].comment.as_deref(),
        Some("azure-devops release pipeline")
    );
    assert_eq!(
        tokens[1].token_id,
        "2b8e89bd52ef1cec6780ee09c20cca344074e2da7c4be1623cfaea4696b2df72"
    );
    assert_eq!(tokens[1].creation_time, Some(1_726_664_830_412));
    assert_eq!(tokens[1].expiry_time, Some(-1));
    assert_eq!(tokens[1].comment.as_deref(), Some("local dev (no expiry)"));
}

#[test]
fn list_of_an_answer_without_token_infos_is_an_empty_vec() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/token/list", &[]);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let tokens = common::client(&server).tokens().list().unwrap();

    mock.assert();
    assert!(tokens.is_empty(), "{tokens:?}");
}

#[test]
fn create_sends_comment_and_lifetime_seconds_and_decodes_the_new_token() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/token/create",
            json!({"comment": "sdk wire test", "lifetime_seconds": 7_776_000}),
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("tokens/create.json"));
    });

    let token = common::client(&server)
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("sdk wire test".into()),
            lifetime_seconds: Some(7_776_000),
            ..Default::default()
        })
        .unwrap();

    mock.assert();
    let expected = common::fixture_json("tokens/create.json");
    assert_eq!(
        token.token_value.expose(),
        expected["token_value"].as_str().unwrap()
    );
    let info = token.token_info.as_ref().expect("token_info is decoded");
    assert_token_info(info, &expected["token_info"]);
    assert_eq!(
        info.token_id,
        "768e5d3157702459ae7382bdb85a9f0d022e9b8e27ca797717a020f1dda43004"
    );
    assert_eq!(info.creation_time, Some(1_728_293_712_345));
    assert_eq!(info.expiry_time, Some(1_736_069_712_345));
    assert_eq!(info.comment.as_deref(), Some("sdk wire test"));
}

#[test]
fn create_without_lifetime_sends_only_the_comment() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.0/token/create", json!({"comment": "ci"}))
            .is_true(|req: &HttpMockRequest| common::body_keys(req) == ["comment"]);
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("tokens/create.json"));
    });

    let token = common::client(&server)
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("ci".into()),
            lifetime_seconds: None,
            ..Default::default()
        })
        .unwrap();

    mock.assert();
    assert_eq!(
        token.token_value.expose(),
        "dapi4f2b9c7e1d8a6035b2e9f47c1a3d8e65"
    );
}

#[test]
fn create_with_the_default_request_sends_an_empty_object() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.0/token/create", json!({}))
            .is_true(|req: &HttpMockRequest| common::body_keys(req).is_empty());
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("tokens/create.json"));
    });

    let token = common::client(&server)
        .tokens()
        .create(&CreateTokenRequest::default())
        .unwrap();

    mock.assert();
    assert_eq!(
        token.token_value.expose(),
        "dapi4f2b9c7e1d8a6035b2e9f47c1a3d8e65"
    );
    assert_eq!(
        token.token_info.unwrap().token_id,
        "768e5d3157702459ae7382bdb85a9f0d022e9b8e27ca797717a020f1dda43004"
    );
}

#[test]
fn created_token_value_is_exposed_explicitly_but_masked_in_debug() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.0/token/create", json!({"comment": "ci"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("tokens/create.json"));
    });

    let token = common::client(&server)
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("ci".into()),
            ..Default::default()
        })
        .unwrap();

    mock.assert();
    let value = "dapi4f2b9c7e1d8a6035b2e9f47c1a3d8e65";
    assert_eq!(token.token_value.expose(), value);
    for debug in [
        format!("{:?}", token),
        format!("{:#?}", token),
        format!("{:?}", token.token_value),
    ] {
        assert!(!debug.contains(value), "{debug}");
        assert!(!debug.contains("dapi4f2b"), "{debug}");
        assert!(debug.contains("****"), "{debug}");
    }
    // The public part stays visible.
    assert!(format!("{token:?}").contains("768e5d3157702459"));
}

#[test]
fn delete_posts_the_token_id_and_returns_unit() {
    let id = "768e5d3157702459ae7382bdb85a9f0d022e9b8e27ca797717a020f1dda43004";
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.0/token/delete", json!({"token_id": id}));
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result: azure_databricks_sdk::Result<()> = common::client(&server).tokens().delete(id);

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn delete_refuses_an_empty_or_blank_token_id_before_sending() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let client = common::client(&server);

    for id in ["", " \t "] {
        let err = client.tokens().delete(id).unwrap_err();
        assert!(err.is_invalid_input(), "{id:?}: {err:?}");
        assert!(err.to_string().contains("token_id"), "{err}");
        assert_eq!(err.status(), None);
    }

    mock.assert_calls(0);
}
