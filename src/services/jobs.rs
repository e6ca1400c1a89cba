//! What the Jobs API gains by hand on top of the generated operations: checks of job
//! definitions before sending, `get` and `get_run` that read every page of the arrays the
//! service pages inside them, waiting for a run to end (`*_and_wait`) on the shared waiting
//! module, and the output of every task of a run.

use std::collections::HashSet;

use crate::error::WaitError;
use crate::models::{
    CreateJob, CreateJobResponse, GetJobRequest, GetRunOutputRequest, GetRunRequest, Job,
    RepairRun, ResetJob, Run, RunNow, RunNowResponse, RunOutput, SubmitRun, SubmitRunResponse,
    UpdateJob,
};
use crate::wait::{Ended, Polled, Step, Waiting};
use crate::{Error, Jobs, Result};

/// How a wait for a job run runs (see [`Waiting`]): its deadline (20 minutes unless set, no
/// other cap), the pause between polls, callbacks on each state, and
/// [`Waiting::cancel_on_timeout`].
pub type RunWait<'f> = Waiting<'f, Run>;

/// The options of [`Waiting`] that only job run waits read.
impl Waiting<'_, Run> {
    /// When the deadline passes before the run ends, cancel the run (`runs/cancel`) instead of
    /// leaving it running; the error's [`WaitError::note`] says it was cancelled (or why
    /// cancelling failed). Off by default. A wait stopped by [`Waiting::stop_when`] cancels
    /// nothing.
    pub fn cancel_on_timeout(mut self) -> Self {
        self.cancel_on_timeout = true;
        self
    }
}

impl Polled for Run {
    /// The run's state as `status` says it (`RUNNING`, `TERMINATED`, ...), else as the
    /// deprecated `state` says it.
    fn state_name(&self) -> Option<String> {
        run_state(self).map(|(lifecycle, _)| lifecycle)
    }
}

/// The output of one task of a run, from [`Jobs::run_output`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskOutput {
    /// The task's key in the job (empty for a run without tasks).
    pub task_key: String,
    /// The task run's id (the one `runs/get-output` was asked for).
    pub run_id: i64,
    /// The output: notebook result, error, error trace, logs, truncation flags.
    pub output: RunOutput,
}

/// The lifecycle state of a run and, when it has ended, whether it succeeded: from `status`
/// (`TERMINATED` with its termination code) when the service sent it, else from the deprecated
/// `state` (`TERMINATED`, `SKIPPED` or `INTERNAL_ERROR`, with its result state).
fn run_state(run: &Run) -> Option<(String, Option<Outcome>)> {
    if let Some(state) = run.status.as_ref().and_then(|s| s.state.as_ref()) {
        let lifecycle = state.as_str().to_string();
        let outcome = (lifecycle == "TERMINATED").then(|| {
            let details = run
                .status
                .as_ref()
                .and_then(|s| s.termination_details.as_ref());
            let code = details
                .and_then(|d| d.code.as_ref())
                .map_or_else(|| "UNKNOWN".to_string(), |c| c.as_str().to_string());
            Outcome {
                success: code == "SUCCESS",
                result: code,
                message: details.and_then(|d| d.message.clone()),
            }
        });
        return Some((lifecycle, outcome));
    }
    let state = run.state.as_ref()?;
    let lifecycle = state.life_cycle_state.as_ref()?.as_str().to_string();
    let ended = matches!(
        lifecycle.as_str(),
        "TERMINATED" | "SKIPPED" | "INTERNAL_ERROR"
    );
    let outcome = ended.then(|| {
        let result = state
            .result_state
            .as_ref()
            .map_or_else(|| lifecycle.clone(), |r| r.as_str().to_string());
        Outcome {
            success: lifecycle == "TERMINATED" && result == "SUCCESS",
            result,
            message: state.state_message.clone(),
        }
    });
    Some((lifecycle, outcome))
}

/// How an ended run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    /// Whether it succeeded.
    success: bool,
    /// The termination code (`status`) or result state (`state`): `SUCCESS`, `FAILED`, ...
    result: String,
    /// The service's explanation.
    message: Option<String>,
}

