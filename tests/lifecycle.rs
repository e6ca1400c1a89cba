//! Cluster lifecycle as operators need it: ensure-running (also when another caller starts the
//! cluster first), safe retried create (idempotency token), cleanup of a cluster that fails to
//! start, permanent delete of a pinned cluster, edits that wait out a busy cluster, the
//! 30-day-purge answer as not-found, and choosing a runtime and a node type.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use azure_databricks_sdk::models::{ClusterAttributes, NodeType, SparkVersion};
use azure_databricks_sdk::{
    Auth, Client, Error, NodeTypeFilter, RetryPolicy, SparkVersionFilter, Wait,
};
use common::FakeClock;
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse, Mock};
use serde_json::{Value, json};

const ID: &str = "0923-164208-meows279";

fn client(server: &MockServer, clock: &Arc<FakeClock>, retry: RetryPolicy) -> Client {
    common::builder(server, Auth::personal_access_token(common::TOKEN))
        .retry(retry)
        .clock(clock.clone())
        .build()
        .unwrap()
}

/// `clusters/get` answering these states in order (the last one repeats).
fn states<'a>(server: &'a MockServer, names: &[&str]) -> Mock<'a> {
    let states: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let calls = AtomicUsize::new(0);
    server.mock(move |when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        then.respond_with(move |_: &HttpMockRequest| {
            let n = calls.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
            let body = json!({"cluster_id": ID, "state": states[n], "state_message": format!("{} now", states[n])});
            HttpMockResponse::builder().status(200).body(body.to_string()).build()
        });
    })
}

fn post<'a>(server: &'a MockServer, path: &str, status: u16, answer: Value) -> Mock<'a> {
    server.mock(|when, then| {
        common::post(when, path, json!({"cluster_id": ID}));
        then.status(status).body(answer.to_string());
    })
}

#[test]
fn ensure_running_starts_a_terminated_cluster_and_waits_for_it() {
    let server = MockServer::start();
    let get = states(&server, &["TERMINATED", "PENDING", "PENDING", "RUNNING"]);
    let start = post(&server, "/api/2.1/clusters/start", 200, json!({}));
    let clock = FakeClock::new();
    let info = client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .ensure_running(ID)
        .unwrap();
    assert_eq!(info.state.unwrap().as_str(), "RUNNING");
    start.assert_calls(1);
    get.assert_calls(4);
}

