//! Wire tests of the Jobs API 2.2 and the job permissions: method, path, query and exact body
//! of every operation and the decoding of realistic answers; the checks made before sending;
//! `get`/`get_run` merging the arrays the service pages; and the waits for a run on a fake
//! clock (temporary failures while polling, the deadline that cancels the run, `status` over
//! `state`, progress on each change, pauses capped at 10 s).

mod common;

use std::time::Duration;

use azure_databricks_sdk::models::{
    CancelAllRuns, CancelRun, CreateJob, DeleteJob, DeleteRun, ExportRunRequest,
    GetRunOutputRequest, JobAccessControlRequest, JobCluster, JobPermissionLevel,
    JobPermissionsRequest, JobSettings, ListJobsRequest, ListRunsRequest, NotebookTask, RepairRun,
    ResetJob, RunLifeCycleState, RunNow, RunType, SparkJarTask, SubmitRun, SubmitTask, Task,
    TaskDependency, UpdateJob, ViewsToExport,
};
use azure_databricks_sdk::{Auth, Client, Error, RetryPolicy, RunWait};
use common::{FakeClock, ScriptedServer, Step};
use httpmock::Method::{PATCH, PUT};
use httpmock::prelude::*;
use serde_json::{Value, json};

fn notebook(key: &str, path: &str) -> Task {
    Task {
        task_key: key.into(),
        notebook_task: Some(NotebookTask {
            notebook_path: path.into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn answer(then: httpmock::Then, body: Value) {
    then.status(200)
        .header("content-type", "application/json")
        .body(body.to_string());
}

/// A run of a two-task job as `runs/get` answers it, `state` and `status` both there.
fn realistic_run() -> Value {
    json!({
        "job_id": 11223344, "run_id": 455644833, "number_in_job": 455644833,
        "creator_user_name": "alice@contoso.com", "run_name": "nightly",
        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": "", "user_cancelled_or_timedout": false},
        "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS", "type": "SUCCESS", "message": ""}},
        "start_time": 1_725_000_000_000_i64, "end_time": 1_725_000_600_000_i64,
        "setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0, "run_duration": 600_000,
        "queue_duration": 1200, "run_type": "JOB_RUN", "trigger": "ONE_TIME", "format": "MULTI_TASK",
        "run_page_url": "https://adb-1.7.azuredatabricks.net/?o=1#job/11223344/run/455644833",
        "cluster_instance": {"cluster_id": "0923-164208-meows279", "spark_context_id": "4348585301700867011"},
        "tasks": [
            {"task_key": "ingest", "run_id": 1001, "attempt_number": 0,
             "notebook_task": {"notebook_path": "/Shared/ingest", "source": "WORKSPACE"},
             "existing_cluster_id": "0923-164208-meows279",
             "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
             "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS", "type": "SUCCESS"}},
             "cluster_instance": {"cluster_id": "0923-164208-meows279"}, "start_time": 1_725_000_001_000_i64},
            {"task_key": "report", "run_id": 1002, "depends_on": [{"task_key": "ingest"}], "run_if": "ALL_SUCCESS",
             "spark_jar_task": {"main_class_name": "com.contoso.Report"},
             "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
             "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS", "type": "SUCCESS"}},
             "some_future_field": {"kept": true}}
        ]
    })
}