/// The messages of the run's tasks that did not succeed: `task `key`: RESULT: message`.
fn failed_tasks(run: &Run) -> Option<String> {
    let failed: Vec<String> = run
        .tasks
        .iter()
        .filter_map(|task| {
            let state = run_state(&Run {
                status: task.status.clone(),
                state: task.state.clone(),
                ..Default::default()
            });
            let outcome = state?.1?;
            (!outcome.success).then(|| {
                let mut text = format!("task `{}`: {}", task.task_key, outcome.result);
                if let Some(message) = outcome.message.filter(|m| !m.is_empty()) {
                    text.push_str(": ");
                    text.push_str(&message);
                }
                text
            })
        })
        .collect();
    (!failed.is_empty()).then(|| failed.join("; "))
}

/// The error of a wait for run `run_id` that ended with `run`.
fn wait_error(run_id: i64, run: Run, ended: Ended) -> WaitError {
    let state = run_state(&run);
    let (lifecycle, outcome) = match state {
        Some((lifecycle, outcome)) => (Some(lifecycle), outcome),
        None => (None, None),
    };
    let message = outcome
        .as_ref()
        .and_then(|o| o.message.clone())
        .or_else(|| run.state.as_ref().and_then(|s| s.state_message.clone()))
        .filter(|m| !m.is_empty());
    WaitError {
        resource: format!("run {run_id}"),
        target: "SUCCESS".into(),
        state: outcome.map(|o| o.result).or(lifecycle),
        message,
        reason: failed_tasks(&run),
        timeout: match ended {
            Ended::TimedOut(timeout) => Some(timeout),
            Ended::Failed | Ended::Stopped => None,
        },
        note: (ended == Ended::Stopped).then(|| crate::wait::STOPPED.to_string()),
        last: Some(Box::new(run)),
    }
}

/// Every task of a job definition is checked before sending: each has a `task_key`, keys are
/// unique, each sets at most one task type (`notebook_task`, `spark_python_task`, ...), and
/// `depends_on` names tasks of the job. `tasks` are the JSON forms of the tasks.
fn check_tasks(what: &str, tasks: &[serde_json::Value]) -> Result<()> {
    let mut keys = HashSet::new();
    for (i, task) in tasks.iter().enumerate() {
        let key = task.get("task_key").and_then(|k| k.as_str()).unwrap_or("");
        if key.trim().is_empty() {
            return Err(Error::invalid_input(
                format!("{what}[{i}].task_key"),
                "every task needs a task_key",
            ));
        }
        if !keys.insert(key.to_string()) {
            return Err(Error::invalid_input(
                format!("{what}[{i}].task_key"),
                format!("two tasks have the key `{key}`"),
            ));
        }
        check_task_type(&format!("task `{key}`"), task)?;
    }
    for task in tasks {
        let key = task.get("task_key").and_then(|k| k.as_str()).unwrap_or("");
        for dependency in task
            .get("depends_on")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
        {
            let on = dependency
                .get("task_key")
                .and_then(|k| k.as_str())
                .unwrap_or("");
            if !keys.contains(on) {
                return Err(Error::invalid_input(
                    format!("task `{key}`.depends_on"),
                    format!("depends on `{on}`, which is not a task of the job"),
                ));
            }
        }
    }
    Ok(())
}

/// A task sets at most one `*_task` field (a for-each task's inner task is checked too).
fn check_task_type(what: &str, task: &serde_json::Value) -> Result<()> {
    let Some(fields) = task.as_object() else {
        return Ok(());
    };
    let types: Vec<&str> = fields
        .iter()
        .filter(|(name, value)| name.ends_with("_task") && !value.is_null())
        .map(|(name, _)| name.as_str())
        .collect();
    if types.len() > 1 {
        return Err(Error::invalid_input(
            what.to_string(),
            format!(
                "a task has one task type, this one sets {}",
                types.join(" and ")
            ),
        ));
    }
    if let Some(inner) = task.get("for_each_task").and_then(|f| f.get("task")) {
        check_task_type(&format!("{what}.for_each_task.task"), inner)?;
    }
    Ok(())
}

