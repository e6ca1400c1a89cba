//! Logging through the `log` facade: one debug line per request, masked bodies at trace, and
//! never a secret. One test function: the logger is global to this test binary.

mod common;

use std::sync::Mutex;

use azure_databricks_sdk::models::CreateTokenRequest;
use azure_databricks_sdk::{Auth, RetryPolicy, SecretValue};
use base64::prelude::*;
use httpmock::prelude::*;
use serde_json::json;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

const AAD_TOKEN: &str = "eyJhbGciOi.aad-access-token.sig";
const MANAGEMENT_TOKEN: &str = "eyJhbGciOi.management-token.sig";
const TOKEN_VALUE: &str = "dapi4f2b9c7e1d8a6035b2e9f47c1a3d8e65";
const STRING_SECRET: &str = "correct horse battery staple";
const BYTES_SECRET: &[u8] = b"\x00\x01binary-secret\xff";

#[test]
fn logs_describe_every_request_and_never_contain_a_secret() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/api/2.0/token/create");
        then.status(200).body(
            json!({"token_value": TOKEN_VALUE, "token_info": {"token_id": "t1"}}).to_string(),
        );
    });
    server.mock(|when, then| {
        when.method(POST).path("/api/2.0/secrets/put");
        then.status(200).body("{}");
    });
    server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(403)
            .body(json!({"error_code": 403, "message": "Invalid access token."}).to_string());
    });
    let throttled = std::sync::atomic::AtomicUsize::new(0);
    server.mock(|when, then| {
        when.method(GET).path("/api/2.0/token/list");
        then.respond_with(move |_: &httpmock::HttpMockRequest| {
            let n = throttled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (status, body) = match n {
                0 | 1 => (
                    429,
                    r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#,
                ),
                _ => (200, "{}"),
            };
            httpmock::HttpMockResponse::builder()
                .status(status)
                .body(body)
                .build()
        });
    });
    let client = common::client(&server);
    let patient = common::builder(&server, Auth::personal_access_token(common::TOKEN))
        .clock(common::FakeClock::new())
        .build()
        .unwrap();
    patient.tokens().list().unwrap();
    let token = client
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("ci".into()),
            lifetime_seconds: Some(60),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(token.token_value.expose(), TOKEN_VALUE);
    client
        .secrets()
        .put("etl", "s", SecretValue::String(STRING_SECRET.into()))
        .unwrap();
    client
        .secrets()
        .put("etl", "b", SecretValue::Bytes(BYTES_SECRET.to_vec()))
        .unwrap();
    assert!(client.clusters().list().is_err());

    let sp = common::builder(
        &server,
        Auth::azure_ad_service_principal(
            AAD_TOKEN,
            Some(MANAGEMENT_TOKEN),
            Some("/subscriptions/s/resourceGroups/r/providers/Microsoft.Databricks/workspaces/w"),
        ),
    )
    .retry(RetryPolicy::disabled())
    .build()
    .unwrap();
    sp.secrets()
        .put("etl", "s", SecretValue::String(STRING_SECRET.into()))
        .unwrap();

    // Our records at every level, and the HTTP library's at debug and above. (ureq_proto dumps
    // the raw connection bytes at trace, headers included: the README tells to keep
    // `ureq_proto` below trace. httpmock's lines are the test server's.)
    let lines: Vec<String> = LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|l| {
            l.contains(" azure_databricks_sdk ") || (l.contains(" ureq") && !l.starts_with("TRACE"))
        })
        .cloned()
        .collect();
    let all = lines.join("\n");
    // ureq redacts the headers the SDK marks sensitive.
    assert!(
        lines.iter().any(|l| l.contains("3 HEADERS ARE REDACTED")),
        "{all}"
    );
    for secret in [
        common::TOKEN,
        AAD_TOKEN,
        MANAGEMENT_TOKEN,
        TOKEN_VALUE,
        STRING_SECRET,
        &BASE64_STANDARD.encode(BYTES_SECRET),
    ] {
        assert!(
            !all.contains(secret),
            "a log line contains {secret:?}:\n{all}"
        );
    }
    // Debug: method, path, status, duration, attempt.
    assert!(
        lines.iter().any(|l| l
            .starts_with("DEBUG azure_databricks_sdk POST /api/2.0/secrets/put -> 200 in")
            && l.ends_with("(attempt 1)")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("GET /api/2.1/clusters/list -> 403")),
        "{all}"
    );
    // Trace: bodies with secrets masked, headers masked.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("TRACE") && l.contains(r#""string_value":"****""#)),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("TRACE") && l.contains(r#""token_value":"****""#)),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("header authorization: ****")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("header x-databricks-azure-sp-management-token: ****")),
        "{all}"
    );
    assert!(
        lines.iter().any(|l| l.contains(r#""scope":"etl""#)),
        "non-secret fields stay readable:\n{all}"
    );
    // Retries: the first one of a call at warn (a program with a logger sees why a call
    // waits), the others at debug.
    let retries: Vec<&String> = lines.iter().filter(|l| l.contains("retrying in")).collect();
    assert_eq!(retries.len(), 2, "{all}");
    assert!(
        retries[0].starts_with("WARN azure_databricks_sdk tokens.list: HTTP 429 REQUEST_LIMIT_EXCEEDED: slow down; retrying in")
            && retries[0].ends_with("(attempt 1 of at most 8)"),
        "{all}"
    );
    assert!(
        retries[1].starts_with("DEBUG azure_databricks_sdk tokens.list"),
        "{all}"
    );
}
