//! How answers that are not a success become typed errors: Databricks error bodies, legacy and
//! gateway bodies, bodies that do not decode, redirects, refused hosts and transport failures.

mod common;

use std::error::Error as _;

use azure_databricks_sdk::{Auth, Client, Error};
use httpmock::prelude::*;
use serde_json::json;

const ID: &str = "0923-164208-meows279";
const REQUEST_ID: &str = "6a1f4c2e-1111-4000-8000-00000000beef";

fn error_answer(then: httpmock::Then, status: u16, fixture: &str) {
    then.status(status)
        .header("content-type", "application/json")
        .header("x-request-id", REQUEST_ID)
        .body(common::fixture(fixture));
}

#[test]
fn resource_does_not_exist_keeps_status_code_message_and_request_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/list", &[("scope", "nope")]);
        error_answer(then, 404, "errors/resource_does_not_exist.json");
    });
    let err = common::client(&server).secrets().list("nope").unwrap_err();
    mock.assert();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.error_code(), Some("RESOURCE_DOES_NOT_EXIST"));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert!(err.is_not_found() && !err.is_already_exists() && !err.is_permission_denied());
    let api = err.api().unwrap();
    assert_eq!(api.message(), "Scope nope does not exist!");
    assert_eq!(api.operation(), "secrets.list");
    assert!(api.body().contains("RESOURCE_DOES_NOT_EXIST"));
    assert_eq!(
        err.to_string(),
        "secrets.list: HTTP 404 RESOURCE_DOES_NOT_EXIST: Scope nope does not exist!"
    );
}

#[test]
fn missing_cluster_on_get_is_not_found_although_it_is_a_400() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.1/clusters/get",
            &[("cluster_id", "0000-000000-nothere")],
        );
        error_answer(then, 400, "errors/cluster_does_not_exist.json");
    });
    let err = common::client(&server)
        .clusters()
        .get("0000-000000-nothere")
        .unwrap_err();
    mock.assert();
    assert_eq!(
        (err.status(), err.error_code()),
        (Some(400), Some("INVALID_PARAMETER_VALUE"))
    );
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn the_rule_covers_every_cluster_operation_and_no_other_service() {
    let server = MockServer::start();
    let start = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/start",
            json!({"cluster_id": "0000-000000-nothere"}),
        );
        error_answer(then, 400, "errors/cluster_does_not_exist.json");
    });
    let delete = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/token/delete",
            json!({"token_id": "0000-000000-nothere"}),
        );
        error_answer(then, 400, "errors/cluster_does_not_exist.json");
    });
    let client = common::client(&server);
    let err = client.clusters().start("0000-000000-nothere").unwrap_err();
    assert!(err.is_not_found(), "the clusters service declares the rule");
    let err = client.tokens().delete("0000-000000-nothere").unwrap_err();
    assert!(!err.is_not_found(), "the tokens service does not");
    start.assert();
    delete.assert();
}

#[test]
fn integer_error_code_of_an_invalid_token_is_a_permission_error() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/token/list", &[]);
        error_answer(then, 403, "errors/invalid_token.json");
    });
    let err = common::client(&server).tokens().list().unwrap_err();
    mock.assert();
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.error_code(),
        None,
        "a non-string error_code counts as absent"
    );
    assert_eq!(err.api().unwrap().message(), "Invalid access token.");
    assert!(err.is_permission_denied());
    assert!(
        !err.to_string().contains(common::TOKEN) && !format!("{err:?}").contains(common::TOKEN)
    );
}

#[test]
fn rate_limit_answer_keeps_details_and_the_request_id_from_them() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        // No X-Request-Id header: the id comes from the RequestInfo detail.
        then.status(429)
            .body(common::fixture("errors/with_details.json"));
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    mock.assert();
    assert!(err.is_rate_limited());
    assert_eq!(err.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert_eq!(
        err.request_id(),
        Some("ff54796b-9181-49fb-bbd7-5c290f36c0a3")
    );
    let details = err.api().unwrap().details();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0]["reason"], "RATE_LIMIT_EXCEEDED");
}

#[test]
fn already_exists_is_recognised_whatever_the_status() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/scopes/create",
            json!({"scope": "etl"}),
        );
        error_answer(then, 400, "errors/already_exists.json");
    });
    let request = azure_databricks_sdk::models::CreateScopeRequest {
        scope: "etl".into(),
        ..Default::default()
    };
    let err = common::client(&server)
        .secrets()
        .scopes()
        .create(&request)
        .unwrap_err();
    mock.assert();
    assert!(err.is_already_exists() && !err.is_not_found());
}

#[test]
fn html_502_from_a_gateway_is_an_api_error_carrying_the_text() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        then.status(502)
            .header("content-type", "text/html")
            .body(common::fixture("errors/gateway_502.html"));
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    mock.assert();
    let api = err.api().expect("an API error, not a decode error");
    assert_eq!((api.status(), api.error_code()), (502, None));
    assert_eq!(api.message(), "502 Bad Gateway");
    assert!(api.body().contains("<title>502 Bad Gateway</title>"));
}

