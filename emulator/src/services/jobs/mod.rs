//! The Jobs API 2.2 and the job permissions: a job store, runs on a state machine in emulated
//! time ([`runs`]), notebook tasks whose outcome comes from their notebook's source
//! ([`notebook`]), paging of the lists and of the large arrays inside `get` and `runs/get`.

mod notebook;
mod runs;
mod state;

pub(crate) use state::Jobs;

use azure_databricks_sdk::models::{CreateJob, JobPermissionsRequest, RunNow, SubmitRun};
use serde_json::{Map, Value, json};

use crate::api::Call;
use crate::api::params::Params;
use crate::error::ApiError;
use crate::page_token;
use crate::services::clusters::Clusters;
use crate::services::clusters::catalog::Catalog;
use crate::services::workspace::WorkspaceTree;
use crate::workspace::{Env, Workspace};
use runs::{Phase, World};
use state::{StoredJob, no_run};

type Answer = Result<Value, ApiError>;

/// Items of an array inside `jobs/get` and `runs/get` per answer.
const ARRAY_PAGE: usize = 100;
/// Arrays of a job's settings that `jobs/get` pages, with the key that names their items.
const JOB_ARRAYS: &[(&str, &str)] = &[
    ("tasks", "task_key"),
    ("job_clusters", "job_cluster_key"),
    ("environments", "environment_key"),
    ("parameters", "name"),
];
/// Arrays of a run that `runs/get` pages.
const RUN_ARRAYS: &[&str] = &[
    "tasks",
    "job_clusters",
    "job_parameters",
    "iterations",
    "repair_history",
];

/// What runs need from the clusters service while they advance.
pub(crate) struct Compute<'a> {
    pub(crate) clusters: &'a mut Clusters,
    pub(crate) env: &'a mut Env,
    pub(crate) catalog: &'a Catalog,
}

impl<'a> Compute<'a> {
    /// With the notebooks that notebook tasks read.
    pub(crate) fn with<'b>(self, notebooks: &'b WorkspaceTree) -> World<'b>
    where
        'a: 'b,
    {
        World {
            clusters: self.clusters,
            env: self.env,
            catalog: self.catalog,
            notebooks,
        }
    }
}

/// The jobs state, the clusters it uses and the notebooks its tasks read, borrowed apart.
fn parts(ws: &mut Workspace) -> (&mut Jobs, Compute<'_>, &WorkspaceTree) {
    let Workspace {
        jobs,
        clusters,
        env,
        catalog,
        workspace_tree,
        ..
    } = ws;
    (
        jobs,
        Compute {
            clusters,
            env,
            catalog,
        },
        workspace_tree,
    )
}

/// Brings the runs up to `now` (called with every request, after the clusters).
pub(crate) fn settle(ws: &mut Workspace, now: i64) {
    let (jobs, compute, notebooks) = parts(ws);
    jobs.settle(now, compute.with(notebooks));
}

/// An integer parameter: a JSON number, or its text in a query.
fn int(params: &Params, name: &str) -> Result<i64, ApiError> {
    opt_int(params, name)?.ok_or_else(|| ApiError::missing(name))
}

fn opt_int(params: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid_parameter(format!("{name} must be an integer"))),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| {
            ApiError::invalid_parameter(format!(
                "Invalid value for {name}: {s:?} is not an integer"
            ))
        }),
        Some(_) => Err(ApiError::malformed(format!(
            "Could not parse request object: {name} must be an integer"
        ))),
    }
}