/// The JSON forms of `tasks`, for [`check_tasks`].
fn json_tasks<T: serde::Serialize>(tasks: &[T]) -> Vec<serde_json::Value> {
    tasks
        .iter()
        .map(|t| serde_json::to_value(t).unwrap_or_default())
        .collect()
}

/// A caller's `idempotency_token` follows [`crate::rules::IDEMPOTENCY_TOKEN`].
fn check_token(token: Option<&String>) -> Result<()> {
    let rule = crate::rules::IDEMPOTENCY_TOKEN;
    match token {
        Some(token) if !rule.accepts(token) => Err(Error::invalid_input(
            "idempotency_token",
            format!("{}, this one has {}", rule.words, token.chars().count()),
        )),
        _ => Ok(()),
    }
}

/// Follows the `next_page_token`s of a paged read, refusing a token given twice.
fn follow_pages<T>(
    operation: &str,
    mut read: impl FnMut(Option<String>) -> Result<T>,
    next: impl Fn(&T) -> Option<String>,
    mut merge: impl FnMut(&mut T, T),
) -> Result<T> {
    let mut whole = read(None)?;
    let mut seen = HashSet::new();
    let mut token = next(&whole);
    while let Some(t) = token {
        if !seen.insert(t.clone()) {
            return Err(Error::RepeatedPage {
                operation: operation.to_string(),
            });
        }
        let page = read(Some(t))?;
        token = next(&page);
        merge(&mut whole, page);
    }
    Ok(whole)
}

