//! A job run in emulated time: QUEUED → PENDING (its clusters start) → RUNNING (tasks in
//! dependency order) → TERMINATING (job clusters terminate) → TERMINATED, or SKIPPED (the
//! job's concurrent-run limit without a queue) or INTERNAL_ERROR (a cluster that cannot be
//! had). Everything is decided when due: [`RunRecord::advance`] brings a run up to a time.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::notebook::{self, Outcome};
use crate::services::clusters::Clusters;
use crate::services::clusters::catalog::Catalog;
use crate::services::workspace::WorkspaceTree;
use crate::workspace::Env;
use azure_databricks_sdk::models::ClusterState;

/// PENDING without a cluster to start, in emulated milliseconds.
pub(crate) const PENDING_MS: i64 = 5_000;
/// How long a task other than a notebook with `time.sleep` runs.
pub(crate) const TASK_MS: i64 = 10_000;
/// TERMINATING → TERMINATED.
pub(crate) const TERMINATING_MS: i64 = 5_000;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued,
    Pending,
    Running,
    Terminating,
    Terminated,
}

/// How a run or a task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ended {
    /// `state.life_cycle_state`: TERMINATED, SKIPPED or INTERNAL_ERROR.
    pub(crate) life: &'static str,
    /// `state.result_state`, when there is one.
    pub(crate) result: Option<&'static str>,
    /// `status.termination_details.code`.
    pub(crate) code: &'static str,
    /// `status.termination_details.type`.
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

impl Ended {
    fn success() -> Self {
        Ended {
            life: "TERMINATED",
            result: Some("SUCCESS"),
            code: "SUCCESS",
            kind: "SUCCESS",
            message: String::new(),
        }
    }

    fn canceled(message: &str) -> Self {
        Ended {
            life: "TERMINATED",
            result: Some("CANCELED"),
            code: "CANCELED",
            kind: "SUCCESS",
            message: message.into(),
        }
    }

    pub(crate) fn succeeded(&self) -> bool {
        self.result == Some("SUCCESS")
    }
}

/// One task of a run.
#[derive(Debug, Clone)]
pub(crate) struct TaskRun {
    pub(crate) run_id: i64,
    pub(crate) key: String,
    /// The task's settings as the job (or submit) gave them.
    pub(crate) settings: Value,
    pub(crate) attempt: i64,
    pub(crate) start: Option<i64>,
    /// When it ends (known when it starts; earlier when cancelled).
    pub(crate) end: Option<i64>,
    pub(crate) ended: Option<Ended>,
    /// What a notebook's source made of it: result, error.
    pub(crate) output: Option<Outcome>,
    pub(crate) cluster_id: Option<String>,
}

impl TaskRun {
    pub(crate) fn new(run_id: i64, settings: Value) -> Self {
        TaskRun {
            run_id,
            key: settings["task_key"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            settings,
            attempt: 0,
            start: None,
            end: None,
            ended: None,
            output: None,
            cluster_id: None,
        }
    }

    fn depends_on(&self) -> Vec<String> {
        self.settings["depends_on"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["task_key"].as_str().map(str::to_string))
            .collect()
    }

    fn done_by(&self, now: i64) -> bool {
        self.ended.is_some() && self.end.is_some_and(|e| e <= now)
    }
}

/// One run of a job, or a submitted run.
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    pub(crate) run_id: i64,
    pub(crate) job_id: Option<i64>,
    pub(crate) run_name: String,
    pub(crate) creator: String,
    pub(crate) run_type: &'static str,
    pub(crate) number_in_job: Option<i64>,
    pub(crate) created: i64,
    pub(crate) phase: Phase,
    /// When the current phase began.
    pub(crate) since: i64,
    /// When PENDING ends.
    pub(crate) pending_until: i64,
    /// When the run left the queue (first PENDING).
    pub(crate) start_time: Option<i64>,
    pub(crate) end_time: Option<i64>,
    pub(crate) tasks: Vec<TaskRun>,
    pub(crate) job_clusters: Vec<Value>,
    pub(crate) job_parameters: Vec<Value>,
    pub(crate) queue: bool,
    pub(crate) max_concurrent: i64,
    /// Clusters made for this run, by job cluster key (or `task:<key>` for a task's own).
    pub(crate) made_clusters: BTreeMap<String, String>,
    pub(crate) ended: Option<Ended>,
    pub(crate) cancel_requested: bool,
    pub(crate) repairs: Vec<Value>,
    pub(crate) idempotency_token: Option<String>,
    /// The job's settings when the run was created, for answers (`run_name`, ...).
    pub(crate) extra: Map<String, Value>,
}