fn flag(params: &Params, name: &str) -> bool {
    match params.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

/// The page index a `page_token` of `jobs/get` or `runs/get` names.
fn array_page(params: &Params) -> Result<usize, ApiError> {
    match params.opt_str("page_token")? {
        None | Some("") => Ok(0),
        Some(token) => token
            .parse()
            .map_err(|_| ApiError::invalid_parameter(format!("Invalid page_token {token:?}"))),
    }
}

/// Cuts the arrays `names` of `object` to page `page`; whether more pages follow.
fn cut_arrays(object: &mut Map<String, Value>, names: &[&str], page: usize) -> bool {
    let mut more = false;
    for name in names {
        if let Some(Value::Array(items)) = object.get_mut(*name) {
            more |= items.len() > (page + 1) * ARRAY_PAGE;
            let kept: Vec<Value> = items
                .drain(..)
                .skip(page * ARRAY_PAGE)
                .take(ARRAY_PAGE)
                .collect();
            *items = kept;
        }
    }
    more
}

/// Says on `answer` whether its arrays continue on another page: `has_more`, and when they do
/// the `next_page_token` of page `page + 1`.
fn mark_more(answer: &mut Map<String, Value>, page: usize, more: bool) {
    answer.insert("has_more".into(), json!(more));
    if more {
        answer.insert("next_page_token".into(), json!((page + 1).to_string()));
    }
}

/// The `limit` of a listing: 1 to `max`, 20 when absent (the default of both job listings).
fn listing_limit(params: &Params, max: i64) -> Result<i64, ApiError> {
    let limit = opt_int(params, "limit")?.unwrap_or(20);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid_parameter(format!(
            "The limit must be between 1 and {max}, got {limit}."
        )));
    }
    Ok(limit)
}

/// The settings of a job checked as the service checks them: each task has a unique
/// `task_key`, `depends_on` and `job_cluster_key` name what the job has.
fn check_settings(settings: &Map<String, Value>) -> Result<(), ApiError> {
    let tasks = settings.get("tasks").and_then(Value::as_array);
    let mut keys = Vec::new();
    for task in tasks.into_iter().flatten() {
        let key = task["task_key"].as_str().unwrap_or_default();
        if key.is_empty() {
            return Err(ApiError::invalid_parameter(
                "Task key must be specified for every task.",
            ));
        }
        if keys.contains(&key) {
            return Err(ApiError::invalid_parameter(format!(
                "Task key {key} is duplicated: task keys must be unique within a job."
            )));
        }
        keys.push(key);
    }
    let clusters: Vec<&str> = settings
        .get("job_clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["job_cluster_key"].as_str())
        .collect();
    for task in tasks.into_iter().flatten() {
        let key = task["task_key"].as_str().unwrap_or_default();
        for dependency in task["depends_on"].as_array().into_iter().flatten() {
            let on = dependency["task_key"].as_str().unwrap_or_default();
            if !keys.contains(&on) {
                return Err(ApiError::invalid_parameter(format!(
                    "Task {key} depends on {on}, which is not a task of the job."
                )));
            }
        }
        if let Some(cluster) = task["job_cluster_key"].as_str()
            && !clusters.contains(&cluster)
        {
            return Err(ApiError::invalid_parameter(format!(
                "The job cluster key {cluster} of task {key} is not defined in the job."
            )));
        }
    }
    Ok(())
}

/// The settings with the defaults the service fills in.
fn with_defaults(mut settings: Map<String, Value>) -> Map<String, Value> {
    settings.remove("access_control_list");
    for (name, value) in [
        ("name", json!("Untitled")),
        ("max_concurrent_runs", json!(1)),
        ("timeout_seconds", json!(0)),
        ("email_notifications", json!({})),
        ("format", json!("MULTI_TASK")),
    ] {
        settings.entry(name).or_insert(value);
    }
    settings
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The direct permissions of an access control list in a request.
fn acl_entries(list: &[Value]) -> Result<Vec<(String, String, String)>, ApiError> {
    let mut entries = Vec::new();
    for item in list {
        let principal = ["user_name", "group_name", "service_principal_name"]
            .into_iter()
            .find_map(|kind| item[kind].as_str().map(|name| (kind, name)));
        let Some((kind, name)) = principal else {
            return Err(ApiError::invalid_parameter(
                "An access control entry names a user_name, group_name or service_principal_name.",
            ));
        };
        let level = item["permission_level"].as_str().unwrap_or_default();
        if !["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"].contains(&level) {
            return Err(ApiError::invalid_parameter(format!(
                "Permission {level:?} is not supported for jobs."
            )));
        }
        entries.push((kind.to_string(), name.to_string(), level.to_string()));
    }
    if entries.iter().filter(|e| e.2 == "IS_OWNER").count() > 1 {
        return Err(ApiError::invalid_parameter("A job has exactly one owner."));
    }
    Ok(entries)
}

/// `POST jobs/create`.
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let _: CreateJob = params.decode(&[])?;
    let body = object(params.to_json());
    let acl = acl_entries(
        body.get("access_control_list")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
    )?;
    let settings = with_defaults(body);
    check_settings(&settings)?;
    let job_id = ws.jobs.next_id();
    ws.jobs.jobs.insert(
        job_id,
        StoredJob {
            job_id,
            creator: call.caller.name.clone(),
            created_time: call.now,
            settings,
            acl,
            runs_started: 0,
        },
    );
    Ok(json!({ "job_id": job_id }))
}

/// `GET jobs/get`: the job with the first 100 items of each paged array; `page_token` (from
/// `next_page_token`) gives the next 100.
pub(crate) fn get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let job_id = int(params, "job_id")?;
    let page = array_page(params)?;
    let job = ws.jobs.job(job_id)?;
    let mut answer = object(ws.jobs.job_json(job));
    let mut settings = object(answer.remove("settings").unwrap_or_default());
    let names: Vec<&str> = JOB_ARRAYS.iter().map(|(name, _)| *name).collect();
    let more = cut_arrays(&mut settings, &names, page);
    answer.insert("settings".into(), Value::Object(settings));
    mark_more(&mut answer, page, more);
    Ok(Value::Object(answer))
}

