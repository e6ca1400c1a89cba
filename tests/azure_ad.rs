//! Azure AD credentials the SDK gets itself: a service principal with a client secret against
//! httpmock as the token endpoint, managed identity against httpmock as IMDS, and the Azure
//! CLI as a fake `az` script. No real Azure, no real environment, no real home directory.

mod common;

use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use azure_databricks_sdk::{
    AZURE_DATABRICKS_RESOURCE_ID, Auth, AzureCli, AzureClientSecret, AzureManagedIdentity, Client,
    Config, Error,
};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, Mock};
use serde_json::json;

use common::fake_cli::{FakeCli, path_with};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT_ID: &str = "8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
const SECRET: &str = "s3cr3t~Q8#pV.client-secret-value";
const MANAGEMENT: &str = "https://management.core.windows.net/";
const RESOURCE_ID: &str = "/subscriptions/3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6/resourceGroups/rg-data/providers/Microsoft.Databricks/workspaces/ws-prod";
const DATABRICKS_TOKEN: &str = "eyJ0eXAiOiJKV1QifQ.databricks-aad-token.sig";
const MANAGEMENT_TOKEN: &str = "eyJ0eXAiOiJKV1QifQ.management-token.sig";
const SP_HEADER: &str = "x-databricks-azure-sp-management-token";
const RESOURCE_HEADER: &str = "x-databricks-azure-workspace-resource-id";

// ---------------------------------------------------------------------------------------------
// helpers

/// A v1 token answer: `expires_in` is a JSON string, as Azure AD sends it.
fn token_answer(token: &str, resource: &str, expires_in: u64) -> serde_json::Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({
        "token_type": "Bearer",
        "expires_in": expires_in.to_string(),
        "ext_expires_in": expires_in.to_string(),
        "expires_on": (now + expires_in).to_string(),
        "not_before": now.to_string(),
        "resource": resource,
        "access_token": token,
    })
}

/// `application/x-www-form-urlencoded` decoding of one key or value.
fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The form body of a request as sorted pairs.
fn form(req: &HttpMockRequest) -> Vec<(String, String)> {
    let body = String::from_utf8_lossy(req.body_ref()).into_owned();
    let mut pairs: Vec<(String, String)> = body
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (url_decode(k), url_decode(v))
        })
        .collect();
    pairs.sort();
    pairs
}

/// The exact client-credentials form for `resource`.
fn expected_form(resource: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "client_credentials"),
        ("resource", resource),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    pairs.sort();
    pairs
}

/// A token endpoint mock for `resource` answering `status` with `body` (after `delay`),
/// matching the exact form and content type; `times` limits how often it answers.
fn token_mock<'a>(
    aad: &'a MockServer,
    resource: &'static str,
    status: u16,
    body: serde_json::Value,
    delay: Duration,
    times: Option<usize>,
) -> Mock<'a> {
    aad.mock(|when, then| {
        when.method(POST)
            .path(format!("/{TENANT}/oauth2/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .is_true(move |req: &HttpMockRequest| form(req) == expected_form(resource));
        let then = then.status(status).json_body(body).delay(delay);
        if let Some(times) = times {
            then.up_to_n_times(times);
        }
    })
}

/// Token endpoint mocks answering the Azure Databricks and the management token, each valid
/// for an hour.
fn hour_long_tokens(aad: &MockServer) -> (Mock<'_>, Mock<'_>) {
    let databricks = token_mock(
        aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        200,
        token_answer(DATABRICKS_TOKEN, AZURE_DATABRICKS_RESOURCE_ID, 3599),
        Duration::ZERO,
        None,
    );
    let management = token_mock(
        aad,
        MANAGEMENT,
        200,
        token_answer(MANAGEMENT_TOKEN, MANAGEMENT, 3599),
        Duration::ZERO,
        None,
    );
    (databricks, management)
}

fn sp(aad: &MockServer) -> AzureClientSecret {
    AzureClientSecret::new(TENANT, CLIENT_ID, SECRET)
        // Waits between retries of the token request only move this clock.
        .clock(common::FakeClock::new())
        .authority(aad.base_url())
        .workspace_resource_id(RESOURCE_ID)
        .no_proxy()
}

fn client(workspace: &MockServer, auth: Auth) -> Client {
    common::builder(workspace, auth).build().unwrap()
}

/// `clusters/list` requiring exactly these credential headers.
fn workspace_mock<'a>(
    workspace: &'a MockServer,
    bearer: &str,
    management: Option<&str>,
    resource_id: Option<&str>,
) -> Mock<'a> {
    workspace.mock(|when, then| {
        let mut when = when
            .method(GET)
            .path("/api/2.1/clusters/list")
            .header("authorization", format!("Bearer {bearer}"));
        when = match management {
            Some(token) => when.header(SP_HEADER, token),
            None => when.header_missing(SP_HEADER),
        };
        let _ = match resource_id {
            Some(id) => when.header(RESOURCE_HEADER, id),
            None => when.header_missing(RESOURCE_HEADER),
        };
        then.status(200).json_body(json!({"clusters": []}));
    })
}

