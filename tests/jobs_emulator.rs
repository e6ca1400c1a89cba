//! Scenarios of the Jobs API against the workspace emulator, in emulated time: notebook tasks
//! whose outcome comes from their notebook's source, waits, cancel, repair, queueing, job
//! clusters, paging of lists and of the arrays inside `get`, permissions.

use std::time::Duration;

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    CancelAllRuns, ClusterAttributes, ClusterState, CreateJob, DeleteJob, DeleteRun,
    ExportRunRequest, JobAccessControlRequest, JobCluster, JobPermissionLevel,
    JobPermissionsRequest, JobSettings, ListJobsRequest, ListRunsRequest, NotebookTask,
    QueueSettings, RepairRun, ResetJob, RunIf, RunNow, SubmitRun, SubmitTask, Task, TaskDependency,
    UpdateJob,
};
use azure_databricks_sdk::{Client, RunWait};

const HOUR: Duration = Duration::from_secs(3600);

fn notebook_task(key: &str, path: &str) -> Task {
    Task {
        task_key: key.into(),
        notebook_task: Some(NotebookTask {
            notebook_path: path.into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn job(client: &Client, name: &str, tasks: Vec<Task>) -> i64 {
    client
        .jobs()
        .create(&CreateJob::from(JobSettings {
            name: Some(name.into()),
            tasks,
            ..Default::default()
        }))
        .unwrap()
        .job_id
        .unwrap()
}

fn run_now(job_id: i64) -> RunNow {
    RunNow {
        job_id,
        ..Default::default()
    }
}

#[test]
fn a_notebook_that_exits_succeeds_with_its_result_and_reports_each_state() {
    let ws = Emulator::start().unwrap();
    ws.add_notebook(
        "/Shared/etl",
        "import time\ntime.sleep(120)\ndbutils.notebook.exit(\"42 rows\")",
    );
    let client = ws.client();
    let id = job(&client, "etl", vec![notebook_task("etl", "/Shared/etl")]);
    let mut states = Vec::new();
    let run = client
        .jobs()
        .run_now_and_wait(
            &run_now(id),
            RunWait::from(HOUR).on_change(|run| {
                states.push(
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
    assert_eq!(states.first().map(String::as_str), Some("PENDING"));
    assert!(states.contains(&"RUNNING".to_string()));
    assert_eq!(states.last().map(String::as_str), Some("TERMINATED"));
    let task = &run.tasks[0];
    assert!(task.execution_duration.unwrap() >= 120_000);
    let outputs = client.jobs().run_output(run.run_id.unwrap()).unwrap();
    assert_eq!(outputs.len(), 1);
    assert_eq!(
        outputs[0]
            .output
            .notebook_output
            .as_ref()
            .unwrap()
            .result
            .as_deref(),
        Some("42 rows")
    );
    // The parent run has no output of its own, as the service answers.
    let parent = client
        .jobs()
        .get_run_output(&azure_databricks_sdk::models::GetRunOutputRequest {
            run_id: run.run_id.unwrap(),
            ..Default::default()
        })
        .unwrap_err();
    assert!(parent.to_string().contains("multiple tasks"), "{parent}");
    let views = client
        .jobs()
        .export_run(&ExportRunRequest {
            run_id: task.run_id.unwrap(),
            ..Default::default()
        })
        .unwrap();
    assert!(
        views.views[0]
            .content
            .as_deref()
            .unwrap()
            .contains("42 rows")
    );
}

#[test]
fn a_raise_fails_the_run_naming_the_task_and_a_repair_reruns_it() {
    let ws = Emulator::start().unwrap();
    ws.add_notebook("/Shared/a", "dbutils.notebook.exit('ok')");
    ws.add_notebook("/Shared/b", "raise ValueError(\"no input for 2024-09-01\")");
    let client = ws.client();
    let id = job(
        &client,
        "two",
        vec![
            notebook_task("a", "/Shared/a"),
            Task {
                depends_on: vec![TaskDependency {
                    task_key: "a".into(),
                    ..Default::default()
                }],
                ..notebook_task("b", "/Shared/b")
            },
            Task {
                depends_on: vec![TaskDependency {
                    task_key: "b".into(),
                    ..Default::default()
                }],
                ..notebook_task("c", "/Shared/a")
            },
            Task {
                depends_on: vec![TaskDependency {
                    task_key: "b".into(),
                    ..Default::default()
                }],
                run_if: Some(RunIf::AllDone),
                ..notebook_task("cleanup", "/Shared/a")
            },
        ],
    );
    let err = client
        .jobs()
        .run_now_and_wait(&run_now(id), HOUR)
        .unwrap_err();
    let wait = err.wait().unwrap();
    assert_eq!(wait.state(), Some("RUN_EXECUTION_ERROR"));
    assert!(
        wait.state_message()
            .unwrap()
            .contains("no input for 2024-09-01")
    );
    assert!(
        wait.reason().unwrap().contains("task `b`"),
        "{:?}",
        wait.reason()
    );
    let run = wait
        .last::<azure_databricks_sdk::models::Run>()
        .unwrap()
        .clone();
    let result = |key: &str| {
        let task = run.tasks.iter().find(|t| t.task_key == key).unwrap();
        task.state
            .as_ref()
            .unwrap()
            .result_state
            .as_ref()
            .map(ToString::to_string)
    };
    assert_eq!(result("a").as_deref(), Some("SUCCESS"));
    assert_eq!(result("b").as_deref(), Some("FAILED"));
    assert_eq!(result("c").as_deref(), Some("UPSTREAM_FAILED"));
    assert_eq!(result("cleanup").as_deref(), Some("SUCCESS"));
    let outputs = client.jobs().run_output(run.run_id.unwrap()).unwrap();
    let b = outputs.iter().find(|o| o.task_key == "b").unwrap();
    assert_eq!(b.output.error.as_deref(), Some("no input for 2024-09-01"));
    // Fix the notebook and repair the failed tasks and their dependents.
    ws.add_notebook("/Shared/b", "dbutils.notebook.exit('fixed')");
    let repaired = client
        .jobs()
        .repair_run_and_wait(
            &RepairRun {
                run_id: run.run_id.unwrap(),
                rerun_all_failed_tasks: Some(true),
                rerun_dependent_tasks: Some(true),
                ..Default::default()
            },
            HOUR,
        )
        .unwrap();
    assert_eq!(repaired.repair_history.len(), 2);
    let b = repaired.tasks.iter().find(|t| t.task_key == "b").unwrap();
    assert_eq!(b.attempt_number, Some(1));
}

#[test]
fn a_missing_notebook_fails_the_task_as_the_service_says() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let err = client
        .jobs()
        .submit_and_wait(
            &SubmitRun {
                run_name: Some("adhoc".into()),
                tasks: vec![SubmitTask {
                    task_key: "gone".into(),
                    notebook_task: Some(NotebookTask {
                        notebook_path: "/Shared/nope".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            },
            HOUR,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("Notebook not found: /Shared/nope"),
        "{err}"
    );
}

#[test]
fn a_sleeping_run_is_cancelled_and_a_deadline_can_cancel_it() {
    let ws = Emulator::start().unwrap();
    ws.add_notebook("/Shared/slow", "import time\ntime.sleep(3600)");
    let client = ws.client();
    let submit = SubmitRun {
        tasks: vec![SubmitTask {
            task_key: "slow".into(),
            notebook_task: Some(NotebookTask {
                notebook_path: "/Shared/slow".into(),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    };
    let run_id = client.jobs().submit(&submit).unwrap().run_id.unwrap();
    ws.advance(Duration::from_secs(60));
    let cancelled = client.jobs().cancel_run_and_wait(run_id, HOUR).unwrap();
    assert_eq!(
        cancelled.state.unwrap().result_state.unwrap().to_string(),
        "CANCELED"
    );
    let err = client
        .jobs()
        .submit_and_wait(
            &submit,
            RunWait::from(Duration::from_secs(600)).cancel_on_timeout(),
        )
        .unwrap_err();
    assert_eq!(err.wait().unwrap().note(), Some("the run was cancelled"));
    let run = err
        .wait()
        .unwrap()
        .last::<azure_databricks_sdk::models::Run>()
        .unwrap();
    ws.advance(Duration::from_secs(30));
    let after = client.jobs().get_run(run.run_id.unwrap()).unwrap();
    assert_eq!(
        after.status.unwrap().state.unwrap().to_string(),
        "TERMINATED"
    );
}

#[test]
fn runs_queue_behind_max_concurrent_runs_or_are_skipped_without_a_queue() {
    let ws = Emulator::start().unwrap();
    ws.add_notebook("/Shared/n", "time.sleep(60)");
    let client = ws.client();
    let jobs = client.jobs();
    let queued = jobs
        .create(&CreateJob::from(JobSettings {
            queue: Some(QueueSettings {
                enabled: true,
                ..Default::default()
            }),
            tasks: vec![notebook_task("n", "/Shared/n")],
            ..Default::default()
        }))
        .unwrap()
        .job_id
        .unwrap();
    let first = jobs.run_now(&run_now(queued)).unwrap().run_id.unwrap();
    let second = jobs.run_now(&run_now(queued)).unwrap().run_id.unwrap();
    let state = |id| {
        jobs.get_run(id)
            .unwrap()
            .status
            .unwrap()
            .state
            .unwrap()
            .to_string()
    };
    assert_eq!(state(first), "PENDING");
    assert_eq!(state(second), "QUEUED");
    let done = jobs.wait_for_run(second, HOUR).unwrap();
    let first_run = jobs.get_run(first).unwrap();
    assert!(done.start_time.unwrap() < first_run.end_time.unwrap());
    assert!(done.queue_duration.unwrap() > 0);
    let active = jobs
        .list_runs(&ListRunsRequest {
            job_id: Some(queued),
            active_only: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert!(active.is_empty());
    // Without a queue, a run over the limit is skipped.
    let unqueued = job(&client, "unqueued", vec![notebook_task("n", "/Shared/n")]);
    jobs.run_now(&run_now(unqueued)).unwrap();
    let skipped = jobs.run_now(&run_now(unqueued)).unwrap().run_id.unwrap();
    let skipped = jobs.get_run(skipped).unwrap();
    assert_eq!(
        skipped.state.unwrap().life_cycle_state.unwrap().to_string(),
        "SKIPPED"
    );
    // cancel-all ends the active run: both runs are then over (one skipped, one cancelled).
    jobs.cancel_all_runs(&CancelAllRuns {
        job_id: Some(unqueued),
        ..Default::default()
    })
    .unwrap();
    let runs = jobs
        .list_runs(&ListRunsRequest {
            job_id: Some(unqueued),
            completed_only: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[1]
            .state
            .as_ref()
            .unwrap()
            .result_state
            .as_ref()
            .unwrap()
            .to_string(),
        "CANCELED"
    );
}

#[test]
fn job_clusters_are_made_for_the_run_and_a_terminated_cluster_is_started() {
    let ws = Emulator::start().unwrap();
    ws.add_notebook("/Shared/n", "dbutils.notebook.exit('x')");
    let client = ws.client();
    let spec = ClusterAttributes {
        spark_version: "15.4.x-scala2.12".into(),
        node_type_id: Some("Standard_DS3_v2".into()),
        num_workers: Some(1),
        ..Default::default()
    };
    let existing = client
        .clusters()
        .create_and_wait(&spec, HOUR)
        .unwrap()
        .cluster_id;
    client.clusters().delete_and_wait(&existing, HOUR).unwrap();
    let id = client
        .jobs()
        .create(&CreateJob::from(JobSettings {
            job_clusters: vec![JobCluster {
                job_cluster_key: "etl".into(),
                new_cluster: Some(azure_databricks_sdk::models::ClusterSpec {
                    spark_version: Some("15.4.x-scala2.12".into()),
                    node_type_id: Some("Standard_DS3_v2".into()),
                    num_workers: Some(2),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            tasks: vec![
                Task {
                    job_cluster_key: Some("etl".into()),
                    ..notebook_task("on_job_cluster", "/Shared/n")
                },
                Task {
                    existing_cluster_id: Some(existing.clone()),
                    ..notebook_task("on_existing", "/Shared/n")
                },
            ],
            ..Default::default()
        }))
        .unwrap()
        .job_id
        .unwrap();
    let run = client.jobs().run_now_and_wait(&run_now(id), HOUR).unwrap();
    let job_cluster = run.tasks[0]
        .cluster_instance
        .as_ref()
        .unwrap()
        .cluster_id
        .clone()
        .unwrap();
    ws.advance(Duration::from_secs(120));
    assert_eq!(
        client.clusters().get(&job_cluster).unwrap().state,
        Some(ClusterState::Terminated)
    );
    assert_eq!(
        client.clusters().get(&existing).unwrap().state,
        Some(ClusterState::Running)
    );
}

#[test]
fn lists_and_large_arrays_are_paged() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let tasks: Vec<Task> = (0..150)
        .map(|i| notebook_task(&format!("t{i:03}"), "/Shared/n"))
        .collect();
    let big = job(&client, "big", tasks);
    for i in 0..45 {
        job(
            &client,
            &format!("job {i}"),
            vec![notebook_task("t", "/Shared/n")],
        );
    }
    let page = client
        .jobs()
        .get_page(&azure_databricks_sdk::models::GetJobRequest {
            job_id: big,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.settings.unwrap().tasks.len(), 100);
    assert!(page.next_page_token.is_some());
    let whole = client.jobs().get(big).unwrap();
    assert_eq!(whole.settings.unwrap().tasks.len(), 150);
    let request = ListJobsRequest {
        limit: Some(10),
        ..Default::default()
    };
    let all = client.jobs().list(&request).unwrap();
    assert_eq!(all.len(), 46);
    assert_eq!(all.last().unwrap().job_id, Some(big));
    let named = client
        .jobs()
        .list(&ListJobsRequest {
            name: Some("JOB 7".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(named.len(), 1);
}

#[test]
fn update_reset_delete_and_permissions_change_the_job() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let jobs = client.jobs();
    let id = job(
        &client,
        "etl",
        vec![notebook_task("a", "/a"), notebook_task("b", "/b")],
    );
    jobs.update(&UpdateJob {
        job_id: id,
        new_settings: Some(JobSettings {
            max_concurrent_runs: Some(4),
            tasks: vec![notebook_task("c", "/c")],
            ..Default::default()
        }),
        fields_to_remove: vec!["tasks/a".into()],
        ..Default::default()
    })
    .unwrap();
    let settings = jobs.get(id).unwrap().settings.unwrap();
    let keys: Vec<&str> = settings.tasks.iter().map(|t| t.task_key.as_str()).collect();
    assert_eq!(keys, ["b", "c"]);
    assert_eq!(settings.max_concurrent_runs, Some(4));
    jobs.reset(&ResetJob {
        job_id: id,
        new_settings: JobSettings {
            name: Some("renamed".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    let settings = jobs.get(id).unwrap().settings.unwrap();
    assert!(settings.tasks.is_empty());
    assert_eq!(settings.name.as_deref(), Some("renamed"));
    let request = JobPermissionsRequest {
        access_control_list: vec![JobAccessControlRequest {
            group_name: Some("analysts".into()),
            permission_level: Some(JobPermissionLevel::CanView),
            ..Default::default()
        }],
        ..Default::default()
    };
    let key = id.to_string();
    jobs.set_permissions(&key, &request).unwrap();
    let after = jobs
        .update_permissions(
            &key,
            &JobPermissionsRequest {
                access_control_list: vec![JobAccessControlRequest {
                    user_name: Some("bob@contoso.com".into()),
                    permission_level: Some(JobPermissionLevel::CanManageRun),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(after.access_control_list.len(), 4);
    assert_eq!(
        jobs.get_permissions(&key).unwrap().object_id,
        Some(format!("/jobs/{id}"))
    );
    assert_eq!(
        jobs.get_permission_levels(&key)
            .unwrap()
            .permission_levels
            .len(),
        4
    );
    let run_id = jobs
        .submit(&SubmitRun {
            tasks: vec![SubmitTask {
                task_key: "x".into(),
                notebook_task: Some(NotebookTask {
                    notebook_path: "/x".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap()
        .run_id
        .unwrap();
    let active = jobs
        .delete_run(&DeleteRun {
            run_id,
            ..Default::default()
        })
        .unwrap_err();
    assert!(active.is_invalid_state(), "{active}");
    jobs.wait_for_run(run_id, HOUR).unwrap_err();
    jobs.delete_run(&DeleteRun {
        run_id,
        ..Default::default()
    })
    .unwrap();
    jobs.delete(&DeleteJob {
        job_id: id,
        ..Default::default()
    })
    .unwrap();
    assert!(jobs.get(id).unwrap_err().is_not_found());
    assert!(jobs.get_run(run_id).unwrap_err().is_not_found());
}

#[test]
fn a_repeated_idempotency_token_answers_the_first_run() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = job(&client, "etl", vec![notebook_task("a", "/a")]);
    let request = RunNow {
        idempotency_token: Some("deploy-42".into()),
        ..run_now(id)
    };
    let first = client.jobs().run_now(&request).unwrap().run_id;
    let again = client.jobs().run_now(&request).unwrap().run_id;
    assert_eq!(first, again);
}

#[test]
fn a_notebook_imported_through_the_workspace_api_decides_its_task() {
    use azure_databricks_sdk::models::{ImportFormat, Language};
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    client.workspace().mkdirs("/Users/admin/etl").unwrap();
    let source = "# Databricks notebook source\nraise ValueError(\"bad input file\")\n";
    client
        .workspace()
        .import(
            "/Users/admin/etl/check",
            source.as_bytes(),
            ImportFormat::Source,
            Some(Language::Python),
            false,
        )
        .unwrap();
    let run = client
        .jobs()
        .submit_and_wait(
            &SubmitRun {
                tasks: vec![SubmitTask {
                    task_key: "check".into(),
                    notebook_task: Some(NotebookTask {
                        notebook_path: "/Users/admin/etl/check".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            },
            HOUR,
        )
        .unwrap_err();
    let message = run.to_string();
    assert!(message.contains("bad input file"), "{message}");
    assert!(message.contains("instead of SUCCESS"), "{message}");
    let last = run
        .wait()
        .unwrap()
        .last::<azure_databricks_sdk::models::Run>();
    let state = last
        .and_then(|r| r.state.as_ref())
        .and_then(|s| s.result_state.as_ref());
    assert_eq!(state.map(|s| s.as_str()), Some("FAILED"));
}