/// What a run needs from the rest of the workspace while it advances.
pub(crate) struct World<'a> {
    pub(crate) clusters: &'a mut Clusters,
    pub(crate) env: &'a mut Env,
    pub(crate) catalog: &'a Catalog,
    pub(crate) notebooks: &'a WorkspaceTree,
}

impl RunRecord {
    pub(crate) fn is_active(&self) -> bool {
        self.phase != Phase::Terminated
    }

    /// Brings the run up to `now`. `slot_free_at` says from when the job has room for one
    /// more active run (`None`: not by `now`).
    pub(crate) fn advance(&mut self, now: i64, slot_free_at: Option<i64>, world: &mut World<'_>) {
        loop {
            match self.phase {
                Phase::Queued => match slot_free_at {
                    Some(at) if at <= now => self.begin_pending(at.max(self.since), world),
                    _ => return,
                },
                Phase::Pending => {
                    if self.pending_until > now {
                        return;
                    }
                    self.phase = Phase::Running;
                    self.since = self.pending_until;
                }
                Phase::Running => {
                    self.run_tasks(now, world);
                    if self.phase == Phase::Running {
                        return;
                    }
                }
                Phase::Terminating => {
                    if self.since + TERMINATING_MS > now {
                        return;
                    }
                    self.phase = Phase::Terminated;
                    self.end_time = Some(self.since + TERMINATING_MS);
                }
                Phase::Terminated => return,
            }
        }
    }

    /// Leaves the queue at `at`: the run's clusters are made or started.
    pub(crate) fn begin_pending(&mut self, at: i64, world: &mut World<'_>) {
        self.phase = Phase::Pending;
        self.since = at;
        self.start_time.get_or_insert(at);
        let mut starts_cluster = false;
        for i in 0..self.tasks.len() {
            if self.tasks[i].ended.is_some() {
                continue;
            }
            match self.cluster_for(i, at, world) {
                Ok((id, started)) => {
                    starts_cluster |= started;
                    self.tasks[i].cluster_id = id;
                }
                Err(message) => {
                    self.finish_now(
                        at,
                        Ended {
                            life: "INTERNAL_ERROR",
                            result: Some("FAILED"),
                            code: "CLUSTER_ERROR",
                            kind: "CLIENT_ERROR",
                            message,
                        },
                        world,
                    );
                    return;
                }
            }
        }
        let startup = world.env.timings.startup;
        self.pending_until = at + if starts_cluster { startup } else { PENDING_MS };
    }

    /// The cluster task `i` runs on, and whether getting it starts a cluster.
    fn cluster_for(
        &mut self,
        i: usize,
        at: i64,
        world: &mut World<'_>,
    ) -> Result<(Option<String>, bool), String> {
        let settings = self.tasks[i].settings.clone();
        if let Some(id) = settings["existing_cluster_id"].as_str() {
            let cluster = world
                .clusters
                .get_mut(id)
                .map_err(|e| format!("Cluster {id} does not exist: {}", e.message))?;
            let state = cluster.phase.state();
            if state == ClusterState::Terminated {
                cluster
                    .start(&self.creator, at, world.env)
                    .map_err(|e| e.message)?;
                return Ok((Some(id.to_string()), true));
            }
            let starting = matches!(state, ClusterState::Pending | ClusterState::Restarting);
            return Ok((Some(id.to_string()), starting));
        }
        let (key, spec) = if let Some(key) = settings["job_cluster_key"].as_str() {
            let spec = self
                .job_clusters
                .iter()
                .find(|c| c["job_cluster_key"] == key)
                .map(|c| c["new_cluster"].clone())
                .ok_or_else(|| format!("The job cluster key {key} is not defined in the job"))?;
            (key.to_string(), spec)
        } else if settings["new_cluster"].is_object() {
            (
                format!("task:{}", self.tasks[i].key),
                settings["new_cluster"].clone(),
            )
        } else {
            // Serverless, SQL warehouse, or a task without compute: nothing to start.
            return Ok((None, false));
        };
        if let Some(id) = self.made_clusters.get(&key) {
            let running = world.clusters.get(id).is_ok_and(|c| {
                !matches!(
                    c.phase.state(),
                    ClusterState::Terminating | ClusterState::Terminated
                )
            });
            if running {
                return Ok((Some(id.clone()), false));
            }
        }
        let spec = serde_json::from_value(spec).map_err(|e| format!("Invalid new_cluster: {e}"))?;
        let id = world
            .clusters
            .create(spec, &self.creator, at, world.env, world.catalog)
            .map_err(|e| e.message)?;
        self.made_clusters.insert(key, id.clone());
        Ok((Some(id), true))
    }