impl Jobs<'_> {
    /// Creates a job, after checking its
    /// tasks: each has a `task_key`, keys are unique, each sets at most one task type, and
    /// `depends_on` names tasks of the job.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{CreateJob, JobSettings, NotebookTask, Task};
    /// let created = client.jobs().create(&CreateJob::from(JobSettings {
    ///     name: Some("nightly".into()),
    ///     tasks: vec![Task {
    ///         task_key: "report".into(),
    ///         notebook_task: Some(NotebookTask {
    ///             notebook_path: "/Shared/report".into(),
    ///             ..Default::default()
    ///         }),
    ///         existing_cluster_id: Some("0923-164208-meows279".into()),
    ///         ..Default::default()
    ///     }],
    ///     ..Default::default()
    /// }))?;
    /// println!("job {:?}", created.job_id);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, request: &CreateJob) -> Result<CreateJobResponse> {
        check_tasks("tasks", &json_tasks(&request.tasks))?;
        self.send_create(request)
    }

    /// Changes some settings of a job, after checking the tasks of
    /// `new_settings` as [`Jobs::create`] does.
    pub fn update(&self, request: &UpdateJob) -> Result<()> {
        if let Some(settings) = &request.new_settings {
            check_tasks("new_settings.tasks", &json_tasks(&settings.tasks))?;
        }
        self.send_update(request)
    }

    /// Replaces all the settings of a job, after checking the tasks
    /// of `new_settings` as [`Jobs::create`] does.
    pub fn reset(&self, request: &ResetJob) -> Result<()> {
        check_tasks(
            "new_settings.tasks",
            &json_tasks(&request.new_settings.tasks),
        )?;
        self.send_reset(request)
    }

    /// Starts a run of a job now. The request always carries an
    /// `idempotency_token`: the caller's ([`crate::rules::IDEMPOTENCY_TOKEN`], checked) or a random one, so
    /// that a lost answer is retried without starting a second run.
    pub fn run_now(&self, request: &RunNow) -> Result<RunNowResponse> {
        check_token(request.idempotency_token.as_ref())?;
        self.send_run_now(request)
    }

    /// Submits a one-time run, after checking its tasks as
    /// [`Jobs::create`] does. The request always carries an `idempotency_token`, as
    /// [`Jobs::run_now`]'s.
    pub fn submit(&self, request: &SubmitRun) -> Result<SubmitRunResponse> {
        check_token(request.idempotency_token.as_ref())?;
        check_tasks("tasks", &json_tasks(&request.tasks))?;
        self.send_submit(request)
    }

    /// A whole job: [`Jobs::get_page`] followed page after page, its `tasks`, `job_clusters`,
    /// `environments` and `parameters` merged, so a job of more than 100 tasks comes back
    /// complete. The answer's `next_page_token` and `has_more` are cleared.
    pub fn get(&self, job_id: i64) -> Result<Job> {
        self.get_with(&GetJobRequest {
            job_id,
            ..Default::default()
        })
    }

    /// [`Jobs::get`] with the request's options (`include_trigger_state`); its `page_token`
    /// is where the reading starts.
    pub fn get_with(&self, request: &GetJobRequest) -> Result<Job> {
        let mut job = follow_pages(
            "jobs.get",
            |token| {
                self.get_page(&GetJobRequest {
                    page_token: token.or_else(|| request.page_token.clone()),
                    ..request.clone()
                })
            },
            |job: &Job| crate::paging::next_token(job.next_page_token.as_ref()),
            |whole, page| {
                if let (Some(into), Some(from)) = (whole.settings.as_mut(), page.settings) {
                    into.tasks.extend(from.tasks);
                    into.job_clusters.extend(from.job_clusters);
                    into.environments.extend(from.environments);
                    into.parameters.extend(from.parameters);
                }
            },
        )?;
        job.next_page_token = None;
        job.has_more = None;
        Ok(job)
    }

    /// A whole run: [`Jobs::get_run_page`] followed page after page, its `tasks`,
    /// `job_clusters`, `job_parameters`, `iterations` and `repair_history` merged. The
    /// answer's `next_page_token` and `has_more` are cleared.
    pub fn get_run(&self, run_id: i64) -> Result<Run> {
        self.get_run_with(&GetRunRequest {
            run_id,
            ..Default::default()
        })
    }

    /// [`Jobs::get_run`] with the request's options (`include_history`,
    /// `include_resolved_values`).
    pub fn get_run_with(&self, request: &GetRunRequest) -> Result<Run> {
        let mut run = follow_pages(
            "jobs.get_run",
            |token| {
                self.get_run_page(&GetRunRequest {
                    page_token: token.or_else(|| request.page_token.clone()),
                    ..request.clone()
                })
            },
            |run: &Run| crate::paging::next_token(run.next_page_token.as_ref()),
            |whole, page| {
                whole.tasks.extend(page.tasks);
                whole.job_clusters.extend(page.job_clusters);
                whole.job_parameters.extend(page.job_parameters);
                whole.iterations.extend(page.iterations);
                whole.repair_history.extend(page.repair_history);
            },
        )?;
        run.next_page_token = None;
        run.has_more = None;
        Ok(run)
    }

    /// The output of every task of a run: for a run with tasks, `runs/get-output` of each task
    /// run, in the run's task order; for a run without tasks, its own output. Each
    /// [`TaskOutput`] has the notebook result (`notebook_output.result`, with `truncated`), the
    /// error and its trace, and the logs of other task types.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// for task in client.jobs().run_output(455644833)? {
    ///     let result = task.output.notebook_output.as_ref().and_then(|n| n.result.as_deref());
    ///     println!("{}: {:?} {:?}", task.task_key, result, task.output.error);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_output(&self, run_id: i64) -> Result<Vec<TaskOutput>> {
        let run = self.get_run(run_id)?;
        let output = |run_id: i64| {
            self.get_run_output(&GetRunOutputRequest {
                run_id,
                ..Default::default()
            })
        };
        if run.tasks.is_empty() {
            return Ok(vec![TaskOutput {
                task_key: String::new(),
                run_id,
                output: output(run_id)?,
            }]);
        }
        run.tasks
            .iter()
            .map(|task| {
                let id = task.run_id.unwrap_or(run_id);
                Ok(TaskOutput {
                    task_key: task.task_key.clone(),
                    run_id: id,
                    output: output(id)?,
                })
            })
            .collect()
    }

    /// Polls [`Jobs::get_run`] until the run has ended: `TERMINATED` (as `status` says, or as
    /// the deprecated `state` says when the service sends no `status`), `SKIPPED` or
    /// `INTERNAL_ERROR`.
    ///
    /// A run that ends other than `SUCCESS` is an [`Error::Wait`] naming the result (the
    /// termination code or result state, e.g. `FAILED`), the run's state message and each
    /// failed task's message ([`WaitError::reason`]); [`WaitError::last`] gives the [`Run`].
    /// The wait polls with a pause growing from 1 s to 10 s (jitter included, see
    /// [`Waiting::jitter`]) through the client's [`crate::Clock`], tolerates temporary failures
    /// of the reads (429, 5xx, lost connections) within its deadline, calls
    /// [`Waiting::on_change`] on every change of state, and ends after its timeout (20 minutes
    /// unless set: pass the run's own bound; [`std::time::Duration::MAX`] waits for ever), then
    /// cancels the run if [`Waiting::cancel_on_timeout`] is set.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use std::time::Duration;
    /// use azure_databricks_sdk::RunWait;
    /// let wait = RunWait::default()
    ///     .timeout(Duration::from_secs(3600))
    ///     .cancel_on_timeout()
    ///     .on_change(|run| println!("{:?}", run.status.as_ref().and_then(|s| s.state.as_ref())));
    /// let run = client.jobs().wait_for_run(455644833, wait)?;
    /// println!("ended after {:?} ms", run.run_duration);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_run<'f>(&self, run_id: i64, wait: impl Into<RunWait<'f>>) -> Result<Run> {
        self.wait_run(run_id, wait.into(), true)
    }

    /// Polls until the run has ended; with `success`, an end other than SUCCESS is an error.
    fn wait_run(&self, run_id: i64, mut wait: RunWait<'_>, success: bool) -> Result<Run> {
        let cancel = wait.cancel_on_timeout;
        let outcome = crate::wait::poll(
            &mut wait,
            self.client.clock(),
            || self.get_run(run_id),
            |run| {
                Ok(match run_state(run).and_then(|(_, outcome)| outcome) {
                    Some(outcome) if outcome.success || !success => Step::Done,
                    Some(_) => Step::Failed,
                    None => Step::Wait,
                })
            },
            |run, ended| wait_error(run_id, run, ended),
        );
        match outcome {
            Err(Error::Wait(mut timed_out)) if cancel && timed_out.timeout.is_some() => {
                timed_out.note = Some(
                    match self.cancel_run(&crate::models::CancelRun {
                        run_id,
                        ..Default::default()
                    }) {
                        Ok(()) => "the run was cancelled".to_string(),
                        Err(e) => format!("cancelling the run failed: {e}"),
                    },
                );
                Err(Error::Wait(timed_out))
            }
            other => other,
        }
    }

    /// [`Jobs::run_now`], then [`Jobs::wait_for_run`]: the run that ended with `SUCCESS`,
    /// or the error naming how it ended.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use std::time::Duration;
    /// use azure_databricks_sdk::models::RunNow;
    /// let run = client.jobs().run_now_and_wait(
    ///     &RunNow { job_id: 11223344, ..Default::default() },
    ///     Duration::from_secs(3600),
    /// )?;
    /// println!("{:?}", run.run_page_url);
    /// # Ok(()) }
    /// ```
    pub fn run_now_and_wait<'f>(
        &self,
        request: &RunNow,
        wait: impl Into<RunWait<'f>>,
    ) -> Result<Run> {
        let started = self.run_now(request)?;
        let run_id = started.run_id.ok_or_else(|| no_run_id("jobs.run_now"))?;
        self.wait_for_run(run_id, wait)
    }

    /// [`Jobs::submit`], then [`Jobs::wait_for_run`].
    pub fn submit_and_wait<'f>(
        &self,
        request: &SubmitRun,
        wait: impl Into<RunWait<'f>>,
    ) -> Result<Run> {
        let started = self.submit(request)?;
        let run_id = started.run_id.ok_or_else(|| no_run_id("jobs.submit"))?;
        self.wait_for_run(run_id, wait)
    }

    /// [`Jobs::repair_run`], then [`Jobs::wait_for_run`] of the repaired run.
    pub fn repair_run_and_wait<'f>(
        &self,
        request: &RepairRun,
        wait: impl Into<RunWait<'f>>,
    ) -> Result<Run> {
        self.repair_run(request)?;
        self.wait_for_run(request.run_id, wait)
    }

    /// [`Jobs::cancel_run`], then waits until the run has ended, however it ended (a
    /// cancelled run ends `CANCELED`, which is what was asked): the run as it ended.
    pub fn cancel_run_and_wait<'f>(
        &self,
        run_id: i64,
        wait: impl Into<RunWait<'f>>,
    ) -> Result<Run> {
        self.cancel_run(&crate::models::CancelRun {
            run_id,
            ..Default::default()
        })?;
        self.wait_run(run_id, wait.into(), false)
    }
}

