//! Benchmark: the SDK against the limit (a plain ureq agent + serde_json into the same structs),
//! on one local keep-alive HTTP server with canned answers.
//!
//! ```sh
//! cargo run --release --example bench            # full run (about a minute)
//! cargo run --release --example bench -- --quick # a few seconds, for a smoke test
//! ```
//!
//! It prints calls per second of `clusters().get`, `clusters().list` (1,000 clusters, about
//! 2.3 MB) and `clusters().start` through the SDK and through the limit, measured in interleaved
//! rounds (the best round of each counts, so both sides see the same machine noise); the
//! SDK/limit ratio; list decoding throughput; the peak heap of one list call against the JSON
//! size; the peak heap of `events_iter` over 1,000 and 10,000 events (10 and 100 pages); and the
//! time from process start to the first completed call (a child process, median of 15).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use azure_databricks_sdk::models::{ClusterEventRequest, ClusterInfo, ListClustersResponse};
use azure_databricks_sdk::{Auth, Client, RetryPolicy};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// A counting allocator: current and peak heap of the process.

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
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

// ---------------------------------------------------------------------------------------------
// Canned answers.

const ID: &str = "0923-164208-meows279";

/// One realistic cluster: the wire test fixture without its long SSH key (about 2.3 KB,
/// 38 fields, nested driver/executors/tags/azure_attributes/termination_reason).
fn cluster(n: usize) -> Value {
    let mut c: Value =
        serde_json::from_str(include_str!("../tests/fixtures/clusters/get.json")).expect("fixture");
    let map = c.as_object_mut().unwrap();
    map.remove("ssh_public_keys");
    map.remove("docker_image");
    map.insert("cluster_id".into(), json!(format!("0923-164208-{n:08}")));
    map.insert(
        "termination_reason".into(),
        json!({"code": "INACTIVITY", "type": "SUCCESS", "parameters": {"inactivity_duration_min": "120"}}),
    );
    c
}

struct Canned {
    get: Vec<u8>,
    list: Vec<u8>,
}

fn canned() -> &'static Canned {
    static CANNED: OnceLock<Canned> = OnceLock::new();
    CANNED.get_or_init(|| {
        let get = serde_json::to_vec(&cluster(0)).unwrap();
        let clusters: Vec<Value> = (0..1000).map(cluster).collect();
        let list = serde_json::to_vec(&json!({ "clusters": clusters })).unwrap();
        Canned { get, list }
    })
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
// A keep-alive HTTP/1.1 server: one thread per connection.