#[test]
fn create_sends_the_settings_and_decodes_the_job_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/create",
            json!({
                "name": "nightly",
                "max_concurrent_runs": 1,
                "job_clusters": [{"job_cluster_key": "etl", "new_cluster": {"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 2}}],
                "tasks": [
                    {"task_key": "ingest", "job_cluster_key": "etl", "notebook_task": {"notebook_path": "/Shared/ingest"}},
                    {"task_key": "report", "depends_on": [{"task_key": "ingest"}], "job_cluster_key": "etl",
                     "spark_jar_task": {"main_class_name": "com.contoso.Report"}}
                ],
                "access_control_list": [{"group_name": "data-engineers", "permission_level": "CAN_MANAGE_RUN"}]
            }),
        );
        answer(then, json!({"job_id": 11223344}));
    });
    let request = CreateJob {
        access_control_list: vec![JobAccessControlRequest {
            group_name: Some("data-engineers".into()),
            permission_level: Some(JobPermissionLevel::CanManageRun),
            ..Default::default()
        }],
        ..CreateJob::from(JobSettings {
            name: Some("nightly".into()),
            max_concurrent_runs: Some(1),
            job_clusters: vec![JobCluster {
                job_cluster_key: "etl".into(),
                new_cluster: serde_json::from_value(json!({"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 2})).unwrap(),
                ..Default::default()
            }],
            tasks: vec![
                Task {
                    job_cluster_key: Some("etl".into()),
                    ..notebook("ingest", "/Shared/ingest")
                },
                Task {
                    task_key: "report".into(),
                    depends_on: vec![TaskDependency {
                        task_key: "ingest".into(),
                        ..Default::default()
                    }],
                    job_cluster_key: Some("etl".into()),
                    spark_jar_task: Some(SparkJarTask {
                        main_class_name: Some("com.contoso.Report".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ],
            ..Default::default()
        })
    };
    let created = common::client(&server).jobs().create(&request).unwrap();
    mock.assert();
    assert_eq!(created.job_id, Some(11223344));
}

#[test]
fn bad_definitions_are_refused_before_sending() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        answer(then, json!({}));
    });
    let jobs_client = common::client(&server);
    let jobs = jobs_client.jobs();
    let create = |tasks: Vec<Task>| {
        jobs.create(&CreateJob::from(JobSettings {
            tasks,
            ..Default::default()
        }))
        .unwrap_err()
    };
    let missing_key = create(vec![notebook("", "/x")]);
    assert!(
        missing_key.to_string().contains("task_key"),
        "{missing_key}"
    );
    let two_types = create(vec![Task {
        spark_jar_task: Some(SparkJarTask::default()),
        ..notebook("a", "/x")
    }]);
    assert!(
        two_types
            .to_string()
            .contains("notebook_task and spark_jar_task"),
        "{two_types}"
    );
    let dangling = create(vec![Task {
        depends_on: vec![TaskDependency {
            task_key: "nope".into(),
            ..Default::default()
        }],
        ..notebook("a", "/x")
    }]);
    assert!(dangling.to_string().contains("nope"), "{dangling}");
    let long_token = jobs
        .run_now(&RunNow {
            job_id: 1,
            idempotency_token: Some("t".repeat(65)),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(long_token, Error::InvalidInput { .. }),
        "{long_token}"
    );
    let submit = jobs
        .submit(&SubmitRun {
            tasks: vec![SubmitTask::default()],
            ..Default::default()
        })
        .unwrap_err();
    assert!(submit.to_string().contains("task_key"));
    mock.assert_calls(0);
}

#[test]
fn get_reads_every_page_of_the_arrays_and_merges_them() {
    let server = MockServer::start();
    let tasks = |from: usize, to: usize| -> Vec<Value> {
        (from..to)
            .map(|i| json!({"task_key": format!("t{i}"), "notebook_task": {"notebook_path": "/n"}}))
            .collect()
    };
    let first = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/get", &[("job_id", "11")]);
        answer(
            then,
            json!({"job_id": 11, "creator_user_name": "alice@contoso.com", "created_time": 1_725_000_000_000_i64,
                   "has_more": true, "next_page_token": "p2",
                   "settings": {"name": "big", "tasks": tasks(0, 100), "job_clusters": [{"job_cluster_key": "a", "new_cluster": {"spark_version": "15.4.x-scala2.12"}}]}}),
        );
    });
    let second = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/get", &[("job_id", "11"), ("page_token", "p2")]);
        answer(
            then,
            json!({"job_id": 11, "has_more": false, "settings": {"name": "big", "tasks": tasks(100, 150), "job_clusters": []}}),
        );
    });
    let job = common::client(&server).jobs().get(11).unwrap();
    first.assert();
    second.assert();
    let settings = job.settings.unwrap();
    assert_eq!(settings.tasks.len(), 150);
    assert_eq!(settings.tasks[149].task_key, "t149");
    assert_eq!(settings.job_clusters.len(), 1);
    assert_eq!(job.next_page_token, None);
    assert_eq!(job.creator_user_name.as_deref(), Some("alice@contoso.com"));
}

