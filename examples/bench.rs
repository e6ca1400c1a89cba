//! Benchmark: the SDK against the limit — a plain ureq agent (default configuration) plus
//! serde_json decoding into the same structs as typify derives them (`models_plain.rs`, the same
//! field set without the SDK's lossless impls) — on a keep-alive HTTP server with canned answers
//! that runs in a child process, so that the CPU time this process reports is the client's.
//!
//! ```sh
//! cargo run --release --example bench                 # full run (about 90 s)
//! cargo run --release --example bench -- --quick      # seconds, a smoke test of every measurement
//! cargo run --release --example bench -- --section 4  # one section
//! tools/instructions.sh                               # instructions per call, under callgrind
//! ```
//!
//! Every ratio is SDK / limit measured in the same run, in interleaved rounds (the median of the
//! per-round ratios is reported, with the lowest and highest), so both sides see the same
//! machine noise. Single-thread measurements also report the client thread's CPU time per call
//! (limit / SDK, so 1.0 is parity for both ratios): calls per second on a 2-core loopback mostly
//! measure the server and the scheduler, CPU per call measures the client. Measurements:
//!
//! 1. Small calls (`get`, `start`, `pin`, `tokens.list`, `secrets.put`, `secrets.acls.get`),
//!    one thread, with the SDK's default timeouts on.
//! 2. Decoding: one page of 1,000 clusters with every field of the schema (`list_with`).
//! 3. Paging: 10,000 clusters as pages of 100 (`list_iter`), against the limit following the
//!    same `next_page_token`s; the peak heap of `list_iter` over 1,000 and over 10,000 clusters.
//! 4. Per-call cost with threads: 1, 2, 4, 8 and 16 threads doing `get` through one shared
//!    `Client`, against the same threads sharing one `ureq::Agent` that keeps as many
//!    connections (so both sides hold one connection per thread and none is reopened), against
//!    nginx on loopback when it is installed (else this bench's own server). The server runs on
//!    CPU 0 and the measuring process on CPU 1 (`taskset`), so the CPU time per call is the
//!    client's own; calls per second and CPU per call, medians of 151 alternating rounds.
//!    `--against raw` measures two plain agents against each other (the noise floor);
//!    `--against timeouts` a plain agent with the SDK's timeouts (what those cost).
//! 5. `events_iter` peak heap over 1,000 and 10,000 events; process start to first call.
//! 6. Files API against the emulator running in a child process (`--emulator`): 1 GiB (64 MiB
//!    with `--quick`) uploaded from a generated stream and downloaded into a hashing sink, by
//!    `files().upload` / `files().download_to` and by plain ureq streaming the same bytes to
//!    the same URLs: throughput (SDK / limit) and the client's peak heap growth over idle.
//!    DBFS (100 MB in 1 MB blocks) is reported once the DBFS API is in the SDK.
//! 7. Jobs: 10,000 jobs as 100 pages of 100 (`jobs().list_iter`, tasks expanded) against the
//!    limit following the same `next_page_token`s; and waiting on a run of 10 emulated minutes
//!    (`run_now_and_wait` against the in-process emulator on its emulated clock): the polls
//!    sent and the CPU time spent (SDK and emulator together).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use azure_databricks_sdk::models::{self, AclPermission, ClusterEventRequest, ListClustersRequest};
use azure_databricks_sdk::{Auth, Client, RetryPolicy, SecretValue, defaults};
use serde_json::{Value, json};

/// The SDK's structs as serde derives them: the limit decodes into these. build.rs writes
/// `models_plain.rs` only with the SDK's `dev-files` feature, which the crate's dev-dependency on
/// itself turns on for examples and tests.
#[allow(dead_code, clippy::all, missing_docs)]
mod plain {
    pub use azure_databricks_sdk::models::*;
    include!(concat!(env!("OUT_DIR"), "/models_plain.rs"));
}
/// Referenced by the plain models as `crate::SensitiveString`.
pub use azure_databricks_sdk::SensitiveString;

// ---------------------------------------------------------------------------------------------
// A counting allocator: current and peak heap of the process.

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Off in the processes that measure CPU time or instructions per call (`--per-call`,
/// `--load`, `--count`), so that no call pays for the counters (shared by every thread).
static COUNTING: AtomicBool = AtomicBool::new(true);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() && COUNTING.load(Ordering::Relaxed) {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap growth (bytes) while `f` runs, above the heap in use when it starts.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

/// CPU time (user + system) this process has used, from `/proc/self/stat` (Linux; zero
/// elsewhere).
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).unwrap_or(&0) + fields.get(12).unwrap_or(&0);
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

// ---------------------------------------------------------------------------------------------
// Canned answers (built in the server process).

const ID: &str = "0923-164208-meows279";

/// One realistic cluster with every field of the schema: the wire test fixture.
fn cluster(n: usize) -> Value {
    let mut c: Value =
        serde_json::from_str(include_str!("../tests/fixtures/clusters/get.json")).expect("fixture");
    c["cluster_id"] = json!(format!("0923-164208-{n:08}"));
    c
}

struct Canned {
    get: Vec<u8>,
    /// Every job of the big workspace, serialized, to cut `jobs/list` pages from.
    jobs: Vec<Vec<u8>>,
    /// Every cluster of the big workspace, serialized, to cut pages from.
    clusters: Vec<Vec<u8>>,
}

fn canned() -> &'static Canned {
    static CANNED: OnceLock<Canned> = OnceLock::new();
    CANNED.get_or_init(|| Canned {
        get: serde_json::to_vec(&cluster(0)).unwrap(),
        jobs: (0..10_000)
            .map(|n| serde_json::to_vec(&job(n)).unwrap())
            .collect(),
        clusters: (0..10_000)
            .map(|n| serde_json::to_vec(&cluster(n)).unwrap())
            .collect(),
    })
}

