//! Retries: which answers and failures are retried, how long the client waits (virtual time, via
//! a fake clock), when it stops, and that non-idempotent calls are never replayed once sent.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use azure_databricks_sdk::Clock;
use azure_databricks_sdk::models::{ClusterAttributes, CreateTokenRequest};
use azure_databricks_sdk::{Auth, Client, Error, RetryPolicy};
use common::{FakeClock, ScriptedServer, Step};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};

const ID: &str = "0923-164208-meows279";

fn client(base: &str, clock: &Arc<FakeClock>, policy: RetryPolicy) -> Client {
    Client::builder(base)
        .auth(Auth::personal_access_token(common::TOKEN))
        .no_proxy()
        .retry(policy)
        .clock(clock.clone())
        .build()
        .unwrap()
}

/// Answers `failures` (in order) and then `{}` with 200, counting calls.
fn sequence(
    failures: Vec<(u16, Option<&'static str>, &'static str)>,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse {
    let calls = AtomicUsize::new(0);
    move |_req| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        match failures.get(n) {
            Some((status, retry_after, body)) => {
                let mut answer = HttpMockResponse::builder()
                    .status(*status)
                    .body(body.to_string());
                if let Some(after) = retry_after {
                    answer = answer.header("retry-after", *after);
                }
                answer.build()
            }
            None => HttpMockResponse::builder().status(200).body("{}").build(),
        }
    }
}

const THROTTLED: &str = r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"Too many requests"}"#;
const UNAVAILABLE: &str = r#"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"The service is temporarily unavailable"}"#;

#[test]
fn a_429_with_retry_after_waits_exactly_that_long_then_succeeds() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(POST).path("/api/2.1/clusters/start");
        then.respond_with(sequence(vec![(429, Some("7"), THROTTLED)]));
    });
    let clock = FakeClock::new();
    client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .start(ID)
        .unwrap();
    mock.assert_calls(2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
}

#[test]
fn a_retry_after_http_date_is_honoured() {
    let server = MockServer::start();
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
    let date: &'static str = Box::leak(date.into_boxed_str());
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.respond_with(sequence(vec![(503, Some(date), UNAVAILABLE)]));
    });
    let clock = FakeClock::new();
    client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .list()
        .unwrap();
    mock.assert_calls(2);
    let waited = clock.sleeps()[0];
    assert!(
        waited > Duration::from_secs(27) && waited <= Duration::from_secs(30),
        "{waited:?}"
    );
}

#[test]
fn three_503s_then_200_succeeds_with_growing_backoff() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.respond_with(sequence(vec![
            (503, None, UNAVAILABLE),
            (503, None, UNAVAILABLE),
            (503, None, ""),
        ]));
    });
    let clock = FakeClock::new();
    let clusters = client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .list()
        .unwrap();
    assert!(clusters.is_empty());
    mock.assert_calls(4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    // Equal jitter around 1 s, 2 s, 4 s: each in [half, full].
    for (slept, full) in sleeps.iter().zip([1, 2, 4]) {
        let full = Duration::from_secs(full);
        assert!(*slept >= full / 2 && *slept <= full, "{sleeps:?}");
    }
}

#[test]
fn a_throttling_error_code_is_retried_whatever_the_status() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.0/token/list");
        then.respond_with(sequence(vec![(400, None, THROTTLED)]));
    });
    let clock = FakeClock::new();
    client(&server.base_url(), &clock, RetryPolicy::default())
        .tokens()
        .list()
        .unwrap();
    mock.assert_calls(2);
}

#[test]
fn a_transient_message_is_retried() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(POST).path("/api/2.1/clusters/start");
        then.respond_with(sequence(vec![(
            400,
            None,
            r#"{"error_code":"INVALID_STATE","message":"ClusterNotReadyException: driver not ready"}"#,
        )]));
    });
    let clock = FakeClock::new();
    client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .start(ID)
        .unwrap();
    mock.assert_calls(2);
}

#[test]
fn a_500_and_a_400_are_not_retried() {
    for (status, body) in [
        (500, r#"{"error_code":"INTERNAL_ERROR","message":"boom"}"#),
        (
            400,
            r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"bad"}"#,
        ),
    ] {
        let server = MockServer::start();
        let mock = server.mock(|when, then| {
            when.method(GET).path("/api/2.1/clusters/list");
            then.status(status).body(body);
        });
        let clock = FakeClock::new();
        let err = client(&server.base_url(), &clock, RetryPolicy::default())
            .clusters()
            .list()
            .unwrap_err();
        mock.assert_calls(1);
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert_eq!(err.status(), Some(status));
        assert!(clock.sleeps().is_empty());
    }
}