#[test]
fn list_follows_page_tokens_lazily_and_collects_all() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.2/jobs/list",
            &[("expand_tasks", "true"), ("limit", "2"), ("name", "nightly")],
        );
        answer(
            then,
            json!({"jobs": [{"job_id": 3, "settings": {"name": "nightly"}}, {"job_id": 2}], "has_more": true, "next_page_token": "n2"}),
        );
    });
    let second = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.2/jobs/list",
            &[
                ("expand_tasks", "true"),
                ("limit", "2"),
                ("name", "nightly"),
                ("page_token", "n2"),
            ],
        );
        answer(then, json!({"jobs": [{"job_id": 1}], "has_more": false}));
    });
    let request = ListJobsRequest {
        expand_tasks: Some(true),
        limit: Some(2),
        name: Some("nightly".into()),
        ..Default::default()
    };
    let client = common::client(&server);
    let mut lazily = client.jobs().list_iter(&request);
    assert_eq!(lazily.next().unwrap().unwrap().job_id, Some(3));
    first.assert_calls(1);
    second.assert_calls(0);
    let ids: Vec<Option<i64>> = client
        .jobs()
        .list(&request)
        .unwrap()
        .iter()
        .map(|j| j.job_id)
        .collect();
    assert_eq!(ids, [Some(3), Some(2), Some(1)]);
}

#[test]
fn update_reset_and_delete_send_their_bodies() {
    let server = MockServer::start();
    let update = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/update",
            json!({"job_id": 11, "new_settings": {"max_concurrent_runs": 3}, "fields_to_remove": ["tasks/old"]}),
        );
        answer(then, json!({}));
    });
    let reset = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/reset",
            json!({"job_id": 11, "new_settings": {"name": "renamed", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "/a"}}]}}),
        );
        answer(then, json!({}));
    });
    let delete = server.mock(|when, then| {
        common::post(when, "/api/2.2/jobs/delete", json!({"job_id": 11}));
        answer(then, json!({}));
    });
    let client = common::client(&server);
    let jobs = client.jobs();
    jobs.update(&UpdateJob {
        job_id: 11,
        new_settings: Some(JobSettings {
            max_concurrent_runs: Some(3),
            ..Default::default()
        }),
        fields_to_remove: vec!["tasks/old".into()],
        ..Default::default()
    })
    .unwrap();
    jobs.reset(&ResetJob {
        job_id: 11,
        new_settings: JobSettings {
            name: Some("renamed".into()),
            tasks: vec![notebook("a", "/a")],
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    jobs.delete(&DeleteJob {
        job_id: 11,
        ..Default::default()
    })
    .unwrap();
    update.assert();
    reset.assert();
    delete.assert();
}

#[test]
fn run_now_always_carries_an_idempotency_token() {
    let server = MockServer::start();
    let generated = server.mock(|when, then| {
        when.method(POST).path("/api/2.2/jobs/run-now").is_true(
            |req: &httpmock::HttpMockRequest| {
                let body: Value = serde_json::from_slice(req.body_ref()).unwrap();
                let token = body["idempotency_token"].as_str().unwrap_or_default();
                body["job_id"] == 11
                    && body["job_parameters"] == json!({"day": "2024-09-01"})
                    && (1..=64).contains(&token.len())
                    && common::body_keys(req) == ["idempotency_token", "job_id", "job_parameters"]
            },
        );
        answer(
            then,
            json!({"run_id": 455644833, "number_in_job": 455644833}),
        );
    });
    let client = common::client(&server);
    let started = client
        .jobs()
        .run_now(&RunNow {
            job_id: 11,
            job_parameters: [("day".to_string(), "2024-09-01".to_string())]
                .into_iter()
                .collect(),
            ..Default::default()
        })
        .unwrap();
    generated.assert();
    assert_eq!(started.run_id, Some(455644833));
    let given = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/run-now",
            json!({"job_id": 12, "idempotency_token": "deploy-42"}),
        );
        answer(then, json!({"run_id": 7}));
    });
    client
        .jobs()
        .run_now(&RunNow {
            job_id: 12,
            idempotency_token: Some("deploy-42".into()),
            ..Default::default()
        })
        .unwrap();
    given.assert();
}