/// One job of `jobs/list` with its tasks expanded: a notebook task on a job cluster and a
/// JAR task depending on it, schedule, notifications and tags.
fn job(n: usize) -> Value {
    json!({
        "job_id": 1_000_000 + n, "creator_user_name": "alice@contoso.com",
        "created_time": 1_725_000_000_000_i64 + n as i64,
        "settings": {
            "name": format!("nightly {n}"), "max_concurrent_runs": 1, "timeout_seconds": 0,
            "format": "MULTI_TASK", "email_notifications": {"on_failure": ["ops@contoso.com"]},
            "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC", "pause_status": "UNPAUSED"},
            "tags": {"team": "data", "cost-center": "42"},
            "job_clusters": [{"job_cluster_key": "etl", "new_cluster": {"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 2}}],
            "tasks": [
                {"task_key": "ingest", "job_cluster_key": "etl", "notebook_task": {"notebook_path": "/Shared/ingest", "source": "WORKSPACE"}, "timeout_seconds": 3600},
                {"task_key": "report", "depends_on": [{"task_key": "ingest"}], "run_if": "ALL_SUCCESS", "job_cluster_key": "etl",
                 "spark_jar_task": {"main_class_name": "com.contoso.Report"}, "libraries": [{"jar": "dbfs:/jars/report.jar"}]}
            ]
        }
    })
}

/// A page of `jobs/list` (2.2): `limit` jobs from the offset in `page_token`, out of
/// `bench_total` (sent by the SDK as its request's unknown field).
fn jobs_page(query: &str) -> Vec<u8> {
    page_of(query, "jobs", &canned().jobs, ("limit", 20), true)
}

/// A page of `clusters/list` (2.1): `page_size` clusters from the offset in `page_token`, out
/// of `bench_total` (a field the SDK sends along as its request's unknown field).
fn clusters_page(query: &str) -> Vec<u8> {
    page_of(
        query,
        "clusters",
        &canned().clusters,
        ("page_size", 100),
        false,
    )
}

/// A page of `items` as `{"<array>": [...], "next_page_token": "<offset>"}`: as many as the
/// query's `size` parameter (name, default) asks for, from the offset in `page_token`, out of
/// `bench_total`; with `has_more` too when the API sends it.
fn page_of(
    query: &str,
    array: &str,
    items: &[Vec<u8>],
    (size_name, default_size): (&str, usize),
    has_more: bool,
) -> Vec<u8> {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let total = param("bench_total").unwrap_or(1000);
    let size = param(size_name).unwrap_or(default_size);
    let offset = param("page_token").unwrap_or(0);
    let end = (offset + size).min(total);
    let mut page = format!("{{\"{array}\":[").into_bytes();
    for (i, item) in items[offset..end].iter().enumerate() {
        if i > 0 {
            page.push(b',');
        }
        page.extend_from_slice(item);
    }
    page.push(b']');
    if has_more {
        page.extend_from_slice(format!(",\"has_more\":{}", end < total).as_bytes());
    }
    if end < total {
        page.extend_from_slice(format!(",\"next_page_token\":\"{end}\"").as_bytes());
    }
    page.push(b'}');
    page
}

/// One page of `clusters/events`: 100 events from `offset`, `total` in all.
fn events_page(body: &[u8]) -> Vec<u8> {
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let offset = request["offset"].as_u64().unwrap_or(0);
    let total = request["limit"].as_u64().unwrap_or(1000);
    let end = (offset + 100).min(total);
    let events: Vec<Value> = (offset..end)
        .map(|i| json!({"cluster_id": ID, "timestamp": 1_727_000_000_000u64 + i, "type": "RUNNING",
                        "details": {"current_num_workers": 2, "target_num_workers": 2, "user": "alice@example.com"}}))
        .collect();
    let mut page = json!({"events": events, "total_count": total});
    if end < total {
        page["next_page"] = json!({"cluster_id": ID, "offset": end, "limit": total});
    }
    serde_json::to_vec(&page).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The server: keep-alive HTTP/1.1, one thread per connection, in a child process.

static ACCEPTED: AtomicUsize = AtomicUsize::new(0);

fn serve(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        ACCEPTED.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(move || {
            let _ = connection(stream);
        });
    }
}

fn connection(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let built;
        let answer: &[u8] = match path {
            "/api/2.1/clusters/get" => &canned().get,
            "/api/2.1/clusters/list" => {
                built = clusters_page(query);
                &built
            }
            "/api/2.2/jobs/list" => {
                built = jobs_page(query);
                &built
            }
            "/api/2.1/clusters/events" => {
                built = events_page(&body);
                &built
            }
            "/api/2.0/token/list" => {
                br#"{"token_infos":[{"token_id":"5715498424f15ee0213be729257b53fc35a47d5953e3bdfd8ed22a0b93b339f4","creation_time":1727000000000,"expiry_time":1734776000000,"comment":"ci"}]}"#
            }
            "/api/2.0/secrets/acls/get" => br#"{"principal":"users","permission":"READ"}"#,
            "/__accepted" => {
                built = ACCEPTED.load(Ordering::SeqCst).to_string().into_bytes();
                &built
            }
            _ => b"{}",
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            answer.len()
        );
        writer.write_all(head.as_bytes())?;
        writer.write_all(answer)?;
    }
}

/// Child mode: serve on a free port, print it, serve until the parent closes our stdin.
fn server_process() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    println!("{}", listener.local_addr().unwrap().port());
    std::io::stdout().flush().unwrap();
    canned();
    std::thread::spawn(move || serve(listener));
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// Starts the server process; returns it and its base URL.
fn start_server() -> (std::process::Child, String) {
    let mut child = server_side(std::env::current_exe().unwrap())
        .arg("--serve")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut port)
        .unwrap();
    (child, format!("http://127.0.0.1:{}", port.trim()))
}

// ---------------------------------------------------------------------------------------------
// The two sides.

const TOKEN: &str = "dapi0123456789abcdef0123456789abcd";

/// The SDK with its default configuration (timeouts, pool), retries off.
fn sdk_client(base: &str) -> Client {
    Client::builder(base)
        .auth(Auth::personal_access_token(TOKEN))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client")
}

/// The limit: what a hand-written caller does with ureq and serde_json, and nothing else.
#[derive(Clone)]
struct Limit {
    agent: ureq::Agent,
    base: String,
    bearer: String,
}

fn read(mut r: ureq::http::Response<ureq::Body>) -> Vec<u8> {
    r.body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap()
}

impl Limit {
    fn new(base: &str) -> Self {
        Self::with_agent(
            base,
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .build()
                .new_agent(),
        )
    }

    /// The same with a pool keeping `idle` connections (the default keeps 3): `n` threads
    /// sharing it keep `n` connections, as they do sharing an SDK client.
    fn with_idle(base: &str, idle: usize) -> Self {
        Self::with_agent(
            base,
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .max_idle_connections(idle.max(10))
                .max_idle_connections_per_host(idle.max(3))
                .build()
                .new_agent(),
        )
    }