/// Everything an error shows: Display, Debug, and the source chain.
fn everything(err: &Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// service principal with a client secret

#[test]
fn client_secret_gets_both_tokens_once_and_sends_both_headers_for_100_calls() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let (databricks, management) = hour_long_tokens(&aad);
    let list = workspace_mock(
        &workspace,
        DATABRICKS_TOKEN,
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let client = client(&workspace, Auth::azure_client_secret(sp(&aad)).unwrap());
    assert_eq!(
        databricks.calls(),
        0,
        "nothing is sent before the first request"
    );
    for _ in 0..100 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(100);
    databricks.assert_calls(1);
    management.assert_calls(1);
    let debug = format!("{client:?}");
    for secret in [SECRET, DATABRICKS_TOKEN, MANAGEMENT_TOKEN] {
        assert!(!debug.contains(secret), "{debug}");
    }
    assert!(debug.contains("azure-client-secret"), "{debug}");
}

#[test]
fn without_a_resource_id_the_management_token_is_still_sent() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        200,
        token_answer(DATABRICKS_TOKEN, AZURE_DATABRICKS_RESOURCE_ID, 3599),
        Duration::ZERO,
        None,
    );
    token_mock(
        &aad,
        MANAGEMENT,
        200,
        token_answer(MANAGEMENT_TOKEN, MANAGEMENT, 3599),
        Duration::ZERO,
        None,
    );
    let list = workspace_mock(&workspace, DATABRICKS_TOKEN, Some(MANAGEMENT_TOKEN), None);
    let sp = AzureClientSecret::new(TENANT, CLIENT_ID, SECRET)
        .authority(aad.base_url())
        .no_proxy();
    client(&workspace, Auth::azure_client_secret(sp).unwrap())
        .clusters()
        .list()
        .unwrap();
    list.assert();
}

#[test]
fn a_token_is_refreshed_once_it_is_within_40_seconds_of_expiry() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    // The first token lives 40 s: too short to reuse; the second one lives an hour.
    let first = token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        200,
        token_answer("first.token.x", AZURE_DATABRICKS_RESOURCE_ID, 40),
        Duration::ZERO,
        Some(1),
    );
    let second = token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        200,
        token_answer("second.token.x", AZURE_DATABRICKS_RESOURCE_ID, 3599),
        Duration::ZERO,
        None,
    );
    let management = token_mock(
        &aad,
        MANAGEMENT,
        200,
        token_answer(MANAGEMENT_TOKEN, MANAGEMENT, 3599),
        Duration::ZERO,
        None,
    );
    let with_first = workspace_mock(
        &workspace,
        "first.token.x",
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let with_second = workspace_mock(
        &workspace,
        "second.token.x",
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let client = client(&workspace, Auth::azure_client_secret(sp(&aad)).unwrap());
    for _ in 0..5 {
        client.clusters().list().unwrap();
    }
    with_first.assert_calls(1);
    with_second.assert_calls(4);
    first.assert_calls(1);
    second.assert_calls(1);
    management.assert_calls(1);
}

#[test]
fn eight_threads_at_once_cause_one_request_per_resource() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let slow = Duration::from_millis(300);
    let databricks = token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        200,
        token_answer(DATABRICKS_TOKEN, AZURE_DATABRICKS_RESOURCE_ID, 3599),
        slow,
        None,
    );
    let management = token_mock(
        &aad,
        MANAGEMENT,
        200,
        token_answer(MANAGEMENT_TOKEN, MANAGEMENT, 3599),
        slow,
        None,
    );
    let list = workspace_mock(
        &workspace,
        DATABRICKS_TOKEN,
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let client = client(&workspace, Auth::azure_client_secret(sp(&aad)).unwrap());
    let barrier = Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                barrier.wait();
                client.clusters().list().unwrap();
            });
        }
    });
    list.assert_calls(8);
    databricks.assert_calls(1);
    management.assert_calls(1);
}