#[test]
fn submit_sends_its_tasks_and_token() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/runs/submit",
            json!({"run_name": "adhoc", "idempotency_token": "once",
                   "tasks": [{"task_key": "a", "existing_cluster_id": "0923-164208-meows279", "notebook_task": {"notebook_path": "/a"}}]}),
        );
        answer(then, json!({"run_id": 99}));
    });
    let submitted = common::client(&server)
        .jobs()
        .submit(&SubmitRun {
            run_name: Some("adhoc".into()),
            idempotency_token: Some("once".into()),
            tasks: vec![SubmitTask {
                task_key: "a".into(),
                existing_cluster_id: Some("0923-164208-meows279".into()),
                notebook_task: Some(NotebookTask {
                    notebook_path: "/a".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(submitted.run_id, Some(99));
}

#[test]
fn get_run_decodes_state_status_tasks_and_merges_paged_arrays() {
    let server = MockServer::start();
    let mut first_page = realistic_run();
    first_page["next_page_token"] = json!("r2");
    first_page["has_more"] = json!(true);
    first_page["repair_history"] = json!([{"type": "ORIGINAL", "id": 1}]);
    let first = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/runs/get", &[("run_id", "455644833")]);
        answer(then, first_page);
    });
    let second = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.2/jobs/runs/get",
            &[("page_token", "r2"), ("run_id", "455644833")],
        );
        answer(
            then,
            json!({"run_id": 455644833, "tasks": [{"task_key": "late", "run_id": 1003}],
                   "repair_history": [{"type": "REPAIR", "id": 2}], "iterations": [{"task_key": "it", "run_id": 5}]}),
        );
    });
    let run = common::client(&server).jobs().get_run(455644833).unwrap();
    first.assert();
    second.assert();
    assert_eq!(run.tasks.len(), 3);
    assert_eq!(run.repair_history.len(), 2);
    assert_eq!(run.iterations.len(), 1);
    assert_eq!(
        run.state.as_ref().unwrap().life_cycle_state,
        Some(RunLifeCycleState::Terminated)
    );
    assert_eq!(
        run.status
            .as_ref()
            .unwrap()
            .state
            .as_ref()
            .unwrap()
            .as_str(),
        "TERMINATED"
    );
    assert_eq!(run.tasks[1].depends_on[0].task_key, "ingest");
    assert_eq!(
        run.tasks[1].unknown_fields.get("some_future_field"),
        Some(&json!({"kept": true}))
    );
    assert_eq!(
        run.cluster_instance.unwrap().cluster_id.as_deref(),
        Some("0923-164208-meows279")
    );
}

