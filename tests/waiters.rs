//! Cluster waiters: poll `clusters/get` with a growing pause (virtual time) until the target
//! state, fail fast on failure states, time out with the last state.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use azure_databricks_sdk::models::{ClusterAttributes, ClusterInfo, ClusterState, TerminationCode};
use azure_databricks_sdk::{Auth, Client, RetryPolicy, Wait};
use common::FakeClock;
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};
use serde_json::json;

const ID: &str = "0923-164208-meows279";

fn client(server: &MockServer, clock: &Arc<FakeClock>) -> Client {
    common::builder(server, Auth::personal_access_token(common::TOKEN))
        .retry(RetryPolicy::disabled())
        .clock(clock.clone())
        .build()
        .unwrap()
}

/// `clusters/get` answering the given states in order (the last one repeats).
fn states(server: &MockServer, states: Vec<serde_json::Value>) -> httpmock::Mock<'_> {
    let calls = AtomicUsize::new(0);
    server.mock(move |when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        then.respond_with(move |_: &HttpMockRequest| {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
            HttpMockResponse::builder()
                .status(200)
                .body(states[n].to_string())
                .build()
        });
    })
}

fn state(name: &str) -> serde_json::Value {
    json!({"cluster_id": ID, "state": name, "state_message": format!("{name} message")})
}

#[test]
fn wait_for_polls_until_running_with_a_growing_pause() {
    let server = MockServer::start();
    let get = states(
        &server,
        vec![
            state("PENDING"),
            state("PENDING"),
            state("PENDING"),
            state("RUNNING"),
        ],
    );
    let clock = FakeClock::new();
    let mut seen = Vec::new();
    let info = client(&server, &clock)
        .clusters()
        .wait_for(
            ID,
            ClusterState::Running,
            Wait::default().on_progress(|c| seen.push(c.state.clone().unwrap())),
        )
        .unwrap();
    assert_eq!(info.state, Some(ClusterState::Running));
    get.assert_calls(4);
    assert_eq!(
        seen,
        [
            ClusterState::Pending,
            ClusterState::Pending,
            ClusterState::Pending,
            ClusterState::Running
        ]
    );
    assert_eq!(clock.sleeps(), [1, 2, 3].map(Duration::from_secs));
}

#[test]
fn the_pause_is_capped_at_ten_seconds() {
    let server = MockServer::start();
    let mut answers = vec![state("PENDING"); 14];
    answers.push(state("RUNNING"));
    states(&server, answers);
    let clock = FakeClock::new();
    client(&server, &clock)
        .clusters()
        .wait_for(ID, ClusterState::Running, Duration::from_secs(3600))
        .unwrap();
    assert_eq!(clock.sleeps().iter().max(), Some(&Duration::from_secs(10)));
}

#[test]
fn waiting_for_running_fails_fast_on_error_with_the_reason() {
    let server = MockServer::start();
    let failed = json!({"cluster_id": ID, "state": "TERMINATED", "state_message": "Init script failure",
        "termination_reason": {"code": "INIT_SCRIPT_FAILURE", "type": "CLIENT_ERROR", "parameters": {"databricks_error_message": "exit 1"}}});
    states(&server, vec![state("PENDING"), failed]);
    let clock = FakeClock::new();
    let err = client(&server, &clock)
        .clusters()
        .wait_for(ID, ClusterState::Running, Wait::default())
        .unwrap_err();
    let wait = err.wait().expect("a wait error");
    assert_eq!(wait.state(), Some("TERMINATED"));
    assert_eq!(wait.state_message(), Some("Init script failure"));
    assert_eq!(
        wait.reason(),
        Some("INIT_SCRIPT_FAILURE (CLIENT_ERROR), databricks_error_message: exit 1")
    );
    assert_eq!(wait.timed_out(), None);
    let last = wait.last::<ClusterInfo>().expect("the last polled cluster");
    assert_eq!(
        last.termination_reason.as_ref().unwrap().code,
        Some(TerminationCode::InitScriptFailure)
    );
    assert!(
        err.to_string()
            .contains("TERMINATED instead of RUNNING: Init script failure"),
        "{err}"
    );
    assert_eq!(clock.sleeps().len(), 1);
}