/// `GET jobs/list`: newest first, `limit` (1 to 100, 20 by default), exact `name`
/// (case-insensitive), `expand_tasks`; paged by token (or the deprecated `offset`).
pub(crate) fn list(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let limit = listing_limit(params, 100)?;
    let name = params.opt_str("name")?.map(str::to_lowercase);
    let expand = flag(params, "expand_tasks");
    let jobs: Vec<&StoredJob> = ws
        .jobs
        .jobs
        .values()
        .rev()
        .filter(|j| {
            name.as_ref().is_none_or(|n| {
                j.settings
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_lowercase)
                    .as_ref()
                    == Some(n)
            })
        })
        .collect();
    let render = |job: &StoredJob| {
        let mut value = ws.jobs.job_json(job);
        if !expand && let Some(settings) = value["settings"].as_object_mut() {
            settings.remove("tasks");
            settings.remove("job_clusters");
        }
        value
    };
    let mut answer = Map::new();
    let (items, has_more) = if let Some(offset) = opt_int(params, "offset")? {
        if offset < 0 || offset + limit > 10_000 {
            return Err(ApiError::invalid_parameter(
                "offset + limit must be at most 10000; use page_token to read further.",
            ));
        }
        let offset = usize::try_from(offset).unwrap_or_default();
        let more = jobs.len() > offset + limit as usize;
        (
            jobs.into_iter().skip(offset).take(limit as usize).collect(),
            more,
        )
    } else {
        let query = page_token::fingerprint(&json!({"name": name, "expand": expand}));
        let page = page_token::page(
            jobs,
            |j| j.job_id,
            |a, b| b.cmp(a),
            limit as usize,
            params.opt_str("page_token")?,
            &query,
        )?;
        if let Some(next) = page.next.clone() {
            answer.insert("next_page_token".into(), json!(next));
        }
        if let Some(prev) = page.prev {
            answer.insert("prev_page_token".into(), json!(prev));
        }
        let more = page.next.is_some();
        (page.items, more)
    };
    let items: Vec<Value> = items.into_iter().map(render).collect();
    if !items.is_empty() {
        answer.insert("jobs".into(), Value::Array(items));
    }
    answer.insert("has_more".into(), json!(has_more));
    Ok(Value::Object(answer))
}

/// Merges `update` into the items of `current` with the same `key` (others appended).
fn merge_by_key(current: &mut Vec<Value>, update: Vec<Value>, key: &str) {
    for item in update {
        match current.iter_mut().find(|c| c[key] == item[key]) {
            Some(existing) => *existing = item,
            None => current.push(item),
        }
    }
}

