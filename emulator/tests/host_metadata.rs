//! `GET /.well-known/databricks-config` answers as a workspace does, so the official SDKs
//! (which ask for it when a client is made) neither warn nor fail against the emulator.

use azure_databricks_emulator::Emulator;

/// `GET path` on a connection of its own, without a token: status and JSON body.
fn get(ws: &Emulator, path: &str) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let address = ws.base_url().trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[test]
fn host_metadata_is_served_without_a_token_with_the_official_field_names() {
    let ws = Emulator::start().unwrap();
    let (status, metadata) = get(&ws, "/.well-known/databricks-config");
    assert_eq!(status, 200, "{metadata}");
    let oidc = format!("{}/oidc", ws.base_url());
    // The fields the official Python SDK's `HostMetadata.from_dict` and the Go SDK's
    // `HostMetadata` read.
    assert_eq!(metadata["oidc_endpoint"], oidc.as_str());
    assert!(
        metadata["account_id"]
            .as_str()
            .is_some_and(|a| a.len() == 36)
    );
    assert!(
        metadata["workspace_id"]
            .as_str()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    );
    assert_eq!(metadata["cloud"], "Azure");
    assert_eq!(metadata["host_type"], "workspace");
    assert_eq!(
        metadata["token_federation_default_oidc_audiences"],
        serde_json::json!([format!("{oidc}/v1/token")])
    );
    // Its OIDC endpoint is the workspace's, which serves the discovery document.
    let (status, discovery) = get(&ws, "/oidc/.well-known/oauth-authorization-server");
    assert_eq!(status, 200);
    assert_eq!(
        discovery["token_endpoint"],
        format!("{oidc}/v1/token").as_str()
    );
}
