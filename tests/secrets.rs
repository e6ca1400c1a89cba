//! Wire tests of the Secrets API: secrets, secret ACLs and secret scopes.

mod common;

use azure_databricks_sdk::models::{
    AclItem, AclPermission, AzureKeyVaultSecretScopeMetadata, CreateScopeRequest, ScopeBackendType,
};
use azure_databricks_sdk::rules::SECRET_VALUE;
use azure_databricks_sdk::{Client, Error, SecretValue};
use base64::prelude::*;
use httpmock::HttpMockRequest;
use httpmock::prelude::*;
use serde_json::{Value, json};

const KV_RESOURCE_ID: &str = "/subscriptions/3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6/resourceGroups/rg-data-prod/providers/Microsoft.KeyVault/vaults/kv-prod";
const KV_DNS_NAME: &str = "https://kv-prod.vault.azure.net/";

/// A mock of `POST path` with exactly `body`, answering `{}`.
fn mock_post<'a>(server: &'a MockServer, path: &str, body: Value) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        common::post(when, path, body);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    })
}

/// A mock that answers any request, to prove that nothing was sent.
fn mock_anything(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    })
}

fn assert_invalid(what: &str, result: Result<impl std::fmt::Debug, Error>) -> Error {
    let err = result.expect_err(what);
    assert!(err.is_invalid_input(), "{what}: {err:?}");
    assert_eq!(err.status(), None, "{what}");
    err
}

// ----- secrets -----

#[test]
fn list_sends_the_scope_in_the_query_and_decodes_keys_and_timestamps() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/list", &[("scope", "etl")]);
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("secrets/list.json"));
    });

    let secrets = common::client(&server).secrets().list("etl").unwrap();

    mock.assert();
    let expected = common::fixture_json("secrets/list.json");
    let expected = expected["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 3);
    for (decoded, expected) in secrets.iter().zip(expected) {
        assert_eq!(decoded.key, expected["key"].as_str().unwrap());
        assert_eq!(
            decoded.last_updated_timestamp,
            expected["last_updated_timestamp"].as_i64()
        );
    }
    let keys: Vec<&str> = secrets.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "storage-account-key",
            "sql_password",
            "service.principal.secret"
        ]
    );
    assert_eq!(secrets[0].last_updated_timestamp, Some(1_726_664_901_234));
    assert_eq!(secrets[1].last_updated_timestamp, Some(1_727_110_402_517));
    assert_eq!(secrets[2].last_updated_timestamp, Some(1_728_284_688_090));
}

#[test]
fn put_string_sends_scope_key_and_string_value() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/put",
            json!({"scope": "etl", "key": "db-password", "string_value": "s3cr3t"}),
        )
        .is_true(|req: &HttpMockRequest| {
            common::body_keys(req) == ["key", "scope", "string_value"]
        });
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result = common::client(&server).secrets().put(
        "etl",
        "db-password",
        SecretValue::String("s3cr3t".into()),
    );

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn put_accepts_str_and_vec_through_into() {
    let server = MockServer::start();
    let string = mock_post(
        &server,
        "/api/2.0/secrets/put",
        json!({"scope": "etl", "key": "k1", "string_value": "plain"}),
    );
    let bytes = mock_post(
        &server,
        "/api/2.0/secrets/put",
        json!({"scope": "etl", "key": "k2", "bytes_value": "/u0="}),
    );
    let client = common::client(&server);

    client.secrets().put("etl", "k1", "plain").unwrap();
    client
        .secrets()
        .put("etl", "k2", vec![0xfe_u8, 0xed])
        .unwrap();

    string.assert();
    bytes.assert();
}