/// `POST jobs/update`: top-level fields replaced, the paged arrays merged by key,
/// `fields_to_remove` (`name`, `tasks/<key>`, `job_clusters/<key>`) removed.
pub(crate) fn update(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let job_id = int(params, "job_id")?;
    let new_settings = object(params.get("new_settings").cloned().unwrap_or_default());
    let remove: Vec<String> = params
        .get("fields_to_remove")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect();
    let job = ws.jobs.job(job_id)?;
    let mut settings = job.settings.clone();
    for (name, value) in new_settings {
        match (JOB_ARRAYS.iter().find(|(n, _)| *n == name), value) {
            (Some((_, key)), Value::Array(items)) => {
                let current = settings.entry(name.clone()).or_insert_with(|| json!([]));
                if let Value::Array(current) = current {
                    merge_by_key(current, items, key);
                }
            }
            (_, value) => {
                settings.insert(name, value);
            }
        }
    }
    for field in remove {
        match field.split_once('/') {
            Some((array, item)) => {
                let key = JOB_ARRAYS
                    .iter()
                    .find(|(n, _)| *n == array)
                    .map(|(_, k)| *k)
                    .ok_or_else(|| ApiError::invalid_parameter(format!("Cannot remove {field}")))?;
                if let Some(Value::Array(items)) = settings.get_mut(array) {
                    items.retain(|i| i[key] != item);
                }
            }
            None => {
                settings.remove(&field);
            }
        }
    }
    check_settings(&settings)?;
    ws.jobs.job_mut(job_id)?.settings = settings;
    Ok(json!({}))
}

/// `POST jobs/reset`: every setting replaced.
pub(crate) fn reset(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let job_id = int(params, "job_id")?;
    let settings = match params.get("new_settings") {
        Some(Value::Object(settings)) => with_defaults(settings.clone()),
        _ => return Err(ApiError::missing("new_settings")),
    };
    check_settings(&settings)?;
    ws.jobs.job_mut(job_id)?.settings = settings;
    Ok(json!({}))
}

/// `POST jobs/delete`: the job and its runs.
pub(crate) fn delete(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let job_id = int(params, "job_id")?;
    ws.jobs.job(job_id)?;
    ws.jobs.jobs.remove(&job_id);
    ws.jobs.runs.retain(|_, r| r.job_id != Some(job_id));
    Ok(json!({}))
}

/// The run of the workspace started with this idempotency token, if any.
fn by_token(ws: &Workspace, token: Option<&str>) -> Option<i64> {
    let token = token?;
    ws.jobs
        .runs
        .values()
        .find(|r| r.idempotency_token.as_deref() == Some(token))
        .map(|r| r.run_id)
}

/// `POST jobs/run-now`: a run of the job's tasks (or those named in `only`), queued behind
/// the job's `max_concurrent_runs`, or SKIPPED when the job has no queue; a repeated
/// `idempotency_token` answers the run it started.
pub(crate) fn run_now(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: RunNow = params.decode(&[])?;
    let job_id = int(params, "job_id")?;
    if let Some(run_id) = by_token(ws, request.idempotency_token.as_deref()) {
        let number = ws.jobs.run(run_id)?.number_in_job;
        return Ok(json!({"run_id": run_id, "number_in_job": number}));
    }
    let job = ws.jobs.job(job_id)?.clone();
    let mut tasks: Vec<Value> = job
        .settings
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !request.only.is_empty() {
        tasks.retain(|t| request.only.iter().any(|k| t["task_key"] == k.as_str()));
    }
    let clusters = job
        .settings
        .get("job_clusters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = job
        .settings
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Untitled");
    let parameters: Vec<Value> = job
        .settings
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default();
            let value = request
                .job_parameters
                .get(name)
                .cloned()
                .unwrap_or_else(|| p["default"].as_str().unwrap_or_default().to_string());
            json!({"name": name, "default": p["default"], "value": value})
        })
        .collect();
    let active = ws.jobs.active_runs(job_id) as i64;
    let run_id = ws.jobs.new_run(
        Some(job_id),
        name.to_string(),
        &call.caller.name,
        call.now,
        tasks,
        clusters,
        Map::new(),
    );
    let run = ws
        .jobs
        .runs
        .get_mut(&run_id)
        .ok_or_else(|| no_run(run_id))?;
    run.idempotency_token = request.idempotency_token.clone();
    run.job_parameters = parameters;
    if !run.queue && active >= run.max_concurrent {
        let limit = run.max_concurrent;
        run.skip(call.now, limit);
    }
    settle(ws, call.now);
    Ok(json!({"run_id": run_id, "number_in_job": run_id}))
}