    /// Starts the tasks whose dependencies are done and finishes those that are due, in time
    /// order, until nothing more happens by `now`; then the run ends if every task has.
    fn run_tasks(&mut self, now: i64, world: &mut World<'_>) {
        loop {
            let mut changed = false;
            for i in 0..self.tasks.len() {
                if self.tasks[i].start.is_some() || self.tasks[i].ended.is_some() {
                    continue;
                }
                let deps = self.tasks[i].depends_on();
                let upstream: Vec<&TaskRun> = self
                    .tasks
                    .iter()
                    .filter(|t| deps.contains(&t.key))
                    .collect();
                if !upstream.iter().all(|t| t.done_by(now)) {
                    continue;
                }
                let ready = upstream
                    .iter()
                    .filter_map(|t| t.end)
                    .fold(self.since, i64::max);
                let results: Vec<bool> = upstream
                    .iter()
                    .map(|t| t.ended.as_ref().is_some_and(Ended::succeeded))
                    .collect();
                let run_if = self.tasks[i].settings["run_if"]
                    .as_str()
                    .unwrap_or("ALL_SUCCESS")
                    .to_string();
                self.start_task(i, ready, &run_if, &results, world);
                changed = true;
            }
            for task in &mut self.tasks {
                if task.ended.is_none()
                    && let (Some(end), Some(output)) = (task.end, &task.output)
                    && end <= now
                {
                    task.ended = Some(output.ended());
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if self.tasks.iter().all(|t| t.done_by(now)) {
            let last = self
                .tasks
                .iter()
                .filter_map(|t| t.end)
                .fold(self.since, i64::max);
            let failed = self.tasks.iter().find(|t| {
                t.ended
                    .as_ref()
                    .is_some_and(|e| !e.succeeded() && e.result != Some("EXCLUDED"))
            });
            let ended = match failed {
                None => Ended::success(),
                Some(task) => {
                    let e = task.ended.clone().unwrap_or_else(Ended::success);
                    Ended {
                        life: if e.life == "INTERNAL_ERROR" {
                            "INTERNAL_ERROR"
                        } else {
                            "TERMINATED"
                        },
                        result: Some("FAILED"),
                        code: if e.code == "RESOURCE_NOT_FOUND" {
                            e.code
                        } else {
                            "RUN_EXECUTION_ERROR"
                        },
                        kind: "CLIENT_ERROR",
                        message: format!("Task {} failed with message: {}.", task.key, e.message),
                    }
                }
            };
            self.finish_now(last, ended, world);
        }
    }

    /// Starts task `i` at `at`: its outcome is decided now (from its notebook's source, or a
    /// short success), or it is skipped when its `run_if` does not hold.
    fn start_task(
        &mut self,
        i: usize,
        at: i64,
        run_if: &str,
        upstream: &[bool],
        world: &World<'_>,
    ) {
        let ok = upstream.iter().filter(|s| **s).count();
        let failed = upstream.len() - ok;
        let runs = match run_if {
            "ALL_DONE" => true,
            "AT_LEAST_ONE_SUCCESS" => ok > 0 || upstream.is_empty(),
            "NONE_FAILED" => failed == 0,
            "AT_LEAST_ONE_FAILED" => failed > 0,
            "ALL_FAILED" => ok == 0,
            _ => failed == 0,
        };
        let task = &mut self.tasks[i];
        task.start = Some(at);
        if !runs {
            let upstream_failed = failed > 0 && run_if == "ALL_SUCCESS";
            task.end = Some(at);
            task.output = Some(Outcome::skipped(upstream_failed));
            task.ended = task.output.as_ref().map(Outcome::ended);
            return;
        }
        let outcome = match task.settings["notebook_task"]["notebook_path"].as_str() {
            Some(path) => {
                let source = world.notebooks.notebook_source(path).map(|(_, s)| s);
                notebook::outcome(path, source.as_deref())
            }
            None => Outcome::done(TASK_MS),
        };
        task.end = Some(at + outcome.duration);
        task.output = Some(outcome);
    }

    /// Ends the run at `at`: job clusters terminate, TERMINATING for a while.
    fn finish_now(&mut self, at: i64, ended: Ended, world: &mut World<'_>) {
        for id in self.made_clusters.values() {
            if let Ok(cluster) = world.clusters.get_mut(id) {
                cluster.terminate(&self.creator, at, world.env);
            }
        }
        // A task that never started ends with the run.
        for task in &mut self.tasks {
            if task.ended.is_none() {
                task.start.get_or_insert(at);
                task.end = Some(task.end.map_or(at, |e| e.min(at)));
                task.ended = Some(if ended.result == Some("CANCELED") {
                    Ended::canceled("Run cancelled.")
                } else {
                    Ended {
                        life: "SKIPPED",
                        result: Some("UPSTREAM_FAILED"),
                        code: "SKIPPED",
                        kind: "CLIENT_ERROR",
                        message: ended.message.clone(),
                    }
                });
            }
        }
        if ended.life == "INTERNAL_ERROR" && self.phase == Phase::Pending {
            self.phase = Phase::Terminated;
            self.end_time = Some(at);
        } else {
            self.phase = Phase::Terminating;
            self.since = at;
        }
        self.ended = Some(ended);
    }

    /// `runs/cancel` at `now`: a queued or pending run ends at once, a running one stops its
    /// tasks and terminates.
    pub(crate) fn cancel(&mut self, now: i64, user: &str, world: &mut World<'_>) {
        self.cancel_requested = true;
        let message = format!("Run cancelled by {user}.");
        match self.phase {
            Phase::Queued | Phase::Pending => {
                self.start_time.get_or_insert(now);
                self.finish_now(now, Ended::canceled(&message), world);
                self.phase = Phase::Terminated;
                self.end_time = Some(now);
            }
            Phase::Running => {
                for task in &mut self.tasks {
                    if task.start.is_some() && task.ended.is_none() {
                        task.end = Some(now);
                        task.ended = Some(Ended::canceled(&message));
                    }
                }
                self.finish_now(now, Ended::canceled(&message), world);
            }
            Phase::Terminating | Phase::Terminated => {}
        }
    }

    /// `runs/skip`: the job has no room and no queue.
    pub(crate) fn skip(&mut self, now: i64, limit: i64) {
        self.phase = Phase::Terminated;
        self.start_time = Some(now);
        self.end_time = Some(now);
        self.ended = Some(Ended {
            life: "SKIPPED",
            result: None,
            code: "MAX_CONCURRENT_RUNS_EXCEEDED",
            kind: "CLIENT_ERROR",
            message: format!(
                "Skipping this run because the limit of {limit} maximum concurrent runs has been reached."
            ),
        });
        for task in &mut self.tasks {
            task.ended = Some(Ended {
                life: "SKIPPED",
                result: None,
                code: "SKIPPED",
                kind: "CLIENT_ERROR",
                message: String::new(),
            });
        }
    }

    /// The run as `runs/get` answers it (every task and array; paging is the caller's).
    pub(crate) fn to_json(&self, now: i64, expand_tasks: bool) -> Value {
        let mut run = self.extra.clone();
        let ended = self
            .ended
            .as_ref()
            .filter(|_| self.phase == Phase::Terminated || self.phase == Phase::Terminating);
        let (state, status) = states(self.phase, ended, self.cancel_requested);
        let start = self.start_time.unwrap_or(self.created);
        let end = self.end_time.unwrap_or(0);
        let mut fields = json!({
            "run_id": self.run_id,
            "run_name": self.run_name,
            "creator_user_name": self.creator,
            "run_type": self.run_type,
            "state": state,
            "status": status,
            "start_time": self.created,
            "end_time": end,
            "queue_duration": start - self.created,
            "setup_duration": 0,
            "execution_duration": 0,
            "cleanup_duration": 0,
            "run_duration": if end > 0 { end - self.created } else { now - self.created },
            "attempt_number": 0,
            "trigger": "ONE_TIME",
            "format": "MULTI_TASK",
            "run_page_url": format!("https://adb-emulator.azuredatabricks.net/?o=0#job/{}/run/{}", self.job_id.unwrap_or(0), self.run_id),
        });
        if let Some(job_id) = self.job_id {
            fields["job_id"] = json!(job_id);
            fields["number_in_job"] = json!(self.number_in_job.unwrap_or(self.run_id));
        }
        if expand_tasks {
            fields["tasks"] = Value::Array(
                self.tasks
                    .iter()
                    .map(|t| task_json(t, self.phase))
                    .collect(),
            );
        }
        if !self.job_clusters.is_empty() {
            fields["job_clusters"] = Value::Array(self.job_clusters.clone());
        }
        if !self.job_parameters.is_empty() {
            fields["job_parameters"] = Value::Array(self.job_parameters.clone());
        }
        if !self.repairs.is_empty() {
            fields["repair_history"] = Value::Array(self.repairs.clone());
        }
        if let Some(id) = self.tasks.iter().find_map(|t| t.cluster_id.clone()) {
            fields["cluster_instance"] = json!({"cluster_id": id});
        }
        if let Value::Object(map) = fields {
            run.extend(map);
        }
        Value::Object(run)
    }
}

/// `state` (deprecated) and `status` of a run or task in `phase`, ended as `ended` says.
fn states(phase: Phase, ended: Option<&Ended>, cancelled: bool) -> (Value, Value) {
    let v2 = match phase {
        Phase::Queued => "QUEUED",
        Phase::Pending => "PENDING",
        Phase::Running => "RUNNING",
        Phase::Terminating => "TERMINATING",
        Phase::Terminated => "TERMINATED",
    };
    let mut state = json!({"life_cycle_state": v2, "state_message": "", "user_cancelled_or_timedout": cancelled});
    let mut status = json!({"state": v2});
    if phase == Phase::Queued {
        state["queue_reason"] = json!("Queued due to reaching maximum concurrent runs of 1.");
        status["queue_details"] = json!({"code": "MAX_CONCURRENT_RUNS_REACHED", "message": "Queued due to reaching maximum concurrent runs."});
    }
    if let Some(e) = ended {
        if let Some(result) = e.result {
            state["result_state"] = json!(result);
        }
        if phase == Phase::Terminated {
            state["life_cycle_state"] = json!(e.life);
        }
        state["state_message"] = json!(e.message);
        status["termination_details"] =
            json!({"code": e.code, "type": e.kind, "message": e.message});
    }
    (state, status)
}

/// A task run as `runs/get` lists it.
fn task_json(task: &TaskRun, run_phase: Phase) -> Value {
    let mut value = task.settings.clone();
    let phase = match (&task.ended, task.start) {
        (Some(_), _) => Phase::Terminated,
        (None, Some(_)) => Phase::Running,
        (None, None) if run_phase == Phase::Queued => Phase::Queued,
        (None, None) => Phase::Pending,
    };
    let (state, status) = states(phase, task.ended.as_ref(), false);
    let fields = json!({
        "run_id": task.run_id,
        "attempt_number": task.attempt,
        "state": state,
        "status": status,
        "start_time": task.start.unwrap_or(0),
        "end_time": if task.ended.is_some() { task.end.unwrap_or(0) } else { 0 },
        "setup_duration": 0,
        "execution_duration": match (task.start, task.end, &task.ended) {
            (Some(s), Some(e), Some(_)) => e - s,
            _ => 0,
        },
        "cleanup_duration": 0,
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut value, fields) {
        map.extend(more);
        if let Some(id) = &task.cluster_id {
            map.insert("cluster_instance".into(), json!({"cluster_id": id}));
        }
    }
    value
}