/// The error of an answer that started a run without saying which.
fn no_run_id(operation: &str) -> Error {
    Error::invalid_input(
        format!("{operation} answer"),
        "the service answered without a run_id",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tasks_are_checked() {
        let ok = [
            json!({"task_key": "a", "notebook_task": {"notebook_path": "/x"}}),
            json!({"task_key": "b", "depends_on": [{"task_key": "a"}]}),
        ];
        check_tasks("tasks", &ok).unwrap();
        let missing = [json!({"task_key": ""})];
        assert!(
            check_tasks("tasks", &missing)
                .unwrap_err()
                .to_string()
                .contains("task_key")
        );
        let twice = [json!({"task_key": "a"}), json!({"task_key": "a"})];
        assert!(check_tasks("tasks", &twice).is_err());
        let two_types = [json!({"task_key": "a", "notebook_task": {}, "spark_jar_task": {}})];
        let err = check_tasks("tasks", &two_types).unwrap_err().to_string();
        assert!(err.contains("notebook_task and spark_jar_task"), "{err}");
        let inner = [json!({"task_key": "a", "for_each_task": {"inputs": "[1]",
            "task": {"task_key": "i", "notebook_task": {}, "sql_task": {}}}})];
        assert!(check_tasks("tasks", &inner).is_err());
        let dangling = [json!({"task_key": "a", "depends_on": [{"task_key": "z"}]})];
        assert!(check_tasks("tasks", &dangling).is_err());
    }

    #[test]
    fn tokens_are_at_most_64_characters() {
        check_token(Some(&"x".repeat(64))).unwrap();
        assert!(check_token(Some(&"x".repeat(65))).is_err());
        check_token(None).unwrap();
    }

    fn run(value: serde_json::Value) -> Run {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn status_wins_over_state() {
        let ended = run(json!({
            "state": {"life_cycle_state": "RUNNING"},
            "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS"}}
        }));
        let (lifecycle, outcome) = run_state(&ended).unwrap();
        assert_eq!(lifecycle, "TERMINATED");
        assert!(outcome.unwrap().success);
        let running = run(json!({
            "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
            "status": {"state": "RUNNING"}
        }));
        assert_eq!(run_state(&running).unwrap().1, None);
        let legacy = run(json!({
            "state": {"life_cycle_state": "INTERNAL_ERROR", "state_message": "boom"}
        }));
        let outcome = run_state(&legacy).unwrap().1.unwrap();
        assert!(!outcome.success);
        assert_eq!(outcome.result, "INTERNAL_ERROR");
    }

    #[test]
    fn a_failed_run_names_its_failed_tasks() {
        let failed = run(json!({
            "run_id": 7,
            "status": {"state": "TERMINATED", "termination_details": {"code": "RUN_EXECUTION_ERROR", "message": "Task b failed"}},
            "tasks": [
                {"task_key": "a", "status": {"state": "TERMINATED", "termination_details": {"code": "SUCCESS"}}},
                {"task_key": "b", "state": {"life_cycle_state": "TERMINATED", "result_state": "FAILED", "state_message": "ValueError: no input"}}
            ]
        }));
        let error = wait_error(7, failed, Ended::Failed);
        assert_eq!(error.state(), Some("RUN_EXECUTION_ERROR"));
        assert_eq!(error.state_message(), Some("Task b failed"));
        assert_eq!(
            error.reason(),
            Some("task `b`: FAILED: ValueError: no input")
        );
        assert_eq!(error.last::<Run>().unwrap().run_id, Some(7));
    }
}