#[test]
fn list_runs_sends_its_filters_and_follows_pages() {
    let server = MockServer::start();
    let query = [
        ("active_only", "true"),
        ("expand_tasks", "true"),
        ("job_id", "11"),
        ("limit", "25"),
        ("run_type", "JOB_RUN"),
        ("start_time_from", "1725000000000"),
        ("start_time_to", "1725099999999"),
    ];
    let first = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/runs/list", &query);
        answer(
            then,
            json!({"runs": [realistic_run()], "has_more": true, "next_page_token": "x"}),
        );
    });
    let mut second_query = query.to_vec();
    second_query.insert(4, ("page_token", "x"));
    let second = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/runs/list", &second_query);
        answer(then, json!({"has_more": false}));
    });
    let runs = common::client(&server)
        .jobs()
        .list_runs(&ListRunsRequest {
            active_only: Some(true),
            expand_tasks: Some(true),
            job_id: Some(11),
            limit: Some(25),
            run_type: Some(RunType::JobRun),
            start_time_from: Some(1_725_000_000_000),
            start_time_to: Some(1_725_099_999_999),
            ..Default::default()
        })
        .unwrap();
    first.assert();
    second.assert();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].tasks.len(), 2);
}

#[test]
fn get_run_output_and_export_run_send_the_run_id() {
    let server = MockServer::start();
    let output = server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/runs/get-output", &[("run_id", "1001")]);
        answer(
            then,
            json!({"notebook_output": {"result": "42 rows", "truncated": false},
                   "error": "ValueError: x", "error_trace": "Traceback ...", "metadata": {"run_id": 1001, "task_key": "ingest"}}),
        );
    });
    let export = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.2/jobs/runs/export",
            &[("run_id", "1001"), ("views_to_export", "ALL")],
        );
        answer(
            then,
            json!({"views": [{"content": "<html/>", "name": "ingest", "type": "NOTEBOOK"}]}),
        );
    });
    let client = common::client(&server);
    let out = client
        .jobs()
        .get_run_output(&GetRunOutputRequest {
            run_id: 1001,
            ..Default::default()
        })
        .unwrap();
    let views = client
        .jobs()
        .export_run(&ExportRunRequest {
            run_id: 1001,
            views_to_export: Some(ViewsToExport::All),
            ..Default::default()
        })
        .unwrap();
    output.assert();
    export.assert();
    assert_eq!(
        out.notebook_output.unwrap().result.as_deref(),
        Some("42 rows")
    );
    assert_eq!(out.error_trace.as_deref(), Some("Traceback ..."));
    assert_eq!(out.metadata.unwrap().run_id, Some(1001));
    assert_eq!(views.views[0].name.as_deref(), Some("ingest"));
}

#[test]
fn run_output_reads_the_output_of_every_task() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::get(when, "/api/2.2/jobs/runs/get", &[("run_id", "455644833")]);
        answer(then, realistic_run());
    });
    for (id, result) in [("1001", "ingested"), ("1002", "reported")] {
        server.mock(|when, then| {
            common::get(when, "/api/2.2/jobs/runs/get-output", &[("run_id", id)]);
            answer(
                then,
                json!({"notebook_output": {"result": result, "truncated": true}}),
            );
        });
    }
    let outputs = common::client(&server)
        .jobs()
        .run_output(455644833)
        .unwrap();
    let summary: Vec<(String, i64, Option<String>)> = outputs
        .iter()
        .map(|o| {
            (
                o.task_key.clone(),
                o.run_id,
                o.output
                    .notebook_output
                    .as_ref()
                    .and_then(|n| n.result.clone()),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ingest".to_string(), 1001, Some("ingested".to_string())),
            ("report".to_string(), 1002, Some("reported".to_string()))
        ]
    );
    assert_eq!(
        outputs[0]
            .output
            .notebook_output
            .as_ref()
            .unwrap()
            .truncated,
        Some(true)
    );
}