fn serve(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
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
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
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
        let path = path.split('?').next().unwrap_or_default();
        let events;
        let answer: &[u8] = match path {
            "/api/2.0/clusters/get" => &canned().get,
            "/api/2.0/clusters/list" => &canned().list,
            "/api/2.0/clusters/events" => {
                events = events_page(&body);
                &events
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

// ---------------------------------------------------------------------------------------------
// The two sides.

const TOKEN: &str = "dapi0123456789abcdef0123456789abcd";

fn sdk_client(base: &str) -> Client {
    Client::builder(base)
        .auth(Auth::personal_access_token(TOKEN))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client")
}

/// The limit: what a hand-written caller does with ureq and serde_json, and nothing else.
struct Limit {
    agent: ureq::Agent,
    base: String,
    bearer: String,
}

impl Limit {
    fn new(base: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent();
        Self {
            agent,
            base: base.to_string(),
            bearer: format!("Bearer {TOKEN}"),
        }
    }

    fn get(&self, id: &str) -> ClusterInfo {
        let mut r = self
            .agent
            .get(format!("{}/api/2.0/clusters/get", self.base))
            .query("cluster_id", id)
            .header("authorization", &self.bearer)
            .call()
            .unwrap();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn list(&self) -> Vec<ClusterInfo> {
        let mut r = self
            .agent
            .get(format!("{}/api/2.0/clusters/list", self.base))
            .header("authorization", &self.bearer)
            .call()
            .unwrap();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        serde_json::from_slice::<ListClustersResponse>(&body)
            .unwrap()
            .clusters
    }

    fn start(&self, id: &str) {
        let body = serde_json::to_vec(&json!({ "cluster_id": id })).unwrap();
        let mut r = self
            .agent
            .post(format!("{}/api/2.0/clusters/start", self.base))
            .header("authorization", &self.bearer)
            .header("content-type", "application/json")
            .send(&body[..])
            .unwrap();
        let body = r.body_mut().read_to_vec().unwrap();
        let _: serde::de::IgnoredAny =
            serde_json::from_slice(if body.is_empty() { b"{}" } else { &body }).unwrap();
    }
}

/// Calls per second of `n` runs of `f`.
fn rate(n: usize, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Best rate of each side over `rounds` interleaved rounds.
fn compare(rounds: usize, n: usize, mut sdk: impl FnMut(), mut limit: impl FnMut()) -> (f64, f64) {
    let (mut best_sdk, mut best_limit) = (0f64, 0f64);
    for round in 0..rounds {
        // Alternate which side goes first.
        if round % 2 == 0 {
            best_sdk = best_sdk.max(rate(n, &mut sdk));
            best_limit = best_limit.max(rate(n, &mut limit));
        } else {
            best_limit = best_limit.max(rate(n, &mut limit));
            best_sdk = best_sdk.max(rate(n, &mut sdk));
        }
    }
    (best_sdk, best_limit)
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--first-call") {
        first_call(&args[i + 1]);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (rounds, small_n, list_n) = if quick { (2, 300, 5) } else { (7, 3000, 40) };

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || serve(listener));
    let list_bytes = canned().list.len();
    println!(
        "one cluster: {} bytes; list of 1000: {:.2} MB; {} rounds interleaved, best round counts",
        canned().get.len(),
        list_bytes as f64 / 1e6,
        rounds
    );

    let client = Arc::new(sdk_client(&base));
    let limit = Limit::new(&base);
    // Warm up both connection pools.
    client.clusters().get(ID).unwrap();
    limit.get(ID);

    let (sdk, lim) = compare(
        rounds,
        small_n,
        || drop(client.clusters().get(ID).unwrap()),
        || drop(limit.get(ID)),
    );
    println!(
        "clusters.get    sdk {sdk:>8.0}/s   limit {lim:>8.0}/s   ratio {:.3}",
        sdk / lim
    );
    let (sdk, lim) = compare(
        rounds,
        list_n,
        || assert_eq!(client.clusters().list().unwrap().len(), 1000),
        || assert_eq!(limit.list().len(), 1000),
    );
    println!(
        "clusters.list   sdk {sdk:>8.1}/s   limit {lim:>8.1}/s   ratio {:.3}   ({:.0} MB/s decoded by the sdk)",
        sdk / lim,
        sdk * list_bytes as f64 / 1e6
    );
    let (sdk, lim) = compare(
        rounds,
        small_n,
        || client.clusters().start(ID).unwrap(),
        || limit.start(ID),
    );
    println!(
        "clusters.start  sdk {sdk:>8.0}/s   limit {lim:>8.0}/s   ratio {:.3}",
        sdk / lim
    );

    let (clusters, peak) = peak_during(|| client.clusters().list().unwrap());
    drop(clusters);
    println!(
        "peak heap of one clusters.list: {:.2} MB = {:.2}x the {:.2} MB of JSON",
        peak as f64 / 1e6,
        peak as f64 / list_bytes as f64,
        list_bytes as f64 / 1e6
    );

    for total in [1_000i64, 10_000] {
        let request = ClusterEventRequest {
            cluster_id: ID.into(),
            limit: Some(total),
            ..Default::default()
        };
        let (count, peak) = peak_during(|| {
            client
                .clusters()
                .events_iter(&request)
                .map(Result::unwrap)
                .count()
        });
        assert_eq!(count as i64, total);
        println!(
            "events_iter over {total:>6} events ({:>3} pages): peak heap {:.0} KB",
            total / 100,
            peak as f64 / 1e3
        );
    }

    let runs = if quick { 5 } else { 15 };
    let first = start_to_first_call(&base, runs);
    println!(
        "process start to first completed call: {:.1} ms (median of {runs})",
        first.as_secs_f64() * 1e3
    );
}
