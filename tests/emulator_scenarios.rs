//! Scenarios of the SDK against the workspace emulator: cluster lifecycle on the emulated
//! clock, events pagination, tokens, secrets with ACLs as different users, errors as the
//! service answers them, injected faults, and many concurrent clients.
// Needs the emulator crate of the repository (see build.rs).
#![cfg(emulator_tests)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use azure_databricks_emulator::{Emulator, Fault};
use azure_databricks_sdk::models::{
    AclPermission, AutoScale, AzureAttributes, AzureAvailability, AzureKeyVaultSecretScopeMetadata,
    CloneCluster, CloudProviderNodeStatus, ClusterAttributes, ClusterEventRequest,
    ClusterEventType, ClusterInfo, ClusterResizeRequest, ClusterSource, ClusterSpec, ClusterState,
    CreateScopeRequest, CreateTokenRequest, DependencyMode, Kind, ListClustersFilterBy,
    ListClustersRequest, ListClustersSortBy, ListClustersSortByDirection, ListClustersSortByField,
    ListOrder, NodeTypeFlexibility, ScopeBackendType, TerminationCode,
};
use azure_databricks_sdk::{
    Client, Error, NodeTypeFilter, RetryPolicy, SecretValue, SparkVersionFilter, Wait,
};
use base64::prelude::*;
use serde_json::{Value, json};

const MINUTE: Duration = Duration::from_secs(60);

fn spec(workers: i32) -> ClusterAttributes {
    ClusterAttributes {
        cluster_name: Some("scenario".into()),
        spark_version: "15.4.x-scala2.12".into(),
        node_type_id: Some("Standard_DS3_v2".into()),
        num_workers: Some(workers),
        ..Default::default()
    }
}

/// An admin client that sends every call once, so faults and errors are seen as they are.
fn once(ws: &Emulator) -> Client {
    ws.client_builder(ws.admin_token())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

fn scope(name: &str) -> CreateScopeRequest {
    CreateScopeRequest {
        scope: name.into(),
        ..Default::default()
    }
}

fn state(client: &Client, id: &str) -> ClusterState {
    client.clusters().get(id).unwrap().state.unwrap()
}

fn event_types(client: &Client, id: &str) -> Vec<String> {
    let request = ClusterEventRequest {
        cluster_id: id.into(),
        order: Some(ListOrder::Asc),
        limit: Some(500),
        ..Default::default()
    };
    let page = client.clusters().events(&request).unwrap();
    page.events
        .iter()
        .map(|e| e.type_.as_ref().unwrap().as_str().to_string())
        .collect()
}

/// Sends raw bytes and reads the whole answer (the request must say `Connection: close`).
fn raw_http(ws: &Emulator, request: &str) -> String {
    let mut stream = TcpStream::connect(ws.base_url().trim_start_matches("http://")).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

// ---------------------------------------------------------------------------------------------
// Clusters

#[test]
fn a_created_cluster_is_pending_until_the_startup_time_then_running_with_its_workers() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = client.clusters().create(&spec(3)).unwrap().cluster_id;
    let pending = client.clusters().get(&id).unwrap();
    assert_eq!(pending.state, Some(ClusterState::Pending));
    assert!(pending.executors.is_empty() && pending.driver.is_none());
    assert_eq!(
        pending.creator_user_name.as_deref(),
        Some("admin@example.com")
    );

    ws.advance(MINUTE * 3 - Duration::from_millis(1));
    assert_eq!(state(&client, &id), ClusterState::Pending);
    ws.advance(Duration::from_millis(1));
    let running = client.clusters().get(&id).unwrap();
    assert_eq!(running.state, Some(ClusterState::Running));
    assert_eq!(running.executors.len(), 3);
    assert!(running.driver.is_some());
    assert_eq!(event_types(&client, &id), ["CREATING", "RUNNING"]);
}

#[test]
fn cluster_ids_have_the_service_format_mmdd_hhmmss_and_8_lowercase_alphanumerics() {
    let ws = Emulator::start().unwrap();
    let id = ws.client().clusters().create(&spec(1)).unwrap().cluster_id;
    let parts: Vec<&str> = id.split('-').collect();
    assert_eq!(parts.len(), 3, "{id}");
    assert!(
        parts[0].len() == 4 && parts[0].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert!(
        parts[1].len() == 6 && parts[1].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(parts[2].len(), 8, "{id}");
    assert!(
        parts[2]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{id}"
    );
}

#[test]
fn resize_restart_terminate_edit_start_and_permanent_delete_walk_the_lifecycle() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let clusters = client.clusters();
    let id = clusters.create(&spec(1)).unwrap().cluster_id;
    ws.advance(MINUTE * 3);

    clusters
        .resize(&ClusterResizeRequest {
            cluster_id: id.clone(),
            num_workers: Some(4),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(state(&client, &id), ClusterState::Resizing);
    ws.advance(MINUTE * 2);
    let resized = clusters.get(&id).unwrap();
    assert_eq!(resized.state, Some(ClusterState::Running));
    assert_eq!((resized.num_workers, resized.executors.len()), (Some(4), 4));

    clusters.restart(&id).unwrap();
    assert_eq!(state(&client, &id), ClusterState::Restarting);
    ws.advance(MINUTE * 2);
    assert_eq!(state(&client, &id), ClusterState::Running);

    clusters.delete(&id).unwrap();
    assert_eq!(state(&client, &id), ClusterState::Terminating);
    ws.advance(MINUTE);
    let terminated = clusters.get(&id).unwrap();
    assert_eq!(terminated.state, Some(ClusterState::Terminated));
    let reason = terminated.termination_reason.unwrap();
    assert_eq!(reason.code, Some(TerminationCode::UserRequest));

    // Edit of a terminated cluster applies at the next start.
    clusters
        .edit(&ClusterAttributes {
            cluster_id: Some(id.clone()),
            cluster_name: Some("renamed".into()),
            ..spec(2)
        })
        .unwrap();
    let edited = clusters.get(&id).unwrap();
    assert_eq!(edited.state, Some(ClusterState::Terminated));
    assert_eq!(edited.cluster_name.as_deref(), Some("renamed"));
    clusters.start(&id).unwrap();
    assert_eq!(state(&client, &id), ClusterState::Pending);
    ws.advance(MINUTE * 3);
    assert_eq!(clusters.get(&id).unwrap().executors.len(), 2);

    assert_eq!(
        event_types(&client, &id),
        [
            "CREATING",
            "RUNNING",
            "RESIZING",
            "UPSIZE_COMPLETED",
            "RESTARTING",
            "RUNNING",
            "TERMINATING",
            "EDITED",
            "STARTING",
            "RUNNING"
        ]
    );

    clusters.permanent_delete(&id).unwrap();
    assert!(clusters.get(&id).unwrap_err().is_not_found());
    assert!(clusters.list().unwrap().is_empty());
}

#[test]
fn start_resize_restart_and_edit_in_the_wrong_state_answer_400_invalid_state() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let clusters = client.clusters();
    let id = clusters.create(&spec(1)).unwrap().cluster_id;
    let resize = ClusterResizeRequest {
        cluster_id: id.clone(),
        num_workers: Some(2),
        ..Default::default()
    };
    let edit = ClusterAttributes {
        cluster_id: Some(id.clone()),
        ..spec(2)
    };
    let invalid_state = |result: azure_databricks_sdk::Result<()>| {
        let err = result.unwrap_err();
        assert_eq!(err.status(), Some(400), "{err}");
        assert_eq!(err.error_code(), Some("INVALID_STATE"), "{err}");
        err.api().unwrap().message().to_string()
    };
    // PENDING: nothing but terminate.
    assert_eq!(
        invalid_state(clusters.resize(&resize)),
        format!("Cluster {id} is in unexpected state Pending.")
    );
    invalid_state(clusters.restart(&id));
    invalid_state(clusters.edit(&edit));
    invalid_state(clusters.start(&id));
    // RUNNING: no start.
    ws.advance(MINUTE * 3);
    invalid_state(clusters.start(&id));
    // TERMINATED: no restart, no resize.
    clusters.delete(&id).unwrap();
    ws.advance(MINUTE);
    invalid_state(clusters.restart(&id));
    invalid_state(clusters.resize(&resize));
    // Terminating a terminated cluster is a no-op.
    clusters.delete(&id).unwrap();
    assert_eq!(state(&client, &id), ClusterState::Terminated);
}

#[test]
fn create_validates_versions_node_types_sizes_and_autotermination_like_the_service() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let both = json!({
        "spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2",
        "num_workers": 1, "autoscale": {"min_workers": 1, "max_workers": 2}
    });
    let refusals = [
        client
            .clusters()
            .create(&ClusterAttributes {
                spark_version: "99.9.x-scala2.12".into(),
                ..spec(1)
            })
            .unwrap_err(),
        client
            .clusters()
            .create(&ClusterAttributes {
                node_type_id: Some("Standard_Imaginary_v9".into()),
                ..spec(1)
            })
            .unwrap_err(),
        client
            .clusters()
            .create(&ClusterAttributes {
                num_workers: None,
                ..spec(1)
            })
            .unwrap_err(),
        // The SDK refuses both before sending; the raw call shows the service's answer.
        client.raw().post("clusters/create", &both).unwrap_err(),
        client
            .clusters()
            .create(&ClusterAttributes {
                autotermination_minutes: Some(5),
                ..spec(1)
            })
            .unwrap_err(),
        client
            .clusters()
            .create(&ClusterAttributes {
                autotermination_minutes: Some(10_001),
                ..spec(1)
            })
            .unwrap_err(),
    ];
    for err in refusals {
        assert_eq!(err.status(), Some(400), "{err}");
        assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
    }
    assert!(client.clusters().list().unwrap().is_empty());
    // The edges of the autotermination range are accepted.
    for minutes in [0, 10, 10_000] {
        let created = client.clusters().create(&ClusterAttributes {
            autotermination_minutes: Some(minutes),
            ..spec(1)
        });
        assert!(created.is_ok(), "{minutes}");
    }
}

#[test]
fn an_unknown_cluster_is_400_invalid_parameter_value_that_the_sdk_calls_not_found() {
    let ws = Emulator::start().unwrap();
    let err = ws
        .client()
        .clusters()
        .get("0101-000000-nothere0")
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));
    assert_eq!(
        err.api().unwrap().message(),
        "Cluster 0101-000000-nothere0 does not exist"
    );
}