/// `POST jobs/runs/submit`: a one-time run of the tasks given.
pub(crate) fn submit(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: SubmitRun = params.decode(&[])?;
    if let Some(run_id) = by_token(ws, request.idempotency_token.as_deref()) {
        return Ok(json!({ "run_id": run_id }));
    }
    let body = object(params.to_json());
    let settings: Map<String, Value> = body
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "tasks" | "job_clusters"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    check_settings(&settings)?;
    let tasks = settings
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if tasks.is_empty() {
        return Err(ApiError::invalid_parameter(
            "A run needs at least one task.",
        ));
    }
    let clusters = settings
        .get("job_clusters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let run_id = ws.jobs.new_run(
        None,
        request
            .run_name
            .clone()
            .unwrap_or_else(|| "Untitled".into()),
        &call.caller.name,
        call.now,
        tasks,
        clusters,
        Map::new(),
    );
    if let Some(run) = ws.jobs.runs.get_mut(&run_id) {
        run.idempotency_token = request.idempotency_token.clone();
    }
    settle(ws, call.now);
    Ok(json!({ "run_id": run_id }))
}

/// `GET jobs/runs/get`: the run with the first 100 items of each paged array.
pub(crate) fn get_run(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let run_id = int(params, "run_id")?;
    let page = array_page(params)?;
    let mut run = object(ws.jobs.run(run_id)?.to_json(call.now, true));
    let more = cut_arrays(&mut run, RUN_ARRAYS, page);
    mark_more(&mut run, page, more);
    Ok(Value::Object(run))
}

/// `GET jobs/runs/list`: newest first, filtered by `job_id`, `active_only` or
/// `completed_only`, `run_type`, `start_time_from`/`_to`; `limit` 1 to 25 (20 by default).
pub(crate) fn list_runs(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let limit = listing_limit(params, 25)?;
    let (active_only, completed_only) =
        (flag(params, "active_only"), flag(params, "completed_only"));
    if active_only && completed_only {
        return Err(ApiError::invalid_parameter(
            "active_only and completed_only cannot both be true.",
        ));
    }
    let job_id = opt_int(params, "job_id")?;
    let run_type = params.opt_str("run_type")?.map(str::to_string);
    let from = opt_int(params, "start_time_from")?;
    let to = opt_int(params, "start_time_to")?;
    let expand = flag(params, "expand_tasks");
    let runs: Vec<&runs::RunRecord> = ws
        .jobs
        .runs
        .values()
        .rev()
        .filter(|r| job_id.is_none_or(|j| r.job_id == Some(j)))
        .filter(|r| !active_only || r.is_active())
        .filter(|r| !completed_only || !r.is_active())
        .filter(|r| run_type.as_deref().is_none_or(|t| r.run_type == t))
        .filter(|r| from.is_none_or(|f| r.created >= f) && to.is_none_or(|t| r.created <= t))
        .collect();
    let query = page_token::fingerprint(&json!({
        "job_id": job_id, "active": active_only, "completed": completed_only,
        "type": run_type, "from": from, "to": to,
    }));
    let page = page_token::page(
        runs,
        |r| r.run_id,
        |a, b| b.cmp(a),
        limit as usize,
        params.opt_str("page_token")?,
        &query,
    )?;
    let mut answer = Map::new();
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| r.to_json(call.now, expand))
        .collect();
    if !items.is_empty() {
        answer.insert("runs".into(), Value::Array(items));
    }
    answer.insert("has_more".into(), json!(page.next.is_some()));
    if let Some(next) = page.next {
        answer.insert("next_page_token".into(), json!(next));
    }
    if let Some(prev) = page.prev {
        answer.insert("prev_page_token".into(), json!(prev));
    }
    Ok(Value::Object(answer))
}