    /// The same with the SDK's default timeouts and pool (as `client::agent` sets them from
    /// [`defaults`]): what the timeouts cost, without the rest of the SDK.
    fn with_timeouts(base: &str) -> Self {
        let phase = Some(defaults::TIMEOUT);
        let idle = defaults::MAX_IDLE_CONNECTIONS_PER_HOST;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_idle_connections(idle * 4)
            .max_idle_connections_per_host(idle)
            .timeout_connect(Some(defaults::CONNECT_TIMEOUT))
            .timeout_send_request(phase)
            .timeout_send_body(phase)
            .timeout_recv_response(phase)
            .timeout_recv_body(phase)
            .timeout_per_read(Some(defaults::TIMEOUT / 2))
            .timeout_per_write(Some(defaults::TIMEOUT / 2));
        Self::with_agent(base, config.build().new_agent())
    }

    fn with_agent(base: &str, agent: ureq::Agent) -> Self {
        Self {
            agent,
            base: base.to_string(),
            bearer: format!("Bearer {TOKEN}"),
        }
    }

    fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Vec<u8> {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .query_pairs(query.iter().copied())
            .header("authorization", &self.bearer)
            .call()
            .unwrap();
        read(r)
    }

    fn post(&self, path: &str, body: &Value) {
        let body = serde_json::to_vec(body).unwrap();
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("authorization", &self.bearer)
            .header("content-type", "application/json")
            .send(&body[..])
            .unwrap();
        let body = read(r);
        let _: serde::de::IgnoredAny =
            serde_json::from_slice(if body.is_empty() { b"{}" } else { &body }).unwrap();
    }

    fn get(&self, id: &str) -> plain::ClusterInfo {
        serde_json::from_slice(&self.get_json("/api/2.1/clusters/get", &[("cluster_id", id)]))
            .unwrap()
    }

    /// The same decoded into the SDK's (lossless) model.
    fn get_model(&self, id: &str) -> models::ClusterInfo {
        serde_json::from_slice(&self.get_json("/api/2.1/clusters/get", &[("cluster_id", id)]))
            .unwrap()
    }

    /// Every cluster of `total`, in pages of `size`, following `next_page_token`.
    fn list(&self, total: usize, size: usize) -> usize {
        let (total, size) = (total.to_string(), size.to_string());
        let mut token = None::<String>;
        let mut count = 0;
        loop {
            let mut query = vec![
                ("bench_total", total.as_str()),
                ("page_size", size.as_str()),
            ];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let page: plain::ListClustersResponse =
                serde_json::from_slice(&self.get_json("/api/2.1/clusters/list", &query)).unwrap();
            count += page.clusters.len();
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return count,
            }
        }
    }
}

impl Limit {
    /// Every job of `total`, in pages of 100 with tasks expanded, following `next_page_token`.
    fn list_jobs(&self, total: usize) -> usize {
        let total = total.to_string();
        let mut token = None::<String>;
        let mut count = 0;
        loop {
            let mut query = vec![
                ("bench_total", total.as_str()),
                ("expand_tasks", "true"),
                ("limit", "100"),
            ];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let page: plain::ListJobsResponse =
                serde_json::from_slice(&self.get_json("/api/2.2/jobs/list", &query)).unwrap();
            count += page.jobs.len();
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return count,
            }
        }
    }
}

/// Polls and CPU time of `run_now_and_wait` on a job whose notebook sleeps 10 emulated
/// minutes, against the in-process emulator: its client's clock is the emulated one, so the
/// pauses between polls take no real time and what is left is the work of the polls.
fn wait_on_a_ten_minute_run() -> (u64, Duration, Duration) {
    use azure_databricks_sdk::models::{CreateJob, JobSettings, NotebookTask, RunNow, Task};
    let ws = azure_databricks_emulator::Emulator::start().unwrap();
    ws.add_notebook("/Shared/ten-minutes", "import time\ntime.sleep(600)");
    let client = ws.client();
    let job_id = client
        .jobs()
        .create(&CreateJob::from(JobSettings {
            tasks: vec![Task {
                task_key: "sleep".into(),
                notebook_task: Some(NotebookTask {
                    notebook_path: "/Shared/ten-minutes".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }))
        .unwrap()
        .job_id
        .unwrap();
    let (requests, cpu, started) = (ws.request_count(), cpu_time(), ws.now_millis());
    client
        .jobs()
        .run_now_and_wait(
            &RunNow {
                job_id,
                ..Default::default()
            },
            Duration::from_secs(3600),
        )
        .unwrap();
    let emulated = Duration::from_millis((ws.now_millis() - started) as u64);
    (
        ws.request_count() - requests - 1,
        cpu_time() - cpu,
        emulated,
    )
}

/// A request for `total` clusters in pages of `size` (the server reads `bench_total`, which the
/// SDK sends as an unknown field of the request).
fn list_request(total: usize, size: usize) -> ListClustersRequest {
    let mut request = ListClustersRequest {
        page_size: Some(size as i32),
        ..Default::default()
    };
    request.unknown_fields.insert("bench_total", json!(total));
    request
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// CPU time the calling thread has run, in nanoseconds, from `/proc/thread-self/schedstat`
/// (Linux; zero elsewhere). Unlike the wall clock it does not count the time spent waiting for
/// the server, which on a loopback shared with the server is most of a small call.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Calls per second of `n` runs of `f`, and this thread's CPU nanoseconds per call.
fn rate(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    let cpu = thread_cpu_ns();
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    let elapsed = started.elapsed();
    let cpu = thread_cpu_ns().saturating_sub(cpu);
    (n as f64 / elapsed.as_secs_f64(), cpu as f64 / n as f64)
}

/// A ratio over several rounds: median, lowest and highest of the per-round SDK/limit ratios
/// of calls per second, the median rates, and the same for CPU per call (as limit/SDK, so
/// that for both ratios 1.0 is parity and higher is better for the SDK).
struct Ratio {
    median: f64,
    low: f64,
    high: f64,
    sdk: f64,
    limit: f64,
    cpu_ratio: f64,
    sdk_cpu: f64,
    limit_cpu: f64,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Interleaved rounds of `n` calls of each side (alternating which goes first).
fn compare(rounds: usize, n: usize, mut sdk: impl FnMut(), mut limit: impl FnMut()) -> Ratio {
    let (mut ratios, mut sdks, mut limits) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cpu_ratios, mut sdk_cpus, mut limit_cpus) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let ((s, sc), (l, lc)) = if round % 2 == 0 {
            let s = rate(n, &mut sdk);
            (s, rate(n, &mut limit))
        } else {
            let l = rate(n, &mut limit);
            (rate(n, &mut sdk), l)
        };
        ratios.push(s / l);
        sdks.push(s);
        limits.push(l);
        cpu_ratios.push(lc / sc);
        sdk_cpus.push(sc);
        limit_cpus.push(lc);
    }
    let low = ratios.iter().copied().fold(f64::MAX, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    Ratio {
        median: median(ratios),
        low,
        high,
        sdk: median(sdks),
        limit: median(limits),
        cpu_ratio: median(cpu_ratios),
        sdk_cpu: median(sdk_cpus),
        limit_cpu: median(limit_cpus),
    }
}

fn report(name: &str, r: &Ratio, unit: &str) {
    println!(
        "{name:<32} sdk {:>9.1}{unit}  limit {:>9.1}{unit}  ratio {:.3} (rounds {:.3}..{:.3})",
        r.sdk, r.limit, r.median, r.low, r.high
    );
    println!(
        "{:<32} cpu/call  sdk {:>8.1} us  limit {:>8.1} us  ratio {:.3} (limit/sdk)",
        "",
        r.sdk_cpu / 1e3,
        r.limit_cpu / 1e3,
        r.cpu_ratio
    );
}

/// Connections the server has accepted so far, asked through `probe` (whose own connection is
/// kept alive, so asking opens none).
fn accepted(probe: &Limit) -> usize {
    let answer = String::from_utf8(probe.get_json("/__accepted", &[])).unwrap();
    // nginx's stub_status: "Active connections: 1\nserver accepts handled requests\n 5 5 9\n…".
    let count = match answer.lines().nth(2) {
        Some(line) => line.split_whitespace().next().unwrap(),
        None => answer.trim(),
    };
    count.parse().unwrap()
}

/// `threads` threads sharing `f`, `total` calls in all: calls per second, and the CPU time
/// the threads ran per call in nanoseconds (see [`on_threads`]).
fn threaded(threads: usize, total: usize, f: impl Fn() + Sync) -> (f64, f64) {
    on_threads(threads, total, &[&f], &[0])[0]
}

/// Runs `sides[order[i]]` for run `i` on the same `threads` worker threads (started once, so
/// that thread start-up, fresh stacks and new malloc arenas are not measured), `total` calls
/// per run split over them. Gives per run the calls per second and the CPU time the workers
/// ran per call in nanoseconds (each thread's own from `schedstat`, summed: user and kernel
/// time, with nanosecond resolution, whatever else the machine runs).
fn on_threads(
    threads: usize,
    total: usize,
    sides: &[&(dyn Fn() + Sync)],
    order: &[usize],
) -> Vec<(f64, f64)> {
    use std::sync::Barrier;
    use std::sync::atomic::AtomicU64;
    let calls = total / threads;
    let (start, end) = (Barrier::new(threads + 1), Barrier::new(threads + 1));
    let side = AtomicUsize::new(0);
    let cpu = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    start.wait();
                    let Some(f) = sides.get(side.load(Ordering::SeqCst)) else {
                        return;
                    };
                    let before = thread_cpu_ns();
                    for _ in 0..calls {
                        f();
                    }
                    cpu.fetch_add(thread_cpu_ns() - before, Ordering::SeqCst);
                    end.wait();
                }
            });
        }
        let runs = order
            .iter()
            .map(|&which| {
                side.store(which, Ordering::SeqCst);
                cpu.store(0, Ordering::SeqCst);
                let started = Instant::now();
                start.wait();
                end.wait();
                let elapsed = started.elapsed();
                let done = (calls * threads) as f64;
                (
                    done / elapsed.as_secs_f64(),
                    cpu.load(Ordering::SeqCst) as f64 / done,
                )
            })
            .collect();
        side.store(usize::MAX, Ordering::SeqCst);
        start.wait();
        runs
    })
}