#[test]
fn an_empty_workspace_answers_empty_objects_never_empty_arrays() {
    let ws = Emulator::start().unwrap();
    let raw = ws.client();
    assert_eq!(raw.raw().get("clusters/list", &[]).unwrap(), json!({}));
    assert_eq!(
        raw.raw().get("secrets/scopes/list", &[]).unwrap(),
        json!({})
    );
    raw.secrets().scopes().create(&scope("empty")).unwrap();
    assert_eq!(
        raw.raw()
            .get("secrets/list", &[("scope", "empty")])
            .unwrap(),
        json!({})
    );
}

#[test]
fn the_waiters_of_the_sdk_finish_at_once_in_emulated_time() {
    let ws = Emulator::start().unwrap();
    let started = Instant::now();
    let client = ws.client();
    let running = client
        .clusters()
        .create_and_wait(&spec(2), MINUTE * 20)
        .unwrap();
    assert_eq!(running.state, Some(ClusterState::Running));
    let id = running.cluster_id;
    let resized = client
        .clusters()
        .resize_and_wait(
            &ClusterResizeRequest {
                cluster_id: id.clone(),
                autoscale: Some(AutoScale {
                    unknown_fields: Default::default(),
                    min_workers: Some(5),
                    max_workers: Some(8),
                }),
                ..Default::default()
            },
            MINUTE * 20,
        )
        .unwrap();
    assert_eq!(resized.executors.len(), 5);
    let terminated = client.clusters().delete_and_wait(&id, MINUTE * 20).unwrap();
    assert_eq!(terminated.state, Some(ClusterState::Terminated));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn an_idle_cluster_terminates_itself_after_its_autotermination_minutes() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = client
        .clusters()
        .create(&ClusterAttributes {
            autotermination_minutes: Some(30),
            ..spec(1)
        })
        .unwrap()
        .cluster_id;
    ws.advance(MINUTE * 32);
    assert_eq!(state(&client, &id), ClusterState::Running);
    ws.advance(MINUTE * 2);
    let cluster = client.clusters().get(&id).unwrap();
    assert_eq!(cluster.state, Some(ClusterState::Terminated));
    assert_eq!(
        cluster.termination_reason.unwrap().code,
        Some(TerminationCode::Inactivity)
    );
}

#[test]
fn only_admins_may_pin_clusters() {
    let ws = Emulator::start().unwrap();
    let id = ws.client().clusters().create(&spec(1)).unwrap().cluster_id;
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    assert!(
        alice
            .clusters()
            .pin(&id)
            .unwrap_err()
            .is_permission_denied()
    );
    ws.client().clusters().pin(&id).unwrap();
    ws.client().clusters().pin(&id).unwrap();
    assert_eq!(
        event_types(&ws.client(), &id),
        ["CREATING", "PINNED"],
        "pinning twice records one event"
    );
}

// ---------------------------------------------------------------------------------------------
// Clusters: the lifecycle as operators need it (idempotent create, ensure-running, busy
// clusters, the 30-day purge, pinned clusters, node types and runtimes to choose from)

/// The requests to `operation` the workspace received, with the status of each answer (`None`
/// when the connection was closed without one).
fn statuses(ws: &Emulator, operation: &str) -> Vec<Option<u16>> {
    ws.request_log()
        .into_iter()
        .filter(|r| r.is(operation))
        .map(|r| r.status)
        .collect()
}

#[test]
fn a_create_whose_answer_is_lost_is_sent_again_by_the_sdk_and_makes_one_cluster() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    // The emulator creates the cluster, then the connection breaks before the answer.
    ws.inject(Fault::drop_answer().on("clusters/create"));
    let sent = ws.now_millis();
    let created = client.clusters().create(&spec(1)).unwrap();
    assert_eq!(
        statuses(&ws, "clusters/create"),
        [None, Some(200)],
        "sent twice (the SDK's own idempotency token both times)"
    );
    assert!(
        ws.now_millis() > sent,
        "the SDK backed off before sending it again"
    );
    let clusters = client.clusters().list().unwrap();
    assert_eq!(clusters.len(), 1, "one cluster");
    assert_eq!(clusters[0].cluster_id, created.cluster_id);
    assert_eq!(
        clusters[0].start_time,
        Some(sent),
        "made by the first request, whose answer was lost"
    );
    assert_eq!(event_types(&client, &created.cluster_id), ["CREATING"]);
}

#[test]
fn an_idempotency_token_names_one_live_cluster_of_the_workspace_for_every_caller() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    let with_token = ClusterAttributes {
        idempotency_token: Some("nightly-etl-2026-05-01".into()),
        ..spec(1)
    };
    let first = admin.clusters().create(&with_token).unwrap().cluster_id;
    let again = alice.clusters().create(&with_token).unwrap().cluster_id;
    assert_eq!(
        again, first,
        "the token is the workspace's, not the caller's"
    );
    assert_eq!(admin.clusters().list().unwrap().len(), 1);
    // Not a setting: absent from the cluster's spec.
    let spec_json = serde_json::to_value(admin.clusters().get(&first).unwrap().spec).unwrap();
    assert!(spec_json.get("idempotency_token").is_none(), "{spec_json}");
    // Once the cluster is TERMINATED the token is cleared: the same token creates anew.
    admin
        .clusters()
        .delete_and_wait(&first, MINUTE * 5)
        .unwrap();
    let second = admin.clusters().create(&with_token).unwrap().cluster_id;
    assert_ne!(second, first);
    assert_eq!(admin.clusters().list().unwrap().len(), 2);
    // At most 64 characters.
    let err = once(&ws)
        .clusters()
        .create(&ClusterAttributes {
            idempotency_token: Some("x".repeat(65)),
            ..spec(1)
        })
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
    assert_eq!(admin.clusters().list().unwrap().len(), 2);
}