#[test]
fn cancel_cancel_all_delete_and_repair_send_their_bodies() {
    let server = MockServer::start();
    let cancel = server.mock(|when, then| {
        common::post(when, "/api/2.2/jobs/runs/cancel", json!({"run_id": 5}));
        answer(then, json!({}));
    });
    let cancel_all = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/runs/cancel-all",
            json!({"job_id": 11, "all_queued_runs": true}),
        );
        answer(then, json!({}));
    });
    let delete = server.mock(|when, then| {
        common::post(when, "/api/2.2/jobs/runs/delete", json!({"run_id": 5}));
        answer(then, json!({}));
    });
    let repair = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.2/jobs/runs/repair",
            json!({"run_id": 5, "latest_repair_id": 7, "rerun_all_failed_tasks": true, "rerun_dependent_tasks": true}),
        );
        answer(then, json!({"repair_id": 8}));
    });
    let client = common::client(&server);
    let jobs = client.jobs();
    jobs.cancel_run(&CancelRun {
        run_id: 5,
        ..Default::default()
    })
    .unwrap();
    jobs.cancel_all_runs(&CancelAllRuns {
        job_id: Some(11),
        all_queued_runs: Some(true),
        ..Default::default()
    })
    .unwrap();
    jobs.delete_run(&DeleteRun {
        run_id: 5,
        ..Default::default()
    })
    .unwrap();
    let repaired = jobs
        .repair_run(&RepairRun {
            run_id: 5,
            latest_repair_id: Some(7),
            rerun_all_failed_tasks: Some(true),
            rerun_dependent_tasks: Some(true),
            ..Default::default()
        })
        .unwrap();
    cancel.assert();
    cancel_all.assert();
    delete.assert();
    repair.assert();
    assert_eq!(repaired.repair_id, Some(8));
}

#[test]
fn job_permissions_get_set_update_and_levels() {
    let server = MockServer::start();
    let permissions = json!({"object_id": "/jobs/11", "object_type": "job", "access_control_list": [
        {"user_name": "alice@contoso.com", "display_name": "Alice", "all_permissions": [{"permission_level": "IS_OWNER", "inherited": false}]},
        {"group_name": "admins", "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": true, "inherited_from_object": ["/jobs/"]}]}
    ]});
    let get = server.mock(|when, then| {
        common::get(when, "/api/2.0/permissions/jobs/11", &[]);
        answer(then, permissions.clone());
    });
    let body = json!({"access_control_list": [{"group_name": "analysts", "permission_level": "CAN_VIEW"}]});
    let set = server.mock(|when, then| {
        common::json(when, PUT, "/api/2.0/permissions/jobs/11", body.clone());
        answer(then, permissions.clone());
    });
    let update = server.mock(|when, then| {
        common::json(when, PATCH, "/api/2.0/permissions/jobs/11", body.clone());
        answer(then, permissions.clone());
    });
    let levels = server.mock(|when, then| {
        common::get(when, "/api/2.0/permissions/jobs/11/permissionLevels", &[]);
        answer(
            then,
            json!({"permission_levels": [{"permission_level": "CAN_VIEW", "description": "Can view"}, {"permission_level": "CAN_MANAGE_RUN", "description": "Can run"}]}),
        );
    });
    let client = common::client(&server);
    let jobs = client.jobs();
    let read = jobs.get_permissions("11").unwrap();
    let request = JobPermissionsRequest {
        access_control_list: vec![JobAccessControlRequest {
            group_name: Some("analysts".into()),
            permission_level: Some(JobPermissionLevel::CanView),
            ..Default::default()
        }],
        ..Default::default()
    };
    jobs.set_permissions("11", &request).unwrap();
    jobs.update_permissions("11", &request).unwrap();
    let listed = jobs.get_permission_levels("11").unwrap();
    get.assert();
    set.assert();
    update.assert();
    levels.assert();
    assert_eq!(read.object_id.as_deref(), Some("/jobs/11"));
    let owner = &read.access_control_list[0];
    assert_eq!(
        owner.all_permissions[0].permission_level,
        Some(JobPermissionLevel::IsOwner)
    );
    assert_eq!(listed.permission_levels.len(), 2);
}