#[test]
fn a_500_from_the_token_endpoint_is_retried() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let failing = token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        500,
        json!({"error": "temporarily_unavailable", "error_description": "AADSTS50196: retry"}),
        Duration::ZERO,
        Some(1),
    );
    let throttled = token_mock(
        &aad,
        MANAGEMENT,
        429,
        json!({"error": "throttled"}),
        Duration::ZERO,
        Some(1),
    );
    let (databricks, management) = hour_long_tokens(&aad);
    let list = workspace_mock(
        &workspace,
        DATABRICKS_TOKEN,
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let client = client(&workspace, Auth::azure_client_secret(sp(&aad)).unwrap());
    client.clusters().list().unwrap();
    list.assert();
    failing.assert_calls(1);
    throttled.assert_calls(1);
    databricks.assert_calls(1);
    management.assert_calls(1);
}

#[test]
fn invalid_client_is_a_clear_error_without_the_secret() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    // Azure AD does not echo the secret, but even if an endpoint did, it would be masked.
    let refused = token_mock(
        &aad,
        AZURE_DATABRICKS_RESOURCE_ID,
        401,
        json!({
            "error": "invalid_client",
            "error_description": format!("AADSTS7000215: Invalid client secret provided ({SECRET}).\r\nTrace ID: 0f1e\r\nCorrelation ID: 9a8b"),
            "error_codes": [7000215],
        }),
        Duration::ZERO,
        None,
    );
    let list = workspace.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let client = client(&workspace, Auth::azure_client_secret(sp(&aad)).unwrap());
    let err = client.clusters().list().unwrap_err();
    let text = everything(&err);
    assert!(matches!(err, Error::Auth { .. }), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(
        text.contains("AADSTS7000215: Invalid client secret provided"),
        "{text}"
    );
    assert!(text.contains(CLIENT_ID), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains('\n'), "one line: {text}");
    refused.assert_calls(1);
    list.assert_calls(0);
}

#[test]
fn malformed_client_secret_settings_are_refused_up_front() {
    for (sp, why) in [
        (AzureClientSecret::new("", CLIENT_ID, SECRET), "tenant"),
        (AzureClientSecret::new("a/b", CLIENT_ID, SECRET), "tenant"),
        (AzureClientSecret::new(TENANT, "", SECRET), "client id"),
        (
            AzureClientSecret::new(TENANT, CLIENT_ID, ""),
            "client secret",
        ),
        (
            AzureClientSecret::new(TENANT, CLIENT_ID, SECRET)
                .authority("http://login.example.com/"),
            "plain http",
        ),
    ] {
        let err = Auth::azure_client_secret(sp).unwrap_err().to_string();
        assert!(err.contains(why), "{why}: {err}");
        assert!(!err.contains(SECRET), "{err}");
    }
    let debug = format!("{:?}", AzureClientSecret::new(TENANT, CLIENT_ID, SECRET));
    assert!(
        !debug.contains(SECRET) && debug.contains(CLIENT_ID),
        "{debug}"
    );
}