#[test]
fn ensure_running_starts_a_terminated_cluster_and_waits_out_a_pending_one() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let clusters = client.clusters();
    // Terminated: started, then waited for.
    let id = clusters
        .create_and_wait(&spec(2), MINUTE * 10)
        .unwrap()
        .cluster_id;
    clusters.delete_and_wait(&id, MINUTE * 5).unwrap();
    let running = clusters.ensure_running(&id).unwrap();
    assert_eq!(running.state, Some(ClusterState::Running));
    assert_eq!(running.executors.len(), 2);
    assert_eq!(
        event_types(&client, &id),
        ["CREATING", "RUNNING", "TERMINATING", "STARTING", "RUNNING"]
    );
    assert_eq!(statuses(&ws, "clusters/start"), [Some(200)]);
    // Running: returned at once.
    let before = ws.now_millis();
    clusters.ensure_running(&id).unwrap();
    assert_eq!(ws.now_millis(), before, "no wait");
    // Pending: waited for, never started (a start would answer INVALID_STATE).
    let pending = clusters.create(&spec(1)).unwrap().cluster_id;
    let running = clusters.ensure_running(&pending).unwrap();
    assert_eq!(running.state, Some(ClusterState::Running));
    assert_eq!(event_types(&client, &pending), ["CREATING", "RUNNING"]);
    assert_eq!(statuses(&ws, "clusters/start").len(), 1);
}

#[test]
fn two_callers_ensuring_a_terminated_cluster_runs_both_succeed_and_it_starts_once() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = client.clusters().create(&spec(1)).unwrap().cluster_id;
    client.clusters().delete_and_wait(&id, MINUTE * 5).unwrap();
    // Both callers see TERMINATED before either starts it: the answers to their first looks are
    // held back (after being taken), so both send a start and the second is refused.
    ws.inject(
        Fault::delay(Duration::from_millis(400))
            .times(2)
            .on("clusters/get"),
    );
    let results: Vec<_> = std::thread::scope(|s| {
        let callers: Vec<_> = (0..2)
            .map(|_| {
                let client = ws.client();
                let id = id.clone();
                s.spawn(move || client.clusters().ensure_running(&id))
            })
            .collect();
        callers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for result in results {
        assert_eq!(result.unwrap().state, Some(ClusterState::Running));
    }
    assert_eq!(
        statuses(&ws, "clusters/start"),
        [Some(200), Some(400)],
        "both started it; the second start was refused as INVALID_STATE"
    );
    let starting = event_types(&client, &id)
        .into_iter()
        .filter(|t| t == "STARTING")
        .count();
    assert_eq!(starting, 1, "started once");
}

#[test]
fn an_edit_while_the_cluster_restarts_waits_for_it_with_retry_while_busy() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let clusters = client.clusters();
    let id = clusters
        .create_and_wait(&spec(1), MINUTE * 10)
        .unwrap()
        .cluster_id;
    clusters.restart(&id).unwrap();
    let edit = ClusterAttributes {
        cluster_id: Some(id.clone()),
        cluster_name: Some("bigger".into()),
        ..spec(3)
    };
    // Without the option the service's refusal is the answer.
    let err = clusters.edit_and_wait(&edit, Wait::default()).unwrap_err();
    assert!(err.is_invalid_state(), "{err:?}");
    assert_eq!(
        err.api().unwrap().message(),
        format!("Cluster {id} is in unexpected state Restarting.")
    );
    let started = ws.now_millis();
    let edited = clusters
        .edit_and_wait(&edit, Wait::default().retry_while_busy())
        .unwrap();
    assert_eq!(edited.state, Some(ClusterState::Running));
    assert_eq!(edited.cluster_name.as_deref(), Some("bigger"));
    assert_eq!(edited.executors.len(), 3);
    let waited = ws.now_millis() - started;
    assert!(
        (4 * 60_000..10 * 60_000).contains(&waited),
        "the restart's 2 minutes, then the edit's restart: {waited} ms of emulated time"
    );
    assert_eq!(
        event_types(&client, &id),
        [
            "CREATING",
            "RUNNING",
            "RESTARTING",
            "RUNNING",
            "EDITED",
            "RESTARTING",
            "RUNNING"
        ]
    );
    // The same for an update and a resize while the cluster is still starting.
    let pending = clusters.create(&spec(1)).unwrap().cluster_id;
    let updated = clusters
        .update_and_wait(
            &pending,
            &ClusterSpec {
                num_workers: Some(2),
                ..Default::default()
            },
            "num_workers",
            Wait::default().retry_while_busy(),
        )
        .unwrap();
    assert_eq!(updated.executors.len(), 2);
    clusters.restart(&pending).unwrap();
    let resized = clusters
        .resize_and_wait(
            &ClusterResizeRequest {
                cluster_id: pending.clone(),
                num_workers: Some(4),
                ..Default::default()
            },
            Wait::default().retry_while_busy(),
        )
        .unwrap();
    assert_eq!(resized.executors.len(), 4);
}

#[test]
fn a_cluster_terminated_31_days_ago_is_not_found_as_the_service_answers_it() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let clusters = client.clusters();
    let id = clusters.create(&spec(1)).unwrap().cluster_id;
    let pinned = clusters.create(&spec(1)).unwrap().cluster_id;
    clusters.pin(&pinned).unwrap();
    for id in [&id, &pinned] {
        clusters.delete_and_wait(id, MINUTE * 5).unwrap();
    }
    ws.advance(Duration::from_secs(31 * 24 * 3600));

    let err = clusters.get(&id).unwrap_err();
    assert!(err.is_not_found() && err.is_invalid_state(), "{err:?}");
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.api().unwrap().message(),
        format!(
            "Cannot access cluster {id} that was terminated or unpinned more than 30 days ago."
        )
    );
    // Every operation on it answers so, and the list no longer has it.
    assert!(clusters.start(&id).unwrap_err().is_not_found());
    assert!(
        once(&ws)
            .clusters()
            .permanent_delete(&id)
            .unwrap_err()
            .is_not_found()
    );
    let listed = ids(&clusters.list().unwrap());
    assert_eq!(
        listed,
        std::slice::from_ref(&pinned),
        "the pinned one stays"
    );
    // Still so a year later: never "does not exist".
    ws.advance(Duration::from_secs(365 * 24 * 3600));
    assert!(clusters.get(&id).unwrap_err().is_invalid_state());
    // Unpinned, the other one has 30 days from now.
    clusters.unpin(&pinned).unwrap();
    ws.advance(Duration::from_secs(30 * 24 * 3600));
    assert_eq!(state(&client, &pinned), ClusterState::Terminated);
    ws.advance(MINUTE);
    assert!(clusters.get(&pinned).unwrap_err().is_invalid_state());
}