/// The run and task of a task run id.
fn task_run(
    ws: &Workspace,
    task_run_id: i64,
) -> Result<(&runs::RunRecord, &runs::TaskRun), ApiError> {
    if ws.jobs.runs.contains_key(&task_run_id) {
        return Err(ApiError::invalid_parameter(
            "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.",
        ));
    }
    let run_id = *ws
        .jobs
        .task_runs
        .get(&task_run_id)
        .ok_or_else(|| no_run(task_run_id))?;
    let run = ws.jobs.run(run_id)?;
    let task = run
        .tasks
        .iter()
        .find(|t| t.run_id == task_run_id)
        .ok_or_else(|| no_run(task_run_id))?;
    Ok((run, task))
}

/// `GET jobs/runs/get-output` of a task run: the notebook's result, or its error and trace.
pub(crate) fn get_run_output(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let id = int(params, "run_id")?;
    let (run, task) = task_run(ws, id)?;
    let mut metadata = object(run.to_json(call.now, false));
    let task_json = object(
        run.to_json(call.now, true)["tasks"]
            .as_array()
            .and_then(|tasks| tasks.iter().find(|t| t["run_id"] == id).cloned())
            .unwrap_or_default(),
    );
    metadata.extend(task_json);
    let mut answer = json!({ "metadata": metadata });
    let done = task.ended.is_some() && task.end.is_some_and(|e| e <= call.now);
    if let (true, Some(output)) = (done, &task.output) {
        if task.settings["notebook_task"].is_object() {
            let mut notebook = json!({"truncated": false});
            if let Some(result) = &output.result {
                notebook["result"] = json!(result);
            }
            answer["notebook_output"] = notebook;
        } else {
            answer["logs"] = json!("");
            answer["logs_truncated"] = json!(false);
        }
        if let Some(error) = &output.error {
            answer["error"] = json!(error);
            answer["error_trace"] = json!(output.trace.clone().unwrap_or_else(|| error.clone()));
        }
    }
    Ok(answer)
}