// ---- Waiting for a run, on a fake clock against a scripted server. ----

const RUNNING: &str =
    r#"{"run_id": 5, "state": {"life_cycle_state": "RUNNING"}, "status": {"state": "RUNNING"}}"#;
const PENDING: &str =
    r#"{"run_id": 5, "state": {"life_cycle_state": "PENDING"}, "status": {"state": "PENDING"}}"#;
const SUCCEEDED: &str = r#"{"run_id": 5, "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"}, "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS", "type": "SUCCESS"}}}"#;
const STARTED: &str = r#"{"run_id": 5, "number_in_job": 5}"#;
const UNAVAILABLE: &str = r#"{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "try later"}"#;

fn scripted(steps: Vec<Step>) -> (ScriptedServer, Client, std::sync::Arc<FakeClock>) {
    let server = ScriptedServer::start(steps);
    let clock = FakeClock::new();
    let client = Client::builder(&server.url)
        .auth(Auth::personal_access_token(common::TOKEN))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .clock(clock.clone())
        .build()
        .unwrap();
    (server, client, clock)
}

#[test]
fn a_5xx_while_polling_is_tolerated_and_each_change_reported() {
    let (server, client, _) = scripted(vec![
        Step::Answer(200, STARTED),
        Step::Answer(200, PENDING),
        Step::Answer(503, UNAVAILABLE),
        Step::Answer(200, RUNNING),
        Step::Answer(200, RUNNING),
        Step::Answer(200, SUCCEEDED),
    ]);
    let mut changes = Vec::new();
    let run = client
        .jobs()
        .run_now_and_wait(
            &RunNow {
                job_id: 11,
                ..Default::default()
            },
            RunWait::default().on_change(|run| {
                changes.push(
                    run.status
                        .as_ref()
                        .unwrap()
                        .state
                        .as_ref()
                        .unwrap()
                        .to_string(),
                )
            }),
        )
        .unwrap();
    assert_eq!(run.run_id, Some(5));
    assert_eq!(changes, ["PENDING", "RUNNING", "TERMINATED"]);
    assert_eq!(server.requests().len(), 6);
}