#[test]
fn put_non_ascii_and_emoji_string_arrives_as_exact_utf8() {
    let value = "pässwörd ✓ 🔑";
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/put",
            json!({"scope": "etl", "key": "unicode", "string_value": value}),
        )
        // The body is valid UTF-8 and the decoded string has exactly the bytes of the value.
        .is_true(move |req: &HttpMockRequest| {
            let body: Value = match serde_json::from_slice(req.body_ref()) {
                Ok(body) => body,
                Err(_) => return false,
            };
            std::str::from_utf8(req.body_ref()).is_ok()
                && body["string_value"].as_str().map(str::as_bytes) == Some(value.as_bytes())
        });
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result =
        common::client(&server)
            .secrets()
            .put("etl", "unicode", SecretValue::String(value.into()));

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn put_bytes_sends_standard_padded_base64_in_bytes_value() {
    // NUL, 0xff, an invalid UTF-8 sequence (0xc3 0x28, a lone continuation byte 0x80) and bytes
    // whose base64 holds `+` and `/` (URL-safe base64 would have `-` and `_`); 13 bytes, so the
    // encoding ends with `==`.
    let raw: Vec<u8> = vec![
        0x00, 0xff, 0xc3, 0x28, 0x80, 0x00, 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 0xfe,
    ];
    assert!(std::str::from_utf8(&raw).is_err());
    let encoded = BASE64_STANDARD.encode(&raw);
    assert!(
        encoded.contains('+') && encoded.contains('/') && encoded.ends_with("=="),
        "{encoded}"
    );
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/put",
            json!({"scope": "etl", "key": "keystore", "bytes_value": encoded}),
        )
        .is_true(|req: &HttpMockRequest| common::body_keys(req) == ["bytes_value", "key", "scope"]);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result =
        common::client(&server)
            .secrets()
            .put("etl", "keystore", SecretValue::Bytes(raw.clone()));

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(BASE64_STANDARD.decode(&encoded).unwrap(), raw);
}

#[test]
fn put_empty_string_sends_an_empty_string_value() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/put",
            json!({"scope": "etl", "key": "empty", "string_value": ""}),
        )
        .is_true(|req: &HttpMockRequest| {
            common::body_keys(req) == ["key", "scope", "string_value"]
        });
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result =
        common::client(&server)
            .secrets()
            .put("etl", "empty", SecretValue::String(String::new()));

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn put_empty_bytes_sends_an_empty_bytes_value() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/put",
        json!({"scope": "etl", "key": "empty", "bytes_value": ""}),
    );

    let result =
        common::client(&server)
            .secrets()
            .put("etl", "empty", SecretValue::Bytes(Vec::new()));

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn put_of_exactly_128_kib_is_sent() {
    let value = "v".repeat(SECRET_VALUE.max_bytes as usize);
    assert_eq!(value.len(), 131_072);
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/put",
        json!({"scope": "etl", "key": "big", "string_value": value}),
    );

    let result =
        common::client(&server)
            .secrets()
            .put("etl", "big", SecretValue::String(value.clone()));

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn put_over_128_kib_is_refused_before_sending_and_the_error_hides_the_value() {
    let server = MockServer::start();
    let mock = mock_anything(&server);
    let client = common::client(&server);
    let pattern = "TOPSECRET";
    let mut text = pattern.repeat(131_073 / pattern.len() + 1);
    text.truncate(131_073);
    assert_eq!(text.len(), 131_073);

    for value in [
        SecretValue::String(text.clone()),
        SecretValue::Bytes(text.clone().into_bytes()),
    ] {
        let err = assert_invalid(
            "131073 bytes",
            client.secrets().put("etl", "big", value.clone()),
        );
        for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
            assert!(
                !shown.contains(pattern),
                "{}",
                &shown[..shown.len().min(300)]
            );
            assert!(
                !shown.contains("TOPSEC"),
                "{}",
                &shown[..shown.len().min(300)]
            );
            assert!(
                !shown.contains(&BASE64_STANDARD.encode(&pattern.as_bytes()[..6])),
                "{}",
                &shown[..shown.len().min(300)]
            );
        }
        assert!(err.to_string().contains("131073"), "{err}");
    }

    mock.assert_calls(0);
}