#[test]
fn a_body_that_does_not_decode_names_the_failing_field() {
    let server = MockServer::start();
    let body =
        json!({"clusters": [{"cluster_id": "a"}, {"cluster_id": "b", "num_workers": "three"}]});
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        then.status(200).body(body.to_string());
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    mock.assert();
    match &err {
        Error::Decode {
            path,
            status,
            operation,
            ..
        } => {
            assert_eq!(
                (path.as_str(), *status, operation.as_str()),
                ("clusters[1].num_workers", 200, "clusters.list")
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.source().is_some(), "the serde error is the source");
    assert!(
        !err.to_string().contains("invalid type"),
        "Display does not repeat the source: {err}"
    );
}

#[test]
fn invalid_utf8_in_an_answer_is_a_decode_error_naming_the_field() {
    // A body that is not UTF-8 is decoded from its bytes (not as text), so the error still
    // locates the string that holds the bad byte.
    let server = MockServer::start();
    let mut body =
        br#"{"clusters": [{"cluster_id": "a"}, {"cluster_id": "b", "cluster_name": "x"#.to_vec();
    body.extend_from_slice(b"\xff\"}]}");
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        then.status(200).body(body);
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    mock.assert();
    match &err {
        Error::Decode { path, status, .. } => {
            assert_eq!((path.as_str(), *status), ("clusters[1].cluster_name", 200))
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn non_ascii_text_in_an_answer_decodes() {
    // The UTF-8 check of the whole body must accept every valid character, escaped or not.
    let server = MockServer::start();
    let body = r#"{"cluster_id": "a", "cluster_name": "Zürich — 東京 \u00e9\ud83d\ude00", "custom_tags": {"équipe": "données"}}"#;
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        then.status(200).body(body);
    });
    let cluster = common::client(&server).clusters().get(ID).unwrap();
    mock.assert();
    assert_eq!(
        cluster.cluster_name.as_deref(),
        Some("Zürich — 東京 é\u{1f600}")
    );
    assert_eq!(
        cluster.custom_tags.get("équipe").map(String::as_str),
        Some("données")
    );
}

#[test]
fn a_truncated_body_is_a_decode_error_not_a_panic() {
    let server = MockServer::start();
    let mut body = common::fixture("clusters/get.json");
    body.truncate(body.len() / 2);
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        then.status(200).body(body);
    });
    let err = common::client(&server).clusters().get(ID).unwrap_err();
    mock.assert();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        then.status(200).body(common::fixture("clusters/list.json"));
    });
    let client = common::builder(&server, Auth::personal_access_token(common::TOKEN))
        .max_response_bytes(512)
        .build()
        .unwrap();
    let err = client.clusters().list().unwrap_err();
    mock.assert();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 512, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "clusters.list: the response is larger than the 512-byte limit"
    );
}

#[test]
fn a_redirect_to_another_host_is_not_followed_so_no_credentials_leave() {
    let elsewhere = MockServer::start();
    let stolen = elsewhere.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        then.status(302)
            .header("location", elsewhere.url("/api/2.1/clusters/list"));
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    mock.assert();
    stolen.assert_calls(0);
    match err {
        Error::Redirect {
            status, location, ..
        } => {
            assert_eq!(
                (status, location),
                (302, elsewhere.url("/api/2.1/clusters/list"))
            );
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
}

#[test]
fn plain_http_to_a_remote_host_is_refused_at_build_time() {
    for host in [
        "http://adb-1234567890123456.7.azuredatabricks.net",
        "http://192.0.2.10:8080",
    ] {
        let err = Client::builder(host)
            .auth(Auth::personal_access_token(common::TOKEN))
            .build()
            .unwrap_err();
        assert!(
            matches!(err, Error::Config(_)) && err.to_string().contains("plain http"),
            "{err}"
        );
    }
}

#[test]
fn a_refused_connection_is_a_transport_error_with_a_source() {
    let url = common::closed_port_url();
    let client = Client::builder(&url)
        .auth(Auth::personal_access_token(common::TOKEN))
        .no_proxy()
        .retry(azure_databricks_sdk::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.clusters().list().unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "clusters.list: cannot connect to {}",
            &url["http://".len()..]
        )
    );
    assert!(err.is_connect() && !err.is_timeout());
    assert!(err.source().is_some());
    assert!(!format!("{err:?}").contains(common::TOKEN));
}

#[test]
fn raw_get_and_post_use_the_same_auth_and_errors() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        // A relative raw path is under /api/2.0/.
        common::get(when, "/api/2.0/clusters/get", &[("cluster_id", ID)]);
        then.status(200)
            .body(json!({"cluster_id": ID, "state": "RUNNING"}).to_string());
    });
    let post = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/start",
            json!({"cluster_id": ID, "extra": [1, null]}),
        );
        then.status(400)
            .body(json!({"error_code": "INVALID_STATE", "message": "running"}).to_string());
    });
    let client = common::client(&server);
    let cluster = client
        .raw()
        .get("clusters/get", &[("cluster_id", ID)])
        .unwrap();
    assert_eq!(cluster["state"], "RUNNING");
    let err = client
        .raw()
        .post(
            "/api/2.1/clusters/start",
            &json!({"cluster_id": ID, "extra": [1, null]}),
        )
        .unwrap_err();
    get.assert();
    post.assert();
    assert_eq!(err.error_code(), Some("INVALID_STATE"));
    assert_eq!(err.api().unwrap().operation(), "/api/2.1/clusters/start");
}

#[test]
fn raw_empty_answer_is_an_empty_object() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.0/clusters/pin", json!({"cluster_id": ID}));
        then.status(200);
    });
    let answer = common::client(&server)
        .raw()
        .post("clusters/pin", &json!({"cluster_id": ID}))
        .unwrap();
    mock.assert();
    assert_eq!(answer, json!({}));
}
