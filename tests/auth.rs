//! The headers of each authentication method, and that no token leaks through Debug or errors.

mod common;

use azure_databricks_sdk::{Auth, Client, Error};
use httpmock::prelude::*;

const AAD_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.aad-user-token.sig";
const MANAGEMENT_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.management-token.sig";
const RESOURCE_ID: &str = "/subscriptions/3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6/resourceGroups/rg-data/providers/Microsoft.Databricks/workspaces/ws-prod";
const SP_HEADER: &str = "x-databricks-azure-sp-management-token";
const RESOURCE_HEADER: &str = "x-databricks-azure-workspace-resource-id";

/// Sends `clusters().list()` with `auth` to a mock that requires exactly `present` and none of
/// `absent`.
fn list_with(auth: Auth, present: &[(&str, &str)], absent: &[&str]) {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let mut when = when.method(GET).path("/api/2.1/clusters/list");
        for (name, value) in present {
            when = when.header(*name, *value);
        }
        for name in absent {
            when = when.header_missing(*name);
        }
        then.status(200).body("{}");
    });
    common::client_with(&server, auth)
        .clusters()
        .list()
        .unwrap();
    mock.assert();
}

#[test]
fn personal_access_token_sends_a_bearer_header_only() {
    list_with(
        Auth::personal_access_token(common::TOKEN),
        &[("authorization", &format!("Bearer {}", common::TOKEN))],
        &[SP_HEADER, RESOURCE_HEADER],
    );
}

#[test]
fn azure_ad_user_without_resource_id_sends_the_bearer_only() {
    list_with(
        Auth::azure_ad_user(AAD_TOKEN, None),
        &[("authorization", &format!("Bearer {AAD_TOKEN}"))],
        &[SP_HEADER, RESOURCE_HEADER],
    );
}

#[test]
fn azure_ad_user_with_resource_id_sends_the_workspace_header() {
    list_with(
        Auth::azure_ad_user(AAD_TOKEN, Some(RESOURCE_ID)),
        &[
            ("authorization", &format!("Bearer {AAD_TOKEN}")),
            (RESOURCE_HEADER, RESOURCE_ID),
        ],
        &[SP_HEADER],
    );
}

#[test]
fn service_principal_with_management_token_sends_three_headers() {
    list_with(
        Auth::azure_ad_service_principal(AAD_TOKEN, Some(MANAGEMENT_TOKEN), Some(RESOURCE_ID)),
        &[
            ("authorization", &format!("Bearer {AAD_TOKEN}")),
            (SP_HEADER, MANAGEMENT_TOKEN),
            (RESOURCE_HEADER, RESOURCE_ID),
        ],
        &[],
    );
}

#[test]
fn service_principal_of_the_workspace_sends_the_bearer_only() {
    list_with(
        Auth::azure_ad_service_principal(AAD_TOKEN, None, None),
        &[("authorization", &format!("Bearer {AAD_TOKEN}"))],
        &[SP_HEADER, RESOURCE_HEADER],
    );
}

#[test]
fn management_token_without_resource_id_is_a_build_error() {
    let err = Client::builder("adb-1.2.azuredatabricks.net")
        .auth(Auth::azure_ad_service_principal(
            AAD_TOKEN,
            Some(MANAGEMENT_TOKEN),
            None,
        ))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("workspace resource id"), "{err}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(MANAGEMENT_TOKEN) && !text.contains(AAD_TOKEN),
            "{text}"
        );
    }
}

#[test]
fn malformed_tokens_are_build_errors_that_do_not_echo_the_token() {
    for token in ["", "dapi with space", "dapi\nnewline"] {
        let err = Client::builder("adb-1.2.azuredatabricks.net")
            .auth(Auth::personal_access_token(token))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        if !token.is_empty() {
            assert!(!err.to_string().contains(token) && !format!("{err:?}").contains(token));
        }
    }
}

#[test]
fn missing_credentials_is_a_build_error() {
    let err = Client::builder("adb-1.2.azuredatabricks.net")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("no credentials"), "{err}");
}

#[test]
fn debug_of_auth_and_client_shows_no_token() {
    let auths = [
        Auth::personal_access_token(common::TOKEN),
        Auth::azure_ad_user(AAD_TOKEN, Some(RESOURCE_ID)),
        Auth::azure_ad_service_principal(AAD_TOKEN, Some(MANAGEMENT_TOKEN), Some(RESOURCE_ID)),
    ];
    for auth in auths {
        let client = Client::builder("adb-1.2.azuredatabricks.net")
            .auth(auth.clone())
            .build()
            .unwrap();
        let builder = Client::builder("adb-1.2.azuredatabricks.net").auth(auth.clone());
        for text in [
            format!("{auth:?}"),
            format!("{client:?}"),
            format!("{builder:?}"),
            format!("{client:#?}"),
        ] {
            for secret in [common::TOKEN, AAD_TOKEN, MANAGEMENT_TOKEN] {
                assert!(!text.contains(secret), "{text}");
            }
            assert!(text.contains("****"), "{text}");
        }
        // What is not secret stays visible for debugging.
        assert!(format!("{client:?}").contains("https://adb-1.2.azuredatabricks.net"));
    }
}

#[test]
fn client_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.0/token/list");
        then.status(200).body("{}");
    });
    let client = common::client(&server);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.tokens().list().unwrap().len())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 0);
    }
    mock.assert_calls(4);
}

#[test]
fn credentials_in_a_host_url_or_proxy_url_are_never_echoed() {
    let err = Client::builder("https://token:dapiSECRET123@adb-1.2.azuredatabricks.net")
        .auth(Auth::personal_access_token(common::TOKEN))
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("dapiSECRET123"), "{err}");
    assert!(err.to_string().contains("credentials in the URL"), "{err}");
    let builder = Client::builder("adb-1.2.azuredatabricks.net")
        .auth(Auth::personal_access_token(common::TOKEN))
        .proxy("http://user:proxyPASS@proxy:8080");
    let debug = format!("{builder:?}");
    assert!(
        !debug.contains("proxyPASS") && debug.contains("proxy:8080"),
        "{debug}"
    );
}