#[test]
fn delete_posts_scope_and_key() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/delete",
        json!({"scope": "etl", "key": "db-password"}),
    );

    let result: azure_databricks_sdk::Result<()> = common::client(&server)
        .secrets()
        .delete("etl", "db-password");

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

/// Every operation that takes a scope name, called with `scope`.
fn calls_with_scope(
    client: &Client,
    scope: &str,
) -> Vec<(&'static str, azure_databricks_sdk::Result<()>)> {
    let secrets = client.secrets();
    vec![
        ("secrets.list", secrets.list(scope).map(drop)),
        ("secrets.put", secrets.put(scope, "k", "v")),
        ("secrets.delete", secrets.delete(scope, "k")),
        ("acls.list", secrets.acls().list(scope).map(drop)),
        ("acls.get", secrets.acls().get(scope, "users").map(drop)),
        (
            "acls.put",
            secrets.acls().put(scope, "users", AclPermission::Read),
        ),
        ("acls.delete", secrets.acls().delete(scope, "users")),
        (
            "scopes.create",
            secrets.scopes().create(&CreateScopeRequest {
                scope: scope.into(),
                ..Default::default()
            }),
        ),
        ("scopes.delete", secrets.scopes().delete(scope)),
    ]
}

#[test]
fn bad_scope_names_are_refused_before_sending() {
    let server = MockServer::start();
    let mock = mock_anything(&server);
    let client = common::client(&server);
    let too_long = "s".repeat(129);

    for scope in ["has space", "", too_long.as_str(), "ünï", "a/b", "etl\n"] {
        for (operation, result) in calls_with_scope(&client, scope) {
            let err = assert_invalid(&format!("{operation} with scope {scope:?}"), result);
            assert!(err.to_string().contains("scope"), "{err}");
        }
    }

    mock.assert_calls(0);
}

#[test]
fn scope_names_of_128_allowed_characters_are_sent() {
    let scope = format!("{}.-_9", "S".repeat(124));
    assert_eq!(scope.len(), 128);
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/scopes/delete",
        json!({"scope": scope}),
    );

    common::client(&server)
        .secrets()
        .scopes()
        .delete(&scope)
        .unwrap();

    mock.assert();
}

#[test]
fn bad_secret_keys_are_refused_before_sending() {
    let server = MockServer::start();
    let mock = mock_anything(&server);
    let client = common::client(&server);
    let too_long = "k".repeat(129);

    for key in ["has space", "", too_long.as_str(), "ünï", "a/b", "k\t"] {
        let err = assert_invalid(
            &format!("put with key {key:?}"),
            client.secrets().put("etl", key, "v"),
        );
        assert!(err.to_string().contains("key"), "{err}");
        assert_invalid(
            &format!("delete with key {key:?}"),
            client.secrets().delete("etl", key),
        );
    }

    mock.assert_calls(0);
}

#[test]
fn blank_principals_are_refused_before_sending() {
    let server = MockServer::start();
    let mock = mock_anything(&server);
    let client = common::client(&server);
    let acls = client.secrets().acls();

    for principal in ["", "  "] {
        assert_invalid("acls.get", acls.get("etl", principal));
        assert_invalid("acls.put", acls.put("etl", principal, AclPermission::Read));
        assert_invalid("acls.delete", acls.delete("etl", principal));
    }

    mock.assert_calls(0);
}

// ----- ACLs -----

#[test]
fn acls_list_decodes_items_with_their_permissions() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/acls/list", &[("scope", "etl")]);
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("secrets/acls_list.json"));
    });

    let items = common::client(&server)
        .secrets()
        .acls()
        .list("etl")
        .unwrap();

    mock.assert();
    let expected = common::fixture_json("secrets/acls_list.json");
    let expected = expected["items"].as_array().unwrap();
    assert_eq!(items.len(), expected.len());
    for (decoded, expected) in items.iter().zip(expected) {
        assert_eq!(decoded.principal, expected["principal"].as_str().unwrap());
        assert_eq!(
            decoded.permission.as_str(),
            expected["permission"].as_str().unwrap()
        );
    }
    assert_eq!(
        items,
        [
            AclItem {
                unknown_fields: Default::default(),
                principal: "users".into(),
                permission: AclPermission::Read,
            },
            AclItem {
                unknown_fields: Default::default(),
                principal: "data-engineers".into(),
                permission: AclPermission::Write,
            },
            AclItem {
                unknown_fields: Default::default(),
                principal: "alice@example.com".into(),
                permission: AclPermission::Manage,
            },
        ]
    );
}