#[test]
fn a_timeout_reports_the_last_state_seen() {
    let server = MockServer::start();
    states(&server, vec![state("PENDING"), state("RESTARTING")]);
    let clock = FakeClock::new();
    let err = client(&server, &clock)
        .clusters()
        .wait_for(ID, ClusterState::Running, Duration::from_secs(30))
        .unwrap_err();
    let wait = err.wait().expect("a wait error");
    assert_eq!(wait.state(), Some("RESTARTING"));
    assert_eq!(wait.state_message(), Some("RESTARTING message"));
    assert_eq!(wait.timed_out(), Some(Duration::from_secs(30)));
    assert!(err.is_timeout());
    assert_eq!(
        clock.slept(),
        Duration::from_secs(30),
        "never waits past the deadline"
    );
}

#[test]
fn create_and_wait_creates_once_then_waits_for_running() {
    let server = MockServer::start();
    let create = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/create",
            json!({"spark_version": "13.3.x-scala2.12", "num_workers": 1, "idempotency_token": "job-42"}),
        );
        then.status(200).body(json!({"cluster_id": ID}).to_string());
    });
    let get = states(&server, vec![state("PENDING"), state("RUNNING")]);
    let clock = FakeClock::new();
    let request = ClusterAttributes {
        spark_version: "13.3.x-scala2.12".into(),
        num_workers: Some(1),
        idempotency_token: Some("job-42".into()),
        ..Default::default()
    };
    let info = client(&server, &clock)
        .clusters()
        .create_and_wait(&request, Duration::from_secs(600))
        .unwrap();
    assert_eq!(info.cluster_id, ID);
    create.assert_calls(1);
    get.assert_calls(2);
}

#[test]
fn delete_and_wait_waits_for_terminated_and_fails_on_error() {
    let server = MockServer::start();
    let delete = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/delete", json!({"cluster_id": ID}));
        then.status(200).body("{}");
    });
    states(&server, vec![state("TERMINATING"), state("TERMINATED")]);
    let clock = FakeClock::new();
    let info = client(&server, &clock)
        .clusters()
        .delete_and_wait(ID, Wait::default())
        .unwrap();
    assert_eq!(info.state, Some(ClusterState::Terminated));
    delete.assert_calls(1);

    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/api/2.1/clusters/delete");
        then.status(200).body("{}");
    });
    states(&server, vec![state("ERROR")]);
    let err = client(&server, &clock)
        .clusters()
        .delete_and_wait(ID, Wait::default())
        .unwrap_err();
    assert_eq!(err.wait().and_then(|w| w.state()), Some("ERROR"), "{err:?}");
}

#[test]
fn edit_and_wait_returns_when_an_edited_cluster_stays_terminated() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/api/2.1/clusters/edit");
        then.status(200).body("{}");
    });
    let get = states(&server, vec![state("TERMINATED")]);
    let clock = FakeClock::new();
    let request = ClusterAttributes {
        cluster_id: Some(ID.into()),
        spark_version: "13.3.x-scala2.12".into(),
        num_workers: Some(2),
        ..Default::default()
    };
    let info = client(&server, &clock)
        .clusters()
        .edit_and_wait(&request, Wait::default())
        .unwrap();
    assert_eq!(info.state, Some(ClusterState::Terminated));
    get.assert_calls(1);
}

#[test]
fn start_restart_and_resize_and_wait_end_on_running() {
    let server = MockServer::start();
    for path in ["start", "restart", "resize"] {
        server.mock(|when, then| {
            when.method(POST).path(format!("/api/2.1/clusters/{path}"));
            then.status(200).body("{}");
        });
    }
    states(&server, vec![state("RUNNING")]);
    let clock = FakeClock::new();
    let client: Client = client(&server, &clock);
    let clusters = client.clusters();
    assert_eq!(
        clusters.start_and_wait(ID, Wait::default()).unwrap().state,
        Some(ClusterState::Running)
    );
    assert_eq!(
        clusters
            .restart_and_wait(ID, Wait::default())
            .unwrap()
            .state,
        Some(ClusterState::Running)
    );
    let resize = azure_databricks_sdk::models::ClusterResizeRequest {
        cluster_id: ID.into(),
        num_workers: Some(3),
        ..Default::default()
    };
    assert_eq!(
        clusters
            .resize_and_wait(&resize, Wait::default())
            .unwrap()
            .state,
        Some(ClusterState::Running)
    );
}

#[test]
fn an_unbounded_timeout_does_not_overflow() {
    let server = MockServer::start();
    states(&server, vec![state("PENDING"), state("RUNNING")]);
    let clock = FakeClock::new();
    let info = client(&server, &clock)
        .clusters()
        .wait_for(ID, ClusterState::Running, Duration::MAX)
        .unwrap();
    assert_eq!(info.state, Some(ClusterState::Running));
}