#[test]
fn ensure_running_of_a_running_cluster_sends_no_start() {
    let server = MockServer::start();
    states(&server, &["RUNNING"]);
    let start = post(&server, "/api/2.1/clusters/start", 200, json!({}));
    let clock = FakeClock::new();
    client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .ensure_running(ID)
        .unwrap();
    start.assert_calls(0);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn ensure_running_takes_a_concurrent_start_as_success() {
    let server = MockServer::start();
    // Terminated when we look, but another caller starts it before our start arrives.
    states(&server, &["TERMINATED", "PENDING", "RUNNING"]);
    let start = post(
        &server,
        "/api/2.1/clusters/start",
        400,
        json!({"error_code": "INVALID_STATE", "message": "Cluster 0923-164208-meows279 is in unexpected state Pending."}),
    );
    let clock = FakeClock::new();
    let info = client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .ensure_running(ID)
        .unwrap();
    assert_eq!(info.state.unwrap().as_str(), "RUNNING");
    start.assert_calls(1);
}

#[test]
fn ensure_running_waits_out_a_termination_then_starts() {
    let server = MockServer::start();
    states(
        &server,
        &["TERMINATING", "TERMINATED", "PENDING", "RUNNING"],
    );
    let start = post(&server, "/api/2.1/clusters/start", 200, json!({}));
    let clock = FakeClock::new();
    client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .ensure_running(ID)
        .unwrap();
    start.assert_calls(1);
}

#[test]
fn ensure_running_of_a_cluster_in_error_fails_with_its_state() {
    let server = MockServer::start();
    states(&server, &["ERROR"]);
    let clock = FakeClock::new();
    let err = client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .ensure_running(ID)
        .unwrap_err();
    let wait = err.wait().expect("a wait error");
    assert_eq!((wait.state(), wait.target()), (Some("ERROR"), "RUNNING"));
}

/// The bodies of the `clusters/create` requests the server received.
fn recording_create(
    server: &MockServer,
    answers: Vec<(u16, Value)>,
) -> (Mock<'_>, Arc<Mutex<Vec<Value>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let calls = AtomicUsize::new(0);
    let mock = server.mock(move |when, then| {
        when.method(POST).path("/api/2.1/clusters/create");
        then.respond_with(move |req: &HttpMockRequest| {
            seen.lock()
                .unwrap()
                .push(serde_json::from_slice(req.body_ref()).unwrap());
            let (status, body) =
                &answers[calls.fetch_add(1, Ordering::SeqCst).min(answers.len() - 1)];
            HttpMockResponse::builder()
                .status(*status)
                .body(body.to_string())
                .build()
        });
    });
    (mock, bodies)
}

fn attributes() -> ClusterAttributes {
    ClusterAttributes {
        spark_version: "15.4.x-scala2.12".into(),
        node_type_id: Some("Standard_DS3_v2".into()),
        num_workers: Some(1),
        ..Default::default()
    }
}

#[test]
fn create_without_a_token_sends_a_random_one_and_a_retry_sends_the_same() {
    let server = MockServer::start();
    let (mock, bodies) = recording_create(
        &server,
        vec![
            (
                503,
                json!({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}),
            ),
            (
                400,
                json!({"error_code": "INVALID_PARAMETER_VALUE", "message": "Unknown worker environment WorkerEnvId(workerenv-1)"}),
            ),
            (200, json!({"cluster_id": ID})),
        ],
    );
    let clock = FakeClock::new();
    let created = client(&server, &clock, RetryPolicy::default())
        .clusters()
        .create(&attributes())
        .unwrap();
    assert_eq!(created.cluster_id, ID);
    mock.assert_calls(3);
    let bodies = bodies.lock().unwrap();
    let token = bodies[0]["idempotency_token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    assert!(
        bodies.iter().all(|b| b["idempotency_token"] == token),
        "one token for every attempt"
    );
    let mut without = bodies[0].clone();
    without.as_object_mut().unwrap().remove("idempotency_token");
    assert_eq!(without, serde_json::to_value(attributes()).unwrap());
    // A second create gets a token of its own.
    drop(bodies);
    let next = client(&server, &clock, RetryPolicy::default());
    next.clusters().create(&attributes()).unwrap();
}

#[test]
fn a_create_that_fails_to_start_is_deleted_when_asked_and_the_error_says_so() {
    let server = MockServer::start();
    recording_create(&server, vec![(200, json!({"cluster_id": ID}))]);
    states(&server, &["PENDING", "TERMINATED"]);
    let delete = post(
        &server,
        "/api/2.1/clusters/permanent-delete",
        200,
        json!({}),
    );
    let clock = FakeClock::new();
    let clusters = client(&server, &clock, RetryPolicy::disabled());
    let err = clusters
        .clusters()
        .create_and_wait(&attributes(), Wait::default().delete_on_failure())
        .unwrap_err();
    delete.assert_calls(1);
    assert_eq!(
        err.wait().unwrap().note(),
        Some("the cluster was permanently deleted")
    );
    assert!(
        err.to_string()
            .ends_with("; the cluster was permanently deleted"),
        "{err}"
    );
    // Off by default: the failed cluster stays.
    let err = clusters
        .clusters()
        .create_and_wait(&attributes(), Wait::default())
        .unwrap_err();
    assert_eq!(err.wait().unwrap().note(), None);
    delete.assert_calls(1);
}

#[test]
fn permanent_delete_of_a_pinned_cluster_unpins_and_deletes_again() {
    let server = MockServer::start();
    let calls = AtomicUsize::new(0);
    let delete = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/permanent-delete", json!({"cluster_id": ID}));
        then.respond_with(move |_: &HttpMockRequest| {
            let (status, body) = match calls.fetch_add(1, Ordering::SeqCst) {
                0 => (400, json!({"error_code": "INVALID_STATE", "message": "Cluster 0923-164208-meows279 is pinned, unpin the cluster first"})),
                _ => (200, json!({})),
            };
            HttpMockResponse::builder().status(status).body(body.to_string()).build()
        });
    });
    let unpin = post(&server, "/api/2.1/clusters/unpin", 200, json!({}));
    let clock = FakeClock::new();
    client(&server, &clock, RetryPolicy::disabled())
        .clusters()
        .permanent_delete(ID)
        .unwrap();
    delete.assert_calls(2);
    unpin.assert_calls(1);
}