#[test]
fn acls_get_sends_scope_and_principal_with_an_at_sign_in_the_query() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/secrets/acls/get",
            &[("scope", "etl"), ("principal", "alice@example.com")],
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"principal": "alice@example.com", "permission": "MANAGE"}"#);
    });

    let item = common::client(&server)
        .secrets()
        .acls()
        .get("etl", "alice@example.com")
        .unwrap();

    mock.assert();
    assert_eq!(item.principal, "alice@example.com");
    assert_eq!(item.permission, AclPermission::Manage);
}

#[test]
fn acls_get_decodes_the_fixture() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/secrets/acls/get",
            &[("scope", "etl"), ("principal", "data-engineers")],
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("secrets/acls_get.json"));
    });

    let item = common::client(&server)
        .secrets()
        .acls()
        .get("etl", "data-engineers")
        .unwrap();

    mock.assert();
    let expected = common::fixture_json("secrets/acls_get.json");
    assert_eq!(item.principal, expected["principal"].as_str().unwrap());
    assert_eq!(item.permission.as_str(), expected["permission"]);
    assert_eq!(item.permission, AclPermission::Write);
}

#[test]
fn acls_get_percent_encodes_plus_ampersand_and_space_in_the_principal() {
    // A `+` left raw in a query string is read back as a space by the server.
    let principal = "ops+alerts@example.com & Data Engineers=1";
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/secrets/acls/get",
            &[("scope", "etl"), ("principal", principal)],
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(json!({"principal": principal, "permission": "READ"}).to_string());
    });

    let item = common::client(&server)
        .secrets()
        .acls()
        .get("etl", principal)
        .unwrap();

    mock.assert();
    assert_eq!(item.principal, principal);
    assert_eq!(item.permission, AclPermission::Read);
}

#[test]
fn acls_put_sends_the_permission_as_its_wire_name() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/acls/put",
        json!({"scope": "etl", "principal": "alice@example.com", "permission": "WRITE"}),
    );

    let result = common::client(&server).secrets().acls().put(
        "etl",
        "alice@example.com",
        AclPermission::Write,
    );

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn acls_put_sends_every_known_permission_upper_case() {
    let server = MockServer::start();
    let client = common::client(&server);
    for (permission, wire) in [
        (AclPermission::Read, "READ"),
        (AclPermission::Write, "WRITE"),
        (AclPermission::Manage, "MANAGE"),
    ] {
        let mut mock = mock_post(
            &server,
            "/api/2.0/secrets/acls/put",
            json!({"scope": "etl", "principal": "users", "permission": wire}),
        );
        client
            .secrets()
            .acls()
            .put("etl", "users", permission)
            .unwrap();
        mock.assert();
        mock.delete();
    }
}

#[test]
fn acls_delete_posts_scope_and_principal() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/acls/delete",
        json!({"scope": "etl", "principal": "data-engineers"}),
    );

    let result = common::client(&server)
        .secrets()
        .acls()
        .delete("etl", "data-engineers");

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn unknown_acl_permission_decodes_into_unknown_and_serializes_back_unchanged() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/secrets/acls/get",
            &[("scope", "etl"), ("principal", "owners")],
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"principal": "owners", "permission": "OWN"}"#);
    });

    let item = common::client(&server)
        .secrets()
        .acls()
        .get("etl", "owners")
        .unwrap();

    mock.assert();
    assert_eq!(item.principal, "owners");
    assert_eq!(item.permission, AclPermission::Unknown("OWN".into()));
    assert_eq!(item.permission.as_str(), "OWN");
    assert_eq!(item.permission.to_string(), "OWN");
    assert_eq!(
        serde_json::to_value(&item).unwrap(),
        json!({"principal": "owners", "permission": "OWN"})
    );
}