#[test]
fn when_the_budget_runs_out_the_error_says_so_and_keeps_the_last_answer() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(503)
            .header("x-request-id", "req-503")
            .body(UNAVAILABLE);
    });
    let clock = FakeClock::new();
    let policy = RetryPolicy::default()
        .budget(Duration::from_secs(10))
        .max_attempts(100);
    let err = client(&server.base_url(), &clock, policy)
        .clusters()
        .list()
        .unwrap_err();
    let Error::RetriesExhausted {
        attempts,
        elapsed,
        reason,
        ..
    } = &err
    else {
        panic!("expected RetriesExhausted, got {err:?}");
    };
    mock.assert_calls(*attempts as usize);
    assert!(*attempts >= 3, "{attempts}");
    assert!(*elapsed <= Duration::from_secs(10), "{elapsed:?}");
    assert!(reason.contains("budget"), "{reason}");
    // The last underlying error: status, code, message, request id.
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.error_code(), Some("TEMPORARILY_UNAVAILABLE"));
    assert_eq!(err.request_id(), Some("req-503"));
    assert_eq!(
        err.api().unwrap().message(),
        "The service is temporarily unavailable"
    );
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("HTTP 503"), "{source}");
    assert!(
        err.to_string().starts_with("clusters.list: gave up after"),
        "{err}"
    );
}

#[test]
fn the_attempt_limit_stops_retrying() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(429).body(THROTTLED);
    });
    let clock = FakeClock::new();
    let err = client(
        &server.base_url(),
        &clock,
        RetryPolicy::default().max_attempts(3),
    )
    .clusters()
    .list()
    .unwrap_err();
    mock.assert_calls(3);
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_rate_limited());
}

#[test]
fn a_retry_after_beyond_the_budget_stops_at_once() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(429)
            .header("retry-after", "3600")
            .body(THROTTLED);
    });
    let clock = FakeClock::new();
    let err = client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .list()
        .unwrap_err();
    mock.assert_calls(1);
    assert!(clock.sleeps().is_empty());
    assert!(err.to_string().contains("Retry-After"), "{err}");
}

#[test]
fn retries_can_be_turned_off() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(503).body(UNAVAILABLE);
    });
    let clock = FakeClock::new();
    let err = client(&server.base_url(), &clock, RetryPolicy::disabled())
        .clusters()
        .list()
        .unwrap_err();
    mock.assert_calls(1);
    assert!(
        matches!(err, Error::Api(_)),
        "the plain error, not wrapped: {err:?}"
    );
}

#[test]
fn a_refused_connection_is_retried_even_for_create() {
    let url = common::closed_port_url();
    let clock = FakeClock::new();
    let client = client(&url, &clock, RetryPolicy::default().max_attempts(3));
    let request = ClusterAttributes {
        spark_version: "13.3.x-scala2.12".into(),
        ..Default::default()
    };
    let err = client.clusters().create(&request).unwrap_err();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    let last = std::error::Error::source(&err).unwrap();
    assert_eq!(
        last.to_string(),
        format!(
            "clusters.create: cannot connect to {}",
            &url["http://".len()..]
        )
    );
    assert!(err.is_connect());
    assert_eq!(clock.sleeps().len(), 2);
}

#[test]
fn a_connection_reset_after_sending_retries_start() {
    let server = ScriptedServer::start(vec![Step::Drop, Step::Answer(200, "{}")]);
    let clock = FakeClock::new();
    client(&server.url, &clock, RetryPolicy::default())
        .clusters()
        .start(ID)
        .unwrap();
    assert_eq!(
        server.requests(),
        ["POST /api/2.1/clusters/start HTTP/1.1"; 2]
    );
}