#[test]
fn permanent_delete_of_a_pinned_cluster_unpins_it_then_deletes_it() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = client.clusters().create(&spec(1)).unwrap().cluster_id;
    client.clusters().pin(&id).unwrap();
    // The service's refusal, as a client without the SDK's help sees it.
    let raw = client
        .raw()
        .post(
            "/api/2.1/clusters/permanent-delete",
            &json!({"cluster_id": id}),
        )
        .unwrap_err();
    assert_eq!(raw.status(), Some(400));
    assert_eq!(raw.error_code(), Some("INVALID_STATE"));
    assert_eq!(
        raw.api().unwrap().message(),
        format!(
            "Cannot delete pinned cluster {id}. Please ask an admin to unpin the cluster first."
        )
    );
    assert_eq!(event_types(&client, &id), ["CREATING", "PINNED"]);

    client.clusters().permanent_delete(&id).unwrap();
    let sequence: Vec<(String, Option<u16>)> = ws
        .request_log()
        .into_iter()
        .filter(|r| r.is("clusters/permanent-delete") || r.is("clusters/unpin"))
        .map(|r| (r.path.rsplit('/').next().unwrap().to_string(), r.status))
        .collect();
    assert_eq!(
        sequence,
        [
            ("permanent-delete".to_string(), Some(400)),
            ("permanent-delete".to_string(), Some(400)),
            ("unpin".to_string(), Some(200)),
            ("permanent-delete".to_string(), Some(200)),
        ],
        "refused while pinned, unpinned (an UNPINNED event), deleted"
    );
    let err = client.clusters().get(&id).unwrap_err();
    assert!(err.is_not_found() && !err.is_invalid_state(), "{err:?}");
    assert!(client.clusters().list().unwrap().is_empty());
}

#[test]
fn the_chosen_node_type_is_usable_and_the_chosen_lts_runtime_the_newest_and_they_start() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let clusters = client.clusters();
    // The smallest node type of the workspace cannot be used here.
    let nodes = clusters.list_node_types().unwrap();
    let smallest = nodes
        .iter()
        .min_by(|a, b| {
            a.num_cores
                .total_cmp(&b.num_cores)
                .then(a.memory_mb.cmp(&b.memory_mb))
        })
        .unwrap();
    let status = &smallest.node_info.as_ref().unwrap().status;
    assert_eq!(status, &[CloudProviderNodeStatus::NotEnabledOnSubscription]);
    let err = once(&ws)
        .clusters()
        .create(&ClusterAttributes {
            node_type_id: Some(smallest.node_type_id.clone()),
            ..spec(1)
        })
        .unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
    assert!(
        err.to_string().contains("NotEnabledOnSubscription"),
        "{err}"
    );

    let node_type = clusters
        .select_node_type(&NodeTypeFilter::default())
        .unwrap();
    assert_eq!(node_type, "Standard_F4s", "the smallest usable one");
    let with_disk = clusters
        .select_node_type(&NodeTypeFilter {
            min_memory_gb: 64,
            local_disk_min_size: 64,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        with_disk, "Standard_L8s_v3",
        "not Standard_L8as_v3 (the same size, first by name), unavailable in the region and on the subscription"
    );
    let lts = clusters
        .select_spark_version(&SparkVersionFilter {
            long_term_support: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(lts, "17.3.x-scala2.13");
    let newest = clusters
        .select_spark_version(&SparkVersionFilter::default())
        .unwrap();
    assert_eq!(newest, "18.0.x-scala2.13", "newer than the newest LTS");

    let cluster = clusters
        .create_and_wait(
            &ClusterAttributes {
                cluster_name: Some("chosen".into()),
                spark_version: lts,
                node_type_id: Some(node_type.clone()),
                num_workers: Some(1),
                ..Default::default()
            },
            MINUTE * 10,
        )
        .unwrap();
    assert_eq!(cluster.state, Some(ClusterState::Running));
    assert_eq!(cluster.node_type_id.as_deref(), Some(node_type.as_str()));
}

// ---------------------------------------------------------------------------------------------
// Clusters: API 2.1 list, spec, edit from get, update, new settings, clone

/// `n` clusters named `c-000`, `c-001`, ... created in that order; their ids, oldest first.
fn create_named(client: &Client, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let attributes = ClusterAttributes {
                cluster_name: Some(format!("c-{i:03}")),
                ..spec(0)
            };
            client.clusters().create(&attributes).unwrap().cluster_id
        })
        .collect()
}

fn ids(clusters: &[ClusterInfo]) -> Vec<String> {
    clusters.iter().map(|c| c.cluster_id.clone()).collect()
}