#[test]
fn unknown_acl_permission_in_a_list_keeps_the_other_items() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/acls/list", &[("scope", "etl")]);
        then.status(200)
            .header("content-type", "application/json")
            .body(
                r#"{"items": [{"principal": "owners", "permission": "OWN"},
                              {"principal": "users", "permission": "READ"}]}"#,
            );
    });

    let items = common::client(&server)
        .secrets()
        .acls()
        .list("etl")
        .unwrap();

    mock.assert();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].permission, AclPermission::Unknown("OWN".into()));
    assert_eq!(items[1].principal, "users");
    assert_eq!(items[1].permission, AclPermission::Read);
    assert_eq!(
        serde_json::to_value(&items[0]).unwrap(),
        json!({"principal": "owners", "permission": "OWN"})
    );
}

// ----- scopes -----

#[test]
fn scopes_list_decodes_both_backends_and_the_key_vault_metadata() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/scopes/list", &[]);
        then.status(200)
            .header("content-type", "application/json")
            .body(common::fixture("secrets/scopes_list.json"));
    });

    let scopes = common::client(&server).secrets().scopes().list().unwrap();

    mock.assert();
    let expected = common::fixture_json("secrets/scopes_list.json");
    let expected = expected["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 2);
    for (decoded, expected) in scopes.iter().zip(expected) {
        assert_eq!(decoded.name, expected["name"].as_str().unwrap());
        assert_eq!(
            decoded.backend_type.as_ref().map(ScopeBackendType::as_str),
            expected["backend_type"].as_str()
        );
    }

    assert_eq!(scopes[0].name, "etl");
    assert_eq!(scopes[0].backend_type, Some(ScopeBackendType::Databricks));
    assert_eq!(scopes[0].keyvault_metadata, None);

    assert_eq!(scopes[1].name, "kv-prod");
    assert_eq!(
        scopes[1].backend_type,
        Some(ScopeBackendType::AzureKeyvault)
    );
    let kv = scopes[1]
        .keyvault_metadata
        .as_ref()
        .expect("keyvault_metadata is decoded");
    assert_eq!(kv.resource_id, KV_RESOURCE_ID);
    assert_eq!(kv.dns_name, KV_DNS_NAME);
    assert_eq!(
        kv.resource_id,
        expected[1]["keyvault_metadata"]["resource_id"]
    );
    assert_eq!(kv.dns_name, expected[1]["keyvault_metadata"]["dns_name"]);
}