#[test]
fn the_deadline_cancels_the_run_when_asked() {
    let (server, client, clock) =
        scripted(vec![Step::Answer(200, STARTED), Step::Answer(200, RUNNING)]);
    let err = client
        .jobs()
        .run_now_and_wait(
            &RunNow {
                job_id: 11,
                ..Default::default()
            },
            RunWait::default()
                .timeout(Duration::from_secs(600))
                .jitter(Duration::from_secs(3))
                .cancel_on_timeout(),
        )
        .unwrap_err();
    let wait = err.wait().unwrap();
    assert_eq!(wait.timed_out(), Some(Duration::from_secs(600)));
    assert_eq!(wait.note(), Some("the run was cancelled"));
    assert_eq!(wait.state(), Some("RUNNING"));
    let requests = server.requests();
    assert!(
        requests
            .last()
            .unwrap()
            .starts_with("POST /api/2.2/jobs/runs/cancel ")
    );
    assert_eq!(server.bodies().last().unwrap(), br#"{"run_id":5}"#);
    assert_eq!(clock.slept(), Duration::from_secs(600));
    assert!(clock.sleeps().iter().all(|s| *s <= Duration::from_secs(10)));
    // Without the option the run is left running.
    let (server, client, _) = scripted(vec![Step::Answer(200, RUNNING)]);
    let err = client
        .jobs()
        .wait_for_run(5, Duration::from_secs(60))
        .unwrap_err();
    assert_eq!(err.wait().unwrap().note(), None);
    assert!(server.requests().iter().all(|r| r.starts_with("GET ")));
}

#[test]
fn status_is_read_before_the_deprecated_state() {
    // `state` says the run is over while `status` says it runs: the wait goes on.
    let stale = r#"{"run_id": 5, "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"}, "status": {"state": "RUNNING"}}"#;
    let (server, client, _) =
        scripted(vec![Step::Answer(200, stale), Step::Answer(200, SUCCEEDED)]);
    client
        .jobs()
        .wait_for_run(5, Duration::from_secs(60))
        .unwrap();
    assert_eq!(server.requests().len(), 2);
    // Without `status`, `state` decides.
    let legacy =
        r#"{"run_id": 5, "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"}}"#;
    let (server, client, _) = scripted(vec![Step::Answer(200, legacy)]);
    client
        .jobs()
        .wait_for_run(5, Duration::from_secs(60))
        .unwrap();
    assert_eq!(server.requests().len(), 1);
    let lost = r#"{"run_id": 5, "state": {"life_cycle_state": "INTERNAL_ERROR", "state_message": "cluster lost"}}"#;
    let (_, client, _) = scripted(vec![Step::Answer(200, lost)]);
    let err = client
        .jobs()
        .wait_for_run(5, Duration::from_secs(60))
        .unwrap_err();
    assert_eq!(err.wait().unwrap().state(), Some("INTERNAL_ERROR"));
    assert_eq!(err.wait().unwrap().state_message(), Some("cluster lost"));
}

#[test]
fn a_failed_run_is_an_error_naming_its_result_message_and_failed_tasks() {
    let failed = r#"{"run_id": 5,
        "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED", "state_message": "Task report failed with message: no input."},
        "status": {"state": "TERMINATED", "termination_details": {"code": "RUN_EXECUTION_ERROR", "type": "CLIENT_ERROR", "message": "Task report failed with message: no input."}},
        "tasks": [
            {"task_key": "ingest", "run_id": 6, "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS"}}},
            {"task_key": "report", "run_id": 7, "status": {"state": "TERMINATED", "termination_details": {"code": "RUN_EXECUTION_ERROR", "message": "ValueError: no input"}}}
        ]}"#;
    let (_, client, _) = scripted(vec![Step::Answer(200, failed)]);
    let err = client
        .jobs()
        .wait_for_run(5, Duration::from_secs(60))
        .unwrap_err();
    let wait = err.wait().unwrap();
    assert_eq!(wait.state(), Some("RUN_EXECUTION_ERROR"));
    assert_eq!(
        wait.state_message(),
        Some("Task report failed with message: no input.")
    );
    assert_eq!(
        wait.reason(),
        Some("task `report`: RUN_EXECUTION_ERROR: ValueError: no input")
    );
    assert_eq!(
        wait.last::<azure_databricks_sdk::models::Run>()
            .unwrap()
            .tasks
            .len(),
        2
    );
    let text = err.to_string();
    assert!(
        text.contains("run 5") && text.contains("ValueError: no input"),
        "{text}"
    );
}

#[test]
fn permission_operations_fill_in_their_path_templates() {
    use azure_databricks_sdk::operations;
    // The requests above went to these templates with `{job_id}` = 11.
    let templates = [
        (
            &operations::JOBS_GET_PERMISSIONS,
            "/api/2.0/permissions/jobs/{job_id}",
        ),
        (
            &operations::JOBS_SET_PERMISSIONS,
            "/api/2.0/permissions/jobs/{job_id}",
        ),
        (
            &operations::JOBS_UPDATE_PERMISSIONS,
            "/api/2.0/permissions/jobs/{job_id}",
        ),
        (
            &operations::JOBS_GET_PERMISSION_LEVELS,
            "/api/2.0/permissions/jobs/{job_id}/permissionLevels",
        ),
    ];
    for (operation, path) in templates {
        assert_eq!(operation.path, path);
    }
    // A job id that is not one path segment is refused before sending.
    let server = MockServer::start();
    let err = common::client(&server)
        .jobs()
        .get_permissions("..")
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
}