#[test]
fn two_hundred_fifty_clusters_come_through_list_iter_in_pages_of_100_in_a_stable_order() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let created = create_named(&client, 250);
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    let before = ws.request_count();
    let request = ListClustersRequest {
        page_size: Some(100),
        ..Default::default()
    };
    let listed: Vec<String> = client
        .clusters()
        .list_iter(&request)
        .map(|c| c.unwrap().cluster_id)
        .collect();
    assert_eq!(ws.request_count() - before, 3, "three pages of at most 100");
    assert_eq!(listed, newest_first, "the default order: newest first");

    // By name, descending, through pages of 100.
    let by_name = ListClustersRequest {
        sort_by: Some(ListClustersSortBy {
            field: Some(ListClustersSortByField::ClusterName),
            direction: Some(ListClustersSortByDirection::Desc),
            ..Default::default()
        }),
        ..request.clone()
    };
    let names: Vec<String> = client
        .clusters()
        .list_with(&by_name)
        .unwrap()
        .into_iter()
        .map(|c| c.cluster_name.unwrap())
        .collect();
    let mut expected: Vec<String> = (0..250).map(|i| format!("c-{i:03}")).collect();
    expected.reverse();
    assert_eq!(names, expected);

    // Clusters created and deleted between two pages neither shift nor repeat the others.
    let first = client.clusters().list_page(&request).unwrap();
    assert_eq!(ids(&first.clusters), newest_first[..100]);
    assert!(first.prev_page_token.is_none());
    create_named(&client, 5);
    client
        .clusters()
        .permanent_delete(&newest_first[150])
        .unwrap();
    let mut rest = Vec::new();
    let mut token = first.next_page_token;
    while let Some(page_token) = token {
        let page = client
            .clusters()
            .list_page(&ListClustersRequest {
                page_token: Some(page_token),
                ..request.clone()
            })
            .unwrap();
        assert!(page.prev_page_token.is_some());
        rest.extend(ids(&page.clusters));
        token = page.next_page_token;
    }
    let expected: Vec<String> = newest_first[100..]
        .iter()
        .filter(|id| **id != newest_first[150])
        .cloned()
        .collect();
    assert_eq!(rest, expected);

    // A page is never larger than 100, whatever is asked; the default page is 20.
    let big = client
        .clusters()
        .list_page(&ListClustersRequest {
            page_size: Some(1000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(big.clusters.len(), 100);
    let default = client
        .clusters()
        .list_page(&ListClustersRequest::default())
        .unwrap();
    assert_eq!(default.clusters.len(), 20);

    // API 2.0 clients get every cluster in one answer, without page tokens.
    let all = client.raw().get("/api/2.0/clusters/list", &[]).unwrap();
    assert_eq!(all["clusters"].as_array().unwrap().len(), 254);
    assert!(all.get("next_page_token").is_none());
}

/// A cluster policy without rules; returns its id.
fn empty_policy(client: &Client) -> String {
    client
        .cluster_policies()
        .create(&azure_databricks_sdk::models::CreatePolicyRequest {
            name: Some("no rules".into()),
            definition: Some("{}".into()),
            ..Default::default()
        })
        .unwrap()
        .policy_id
        .unwrap()
}

#[test]
fn list_filters_by_state_source_pin_and_policy_sent_as_dotted_query_keys() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let policy = empty_policy(&client);
    let ids = create_named(&client, 3);
    let with_policy = ClusterAttributes {
        cluster_name: Some("governed".into()),
        policy_id: Some(policy.clone()),
        ..spec(0)
    };
    let governed = client.clusters().create(&with_policy).unwrap().cluster_id;
    ws.advance(MINUTE * 3);
    client.clusters().delete(&ids[0]).unwrap();
    client.clusters().pin(&ids[1]).unwrap();
    ws.advance(MINUTE);

    let filtered = |filter: ListClustersFilterBy| {
        let request = ListClustersRequest {
            filter_by: Some(filter),
            ..Default::default()
        };
        let mut listed = self::ids(&client.clusters().list_with(&request).unwrap());
        listed.sort();
        listed
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        filtered(ListClustersFilterBy {
            cluster_states: vec![ClusterState::Running, ClusterState::Pending],
            ..Default::default()
        }),
        sorted(vec![ids[1].clone(), ids[2].clone(), governed.clone()])
    );
    assert_eq!(
        filtered(ListClustersFilterBy {
            cluster_states: vec![ClusterState::Terminated],
            ..Default::default()
        }),
        [ids[0].clone()]
    );
    assert_eq!(
        filtered(ListClustersFilterBy {
            is_pinned: Some(true),
            ..Default::default()
        }),
        [ids[1].clone()]
    );
    assert_eq!(
        filtered(ListClustersFilterBy {
            is_pinned: Some(false),
            policy_id: Some(policy.clone()),
            ..Default::default()
        }),
        [governed]
    );
    assert_eq!(
        filtered(ListClustersFilterBy {
            cluster_sources: vec![ClusterSource::Ui, ClusterSource::Job],
            ..Default::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        filtered(ListClustersFilterBy {
            cluster_sources: vec![ClusterSource::Api],
            ..Default::default()
        })
        .len(),
        4
    );

    // The query string as the official SDKs send it, and what the service refuses.
    let raw = once(&ws);
    let answer = raw
        .raw()
        .get(
            "/api/2.1/clusters/list",
            &[
                ("filter_by.cluster_states", "TERMINATED"),
                ("filter_by.cluster_states", "RUNNING"),
                ("filter_by.is_pinned", "false"),
                ("sort_by.field", "CLUSTER_NAME"),
                ("page_size", "2"),
            ],
        )
        .unwrap();
    let names: Vec<&str> = answer["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c-000", "c-002"]);
    assert!(answer["next_page_token"].is_string());
    for query in [
        [("filter_by.is_pinned", "True")],
        [("filter_by.cluster_states", "HIBERNATING")],
        [("sort_by.field", "CREATED")],
        [("page_size", "-1")],
        [("page_token", "not-a-token")],
    ] {
        let err = raw.raw().get("/api/2.1/clusters/list", &query).unwrap_err();
        assert_eq!(err.status(), Some(400), "{query:?}");
        assert_eq!(
            err.error_code(),
            Some("INVALID_PARAMETER_VALUE"),
            "{query:?}"
        );
    }
}

#[test]
fn get_has_the_spec_and_an_edit_built_from_it_keeps_every_other_setting_and_unknown_fields() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let policy = empty_policy(&client);
    let mut attributes = ClusterAttributes {
        autotermination_minutes: Some(60),
        spark_conf: [("spark.speculation".to_string(), "true".to_string())]
            .into_iter()
            .collect(),
        custom_tags: [("Team".to_string(), "analytics".to_string())]
            .into_iter()
            .collect(),
        azure_attributes: Some(AzureAttributes {
            availability: Some(AzureAvailability::SpotWithFallbackAzure),
            first_on_demand: Some(1),
            ..Default::default()
        }),
        policy_id: Some(policy.clone()),
        ..spec(2)
    };
    attributes
        .unknown_fields
        .insert("future_setting", json!({"level": 3}));
    let id = client.clusters().create(&attributes).unwrap().cluster_id;
    ws.advance(MINUTE * 3);

    let cluster = client.clusters().get(&id).unwrap();
    let spec_json = serde_json::to_value(cluster.spec.as_ref().expect("get has a spec")).unwrap();
    assert_eq!(spec_json["future_setting"], json!({"level": 3}));
    assert_eq!(spec_json["autotermination_minutes"], 60);
    assert!(spec_json.get("state").is_none() && spec_json.get("cluster_id").is_none());
    // The list has no spec.
    let listed = client.clusters().list().unwrap();
    assert!(listed[0].spec.is_none());

    let mut edit = ClusterAttributes::from(&cluster);
    edit.autotermination_minutes = Some(120);
    client.clusters().edit(&edit).unwrap();
    assert_eq!(state(&client, &id), ClusterState::Restarting);
    let after = client.clusters().get(&id).unwrap();
    let mut expected = spec_json.clone();
    expected["autotermination_minutes"] = json!(120);
    assert_eq!(serde_json::to_value(after.spec.unwrap()).unwrap(), expected);
    assert_eq!(after.custom_tags["Team"], "analytics");
    assert_eq!(after.policy_id.as_deref(), Some(policy.as_str()));
}

#[test]
fn update_changes_only_the_masked_fields_restarting_a_running_cluster_and_not_a_terminated_one() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let clusters = client.clusters();
    let attributes = ClusterAttributes {
        autotermination_minutes: Some(60),
        ..spec(1)
    };
    let id = clusters.create(&attributes).unwrap().cluster_id;
    let change = ClusterSpec {
        num_workers: Some(3),
        cluster_name: Some("not in the mask".into()),
        ..Default::default()
    };
    // Pending: refused like an edit.
    let err = clusters.update(&id, &change, "num_workers").unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_STATE"));

    ws.advance(MINUTE * 3);
    clusters.update(&id, &change, "num_workers").unwrap();
    assert_eq!(state(&client, &id), ClusterState::Restarting);
    ws.advance(MINUTE * 2);
    let updated = clusters.get(&id).unwrap();
    assert_eq!((updated.num_workers, updated.executors.len()), (Some(3), 3));
    assert_eq!(updated.cluster_name.as_deref(), Some("scenario"));
    assert_eq!(updated.autotermination_minutes, Some(60));

    // A field named in the mask but absent from `cluster` is cleared.
    clusters
        .update(&id, &change, "autotermination_minutes")
        .unwrap();
    ws.advance(MINUTE * 2);
    assert_eq!(clusters.get(&id).unwrap().autotermination_minutes, None);

    // Terminated: applied at the next start, the cluster stays terminated.
    clusters.delete(&id).unwrap();
    ws.advance(MINUTE);
    let azure = ClusterSpec {
        azure_attributes: Some(AzureAttributes {
            availability: Some(AzureAvailability::SpotAzure),
            ..Default::default()
        }),
        ..Default::default()
    };
    clusters
        .update(&id, &azure, "azure_attributes.availability")
        .unwrap();
    let terminated = clusters.get(&id).unwrap();
    assert_eq!(terminated.state, Some(ClusterState::Terminated));
    assert_eq!(
        terminated.azure_attributes.unwrap().availability,
        Some(AzureAvailability::SpotAzure)
    );
    let types = event_types(&client, &id);
    assert_eq!(
        types.iter().filter(|t| *t == "EDITED").count(),
        3,
        "{types:?}"
    );

    for mask in [
        "cluster_id",
        "nope",
        "spark_conf.spark.speculation",
        "num_workers,",
    ] {
        let err = clusters.update(&id, &change, mask).unwrap_err();
        assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{mask}");
    }
    // `*` replaces every setting: without a runtime version it is refused.
    let err = clusters.update(&id, &change, "*").unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));
    let full = ClusterSpec {
        spark_version: Some("16.4.x-scala2.12".into()),
        node_type_id: Some("Standard_DS4_v2".into()),
        ..change.clone()
    };
    clusters.update(&id, &full, "*").unwrap();
    let replaced = clusters.get(&id).unwrap();
    assert_eq!(replaced.cluster_name.as_deref(), Some("not in the mask"));
    assert_eq!(replaced.node_type_id.as_deref(), Some("Standard_DS4_v2"));
    assert!(replaced.spec.unwrap().azure_attributes.is_none());
}