#[test]
fn scopes_create_databricks_backed_for_users_sends_no_key_vault_fields() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/scopes/create",
            json!({"scope": "etl", "initial_manage_principal": "users"}),
        )
        .is_true(|req: &HttpMockRequest| {
            common::body_keys(req) == ["initial_manage_principal", "scope"]
        });
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });

    let result = common::client(&server)
        .secrets()
        .scopes()
        .create(&CreateScopeRequest {
            scope: "etl".into(),
            initial_manage_principal: Some("users".into()),
            ..Default::default()
        });

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn scopes_create_azure_key_vault_backed_sends_backend_type_and_vault() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/scopes/create",
        json!({
            "scope": "kv-prod",
            "scope_backend_type": "AZURE_KEYVAULT",
            "backend_azure_keyvault": {
                "resource_id": KV_RESOURCE_ID,
                "dns_name": KV_DNS_NAME,
            },
        }),
    );

    let result = common::client(&server)
        .secrets()
        .scopes()
        .create(&CreateScopeRequest {
            unknown_fields: Default::default(),
            scope: "kv-prod".into(),
            scope_backend_type: Some(ScopeBackendType::AzureKeyvault),
            backend_azure_keyvault: Some(AzureKeyVaultSecretScopeMetadata {
                unknown_fields: Default::default(),
                resource_id: KV_RESOURCE_ID.into(),
                dns_name: KV_DNS_NAME.into(),
            }),
            initial_manage_principal: None,
        });

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn scopes_delete_posts_the_scope() {
    let server = MockServer::start();
    let mock = mock_post(
        &server,
        "/api/2.0/secrets/scopes/delete",
        json!({"scope": "etl"}),
    );

    let result = common::client(&server).secrets().scopes().delete("etl");

    mock.assert();
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn scopes_delete_accepts_an_empty_200_body() {
    let server = MockServer::start();
    let client = common::client(&server);

    // Without any header, then with a JSON content type but still no body.
    let mut bare = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/scopes/delete",
            json!({"scope": "etl"}),
        );
        then.status(200);
    });
    let result = client.secrets().scopes().delete("etl");
    bare.assert();
    assert!(result.is_ok(), "{result:?}");
    bare.delete();

    let typed = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/secrets/scopes/delete",
            json!({"scope": "etl"}),
        );
        then.status(200)
            .header("content-type", "application/json")
            .body("");
    });
    let result = client.secrets().scopes().delete("etl");
    typed.assert();
    assert!(result.is_ok(), "{result:?}");
}

// ----- tolerance of the answers -----

#[test]
fn unknown_extra_response_fields_are_ignored() {
    let server = MockServer::start();
    let acl = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/secrets/acls/get",
            &[("scope", "etl"), ("principal", "data-engineers")],
        );
        then.status(200)
            .header("content-type", "application/json")
            .body(
                r#"{"principal": "data-engineers", "permission": "WRITE",
                    "granted_by": "admin@example.com", "inherited": {"from": ["x"]}, "n": 1.5}"#,
            );
    });
    let scopes = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/scopes/list", &[]);
        then.status(200)
            .header("content-type", "application/json")
            .body(
                json!({
                    "scopes": [{
                        "name": "kv-prod",
                        "backend_type": "AZURE_KEYVAULT",
                        "keyvault_metadata": {
                            "resource_id": KV_RESOURCE_ID,
                            "dns_name": KV_DNS_NAME,
                            "tenant_id": "00000000-0000-0000-0000-000000000000",
                        },
                        "created_by": "alice@example.com",
                    }],
                    "next_page_token": null,
                    "has_more": false,
                })
                .to_string(),
            );
    });
    let client = common::client(&server);

    let item = client
        .secrets()
        .acls()
        .get("etl", "data-engineers")
        .unwrap();
    let listed = client.secrets().scopes().list().unwrap();

    acl.assert();
    scopes.assert();
    assert_eq!(item.principal, "data-engineers");
    assert_eq!(item.permission, AclPermission::Write);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "kv-prod");
    assert_eq!(
        listed[0].backend_type,
        Some(ScopeBackendType::AzureKeyvault)
    );
    let kv = listed[0].keyvault_metadata.as_ref().unwrap();
    assert_eq!(kv.resource_id, KV_RESOURCE_ID);
    assert_eq!(kv.dns_name, KV_DNS_NAME);
}

#[test]
fn absent_list_keys_give_empty_vecs() {
    let server = MockServer::start();
    let secrets = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/list", &[("scope", "etl")]);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let acls = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/acls/list", &[("scope", "etl")]);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let scopes = server.mock(|when, then| {
        common::get(when, "/api/2.0/secrets/scopes/list", &[]);
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let client = common::client(&server);

    let listed_secrets = client.secrets().list("etl").unwrap();
    let listed_acls = client.secrets().acls().list("etl").unwrap();
    let listed_scopes = client.secrets().scopes().list().unwrap();

    secrets.assert();
    acls.assert();
    scopes.assert();
    assert!(listed_secrets.is_empty(), "{listed_secrets:?}");
    assert!(listed_acls.is_empty(), "{listed_acls:?}");
    assert!(listed_scopes.is_empty(), "{listed_scopes:?}");
}
