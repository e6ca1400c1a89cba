//! `oauth-m2m` end to end against the emulator: a service principal signs in through a written
//! `~/.databrickscfg` profile, as a Databricks CLI user's file would have it.
// Needs the emulator crate of the repository (see build.rs).
#![cfg(emulator_tests)]

mod common;

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::ClusterAttributes;
use azure_databricks_sdk::{Client, Config};

fn config(ws: &Emulator, file_text: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("databrickscfg");
    std::fs::write(&path, file_text).unwrap();
    let config = Config::builder()
        .environment(common::env(&[("HOME", &dir.path().display().to_string())]))
        .config_file(&path)
        .profile("etl")
        .no_proxy()
        .build()
        .unwrap();
    assert_eq!(config.host(), Some(ws.base_url()));
    (dir, config)
}

#[test]
fn a_service_principal_signs_in_with_oauth_m2m_through_a_profile() {
    let ws = Emulator::start().unwrap();
    ws.client()
        .clusters()
        .create(&ClusterAttributes {
            cluster_name: Some("shared".into()),
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(1),
            ..Default::default()
        })
        .unwrap();
    let sp = ws.add_service_principal("etl");
    let (_dir, config) = config(&ws, &sp.profile("etl", ws.base_url()));
    assert_eq!(config.auth_type(), Some("oauth-m2m"));
    let client = Client::from_config(&config).unwrap();
    assert_eq!(client.auth_method(), "oauth-m2m");

    let before = ws.request_count();
    for _ in 0..3 {
        let clusters = client.clusters().list().unwrap();
        assert_eq!(clusters.len(), 1);
    }
    // Host metadata, discovery, one token request, three calls: the token is cached.
    assert_eq!(ws.request_count() - before, 6);
    let paths: Vec<String> = ws.request_log().iter().map(|r| r.path.clone()).collect();
    let sign_in = paths
        .iter()
        .position(|p| p == "/.well-known/databricks-config");
    assert!(sign_in.is_some(), "{paths:?}");
    assert_eq!(
        paths[sign_in.unwrap()..sign_in.unwrap() + 3],
        [
            "/.well-known/databricks-config",
            "/oidc/.well-known/oauth-authorization-server",
            "/oidc/v1/token"
        ],
        "{paths:?}"
    );
    let me = client.raw().get("preview/scim/v2/Me", &[]).unwrap();
    assert_eq!(me["userName"], sp.client_id.as_str());
    assert!(!format!("{client:?} {config:?} {sp:?}").contains(sp.client_secret.expose()));
}

#[test]
fn a_wrong_secret_is_invalid_client_and_never_shown() {
    let ws = Emulator::start().unwrap();
    let sp = ws.add_service_principal("etl");
    let wrong = "dose-wrong-secret-0123456789";
    let text = sp
        .profile("etl", ws.base_url())
        .replace(sp.client_secret.expose(), wrong);
    let (_dir, config) = config(&ws, &text);
    let err = Client::from_config(&config)
        .unwrap()
        .clusters()
        .list()
        .unwrap_err();
    let shown = format!("{err} | {err:?}");
    assert!(err.auth().is_some(), "{shown}");
    assert!(
        shown.contains("oauth-m2m") && shown.contains("invalid_client"),
        "{shown}"
    );
    assert!(!shown.contains(wrong), "{shown}");
}

#[test]
fn the_workspace_refuses_an_access_token_past_its_hour() {
    let ws = Emulator::start().unwrap();
    let sp = ws.add_service_principal("etl");
    let (_dir, config) = config(&ws, &sp.profile("etl", ws.base_url()));
    let client = Client::from_config(&config).unwrap();
    client.clusters().list().unwrap();
    ws.advance(std::time::Duration::from_secs(3600));
    // The SDK's cache dates tokens by the real wall clock (refresh is tested in
    // tests/oauth.rs with a fake one): here it still holds the token the emulator's clock
    // has expired, and the workspace answers 403 like the service.
    let err = client.clusters().list().unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");
    // The error says which credentials the workspace refused, not their value.
    let credentials = err.api().and_then(|e| e.credentials()).unwrap_or_default();
    assert!(
        credentials.starts_with("oauth-m2m, client_secret from profile [etl] of "),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with(&format!("(credentials: {credentials})"))
    );
    assert!(!format!("{err} {err:?}").contains(sp.client_secret.expose()));
}