/// `GET jobs/runs/export` of a notebook task run: its notebook as an HTML view.
pub(crate) fn export_run(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = int(params, "run_id")?;
    let (_, task) = task_run(ws, id)?;
    let Some(path) = task.settings["notebook_task"]["notebook_path"].as_str() else {
        return Err(ApiError::invalid_parameter(
            "Only notebook task runs can be exported.",
        ));
    };
    let views = params.opt_str("views_to_export")?.unwrap_or("CODE");
    let mut items = Vec::new();
    if views != "DASHBOARDS" {
        let source = ws
            .workspace_tree
            .notebook_source(path)
            .map(|(_, source)| source)
            .unwrap_or_default();
        items.push(json!({
            "name": path,
            "type": "NOTEBOOK",
            "content": format!("<html><body><pre>{}</pre></body></html>", html_escape(&source)),
        }));
    }
    Ok(json!({ "views": items }))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Cancels `run_ids` at `now`.
fn cancel_runs(ws: &mut Workspace, run_ids: &[i64], now: i64, user: &str) {
    let (jobs, compute, notebooks) = parts(ws);
    let mut world = compute.with(notebooks);
    for id in run_ids {
        if let Some(run) = jobs.runs.get_mut(id) {
            run.cancel(now, user, &mut world);
        }
    }
}

/// `POST jobs/runs/cancel`: ends the run (a no-op on an ended one).
pub(crate) fn cancel_run(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let run_id = int(params, "run_id")?;
    ws.jobs.run(run_id)?;
    cancel_runs(ws, &[run_id], call.now, &call.caller.name);
    Ok(json!({}))
}

/// `POST jobs/runs/cancel-all`: the active runs of `job_id`, or with `all_queued_runs` the
/// queued ones (of the job, or of the workspace).
pub(crate) fn cancel_all_runs(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let job_id = opt_int(params, "job_id")?;
    let queued_only = flag(params, "all_queued_runs");
    if job_id.is_none() && !queued_only {
        return Err(ApiError::invalid_parameter(
            "Either job_id or all_queued_runs must be given.",
        ));
    }
    if let Some(id) = job_id {
        ws.jobs.job(id)?;
    }
    let ids: Vec<i64> = ws
        .jobs
        .runs
        .values()
        .filter(|r| job_id.is_none_or(|j| r.job_id == Some(j)))
        .filter(|r| r.is_active() && (!queued_only || r.phase == Phase::Queued))
        .map(|r| r.run_id)
        .collect();
    cancel_runs(ws, &ids, call.now, &call.caller.name);
    Ok(json!({}))
}

/// `POST jobs/runs/delete`: only a run that is over.
pub(crate) fn delete_run(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let run_id = int(params, "run_id")?;
    if ws.jobs.run(run_id)?.is_active() {
        return Err(ApiError::invalid_state(format!(
            "Run {run_id} is active: cancel it before deleting it."
        )));
    }
    if let Some(run) = ws.jobs.runs.remove(&run_id) {
        for task in run.tasks {
            ws.jobs.task_runs.remove(&task.run_id);
        }
    }
    Ok(json!({}))
}

/// `POST jobs/runs/repair`: the tasks named in `rerun_tasks` (or every failed one with
/// `rerun_all_failed_tasks`, and their dependents with `rerun_dependent_tasks`) run again as
/// new task runs of the same run, which is active again.
pub(crate) fn repair_run(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let run_id = int(params, "run_id")?;
    let run = ws.jobs.run(run_id)?;
    if run.is_active() {
        return Err(ApiError::invalid_state(format!(
            "Run {run_id} is still active: only a run that is over can be repaired."
        )));
    }
    let latest = run.repairs.last().and_then(|r| r["id"].as_i64());
    if let Some(given) = opt_int(params, "latest_repair_id")?
        && Some(given) != latest
    {
        return Err(ApiError::invalid_parameter(format!(
            "latest_repair_id {given} is not the latest repair of run {run_id}."
        )));
    }
    let mut keys: Vec<String> = params
        .get("rerun_tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    if flag(params, "rerun_all_failed_tasks") {
        keys.extend(
            run.tasks
                .iter()
                .filter(|t| t.ended.as_ref().is_some_and(|e| !e.succeeded()))
                .map(|t| t.key.clone()),
        );
    }
    if keys.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Give rerun_tasks or rerun_all_failed_tasks: there is nothing to repair.",
        ));
    }
    if let Some(unknown) = keys
        .iter()
        .find(|k| !run.tasks.iter().any(|t| &t.key == *k))
    {
        return Err(ApiError::invalid_parameter(format!(
            "Task {unknown} is not a task of run {run_id}."
        )));
    }
    if flag(params, "rerun_dependent_tasks") {
        loop {
            let more: Vec<String> = run
                .tasks
                .iter()
                .filter(|t| !keys.contains(&t.key))
                .filter(|t| {
                    t.settings["depends_on"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|d| keys.iter().any(|k| d["task_key"] == k.as_str()))
                })
                .map(|t| t.key.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            keys.extend(more);
        }
    }
    let original = (run.repairs.is_empty()).then(|| {
        let value = run.to_json(call.now, true);
        json!({
            "type": "ORIGINAL",
            "start_time": value["start_time"],
            "end_time": value["end_time"],
            "state": value["state"],
            "status": value["status"],
            "task_run_ids": run.tasks.iter().map(|t| t.run_id).collect::<Vec<_>>(),
        })
    });
    let repair_id = ws.jobs.next_id();
    let new_ids: Vec<i64> = keys.iter().map(|_| ws.jobs.next_id()).collect();
    let (jobs, compute, notebooks) = parts(ws);
    let mut world = compute.with(notebooks);
    let run = jobs.runs.get_mut(&run_id).ok_or_else(|| no_run(run_id))?;
    let mut task_ids = Vec::new();
    for (key, new_id) in keys.iter().zip(new_ids) {
        if let Some(task) = run.tasks.iter_mut().find(|t| &t.key == key) {
            task.run_id = new_id;
            task.attempt += 1;
            task.start = None;
            task.end = None;
            task.ended = None;
            task.output = None;
            task.cluster_id = None;
            task_ids.push(new_id);
            jobs.task_runs.insert(new_id, run_id);
        }
    }
    run.repairs.extend(original);
    run.repairs.push(json!({
        "type": "REPAIR",
        "id": repair_id,
        "start_time": call.now,
        "task_run_ids": task_ids,
    }));
    run.ended = None;
    run.end_time = None;
    run.cancel_requested = false;
    run.begin_pending(call.now, &mut world);
    Ok(json!({ "repair_id": repair_id }))
}