#[test]
fn the_new_settings_are_stored_and_echoed_and_clone_from_copies_a_cluster() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let flexible = NodeTypeFlexibility {
        alternate_node_type_ids: vec!["Standard_D4ds_v5".into()],
        ..Default::default()
    };
    let single = ClusterAttributes {
        kind: Some(Kind::ClassicPreview),
        is_single_node: Some(true),
        use_ml_runtime: Some(false),
        dependency_mode: Some(DependencyMode::DependencyModeAuto),
        worker_node_type_flexibility: Some(flexible.clone()),
        driver_node_type_flexibility: Some(flexible.clone()),
        autotermination_minutes: Some(30),
        num_workers: None,
        ..spec(0)
    };
    let source = client.clusters().create(&single).unwrap().cluster_id;
    ws.advance(MINUTE * 3);
    let c = client.clusters().get(&source).unwrap();
    assert_eq!(c.kind, Some(Kind::ClassicPreview));
    assert_eq!(
        (c.is_single_node, c.use_ml_runtime),
        (Some(true), Some(false))
    );
    assert_eq!(c.dependency_mode, Some(DependencyMode::DependencyModeAuto));
    assert_eq!(c.worker_node_type_flexibility.as_ref(), Some(&flexible));
    assert_eq!(c.driver_node_type_flexibility.as_ref(), Some(&flexible));
    assert_eq!((c.num_workers, c.executors.len()), (Some(0), 0));
    assert_eq!(c.custom_tags["ResourceClass"], "SingleNode");
    assert_eq!(c.spec.as_ref().unwrap().num_workers, None);

    // Single node only with the CLASSIC_PREVIEW kind.
    let refused = client
        .clusters()
        .create(&ClusterAttributes {
            kind: None,
            ..single.clone()
        })
        .unwrap_err();
    assert_eq!(refused.error_code(), Some("INVALID_PARAMETER_VALUE"));

    // A clone has the source's settings, with what the request sets on top.
    let clone = client
        .clusters()
        .create(&ClusterAttributes {
            clone_from: Some(CloneCluster {
                source_cluster_id: source.clone(),
                unknown_fields: Default::default(),
            }),
            cluster_name: Some("the clone".into()),
            spark_version: "15.4.x-scala2.12".into(),
            ..Default::default()
        })
        .unwrap()
        .cluster_id;
    let cloned = client.clusters().get(&clone).unwrap();
    assert_eq!(cloned.cluster_name.as_deref(), Some("the clone"));
    let mut cloned_spec = serde_json::to_value(cloned.spec.unwrap()).unwrap();
    let mut source_spec = serde_json::to_value(c.spec.unwrap()).unwrap();
    cloned_spec["cluster_name"] = json!(null);
    source_spec["cluster_name"] = json!(null);
    assert_eq!(cloned_spec, source_spec);
    let missing = client.clusters().create(&ClusterAttributes {
        clone_from: Some(CloneCluster {
            source_cluster_id: "0101-000000-nothere0".into(),
            unknown_fields: Default::default(),
        }),
        ..spec(1)
    });
    let missing = missing.unwrap_err();
    assert_eq!(missing.error_code(), Some("INVALID_PARAMETER_VALUE"));
    assert_eq!(
        missing.api().unwrap().message(),
        "Cluster 0101-000000-nothere0 does not exist"
    );
}

// ---------------------------------------------------------------------------------------------
// Events

/// A running cluster with 60 PINNED/UNPINNED events one emulated second apart (62 in all).
fn cluster_with_many_events(ws: &Emulator) -> String {
    let client = ws.client();
    let id = client.clusters().create(&spec(1)).unwrap().cluster_id;
    ws.advance(MINUTE * 3);
    for _ in 0..30 {
        ws.advance(Duration::from_secs(1));
        client.clusters().pin(&id).unwrap();
        ws.advance(Duration::from_secs(1));
        client.clusters().unpin(&id).unwrap();
    }
    id
}

#[test]
fn following_next_page_returns_every_event_once_newest_first() {
    let ws = Emulator::start().unwrap();
    let id = cluster_with_many_events(&ws);
    let client = ws.client();
    let mut request = ClusterEventRequest {
        cluster_id: id.clone(),
        limit: Some(7),
        ..Default::default()
    };
    let mut times = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.clusters().events(&request).unwrap();
        assert_eq!(page.total_count, Some(62));
        assert!(page.events.len() <= 7);
        times.extend(page.events.iter().map(|e| e.timestamp.unwrap()));
        pages += 1;
        match page.next_page {
            Some(next) => request = next,
            None => break,
        }
    }
    assert_eq!(pages, 9);
    assert_eq!(times.len(), 62);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let distinct: BTreeSet<i64> = times.iter().copied().collect();
    // CREATING and... RUNNING share no time; every pin/unpin has its own second.
    assert_eq!(distinct.len(), 62);

    // The SDK's iterator walks the same pages.
    let all: Vec<i64> = client
        .clusters()
        .events_iter(&ClusterEventRequest {
            cluster_id: id,
            limit: Some(7),
            ..Default::default()
        })
        .map(|e| e.unwrap().timestamp.unwrap())
        .collect();
    assert_eq!(all, times);
}

#[test]
fn events_filter_by_time_range_and_type_in_ascending_order() {
    let ws = Emulator::start().unwrap();
    let created_at = ws.now_millis();
    let id = cluster_with_many_events(&ws);
    let client = ws.client();
    let first_pin = created_at + 3 * 60_000 + 1_000;
    let request = ClusterEventRequest {
        cluster_id: id,
        start_time: Some(first_pin),
        end_time: Some(first_pin + 9_000),
        event_types: vec![ClusterEventType::Pinned],
        order: Some(ListOrder::Asc),
        ..Default::default()
    };
    let page = client.clusters().events(&request).unwrap();
    let times: Vec<i64> = page.events.iter().map(|e| e.timestamp.unwrap()).collect();
    assert_eq!(
        times,
        [
            first_pin,
            first_pin + 2_000,
            first_pin + 4_000,
            first_pin + 6_000,
            first_pin + 8_000
        ]
    );
    assert_eq!(page.total_count, Some(5));
    assert!(page.next_page.is_none());
}

#[test]
fn events_page_tokens_walk_every_event_once_and_events_iter_follows_them() {
    let ws = Emulator::start().unwrap();
    let id = cluster_with_many_events(&ws);
    let client = ws.client();
    let request = ClusterEventRequest {
        cluster_id: id.clone(),
        page_size: Some(7),
        ..Default::default()
    };
    let first = client.clusters().events(&request).unwrap();
    assert_eq!(first.events.len(), 7);
    assert!(first.next_page.is_none(), "token pages have no next_page");
    assert!(first.prev_page_token.is_none());
    assert_eq!(first.total_count, Some(0));

    let before = ws.request_count();
    let times: Vec<i64> = client
        .clusters()
        .events_iter(&request)
        .map(|e| e.unwrap().timestamp.unwrap())
        .collect();
    assert_eq!(ws.request_count() - before, 9, "62 events, 7 a page");
    assert_eq!(times.len(), 62);
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );

    // The previous page of the second page is the first one.
    let second = client
        .clusters()
        .events(&ClusterEventRequest {
            page_token: first.next_page_token.clone(),
            ..request.clone()
        })
        .unwrap();
    let back = client
        .clusters()
        .events(&ClusterEventRequest {
            page_token: second.prev_page_token,
            ..request.clone()
        })
        .unwrap();
    assert_eq!(back.events, first.events);

    let mixed = client.clusters().events(&ClusterEventRequest {
        offset: Some(7),
        order: Some(ListOrder::Asc),
        ..request.clone()
    });
    assert_eq!(
        mixed.unwrap_err().error_code(),
        Some("INVALID_PARAMETER_VALUE")
    );
}