#[test]
fn a_connection_reset_after_sending_never_replays_restart() {
    let server = ScriptedServer::start(vec![Step::Drop, Step::Answer(200, "{}")]);
    let clock = FakeClock::new();
    let err = client(&server.url, &clock, RetryPolicy::default())
        .clusters()
        .restart("0923-164208-meows279")
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // Exactly one restart reached the server: it may have been carried out.
    assert_eq!(
        server.requests(),
        ["POST /api/2.1/clusters/restart HTTP/1.1"]
    );
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_connection_reset_after_sending_replays_create_with_its_idempotency_token() {
    let server =
        ScriptedServer::start(vec![Step::Drop, Step::Answer(200, r#"{"cluster_id":"x"}"#)]);
    let clock = FakeClock::new();
    let request = ClusterAttributes {
        spark_version: "13.3.x-scala2.12".into(),
        num_workers: Some(1),
        ..Default::default()
    };
    let created = client(&server.url, &clock, RetryPolicy::default())
        .clusters()
        .create(&request)
        .unwrap();
    // The service answers a repeated token with the cluster of the first request.
    assert_eq!(created.cluster_id, "x");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn token_create_is_not_replayed_after_a_reset() {
    let server = ScriptedServer::start(vec![Step::Drop]);
    let clock = FakeClock::new();
    let err = client(&server.url, &clock, RetryPolicy::default())
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("ci".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.requests(), ["POST /api/2.0/token/create HTTP/1.1"]);
}

#[test]
fn a_slow_server_gives_a_timeout_error() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(200).body("{}").delay(Duration::from_secs(3));
    });
    let client = common::builder(&server, Auth::personal_access_token(common::TOKEN))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.clusters().list().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    mock.assert_calls(1);
}

#[test]
fn a_truncated_body_is_an_error_not_a_panic() {
    let server = ScriptedServer::start(vec![Step::Truncate]);
    let clock = FakeClock::new();
    let err = client(&server.url, &clock, RetryPolicy::default().max_attempts(2))
        .clusters()
        .list()
        .unwrap_err();
    // A read, so it was retried once; the last error is the transport failure.
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn the_user_agent_carries_the_extra_product() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list").header(
            "user-agent",
            format!("{} my-tool/1.2", azure_databricks_sdk::defaults::USER_AGENT),
        );
        then.status(200).body("{}");
    });
    let client = common::builder(&server, Auth::personal_access_token(common::TOKEN))
        .user_agent_extra("my-tool/1.2")
        .build()
        .unwrap();
    client.clusters().list().unwrap();
    mock.assert();
}

#[test]
fn an_explicit_proxy_receives_the_requests() {
    // The "proxy" only records what it is asked for: ureq tunnels through it with CONNECT.
    let proxy = ScriptedServer::start(vec![Step::Drop]);
    let client = Client::builder("http://127.0.0.1:9")
        .auth(Auth::personal_access_token(common::TOKEN))
        .proxy(proxy.url.clone())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    assert!(
        client.clusters().list().is_err(),
        "the recording proxy does not answer"
    );
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].contains("127.0.0.1:9"), "{requests:?}");
}

#[test]
fn restart_is_retried_when_throttled_but_not_on_503() {
    let server = MockServer::start();
    let restart = server.mock(|when, then| {
        when.method(POST).path("/api/2.1/clusters/restart");
        then.respond_with(sequence(vec![
            (429, Some("1"), THROTTLED),
            (503, None, UNAVAILABLE),
        ]));
    });
    let clock = FakeClock::new();
    let err = client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .restart("0923-164208-meows279")
        .unwrap_err();
    // The 429 was refused by the service and retried; the 503 may have restarted it.
    restart.assert_calls(2);
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status(), Some(503));
}

#[test]
fn a_huge_retry_after_neither_panics_nor_waits() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/api/2.1/clusters/list");
        then.status(429)
            .header("retry-after", "18446744073709551615")
            .body(THROTTLED);
    });
    let clock = FakeClock::new();
    clock.sleep(Duration::from_secs(2));
    let err = client(&server.base_url(), &clock, RetryPolicy::default())
        .clusters()
        .list()
        .unwrap_err();
    mock.assert_calls(1);
    assert!(err.to_string().contains("Retry-After"), "{err}");
}

#[test]
fn a_host_that_does_not_resolve_fails_at_once_naming_the_host() {
    let clock = FakeClock::new();
    let started = std::time::Instant::now();
    let err = client(
        "https://adb-0000000000000000.0.nonexistent.invalid",
        &clock,
        RetryPolicy::default(),
    )
    .clusters()
    .list()
    .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(
        err.transport().unwrap().kind(),
        azure_databricks_sdk::TransportErrorKind::HostNotFound
    );
    assert_eq!(
        err.to_string(),
        "clusters.list: cannot resolve adb-0000000000000000.0.nonexistent.invalid"
    );
    assert!(clock.sleeps().is_empty(), "a typo is not retried");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_refused_connection_is_retried_only_a_few_times_within_seconds() {
    let url = common::closed_port_url();
    let clock = FakeClock::new();
    let err = client(&url, &clock, RetryPolicy::default())
        .clusters()
        .list()
        .unwrap_err();
    let Error::RetriesExhausted {
        attempts, reason, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (*attempts, reason.as_str()),
        (3, "connection attempt limit of 3")
    );
    assert!(
        clock.slept() <= Duration::from_secs(3),
        "{:?}",
        clock.sleeps()
    );
    assert!(err.is_connect());
}