/// The job named by the `job_id` path parameter of a permissions call.
fn job_of_path(ws: &Workspace, params: &Params) -> Result<i64, ApiError> {
    let text = params.str("job_id")?;
    let id: i64 = text
        .parse()
        .map_err(|_| ApiError::invalid_parameter(format!("{text} is not a valid job id.")))?;
    ws.jobs.job(id)?;
    Ok(id)
}

/// The permissions of a job as `permissions/jobs/{id}` answers them: the owner, the direct
/// entries, and `admins` with `CAN_MANAGE` inherited from the workspace.
fn permissions_json(job: &StoredJob) -> Value {
    let mut list = Vec::new();
    if !job.acl.iter().any(|e| e.2 == "IS_OWNER") {
        list.push(json!({
            "user_name": job.creator,
            "all_permissions": [{"permission_level": "IS_OWNER", "inherited": false}],
        }));
    }
    for (kind, name, level) in &job.acl {
        list.push(json!({
            kind.as_str(): name,
            "all_permissions": [{"permission_level": level, "inherited": false}],
        }));
    }
    list.push(json!({
        "group_name": "admins",
        "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": true, "inherited_from_object": ["/jobs/"]}],
    }));
    json!({
        "object_id": format!("/jobs/{}", job.job_id),
        "object_type": "job",
        "access_control_list": list,
    })
}

/// `GET permissions/jobs/{job_id}`.
pub(crate) fn get_permissions(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = job_of_path(ws, params)?;
    Ok(permissions_json(ws.jobs.job(id)?))
}

/// `PUT permissions/jobs/{job_id}`: the direct entries replaced.
pub(crate) fn set_permissions(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = job_of_path(ws, params)?;
    let request: JobPermissionsRequest = params.decode(&[])?;
    let list: Vec<Value> = request
        .access_control_list
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    let entries = acl_entries(&list)?;
    let job = ws.jobs.job_mut(id)?;
    job.acl = entries;
    Ok(permissions_json(job))
}

/// `PATCH permissions/jobs/{job_id}`: entries added (a principal listed gets the new level).
pub(crate) fn update_permissions(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let id = job_of_path(ws, params)?;
    let request: JobPermissionsRequest = params.decode(&[])?;
    let list: Vec<Value> = request
        .access_control_list
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_default())
        .collect();
    let entries = acl_entries(&list)?;
    let job = ws.jobs.job_mut(id)?;
    for entry in entries {
        if entry.2 == "IS_OWNER" {
            job.acl.retain(|e| e.2 != "IS_OWNER");
        }
        match job
            .acl
            .iter_mut()
            .find(|e| e.0 == entry.0 && e.1 == entry.1)
        {
            Some(existing) => *existing = entry,
            None => job.acl.push(entry),
        }
    }
    Ok(permissions_json(job))
}

/// `GET permissions/jobs/{job_id}/permissionLevels`.
pub(crate) fn get_permission_levels(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    job_of_path(ws, params)?;
    Ok(json!({"permission_levels": [
        {"permission_level": "CAN_VIEW", "description": "Can view the job and its runs"},
        {"permission_level": "CAN_MANAGE_RUN", "description": "Can view, trigger and cancel runs of the job"},
        {"permission_level": "IS_OWNER", "description": "Owns the job: can manage it and its permissions"},
        {"permission_level": "CAN_MANAGE", "description": "Can view, run, edit and delete the job and manage its permissions"},
    ]}))
}