#[test]
fn events_limits_are_1_to_500() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let id = client.clusters().create(&spec(1)).unwrap().cluster_id;
    for limit in [0, 501] {
        let err = client
            .clusters()
            .events(&ClusterEventRequest {
                cluster_id: id.clone(),
                limit: Some(limit),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{limit}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens and authentication

#[test]
fn a_token_value_is_shown_once_never_listed_and_refused_after_expiry_or_revocation() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    let created = alice
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("ci".into()),
            lifetime_seconds: Some(3600),
            ..Default::default()
        })
        .unwrap();
    let value = created.token_value.expose().to_string();
    assert!(value.starts_with("dapi") && value.len() == 36, "{value}");
    assert!(value[4..].bytes().all(|b| b.is_ascii_hexdigit()));
    let info = created.token_info.unwrap();
    assert_eq!(
        info.expiry_time.unwrap() - info.creation_time.unwrap(),
        3_600_000
    );

    let listed = alice.raw().get("token/list", &[]).unwrap();
    assert_eq!(listed["token_infos"].as_array().unwrap().len(), 2);
    assert!(!listed.to_string().contains(&value));
    assert!(!listed.to_string().contains("token_value"));
    assert_eq!(
        admin.tokens().list().unwrap().len(),
        1,
        "a user sees only their tokens"
    );

    let ci = ws.client_as(&value);
    ws.advance(Duration::from_secs(3599));
    assert!(ci.clusters().list().is_ok());
    ws.advance(Duration::from_secs(1));
    assert!(ci.clusters().list().unwrap_err().is_permission_denied());

    let revoked = admin
        .tokens()
        .create(&CreateTokenRequest::default())
        .unwrap();
    let revoked_id = revoked.token_info.unwrap().token_id;
    let revoked_client = ws.client_as(revoked.token_value.expose());
    assert!(revoked_client.clusters().list().is_ok());
    assert!(
        alice
            .tokens()
            .delete(&revoked_id)
            .unwrap_err()
            .is_not_found(),
        "not hers"
    );
    admin.tokens().delete(&revoked_id).unwrap();
    assert!(
        revoked_client
            .clusters()
            .list()
            .unwrap_err()
            .is_permission_denied()
    );
    assert!(
        admin
            .tokens()
            .delete(&revoked_id)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn a_token_created_without_a_lifetime_expires_after_the_maximum_of_730_days() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let created = admin
        .tokens()
        .create(&CreateTokenRequest::default())
        .unwrap();
    let info = created.token_info.unwrap();
    let two_years = 730 * 24 * 3600 * 1000;
    assert_eq!(
        info.expiry_time.unwrap() - info.creation_time.unwrap(),
        two_years,
        "not -1 (never)"
    );
    let listed = admin.tokens().list().unwrap();
    let listed = listed.iter().find(|t| t.token_id == info.token_id).unwrap();
    assert_eq!(listed.expiry_time, info.expiry_time);
    let client = ws.client_as(created.token_value.expose());
    ws.advance(Duration::from_millis(two_years as u64 - 1));
    assert!(client.clusters().list().is_ok());
    ws.advance(Duration::from_millis(1));
    assert!(client.clusters().list().unwrap_err().is_permission_denied());
    // The admin token the emulator registered never expires.
    assert!(admin.clusters().list().is_ok());
}

#[test]
fn an_invalid_token_is_403_with_the_integer_error_code_of_the_service() {
    let ws = Emulator::start().unwrap();
    let err = ws
        .client_as("dapi00000000000000000000000000000000")
        .tokens()
        .list()
        .unwrap_err();
    assert!(err.is_permission_denied());
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.error_code(),
        None,
        "the code is the integer 403, not a string"
    );
    let api = err.api().unwrap();
    assert_eq!(api.message(), "Invalid access token.");
    let body: Value = serde_json::from_str(api.body()).unwrap();
    assert_eq!(
        body,
        json!({"error_code": 403, "message": "Invalid access token."})
    );
}

#[test]
fn the_scim_me_endpoint_names_the_caller() {
    let ws = Emulator::start().unwrap();
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    let me = alice.raw().get("preview/scim/v2/Me", &[]).unwrap();
    assert_eq!(me["userName"], "alice@example.com");
    assert_eq!(me["groups"][0]["display"], "users");
}

// ---------------------------------------------------------------------------------------------
// Secrets, scopes and ACLs

#[test]
fn alice_cannot_read_bobs_scope_until_bob_grants_her_read_and_write_needs_write() {
    let ws = Emulator::start().unwrap();
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    bob.secrets().scopes().create(&scope("bobs")).unwrap();
    bob.secrets().put("bobs", "db-password", "hunter2").unwrap();

    let denied = alice.secrets().list("bobs").unwrap_err();
    assert!(denied.is_permission_denied());
    assert_eq!(denied.error_code(), Some("PERMISSION_DENIED"));
    assert!(
        alice
            .secrets()
            .put("bobs", "k", "v")
            .unwrap_err()
            .is_permission_denied()
    );

    bob.secrets()
        .acls()
        .put("bobs", "alice@example.com", AclPermission::Read)
        .unwrap();
    let keys: Vec<String> = alice
        .secrets()
        .list("bobs")
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(keys, ["db-password"]);
    assert!(
        alice
            .secrets()
            .put("bobs", "k", "v")
            .unwrap_err()
            .is_permission_denied()
    );
    assert!(
        alice
            .secrets()
            .acls()
            .list("bobs")
            .unwrap_err()
            .is_permission_denied()
    );

    bob.secrets()
        .acls()
        .put("bobs", "alice@example.com", AclPermission::Write)
        .unwrap();
    alice.secrets().put("bobs", "k", "v").unwrap();
    assert_eq!(
        bob.secrets()
            .acls()
            .get("bobs", "alice@example.com")
            .unwrap()
            .permission,
        AclPermission::Write
    );

    bob.secrets()
        .acls()
        .delete("bobs", "alice@example.com")
        .unwrap();
    assert!(
        alice
            .secrets()
            .list("bobs")
            .unwrap_err()
            .is_permission_denied()
    );
    // The admin bypasses ACLs.
    assert_eq!(ws.client().secrets().list("bobs").unwrap().len(), 2);
}

#[test]
fn a_scope_created_for_users_is_managed_by_every_user() {
    let ws = Emulator::start().unwrap();
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    bob.secrets()
        .scopes()
        .create(&CreateScopeRequest {
            initial_manage_principal: Some("users".into()),
            ..scope("team")
        })
        .unwrap();
    let acls = alice.secrets().acls().list("team").unwrap();
    assert_eq!(acls.len(), 1);
    assert_eq!(
        (acls[0].principal.as_str(), &acls[0].permission),
        ("users", &AclPermission::Manage)
    );
    alice.secrets().put("team", "shared", "yes").unwrap();
    alice.secrets().scopes().delete("team").unwrap();
    assert!(bob.secrets().scopes().list().unwrap().is_empty());
}

#[test]
fn an_azure_key_vault_scope_is_listed_but_refuses_put_and_delete() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let vault = AzureKeyVaultSecretScopeMetadata {
        unknown_fields: Default::default(),
        resource_id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
            .into(),
        dns_name: "https://kv.vault.azure.net/".into(),
    };
    client
        .secrets()
        .scopes()
        .create(&CreateScopeRequest {
            scope_backend_type: Some(ScopeBackendType::AzureKeyvault),
            backend_azure_keyvault: Some(vault.clone()),
            ..scope("akv")
        })
        .unwrap();
    let scopes = client.secrets().scopes().list().unwrap();
    assert_eq!(
        scopes[0].backend_type,
        Some(ScopeBackendType::AzureKeyvault)
    );
    assert_eq!(scopes[0].keyvault_metadata, Some(vault));
    for err in [
        client.secrets().put("akv", "k", "v").unwrap_err(),
        client.secrets().delete("akv", "k").unwrap_err(),
    ] {
        assert_eq!(err.status(), Some(400), "{err}");
        assert_eq!(err.error_code(), Some("BAD_REQUEST"), "{err}");
    }
    client.secrets().scopes().delete("akv").unwrap();
}

#[test]
fn a_second_scope_with_the_same_name_is_400_resource_already_exists() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    client.secrets().scopes().create(&scope("etl")).unwrap();
    let err = client.secrets().scopes().create(&scope("etl")).unwrap_err();
    assert!(err.is_already_exists());
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.api().unwrap().message(), "Scope etl already exists!");
    let missing = client.secrets().scopes().delete("nope").unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert_eq!(missing.error_code(), Some("RESOURCE_DOES_NOT_EXIST"));
}

