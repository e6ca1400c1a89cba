//! What the jobs service remembers: jobs (settings, owner, direct permissions), runs, the
//! idempotency tokens of run-now and submit.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::runs::{Phase, RunRecord, TaskRun, World};
use crate::error::ApiError;

/// A job.
#[derive(Debug, Clone)]
pub(crate) struct StoredJob {
    pub(crate) job_id: i64,
    pub(crate) creator: String,
    pub(crate) created_time: i64,
    /// `JobSettings` as JSON (unknown fields kept).
    pub(crate) settings: Map<String, Value>,
    /// Direct permissions: (principal kind, name, level).
    pub(crate) acl: Vec<(String, String, String)>,
    pub(crate) runs_started: i64,
}

/// The jobs service's state.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    pub(crate) jobs: BTreeMap<i64, StoredJob>,
    pub(crate) runs: BTreeMap<i64, RunRecord>,
    /// Task run id → its run's id.
    pub(crate) task_runs: BTreeMap<i64, i64>,
    next_id: i64,
}

/// "Job … does not exist." (400 `INVALID_PARAMETER_VALUE`, as the service answers).
pub(crate) fn no_job(id: i64) -> ApiError {
    ApiError::invalid_parameter(format!("Job {id} does not exist."))
}

/// "Run … does not exist."
pub(crate) fn no_run(id: i64) -> ApiError {
    ApiError::invalid_parameter(format!("Run {id} does not exist."))
}

impl Jobs {
    /// A new job or run id (one sequence, as the service's ids never collide).
    pub(crate) fn next_id(&mut self) -> i64 {
        if self.next_id == 0 {
            self.next_id = 1_000_000;
        }
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn job(&self, id: i64) -> Result<&StoredJob, ApiError> {
        self.jobs.get(&id).ok_or_else(|| no_job(id))
    }

    pub(crate) fn job_mut(&mut self, id: i64) -> Result<&mut StoredJob, ApiError> {
        self.jobs.get_mut(&id).ok_or_else(|| no_job(id))
    }

    pub(crate) fn run(&self, id: i64) -> Result<&RunRecord, ApiError> {
        self.runs.get(&id).ok_or_else(|| no_run(id))
    }

    /// A run from the tasks' settings; QUEUED until [`Jobs::settle`] gives it a slot.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new_run(
        &mut self,
        job_id: Option<i64>,
        run_name: String,
        creator: &str,
        now: i64,
        tasks: Vec<Value>,
        job_clusters: Vec<Value>,
        extra: Map<String, Value>,
    ) -> i64 {
        let run_id = self.next_id();
        let tasks: Vec<TaskRun> = tasks
            .into_iter()
            .map(|t| {
                let id = self.next_id();
                self.task_runs.insert(id, run_id);
                TaskRun::new(id, t)
            })
            .collect();
        let (queue, max_concurrent, number_in_job) =
            match job_id.and_then(|id| self.jobs.get_mut(&id)) {
                Some(job) => {
                    job.runs_started += 1;
                    (
                        job.settings
                            .get("queue")
                            .and_then(|q| q["enabled"].as_bool())
                            .unwrap_or(false),
                        job.settings
                            .get("max_concurrent_runs")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                            .max(1),
                        Some(run_id),
                    )
                }
                None => (true, i64::MAX, None),
            };
        self.runs.insert(
            run_id,
            RunRecord {
                run_id,
                job_id,
                run_name,
                creator: creator.to_string(),
                run_type: if job_id.is_some() {
                    "JOB_RUN"
                } else {
                    "SUBMIT_RUN"
                },
                number_in_job,
                created: now,
                phase: Phase::Queued,
                since: now,
                pending_until: now,
                start_time: None,
                end_time: None,
                tasks,
                job_clusters,
                job_parameters: Vec::new(),
                queue,
                max_concurrent,
                made_clusters: BTreeMap::new(),
                ended: None,
                cancel_requested: false,
                repairs: Vec::new(),
                idempotency_token: None,
                extra,
            },
        );
        run_id
    }

    /// Brings every run up to `now`, oldest first: a queued run starts when its job has room
    /// (`max_concurrent_runs`, 1 by default), at the time the slot freed. (A run that finds no
    /// room when it is asked for and whose job has no queue is skipped by `run-now` itself.)
    pub(crate) fn settle(&mut self, now: i64, mut world: World<'_>) {
        let world = &mut world;
        let ids: Vec<i64> = self.runs.keys().copied().collect();
        for &id in &ids {
            let Some(run) = self.runs.get(&id) else {
                continue;
            };
            let slot = match (run.phase, run.job_id) {
                (Phase::Queued, Some(job_id)) => {
                    let started: Vec<&RunRecord> = self
                        .runs
                        .values()
                        .filter(|r| r.job_id == Some(job_id) && r.run_id < id)
                        .filter(|r| r.phase != Phase::Queued)
                        .collect();
                    let active = started.iter().filter(|r| r.is_active()).count() as i64;
                    (active < run.max_concurrent).then(|| {
                        started
                            .iter()
                            .filter_map(|r| r.end_time)
                            .filter(|end| *end > run.since)
                            .max()
                            .unwrap_or(run.since)
                    })
                }
                _ => Some(run.since),
            };
            if let Some(run) = self.runs.get_mut(&id) {
                run.advance(now, slot, world);
            }
        }
    }

    /// The number of runs of `job_id` that are not over.
    pub(crate) fn active_runs(&self, job_id: i64) -> usize {
        self.runs
            .values()
            .filter(|r| r.job_id == Some(job_id) && r.is_active())
            .count()
    }

    /// The job as `jobs/get` and `jobs/list` answer it.
    pub(crate) fn job_json(&self, job: &StoredJob) -> Value {
        json!({
            "job_id": job.job_id,
            "creator_user_name": job.creator,
            "run_as_user_name": job.creator,
            "created_time": job.created_time,
            "settings": Value::Object(job.settings.clone()),
        })
    }
}