#[test]
fn config_with_arm_variables_drives_the_client_secret_flow() {
    let aad = MockServer::start();
    let workspace = MockServer::start();
    let (databricks, management) = hour_long_tokens(&aad);
    let list = workspace_mock(
        &workspace,
        DATABRICKS_TOKEN,
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let env = common::env(&[
        ("DATABRICKS_HOST", &workspace.base_url()),
        ("ARM_CLIENT_ID", CLIENT_ID),
        ("ARM_CLIENT_SECRET", SECRET),
        ("ARM_TENANT_ID", TENANT),
        ("DATABRICKS_AZURE_RESOURCE_ID", RESOURCE_ID),
    ]);
    let config = Config::builder()
        .environment(env)
        .azure_authority(aad.base_url())
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::from_config(&config).unwrap();
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    list.assert_calls(2);
    databricks.assert_calls(1);
    management.assert_calls(1);
    assert!(!format!("{config:?}").contains(SECRET));
}

// ---------------------------------------------------------------------------------------------
// managed identity

#[test]
fn managed_identity_asks_imds_for_both_tokens() {
    let imds = MockServer::start();
    let workspace = MockServer::start();
    let identity = "5d1c9a7e-0000-4b3c-8d2e-6f7a8b9c0d1e";
    let imds_mock = |resource: &'static str, token: &'static str| {
        imds.mock(move |when, then| {
            when.method(GET)
                .path("/metadata/identity/oauth2/token")
                .header("metadata", "true")
                .query_param("api-version", "2018-02-01")
                .query_param("resource", resource)
                .query_param("client_id", identity);
            // IMDS answers with strings for every number, and both expiries.
            then.status(200)
                .json_body(token_answer(token, resource, 3599));
        })
    };
    let databricks = imds_mock(AZURE_DATABRICKS_RESOURCE_ID, DATABRICKS_TOKEN);
    let management = imds_mock(MANAGEMENT, MANAGEMENT_TOKEN);
    let list = workspace_mock(
        &workspace,
        DATABRICKS_TOKEN,
        Some(MANAGEMENT_TOKEN),
        Some(RESOURCE_ID),
    );
    let msi = AzureManagedIdentity::new()
        .client_id(identity)
        .workspace_resource_id(RESOURCE_ID)
        .endpoint(imds.url("/metadata/identity/oauth2/token"));
    let client = client(&workspace, Auth::azure_managed_identity(msi).unwrap());
    for _ in 0..3 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(3);
    databricks.assert_calls(1);
    management.assert_calls(1);
}

#[test]
fn managed_identity_errors_are_clear() {
    let imds = MockServer::start();
    imds.mock(|when, then| {
        when.method(GET);
        then.status(400).json_body(json!({
            "error": "invalid_request",
            "error_description": "Identity not found"
        }));
    });
    let workspace = MockServer::start();
    let msi = AzureManagedIdentity::new().endpoint(imds.url("/metadata/identity/oauth2/token"));
    let err = client(&workspace, Auth::azure_managed_identity(msi).unwrap())
        .clusters()
        .list()
        .unwrap_err();
    // Display is the first line; Debug (what `main` prints) has the whole chain.
    let err = format!("{err:?}");
    assert!(
        err.contains("azure-msi") && err.contains("HTTP 400 invalid_request: Identity not found"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Azure CLI, faked by a shell script

/// A fake `az`.
struct FakeAz(FakeCli);

impl FakeAz {
    fn new(body: &str) -> FakeAz {
        FakeAz(FakeCli::new("az", body))
    }

    /// Prints `json` and exits 0.
    fn printing(json: &serde_json::Value) -> FakeAz {
        FakeAz(FakeCli::printing("az", json))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn calls(&self) -> Vec<String> {
        self.0.calls()
    }

    /// The `az account get-access-token` runs (not the one `az account show`).
    fn token_calls(&self) -> Vec<String> {
        let calls = self.calls();
        let shows = calls
            .iter()
            .filter(|c| c.starts_with("account show"))
            .count();
        assert!(shows <= 1, "az account show runs once: {calls:?}");
        calls
            .into_iter()
            .filter(|c| !c.starts_with("account show"))
            .collect()
    }
}

fn epoch_in(seconds: u64) -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + seconds
}

/// `expiresOn` as older CLIs print it: local time with microseconds.
fn local_time_in(seconds: i64) -> String {
    (chrono::Local::now() + chrono::Duration::seconds(seconds))
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

fn cli_token(token: &str, expires_in: u64) -> serde_json::Value {
    json!({
        "accessToken": token,
        "expiresOn": local_time_in(expires_in as i64),
        "expires_on": epoch_in(expires_in),
        "subscription": "3f2b8c1e-6d4a-4b9e-a7c2-91e5d0f4b8a6",
        "tenant": TENANT,
        "tokenType": "Bearer",
    })
}

#[test]
fn azure_cli_token_with_epoch_expiry_is_sent_and_reused() {
    let az = FakeAz::printing(&cli_token("cli.user.token", 3599));
    let workspace = MockServer::start();
    let list = workspace_mock(&workspace, "cli.user.token", None, Some(RESOURCE_ID));
    let cli = AzureCli::new()
        .tenant_id(TENANT)
        .workspace_resource_id(RESOURCE_ID)
        .search_path(path_with(az.path()));
    let client = client(&workspace, Auth::azure_cli(cli).unwrap());
    assert!(
        az.calls().is_empty(),
        "az is not run before the first request"
    );
    for _ in 0..3 {
        client.clusters().list().unwrap();
    }
    list.assert_calls(3);
    assert_eq!(
        az.calls(),
        vec![
            "account show --output json".to_string(),
            format!(
                "account get-access-token --resource {AZURE_DATABRICKS_RESOURCE_ID} --output json --tenant {TENANT}"
            )
        ]
    );
}

#[test]
fn azure_cli_local_time_expiry_of_older_clis_is_understood() {
    let long = FakeAz::printing(&json!({
        "accessToken": "old.cli.token",
        "expiresOn": local_time_in(3599),
        "tokenType": "Bearer",
    }));
    let short = FakeAz::printing(&json!({
        "accessToken": "old.cli.token",
        "expiresOn": local_time_in(35),
        "tokenType": "Bearer",
    }));
    let workspace = MockServer::start();
    let list = workspace_mock(&workspace, "old.cli.token", None, None);
    for (az, runs) in [(&long, 1), (&short, 3)] {
        let cli = AzureCli::new().search_path(path_with(az.path()));
        let client = client(&workspace, Auth::azure_cli(cli).unwrap());
        for _ in 0..3 {
            client.clusters().list().unwrap();
        }
        assert_eq!(az.token_calls().len(), runs);
        assert_eq!(
            az.token_calls()[0],
            format!(
                "account get-access-token --resource {AZURE_DATABRICKS_RESOURCE_ID} --output json"
            )
        );
    }
    list.assert_calls(6);
}

#[test]
fn azure_cli_not_logged_in_is_a_clear_reason() {
    let az = FakeAz::new("echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1");
    let workspace = MockServer::start();
    let cli = AzureCli::new().search_path(path_with(az.path()));
    let err = client(&workspace, Auth::azure_cli(cli).unwrap())
        .clusters()
        .list()
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{text}");
    assert!(
        text.contains("not logged in to the Azure CLI (run `az login`)")
            && text.contains("Please run 'az login' to setup account."),
        "{text}"
    );
}

#[test]
fn azure_cli_other_failures_and_bad_output_are_reported() {
    let workspace = MockServer::start();
    let failing =
        FakeAz::new("echo 'ERROR: AADSTS70043: The refresh token has expired' >&2\nexit 2");
    let garbage = FakeAz::new("echo 'accessToken=not json'");
    for (az, want) in [
        (&failing, "failed (exit status: 2): ERROR: AADSTS70043"),
        (&garbage, "unexpected output of `az`: not a JSON object"),
    ] {
        let cli = AzureCli::new().search_path(path_with(az.path()));
        let err = client(&workspace, Auth::azure_cli(cli).unwrap())
            .clusters()
            .list()
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
        assert!(!err.contains("not json"), "{err}");
    }
}

#[test]
fn missing_az_is_a_clear_reason() {
    let empty = tempfile::tempdir().unwrap();
    let workspace = MockServer::start();
    let cli = AzureCli::new().search_path(empty.path());
    let err = client(&workspace, Auth::azure_cli(cli).unwrap())
        .clusters()
        .list()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the Azure CLI (`az`) was not found on PATH"),
        "{err}"
    );
}

#[test]
fn a_hanging_az_is_killed_after_the_timeout() {
    let az = FakeAz::new("exec sleep 5");
    let workspace = MockServer::start();
    let cli = AzureCli::new()
        .search_path(path_with(az.path()))
        .timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = client(&workspace, Auth::azure_cli(cli).unwrap())
        .clusters()
        .list()
        .unwrap_err()
        .to_string();
    assert!(err.contains("did not finish within 0.3 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

// ---------------------------------------------------------------------------------------------
// the default chain reaching the Azure CLI

#[test]
fn default_chain_falls_through_to_a_signed_in_azure_cli() {
    let az = FakeAz::printing(&cli_token("cli.chain.token", 3599));
    let workspace = MockServer::start();
    let list = workspace_mock(&workspace, "cli.chain.token", None, None);
    let config = Config::builder()
        .environment(common::env(&[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("PATH", &path_with(az.path())),
        ]))
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::from_config(&config).unwrap();
    assert_eq!(az.token_calls().len(), 1, "the chain tries az once");
    client.clusters().list().unwrap();
    client.clusters().list().unwrap();
    list.assert_calls(2);
    assert_eq!(az.token_calls().len(), 1, "and its token is reused");
    assert!(format!("{client:?}").contains("azure-cli"));
}

#[test]
fn default_chain_error_lists_every_method_and_why() {
    let az = FakeAz::new("echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1");
    let config = Config::builder()
        .environment(common::env(&[
            ("DATABRICKS_HOST", "adb-1.2.azuredatabricks.net"),
            ("ARM_CLIENT_ID", CLIENT_ID),
            ("PATH", &path_with(az.path())),
        ]))
        .build()
        .unwrap();
    let err = format!("{:?}", Client::from_config(&config).unwrap_err());
    for part in [
        "no credentials found",
        "pat: skipped, token (DATABRICKS_TOKEN) is not set",
        "azure-client-secret: skipped, azure_client_secret (ARM_CLIENT_SECRET) is not set",
        "azure-msi: skipped, azure_use_msi (ARM_USE_MSI) is not true",
        "azure-cli: failed, not logged in to the Azure CLI (run `az login`)",
        "host from env DATABRICKS_HOST",
        "azure_client_id from env ARM_CLIENT_ID",
    ] {
        assert!(err.contains(part), "missing {part:?} in: {err}");
    }
}

#[test]
fn default_chain_uses_the_managed_identity_only_when_asked() {
    let imds = MockServer::start();
    let workspace = MockServer::start();
    for resource in [AZURE_DATABRICKS_RESOURCE_ID, MANAGEMENT] {
        imds.mock(|when, then| {
            when.method(GET).query_param("resource", resource);
            then.status(200)
                .json_body(token_answer("msi.token.x", resource, 3599));
        });
    }
    let list = workspace_mock(&workspace, "msi.token.x", Some("msi.token.x"), None);
    let config = Config::builder()
        .environment(common::env(&[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("ARM_USE_MSI", "true"),
        ]))
        .azure_msi_endpoint(imds.url("/metadata/identity/oauth2/token"))
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::from_config(&config).unwrap();
    client.clusters().list().unwrap();
    list.assert();
    assert!(format!("{client:?}").contains("azure-msi"));
}