// ---------------------------------------------------------------------------------------------
// 4. Per-call cost with threads, against nginx.

/// nginx serving the canned `clusters/get` answer on loopback for section 4: one process (no
/// master, one worker), every connection kept alive for the whole run, no access log; pinned
/// to CPU `cpu` when given. Stopped and its folder removed on drop.
struct Nginx {
    child: std::process::Child,
    dir: std::path::PathBuf,
    base: String,
}

impl Nginx {
    /// `None` when nginx is not installed (the README says how to install it).
    fn start(cpu: Option<usize>) -> Option<Self> {
        // On the PATH, or in an sbin folder (Debian puts it in /usr/sbin, often not on a
        // user's PATH).
        let path = std::env::var_os("PATH").unwrap_or_default();
        let binary = std::env::split_paths(&path)
            .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
            .map(|dir| dir.join("nginx"))
            .find(|candidate| candidate.is_file())?;
        let dir = std::env::temp_dir().join(format!("bench-nginx-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        std::fs::write(dir.join("get.json"), &canned().get).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.display();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1;\n\
             pid {d}/nginx.pid; error_log {d}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n\
               access_log off; keepalive_requests 100000000; keepalive_timeout 600s; tcp_nodelay on;\n\
               client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp; fastcgi_temp_path {d}/tmp;\n\
               uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;\n\
               server {{\n\
                 listen 127.0.0.1:{port}; root {d};\n\
                 location = /api/2.1/clusters/get {{ default_type application/json; try_files /get.json =404; }}\n\
                 location = /__accepted {{ stub_status; }}\n\
               }}\n\
             }}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let nginx_args = [
            "-p".to_string(),
            d.to_string(),
            "-c".to_string(),
            format!("{d}/nginx.conf"),
            "-e".to_string(),
            format!("{d}/error.log"),
        ];
        let mut command = match cpu {
            Some(cpu) => {
                let mut c = std::process::Command::new("taskset");
                c.args(["-c", &cpu.to_string()]).arg(&binary);
                c
            }
            None => std::process::Command::new(&binary),
        };
        let child = command
            .args(nginx_args)
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut nginx = Nginx {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(nginx);
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                panic!("nginx exited ({status}): {log}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("nginx did not start listening on port {port}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A child process of the server side (this bench's server, the emulator): on CPU 0 when the
/// benchmark runs pinned (the measuring process is then on CPU 1), else where the OS puts it.
fn server_side(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    if std::env::var_os(PINNED).is_some() {
        let mut command = std::process::Command::new("taskset");
        command.args(["-c", "0"]).arg(program);
        command
    } else {
        std::process::Command::new(program)
    }
}

/// Set in the benchmark process that runs pinned to CPU 1 (see `main`).
const PINNED: &str = "BENCH_PINNED";

/// Whether `taskset` (util-linux) can pin processes here, and the machine has 2 CPUs or more.
fn can_pin() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
        && std::process::Command::new("taskset")
            .args(["-c", "0", "true"])
            .status()
            .is_ok_and(|s| s.success())
}

/// Section 4: the server (nginx when installed, else the bench's own) on CPU 0 and this
/// measurement in a child process on CPU 1 (when the benchmark runs pinned, see `main`).
fn per_call_section(own_server: &str, rounds: usize, total: usize, first: &str) {
    let pin = std::env::var_os(PINNED).is_some();
    let nginx = Nginx::start(pin.then_some(0));
    let (base, server) = match &nginx {
        Some(n) => (n.base.as_str(), "nginx (one worker)"),
        None => (
            own_server,
            "the bench's own server (nginx is not installed: see docs/performance.md)",
        ),
    };
    let measured = match first {
        "sdk" => "one Client",
        "raw" => "a second such agent (A/A: the noise floor)",
        "timeouts" => "an agent with the SDK's timeouts and pool",
        "models" => "an agent with the SDK's timeouts and pool, decoding into the SDK's models",
        _ => panic!("--against sdk|raw|timeouts|models, not {first}"),
    };
    println!(
        "\n4. per-call cost: threads sharing {measured} vs threads sharing one ureq::Agent that keeps \
         as many connections (raw)\n   clusters.get, {total} calls per run split over the threads, \
         {rounds} alternating rounds, medians; server: {server}; client pinned: {}",
        if pin {
            "CPU 1, server CPU 0"
        } else {
            "no (needs taskset and 2 CPUs)"
        }
    );
    let exe = std::env::current_exe().unwrap();
    let args = [
        "--per-call".to_string(),
        base.to_string(),
        rounds.to_string(),
        total.to_string(),
        first.to_string(),
    ];
    // A process of its own (on CPU 1 too when pinned), so nothing of the other sections
    // (their heap, the counting allocator) is in what it measures.
    let status = std::process::Command::new(exe).args(&args).status();
    assert!(status.unwrap().success(), "section 4 failed");
}

/// The child of section 4: at 1, 2, 4, 8 and 16 threads, `rounds` rounds of `total` calls on
/// each side, alternating which side goes first; medians of the per-round ratios.
fn per_call_child(base: &str, rounds: usize, total: usize, first: &str) {
    println!(
        "   threads   calls/s side     raw   side/raw (rounds)        cpu µs/call side   raw   side/raw (rounds)        connections opened (2 × threads: none reopened)"
    );
    // Its one connection is kept for the whole run (an idle one is otherwise closed after 15 s).
    let probe = Limit::with_agent(
        base,
        ureq::Agent::config_builder()
            .max_idle_age(Duration::from_secs(3600))
            .build()
            .new_agent(),
    );
    let connections = || accepted(&probe);
    for threads in [1, 2, 4, 8, 16] {
        let client = sdk_client(base);
        let raw = Limit::with_idle(base, threads);
        let twin = Limit::with_idle(base, threads);
        let timed = Limit::with_timeouts(base);
        let sdk = || drop(client.clusters().get(ID).unwrap());
        let other = || drop(twin.get(ID));
        let with_timeouts = || drop(timed.get(ID));
        let with_models = || drop(timed.get_model(ID));
        let limit = || drop(raw.get(ID));
        let first: &(dyn Fn() + Sync) = match first {
            "sdk" => &sdk,
            "raw" => &other,
            "timeouts" => &with_timeouts,
            "models" => &with_models,
            _ => panic!("--against sdk|raw|timeouts|models, not {first}"),
        };
        // A warm-up run of each side (opening its connections), then alternating rounds.
        let mut order = vec![0, 1];
        for round in 0..rounds {
            order.extend(if round % 2 == 0 { [0, 1] } else { [1, 0] });
        }
        let before = connections();
        let runs = on_threads(threads, total, &[first, &limit], &order);
        let opened = connections() - before;
        let (mut sdk_runs, mut raw_runs) = (Vec::new(), Vec::new());
        for (&side, run) in order.iter().zip(runs).skip(2) {
            if side == 0 {
                &mut sdk_runs
            } else {
                &mut raw_runs
            }
            .push(run);
        }
        let per_round = |f: fn(&(f64, f64)) -> f64| -> Vec<f64> {
            sdk_runs
                .iter()
                .zip(&raw_runs)
                .map(|(s, r)| f(s) / f(r))
                .collect()
        };
        let spread = |v: &[f64]| {
            let low = v.iter().copied().fold(f64::MAX, f64::min);
            let high = v.iter().copied().fold(0.0, f64::max);
            format!("{:.3} ({low:.2}..{high:.2})", median(v.to_vec()))
        };
        let rates = per_round(|r| r.0);
        let cpus = per_round(|r| r.1);
        println!(
            "   {threads:>7}   {:>11.0} {:>8.0}   {:<24} {:>8.1} {:>6.1}   {:<24} {} (2 × {})",
            median(sdk_runs.iter().map(|r| r.0).collect()),
            median(raw_runs.iter().map(|r| r.0).collect()),
            spread(&rates),
            median(sdk_runs.iter().map(|r| r.1 / 1e3).collect()),
            median(raw_runs.iter().map(|r| r.1 / 1e3).collect()),
            spread(&cpus),
            opened,
            threads,
        );
    }
}

/// Child mode: one call to `base`, then print and exit (for the start-to-first-call time).
fn first_call(base: &str) {
    let client = sdk_client(base);
    client.clusters().get(ID).expect("first call");
    println!("done");
}

fn start_to_first_call(base: &str, runs: usize) -> Duration {
    let exe = std::env::current_exe().unwrap();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let out = std::process::Command::new(&exe)
                .args(["--first-call", base])
                .output()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("done"),
                "child failed: {out:?}"
            );
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Instruction-count mode, for a profiler such as `valgrind --tool=callgrind` (which counts
/// only this process, not the server's): `n` calls of `call` through `side` (`sdk` or
/// `limit`), after one warm-up call. Run it with n and with 0: the difference over n is the
/// cost of one call.
fn count_mode(side: &str, call: &str, n: usize) {
    let (mut server, base) = start_server();
    if call == "get-4-threads" {
        // 4 threads share one client (one agent keeping 4 connections): a warm-up call each,
        // then `n` calls in all.
        load(side, 4, n, &base, 1);
        drop(server.stdin.take());
        let _ = server.wait();
        return;
    }
    let client = sdk_client(&base);
    let limit = Limit::new(&base);
    let page = list_request(100, 100);
    let decode_page = match call {
        "decode" => {
            let clusters: Vec<Value> = (0..1000).map(cluster).collect();
            serde_json::to_vec(&json!({ "clusters": clusters })).unwrap()
        }
        "decode-typical" => {
            let fixture: Value =
                serde_json::from_str(include_str!("../tests/fixtures/clusters/list.json")).unwrap();
            let clusters: Vec<Value> = (0..1000)
                .map(|i| fixture["clusters"][i % 3].clone())
                .collect();
            serde_json::to_vec(&json!({ "clusters": clusters })).unwrap()
        }
        _ => Vec::new(),
    };
    let once = |i: usize| match (side, call) {
        ("sdk", "get") => drop(client.clusters().get(ID).unwrap()),
        ("limit", "get") => drop(limit.get(ID)),
        ("sdk", "start") => client.clusters().start(ID).unwrap(),
        ("limit", "start") => limit.post("/api/2.1/clusters/start", &json!({ "cluster_id": ID })),
        ("sdk", "list") => assert_eq!(client.clusters().list_with(&page).unwrap().len(), 100),
        ("limit", "list") => assert_eq!(limit.list(100, 100), 100),
        ("sdk", "decode" | "decode-typical") => {
            let page: models::ListClustersResponse = serde_json::from_slice(&decode_page).unwrap();
            assert_eq!(page.clusters.len(), 1000);
        }
        ("limit", "decode" | "decode-typical") => {
            let page: plain::ListClustersResponse = serde_json::from_slice(&decode_page).unwrap();
            assert_eq!(page.clusters.len(), 1000);
        }
        _ => panic!(
            "--count sdk|limit get|get-4-threads|start|list|decode|decode-typical N (call {i})"
        ),
    };
    for i in 0..=n {
        once(i);
    }
    drop(server.stdin.take());
    let _ = server.wait();
}

/// `threads` threads sharing one side (`sdk`, or `limit` keeping as many connections) doing
/// `clusters.get` against `base`: `warm_up` calls each, then `total` calls in all. For a
/// profiler (`perf record`, `strace -f -c`, callgrind) against any server, nginx included.
fn load(side: &str, threads: usize, total: usize, base: &str, warm_up: usize) {
    let client = sdk_client(base);
    let limit = Limit::with_idle(base, threads);
    let timed = Limit::with_timeouts(base);
    let one = || match side {
        "sdk" => drop(client.clusters().get(ID).unwrap()),
        "limit" => drop(limit.get(ID)),
        "timed" => drop(timed.get(ID)),
        _ => panic!("the side is sdk, limit or timed, not {side}"),
    };
    if warm_up > 0 {
        threaded(threads, threads * warm_up, one);
    }
    let (rate, cpu) = threaded(threads, total, one);
    eprintln!(
        "{side}: {threads} threads, {total} calls: {rate:.0} calls/s, {:.1} µs CPU per call",
        cpu / 1e3
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Files API transfers against the emulator in a child process.

/// The child process of section 6: an emulator; prints its URL and admin token, serves until
/// stdin closes.
fn emulator_process() {
    let ws = azure_databricks_emulator::Emulator::start().expect("emulator");
    println!("{} {}", ws.base_url(), ws.admin_token());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// `len` generated bytes (xorshift), made as they are read: gigabytes without holding them.
struct Pattern {
    state: u64,
    left: u64,
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for byte in &mut buf[..n] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *byte = (self.state >> 24) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A writer that keeps only a hash (FNV-1a) and a length of what it is given.
#[derive(Default)]
struct HashSink {
    hash: u64,
    len: u64,
}

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.len == 0 {
            self.hash = 0xcbf2_9ce4_8422_2325;
        }
        for &b in buf {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_section(len: u64, rounds: usize) {
    use azure_databricks_sdk::{Upload, UploadOptions};
    println!(
        "\n6. Files API, {} MiB to and from the emulator in another process",
        len >> 20
    );
    let mut child = server_side(std::env::current_exe().unwrap())
        .arg("--emulator")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (base, token) = line.trim().split_once(' ').expect("url and token");
    let client = Client::builder(base)
        .auth(Auth::personal_access_token(token))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
    let path = "/Volumes/main/default/files/bench.bin";
    let url = format!("{base}/api/2.0/fs/files{path}");
    let bearer = format!("Bearer {token}");
    let pattern = || Pattern {
        state: 0x9e37_79b9_7f4a_7c15,
        left: len,
    };
    let expected = {
        let mut sink = HashSink::default();
        std::io::copy(&mut pattern(), &mut sink).unwrap();
        sink.hash
    };
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let (mut up_peak, mut down_peak) = (0usize, 0usize);
    for _ in 0..rounds {
        let started = Instant::now();
        // One streamed PUT, as the limit sends it (the multipart protocol is timed below).
        let ((), peak) = peak_during(|| {
            client
                .files()
                .upload_with(
                    path,
                    Upload::reader(pattern(), Some(len)),
                    true,
                    UploadOptions::default().multipart_threshold(u64::MAX),
                )
                .unwrap()
        });
        let sdk_up = started.elapsed();
        up_peak = up_peak.max(peak);

        let started = Instant::now();
        agent
            .put(&format!("{url}?overwrite=true"))
            .header("authorization", &bearer)
            .header("content-type", "application/octet-stream")
            .header("content-length", len)
            .send(ureq::SendBody::from_owned_reader(pattern()))
            .unwrap();
        let limit_up = started.elapsed();
        up.push(limit_up.as_secs_f64() / sdk_up.as_secs_f64());

        let started = Instant::now();
        let (sink, peak) = peak_during(|| {
            let mut sink = HashSink::default();
            client.files().download_to(path, &mut sink).unwrap();
            sink
        });
        let sdk_down = started.elapsed();
        down_peak = down_peak.max(peak);
        assert_eq!(
            (sink.len, sink.hash),
            (len, expected),
            "SDK download differs"
        );

        let started = Instant::now();
        let mut sink = HashSink::default();
        let mut response = agent
            .get(&url)
            .header("authorization", &bearer)
            .call()
            .unwrap();
        std::io::copy(
            &mut response.body_mut().with_config().limit(u64::MAX).reader(),
            &mut sink,
        )
        .unwrap();
        let limit_down = started.elapsed();
        assert_eq!(
            (sink.len, sink.hash),
            (len, expected),
            "plain download differs"
        );
        down.push(limit_down.as_secs_f64() / sdk_down.as_secs_f64());
        println!(
            "   round: upload SDK {:.0} MB/s, limit {:.0} MB/s; download SDK {:.0} MB/s, limit {:.0} MB/s",
            len as f64 / 1e6 / sdk_up.as_secs_f64(),
            len as f64 / 1e6 / limit_up.as_secs_f64(),
            len as f64 / 1e6 / sdk_down.as_secs_f64(),
            len as f64 / 1e6 / limit_down.as_secs_f64(),
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "   throughput SDK / limit (median of {rounds}): upload {:.3}, download {:.3}",
        median(&mut up),
        median(&mut down)
    );
    println!(
        "   client peak heap over idle: upload {:.1} MiB, download {:.1} MiB (target: at most 16 MiB)",
        up_peak as f64 / 1048576.0,
        down_peak as f64 / 1048576.0
    );
    // The multipart protocol (the default above its threshold): 10 MiB parts to the storage URLs.
    let started = Instant::now();
    let ((), multipart_peak) = peak_during(|| {
        client
            .files()
            .upload(path, Upload::reader(pattern(), Some(len)), true)
            .unwrap()
    });
    println!(
        "   multipart upload (10 MiB parts to the emulator's storage URLs): {:.0} MB/s, client peak heap over idle {:.1} MiB",
        len as f64 / 1e6 / started.elapsed().as_secs_f64(),
        multipart_peak as f64 / 1048576.0
    );
    // DBFS: create, 1 MiB add-block calls (base64 JSON), close; then 1 MiB reads.
    let dbfs_len: u64 = 100 << 20;
    let dbfs_pattern = || Pattern {
        state: 0x9e37_79b9_7f4a_7c15,
        left: dbfs_len,
    };
    let dbfs_expected = {
        let mut sink = HashSink::default();
        std::io::copy(&mut dbfs_pattern(), &mut sink).unwrap();
        sink.hash
    };
    let started = Instant::now();
    let (written, up_peak) = peak_during(|| {
        client
            .dbfs()
            .upload(
                "/tmp/bench.bin",
                Upload::reader(dbfs_pattern(), Some(dbfs_len)),
                true,
            )
            .unwrap()
    });
    let dbfs_up = started.elapsed();
    let started = Instant::now();
    let mut sink = HashSink::default();
    let (read, down_peak) = peak_during(|| {
        client
            .dbfs()
            .download_to("/tmp/bench.bin", &mut sink)
            .unwrap()
    });
    let dbfs_down = started.elapsed();
    assert_eq!(
        (written, read, sink.hash),
        (dbfs_len, dbfs_len, dbfs_expected)
    );
    let mb = dbfs_len as f64 / 1e6;
    println!(
        "   DBFS {} MiB in 1 MiB blocks: upload {:.0} MB/s, download {:.0} MB/s (one request per block), \
         client peak heap over idle {:.1} / {:.1} MiB",
        dbfs_len >> 20,
        mb / dbfs_up.as_secs_f64(),
        mb / dbfs_down.as_secs_f64(),
        up_peak as f64 / 1048576.0,
        down_peak as f64 / 1048576.0
    );
    drop(child.stdin.take());
    let _ = child.wait();
}

/// `--sizes`: bytes of a few models in the SDK (with the slot for unknown fields) and as serde
/// derives them.
fn sizes() {
    macro_rules! size {
        ($($t:ident),*) => {$(
            println!(
                "{:<20} sdk {:>5} B  plain {:>5} B",
                stringify!($t),
                std::mem::size_of::<models::$t>(),
                std::mem::size_of::<plain::$t>()
            );
        )*};
    }
    size!(
        ClusterInfo,
        ClusterSpec,
        InitScriptInfo,
        SparkNode,
        AzureAttributes,
        TerminationReason
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return server_process();
    }
    if let Some(i) = args.iter().position(|a| a == "--first-call") {
        return first_call(&args[i + 1]);
    }
    if args.iter().any(|a| a == "--sizes") {
        return sizes();
    }
    if args.iter().any(|a| a == "--emulator") {
        return emulator_process();
    }
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "--per-call" | "--load" | "--count"))
    {
        COUNTING.store(false, Ordering::Relaxed);
    }
    if let Some(i) = args.iter().position(|a| a == "--load") {
        let number = |k: usize| args[i + k].parse().unwrap();
        return load(&args[i + 1], number(2), number(3), &args[i + 4], 20);
    }
    if let Some(i) = args.iter().position(|a| a == "--per-call") {
        // The child of section 4: --per-call BASE ROUNDS CALLS sdk|raw|timeouts
        let number = |k: usize| args[i + k].parse().unwrap();
        return per_call_child(&args[i + 1], number(2), number(3), &args[i + 4]);
    }
    if let Some(i) = args.iter().position(|a| a == "--count") {
        return count_mode(&args[i + 1], &args[i + 2], args[i + 3].parse().unwrap());
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: bench [--quick] [--section 1-7]   compare the SDK with plain ureq + serde_json\n       \
             bench --section 4 [--rounds N] [--calls N] [--against sdk|raw|timeouts]\n                                \
             per-call cost with threads (default 151 rounds of 600 calls, the SDK)\n       \
             bench --count sdk|limit get|get-4-threads|start|list|decode|decode-typical N\n                                \
             N calls of one side, for an instruction counter (callgrind)\n       \
             bench --load sdk|limit|timed THREADS CALLS BASE_URL\n                                \
             one side against any server, for perf or strace\n       \
             bench --sizes                   sizes of models, SDK and plain"
        );
        return;
    }
    // The measuring process runs on CPU 1 and every server (this bench's, nginx, the
    // emulator) on CPU 0, so that the CPU time a side uses is its own and the server never
    // competes with it for a core.
    if std::env::var_os(PINNED).is_none() && can_pin() {
        let status = std::process::Command::new("taskset")
            .args(["-c", "1"])
            .arg(std::env::current_exe().unwrap())
            .args(&args[1..])
            .env(PINNED, "1")
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    let quick = args.iter().any(|a| a == "--quick");
    let only: Option<u32> = args
        .iter()
        .position(|a| a == "--section")
        .and_then(|i| args.get(i + 1)?.parse().ok());
    let want = |section: u32| only.is_none_or(|o| o == section);
    let (rounds, list_n) = if quick { (3, 2) } else { (9, 10) };
    // Small calls: many short rounds (single rounds range ±50 % on a shared VM).
    let (small_rounds, small_n) = if quick { (5, 100) } else { (151, 300) };
    let (mut server, base) = start_server();
    println!(
        "one cluster: {} bytes with every field of the schema; sides interleaved, {rounds} rounds per measurement of sections 2, 3 and 7",
        serde_json::to_vec(&cluster(0)).unwrap().len()
    );

    let client = sdk_client(&base);
    let limit = Limit::new(&base);
    client.clusters().get(ID).unwrap();
    limit.get(ID);

    let clusters = client.clusters();
    if want(1) {
        println!(
            "\n1. small calls, one thread, default timeouts (calls/s), {small_rounds} rounds of {small_n} calls; pinned: {}",
            std::env::var_os(PINNED).is_some()
        );
        type Side<'a> = Box<dyn Fn() + 'a>;
        let small: [(&str, Side, Side); 6] = [
            (
                "clusters.get",
                Box::new(|| drop(clusters.get(ID).unwrap())),
                Box::new(|| drop(limit.get(ID))),
            ),
            (
                "clusters.start",
                Box::new(|| clusters.start(ID).unwrap()),
                Box::new(|| limit.post("/api/2.1/clusters/start", &json!({ "cluster_id": ID }))),
            ),
            (
                "clusters.pin",
                Box::new(|| clusters.pin(ID).unwrap()),
                Box::new(|| limit.post("/api/2.1/clusters/pin", &json!({ "cluster_id": ID }))),
            ),
            (
                "tokens.list",
                Box::new(|| drop(client.tokens().list().unwrap())),
                Box::new(|| {
                    let _: plain::ListTokensResponse =
                        serde_json::from_slice(&limit.get_json("/api/2.0/token/list", &[]))
                            .unwrap();
                }),
            ),
            (
                "secrets.put",
                Box::new(|| {
                    client
                        .secrets()
                        .put("etl", "db-password", SecretValue::String("s3cr3t".into()))
                        .unwrap()
                }),
                Box::new(|| {
                    limit.post(
                        "/api/2.0/secrets/put",
                        &json!({"scope": "etl", "key": "db-password", "string_value": "s3cr3t"}),
                    )
                }),
            ),
            (
                "secrets.acls.get",
                Box::new(|| {
                    let acl = client.secrets().acls().get("etl", "users").unwrap();
                    assert_eq!(acl.permission, AclPermission::Read);
                }),
                Box::new(|| {
                    let _: plain::AclItem = serde_json::from_slice(&limit.get_json(
                        "/api/2.0/secrets/acls/get",
                        &[("scope", "etl"), ("principal", "users")],
                    ))
                    .unwrap();
                }),
            ),
        ];
        for (name, sdk, lim) in &small {
            report(name, &compare(small_rounds, small_n, sdk, lim), "/s");
        }
    }

    if want(2) {
        println!("\n2. decoding one page of 1,000 clusters, every field (pages/s)");
        let page = list_request(1000, 1000);
        let page_bytes = clusters_page("bench_total=1000&page_size=1000").len();
        let r = compare(
            rounds,
            list_n,
            || assert_eq!(clusters.list_with(&page).unwrap().len(), 1000),
            || assert_eq!(limit.list(1000, 1000), 1000),
        );
        report("clusters.list_with (1 page)", &r, "/s");
        println!(
            "{:<32} {:.2} MB per page, {:.0} MB/s through the sdk",
            "",
            page_bytes as f64 / 1e6,
            r.sdk * page_bytes as f64 / 1e6
        );
        let (all, peak) = peak_during(|| clusters.list_with(&page).unwrap());
        drop(all);
        println!(
            "{:<32} peak heap of one call {:.2} MB = {:.2}x the JSON",
            "",
            peak as f64 / 1e6,
            peak as f64 / page_bytes as f64
        );
    }

    if want(3) {
        println!("\n3. paging through 10,000 clusters, pages of 100 (listings/s)");
        let big = list_request(10_000, 100);
        let r = compare(
            rounds.min(5),
            if quick { 1 } else { 2 },
            || assert_eq!(clusters.list_iter(&big).count(), 10_000),
            || assert_eq!(limit.list(10_000, 100), 10_000),
        );
        report("clusters.list_iter (100 pages)", &r, "/s");
        for total in [1_000, 10_000] {
            let request = list_request(total, 100);
            let (count, peak) = peak_during(|| clusters.list_iter(&request).count());
            assert_eq!(count, total);
            println!(
                "{:<32} list_iter over {total:>6} clusters ({:>3} pages): peak heap {:.2} MB",
                "",
                total / 100,
                peak as f64 / 1e6
            );
        }
    }

    if want(4) {
        let option = |name: &str, default: usize| {
            args.iter()
                .position(|a| a == name)
                .map_or(default, |i| args[i + 1].parse().unwrap())
        };
        // Many short rounds: single rounds on a shared 2-core VM range ±50 %; the median of 151
        // alternating pairs is stable to ±1 % (an A/A run, `--against raw`, shows it).
        let rounds = option("--rounds", if quick { 5 } else { 151 });
        let calls = option("--calls", if quick { 300 } else { 600 });
        let first = args
            .iter()
            .position(|a| a == "--against")
            .map_or("sdk", |i| args[i + 1].as_str());
        per_call_section(&base, rounds, calls, first);
    }

    if want(5) {
        println!("\n5. events_iter, process start");
        for total in [1_000i64, 10_000] {
            let request = ClusterEventRequest {
                cluster_id: ID.into(),
                limit: Some(total),
                ..Default::default()
            };
            let (count, peak) =
                peak_during(|| clusters.events_iter(&request).map(Result::unwrap).count());
            assert_eq!(count as i64, total);
            println!(
                "   events_iter over {total:>6} events ({:>3} pages): peak heap {:.0} KB",
                total / 100,
                peak as f64 / 1e3
            );
        }
        let runs = if quick { 5 } else { 15 };
        let first = start_to_first_call(&base, runs);
        println!(
            "   process start to first completed call: {:.1} ms (median of {runs})",
            first.as_secs_f64() * 1e3
        );
    }

    if want(6) {
        files_section(
            if quick { 64 << 20 } else { 1 << 30 },
            if quick { 1 } else { 3 },
        );
    }

    if want(7) {
        println!(
            "\n7. jobs: paging through 10,000 jobs, pages of 100 (listings/s); waiting on a run"
        );
        let mut request = models::ListJobsRequest {
            expand_tasks: Some(true),
            limit: Some(100),
            ..Default::default()
        };
        request.unknown_fields.insert("bench_total", json!(10_000));
        let jobs = client.jobs();
        let r = compare(
            rounds.min(5),
            if quick { 1 } else { 2 },
            || assert_eq!(jobs.list_iter(&request).count(), 10_000),
            || assert_eq!(limit.list_jobs(10_000), 10_000),
        );
        report("jobs.list_iter (100 pages)", &r, "/s");
        let (polls, cpu, emulated) = wait_on_a_ten_minute_run();
        println!(
            "   run_now_and_wait on a run of {:.0} emulated s: {polls} polls (runs/get), {:.1} ms CPU in all",
            emulated.as_secs_f64(),
            cpu.as_secs_f64() * 1e3
        );
    }

    drop(server.stdin.take());
    let _ = server.wait();
}