#[test]
fn an_edit_refused_while_restarting_is_sent_again_once_the_cluster_settles() {
    let server = MockServer::start();
    states(&server, &["RESTARTING", "RESTARTING", "RUNNING"]);
    let calls = AtomicUsize::new(0);
    let mut expected = serde_json::to_value(attributes()).unwrap();
    expected["cluster_id"] = json!(ID);
    let edit = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/edit", expected);
        then.respond_with(move |_: &HttpMockRequest| {
            // Refused twice: once for the call without the option, once for the one with it.
            let (status, body) = match calls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => (400, json!({"error_code": "INVALID_STATE", "message": "Cluster is in unexpected state Restarting."})),
                _ => (200, json!({})),
            };
            HttpMockResponse::builder().status(status).body(body.to_string()).build()
        });
    });
    let clock = FakeClock::new();
    let request = ClusterAttributes {
        cluster_id: Some(ID.into()),
        ..attributes()
    };
    let clusters = client(&server, &clock, RetryPolicy::disabled());
    // Opt-in: without it the INVALID_STATE is the answer.
    let err = clusters
        .clusters()
        .edit_and_wait(&request, Wait::default())
        .unwrap_err();
    assert!(err.is_invalid_state(), "{err:?}");
    let info = clusters
        .clusters()
        .edit_and_wait(&request, Wait::default().retry_while_busy())
        .unwrap();
    assert_eq!(info.state.unwrap().as_str(), "RUNNING");
    edit.assert_calls(3);
}

#[test]
fn a_cluster_purged_after_30_days_is_not_found() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        then.status(400).body(json!({"error_code": "INVALID_STATE",
            "message": "Cannot access cluster 0923-164208-meows279 that was terminated or unpinned more than 30 days ago."}).to_string());
    });
    post(
        &server,
        "/api/2.1/clusters/start",
        400,
        json!({"error_code": "INVALID_STATE",
        "message": "Cannot access cluster 0923-164208-meows279 that was terminated or unpinned more than 30 days ago."}),
    );
    let clock = FakeClock::new();
    let client = client(&server, &clock, RetryPolicy::disabled());
    let err = client.clusters().get(ID).unwrap_err();
    assert!(err.is_not_found() && err.is_invalid_state(), "{err:?}");
    assert!(client.clusters().start(ID).unwrap_err().is_not_found());
}

fn version(key: &str, name: &str) -> SparkVersion {
    serde_json::from_value(json!({"key": key, "name": name})).unwrap()
}

fn versions() -> Vec<SparkVersion> {
    vec![
        version(
            "13.3.x-scala2.12",
            "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)",
        ),
        version(
            "14.3.x-scala2.12",
            "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version(
            "15.4.x-scala2.12",
            "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version(
            "16.0.x-scala2.12",
            "16.0 (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version(
            "16.1.x-scala2.12",
            "16.1 Beta (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version(
            "15.4.x-cpu-ml-scala2.12",
            "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version(
            "15.4.x-gpu-ml-scala2.12",
            "15.4 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)",
        ),
        version(
            "15.4.x-photon-scala2.12",
            "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)",
        ),
        version("apache-spark-3.5.x-scala2.12", "Light 3.5"),
        version(
            "9.1.x-scala2.12",
            "9.1 LTS (includes Apache Spark 3.1.2, Scala 2.12)",
        ),
    ]
}

#[test]
fn spark_versions_are_selected_like_the_official_sdks() {
    let pick = |f: SparkVersionFilter| f.select(&versions());
    assert_eq!(
        pick(SparkVersionFilter::default()).unwrap(),
        "16.0.x-scala2.12"
    );
    let lts = SparkVersionFilter {
        long_term_support: true,
        ..Default::default()
    };
    assert_eq!(
        pick(lts.clone()).unwrap(),
        "15.4.x-scala2.12",
        "15 > 9: numbers, not text"
    );
    let ml = SparkVersionFilter {
        ml: true,
        long_term_support: true,
        ..Default::default()
    };
    assert_eq!(pick(ml).unwrap(), "15.4.x-cpu-ml-scala2.12");
    let gpu = SparkVersionFilter {
        ml: true,
        gpu: true,
        ..Default::default()
    };
    assert_eq!(pick(gpu).unwrap(), "15.4.x-gpu-ml-scala2.12");
    let photon = SparkVersionFilter {
        photon: true,
        ..Default::default()
    };
    assert_eq!(pick(photon).unwrap(), "15.4.x-photon-scala2.12");
    let beta = SparkVersionFilter {
        beta: true,
        ..Default::default()
    };
    assert_eq!(pick(beta).unwrap(), "16.1.x-scala2.12");
    let spark = SparkVersionFilter {
        spark_version: Some("3.4".into()),
        ..Default::default()
    };
    assert_eq!(pick(spark).unwrap(), "13.3.x-scala2.12");
    let one = SparkVersionFilter {
        latest: false,
        ..lts
    };
    assert!(matches!(pick(one), Err(Error::Ambiguous { .. })));
    let none = SparkVersionFilter {
        scala: "3.0".into(),
        ..Default::default()
    };
    let err = pick(none).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no Databricks Runtime version matches"),
        "{err}"
    );
}