#[test]
fn string_and_bytes_secrets_are_stored_as_sent() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    client.secrets().scopes().create(&scope("etl")).unwrap();
    client.secrets().put("etl", "text", "pässwörd").unwrap();
    client
        .secrets()
        .put(
            "etl",
            "blob",
            SecretValue::Bytes(vec![0, 159, 146, 150, 255]),
        )
        .unwrap();
    assert_eq!(
        ws.secret_value("etl", "text").unwrap(),
        "pässwörd".as_bytes()
    );
    assert_eq!(
        ws.secret_value("etl", "blob").unwrap(),
        [0, 159, 146, 150, 255]
    );
    let listed = client.secrets().list("etl").unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|s| s.last_updated_timestamp == Some(ws.now_millis()))
    );
}

#[test]
fn secret_values_are_limited_to_128_kb_decoded_and_scopes_to_1000_secrets() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    client.secrets().scopes().create(&scope("big")).unwrap();
    let put = |len: usize| {
        client.raw().post(
            "secrets/put",
            &json!({"scope": "big", "key": "blob", "bytes_value": BASE64_STANDARD.encode(vec![7u8; len])}),
        )
    };
    put(128 * 1024).unwrap();
    let err = put(128 * 1024 + 1).unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));

    for i in 1..1000 {
        client.secrets().put("big", &format!("k{i}"), "v").unwrap();
    }
    let err = client
        .secrets()
        .put("big", "one-too-many", "v")
        .unwrap_err();
    assert_eq!(err.error_code(), Some("RESOURCE_LIMIT_EXCEEDED"));
    assert_eq!(client.secrets().list("big").unwrap().len(), 1000);
}

// ---------------------------------------------------------------------------------------------
// Wire

#[test]
fn clusters_answer_under_api_2_1_and_unknown_paths_are_404_endpoint_not_found() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    client.clusters().create(&spec(1)).unwrap();
    let listed = client.raw().get("/api/2.1/clusters/list", &[]).unwrap();
    assert_eq!(listed["clusters"].as_array().unwrap().len(), 1);
    for path in ["/api/2.1/secrets/scopes/list", "/api/2.0/clusters/nope"] {
        let err = client.raw().get(path, &[]).unwrap_err();
        assert_eq!(err.status(), Some(404), "{path}");
        assert_eq!(err.error_code(), Some("ENDPOINT_NOT_FOUND"), "{path}");
    }
}

#[test]
fn a_body_that_is_not_a_json_object_is_400_malformed_request() {
    let ws = Emulator::start().unwrap();
    let err = once(&ws)
        .raw()
        .post("clusters/create", &json!(["not", "an", "object"]))
        .unwrap_err();
    assert_eq!(err.error_code(), Some("MALFORMED_REQUEST"));
    let answer = raw_http(
        &ws,
        &format!(
            "POST /api/2.0/secrets/scopes/create HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{{\"scope\":",
            ws.admin_token()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains(r#""error_code":"MALFORMED_REQUEST""#),
        "{answer}"
    );
}

#[test]
fn every_answer_has_a_request_id_that_errors_keep() {
    let ws = Emulator::start().unwrap();
    let err = once(&ws)
        .clusters()
        .get("0101-000000-nothere0")
        .unwrap_err();
    let id = err.request_id().unwrap().to_string();
    assert_eq!(id.len(), 36, "{id}");
}

// ---------------------------------------------------------------------------------------------
// Faults

#[test]
fn an_injected_429_carries_retry_after_and_the_sdk_retries_it() {
    let ws = Emulator::start().unwrap();
    ws.inject(Fault::too_many_requests(Duration::from_secs(7)));
    let err = once(&ws).clusters().list().unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(
        err.api().unwrap().retry_after(),
        Some(Duration::from_secs(7))
    );

    ws.inject(Fault::too_many_requests(Duration::from_secs(7)).times(2));
    let before = (ws.request_count(), ws.now_millis());
    assert!(ws.client().clusters().list().unwrap().is_empty());
    assert_eq!(ws.request_count() - before.0, 3);
    assert!(
        ws.now_millis() - before.1 >= 14_000,
        "the client waited Retry-After twice, in emulated time"
    );
}

#[test]
fn an_injected_503_is_seen_without_retries_and_the_request_is_not_carried_out() {
    let ws = Emulator::start().unwrap();
    ws.inject(Fault::unavailable().on("secrets/scopes/create"));
    let err = once(&ws)
        .secrets()
        .scopes()
        .create(&scope("x"))
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.error_code(), Some("TEMPORARILY_UNAVAILABLE"));
    assert!(ws.client().secrets().scopes().list().unwrap().is_empty());
}

#[test]
fn a_dropped_connection_is_a_transport_error_and_the_request_is_not_carried_out() {
    let ws = Emulator::start().unwrap();
    ws.inject(Fault::drop_connection());
    let err = once(&ws).clusters().create(&spec(1)).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(ws.request_count(), 1);
    assert!(ws.client().clusters().list().unwrap().is_empty());
}

#[test]
fn a_delayed_answer_arrives_late_and_a_client_timing_out_still_made_the_change() {
    let ws = Emulator::start().unwrap();
    ws.inject(Fault::delay(Duration::from_millis(300)));
    let started = Instant::now();
    once(&ws).secrets().scopes().create(&scope("slow")).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));

    let impatient = ws
        .client_builder(ws.admin_token())
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    ws.inject(Fault::delay(Duration::from_secs(2)));
    let err = impatient
        .secrets()
        .scopes()
        .create(&scope("late"))
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let names: Vec<String> = ws
        .client()
        .secrets()
        .scopes()
        .list()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["late", "slow"]);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

#[test]
fn eight_clients_doing_100_operations_each_lose_no_update() {
    let ws = Emulator::start().unwrap();
    ws.client()
        .secrets()
        .scopes()
        .create(&CreateScopeRequest {
            initial_manage_principal: Some("users".into()),
            ..scope("shared")
        })
        .unwrap();
    let users: Vec<String> = (0..8).map(|t| format!("user{t}@example.com")).collect();
    let tokens: Vec<String> = users.iter().map(|u| ws.add_user(u)).collect();
    std::thread::scope(|s| {
        for (t, token) in tokens.iter().enumerate() {
            let client = ws.client_as(token);
            s.spawn(move || {
                for i in 0..100 {
                    match i % 10 {
                        0..=3 => client
                            .secrets()
                            .put("shared", &format!("t{t}-{i}"), format!("{t}:{i}"))
                            .unwrap(),
                        4..=6 => {
                            client.clusters().create(&spec(1)).unwrap();
                        }
                        _ => {
                            client
                                .tokens()
                                .create(&CreateTokenRequest::default())
                                .unwrap();
                        }
                    }
                }
            });
        }
    });
    let admin = ws.client();
    let keys: BTreeSet<String> = admin
        .secrets()
        .list("shared")
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    let expected: BTreeSet<String> = (0..8)
        .flat_map(|t| {
            (0..100)
                .filter(|i| i % 10 <= 3)
                .map(move |i| format!("t{t}-{i}"))
        })
        .collect();
    assert_eq!(keys.len(), 320);
    assert_eq!(keys, expected);
    assert_eq!(ws.secret_value("shared", "t5-42").unwrap(), b"5:42");

    let clusters = admin.clusters().list().unwrap();
    assert_eq!(clusters.len(), 240);
    let ids: BTreeSet<&str> = clusters.iter().map(|c| c.cluster_id.as_str()).collect();
    assert_eq!(ids.len(), 240, "ids are unique");
    for user in &users {
        let mine = clusters
            .iter()
            .filter(|c| c.creator_user_name.as_deref() == Some(user.as_str()))
            .count();
        assert_eq!(mine, 30, "{user}");
    }
    for token in &tokens {
        // 30 created + the one the emulator gave the user.
        assert_eq!(ws.client_as(token).tokens().list().unwrap().len(), 31);
    }
}