fn node(id: &str, cores: f64, memory_gb: i32, extra: Value) -> NodeType {
    let mut value = json!({"node_type_id": id, "instance_type_id": id, "num_cores": cores,
        "memory_mb": memory_gb * 1024, "description": id, "category": "General Purpose",
        "node_instance_type": {"instance_type_id": id, "local_disks": 1, "local_disk_size_gb": 32}});
    for (k, v) in extra.as_object().unwrap() {
        value[k] = v.clone();
    }
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_smallest_usable_node_type_is_selected() {
    let nodes = vec![
        node(
            "Standard_E8ds_v4",
            8.0,
            64,
            json!({"category": "Memory Optimized"}),
        ),
        node("Standard_DS3_v2", 4.0, 14, json!({})),
        node(
            "Standard_F4s",
            4.0,
            8,
            json!({"node_info": {"status": ["NotAvailableInRegion"]}}),
        ),
        node(
            "Standard_D4ds_v5",
            4.0,
            16,
            json!({"photon_worker_capable": true}),
        ),
        node("Standard_NC6s_v3", 6.0, 112, json!({"num_gpus": 1})),
        node(
            "Standard_D2_v2",
            2.0,
            7,
            json!({"node_instance_type": {"instance_type_id": "x", "local_disks": 0}}),
        ),
    ];
    let pick = |f: NodeTypeFilter| f.select(&nodes);
    assert_eq!(pick(NodeTypeFilter::default()).unwrap(), "Standard_D2_v2");
    let disk = NodeTypeFilter {
        local_disk: true,
        ..Default::default()
    };
    assert_eq!(
        pick(disk).unwrap(),
        "Standard_DS3_v2",
        "F4s is smaller but unavailable"
    );
    let memory = NodeTypeFilter {
        min_memory_gb: 16,
        ..Default::default()
    };
    assert_eq!(pick(memory).unwrap(), "Standard_D4ds_v5");
    let photon = NodeTypeFilter {
        photon_worker_capable: true,
        ..Default::default()
    };
    assert_eq!(pick(photon).unwrap(), "Standard_D4ds_v5");
    let category = NodeTypeFilter {
        category: Some("memory optimized".into()),
        ..Default::default()
    };
    assert_eq!(pick(category).unwrap(), "Standard_E8ds_v4");
    let gpu = NodeTypeFilter {
        min_gpus: 1,
        ..Default::default()
    };
    assert_eq!(pick(gpu).unwrap(), "Standard_NC6s_v3");
    let err = pick(NodeTypeFilter {
        min_cores: 64,
        ..Default::default()
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("1 of them are not available in the region or on the subscription"),
        "{err}"
    );
}

#[test]
fn select_reads_the_catalogs_of_the_workspace() {
    let server = MockServer::start();
    let versions = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/spark-versions", &[]);
        then.status(200).body(json!({"versions": [{"key": "15.4.x-scala2.12", "name": "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"}]}).to_string());
    });
    let nodes = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list-node-types", &[]);
        then.status(200).body(json!({"node_types": [{"node_type_id": "Standard_DS3_v2", "instance_type_id": "Standard_DS3_v2",
            "num_cores": 4.0, "memory_mb": 14336, "description": "d"}]}).to_string());
    });
    let clock = FakeClock::new();
    let client = client(&server, &clock, RetryPolicy::disabled());
    let lts = SparkVersionFilter {
        long_term_support: true,
        ..Default::default()
    };
    assert_eq!(
        client.clusters().select_spark_version(&lts).unwrap(),
        "15.4.x-scala2.12"
    );
    assert_eq!(
        client
            .clusters()
            .select_node_type(&NodeTypeFilter::default())
            .unwrap(),
        "Standard_DS3_v2"
    );
    versions.assert();
    nodes.assert();
}
