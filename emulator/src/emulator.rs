//! The public handle: start, inspect, steer and stop an emulated workspace.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_databricks_sdk::{Auth, Client, ClientBuilder, Clock as SdkClock};

use crate::api;
use crate::clock::{Clock, millis};
use crate::fault::Fault;
use crate::http::{Limits, Server};
use crate::request_log::LoggedRequest;
use crate::scratch::ScratchDir;
use crate::sdk_clock::EmulatedClock;
use crate::services::clusters::catalog::Catalog;
use crate::workspace::{Timings, Workspace};

/// The user name behind [`Emulator::admin_token`] unless [`EmulatorBuilder::admin_user`] says
/// otherwise.
pub const DEFAULT_ADMIN_USER: &str = "admin@example.com";

/// An emulated Azure Databricks workspace, serving the REST API on `http://127.0.0.1:<port>`.
///
/// It answers every operation of the SDK (clusters, tokens, secrets, secret ACLs, secret
/// scopes) at the path of the SDK's operations table, under every API version the schema
/// declares for it (the clusters API under `2.1` and, for clients of the 2.0 API, `2.0`),
/// with the service's
/// validation, state rules, error codes and statuses. Dropping it stops the server.
///
/// Time is emulated: with the default speed of 0 it stands still, and only
/// [`Emulator::advance`] moves it, so a cluster stays `PENDING` until the test advances past
/// the startup time (3 minutes by default).
///
/// ```
/// use std::time::Duration;
/// use azure_databricks_emulator::Emulator;
/// use azure_databricks_sdk::models::{ClusterAttributes, ClusterState};
///
/// let ws = Emulator::start()?;
/// let client = ws.client();
/// let id = client.clusters().create(&ClusterAttributes {
///     cluster_name: Some("etl".into()),
///     spark_version: "15.4.x-scala2.12".into(),
///     node_type_id: Some("Standard_DS3_v2".into()),
///     num_workers: Some(2),
///     ..Default::default()
/// })?.cluster_id;
/// assert_eq!(client.clusters().get(&id)?.state, Some(ClusterState::Pending));
/// ws.advance(Duration::from_secs(180));
/// assert_eq!(client.clusters().get(&id)?.state, Some(ClusterState::Running));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Emulator {
    base_url: String,
    admin_user: String,
    admin_token: String,
    pub(crate) shared: Arc<Mutex<Workspace>>,
    // Dropped last: stops the server and joins its threads.
    server: Server,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("admin_user", &self.admin_user)
            .field("admin_token", &"****")
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts a workspace on a free loopback port with the default settings: frozen clock,
    /// admin `admin@example.com`, 3-minute cluster startup.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub fn start() -> io::Result<Emulator> {
        Self::builder().start()
    }

    /// Settings for a workspace; see [`EmulatorBuilder`].
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:<port>`: the host to give a client (`DATABRICKS_HOST`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port the workspace listens on.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// A token of the workspace admin (`DATABRICKS_TOKEN`); it never expires.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Adds the Unity Catalog volume `/Volumes/<catalog>/<schema>/<volume>` for the Files API
    /// (`/Volumes/main/default/files` exists from the start); nothing when it exists.
    ///
    /// ```
    /// use azure_databricks_emulator::Emulator;
    ///
    /// let ws = Emulator::start()?;
    /// ws.add_volume("sales", "raw", "landing");
    /// let files = ws.client();
    /// files.files().upload("/Volumes/sales/raw/landing/a.csv", "x,y\n", false)?;
    /// assert_eq!(files.files().get_metadata("/Volumes/sales/raw/landing/a.csv")?.content_length, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_volume(&self, catalog: &str, schema: &str, volume: &str) {
        api::lock(&self.shared)
            .files
            .add_volume(catalog, schema, volume);
    }

    /// Points the storage URLs of the Files API's multipart uploads at `base`
    /// (`http://host:port`) instead of the emulator itself; an address nothing listens on
    /// makes the storage unreachable (as behind a firewall), which the SDK answers by sending
    /// the file in one `PUT`. `None` restores the default.
    pub fn set_files_storage_base(&self, base: Option<&str>) {
        api::lock(&self.shared).files.sessions.storage_base = base.map(str::to_string);
    }

    /// The admin's user name (`admin@example.com` by default).
    pub fn admin_user(&self) -> &str {
        &self.admin_user
    }

    /// A client of the workspace authenticated as the admin.
    ///
    /// Like every client made here it waits in emulated time ([`Emulator::clock`]): the SDK's
    /// waiters and retry backoffs move a frozen emulator forward instead of sleeping.
    ///
    /// ```
    /// use std::time::Duration;
    /// use azure_databricks_emulator::Emulator;
    /// use azure_databricks_sdk::models::{ClusterAttributes, ClusterState};
    ///
    /// let ws = Emulator::start()?;
    /// let cluster = ws.client().clusters().create_and_wait(&ClusterAttributes {
    ///     spark_version: "14.3.x-scala2.12".into(),
    ///     node_type_id: Some("Standard_E8ds_v4".into()),
    ///     num_workers: Some(4),
    ///     ..Default::default()
    /// }, Duration::from_secs(600))?;
    /// assert_eq!(cluster.state, Some(ClusterState::Running));
    /// assert_eq!(cluster.executors.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client(&self) -> Client {
        self.client_as(&self.admin_token)
    }

    /// A client of the workspace authenticated with `token` (from [`Emulator::add_user`],
    /// `tokens().create`, or any string, to see it refused).
    ///
    /// ```
    /// use azure_databricks_emulator::Emulator;
    ///
    /// let ws = Emulator::start()?;
    /// let err = ws.client_as("dapi-not-a-token").clusters().list().unwrap_err();
    /// assert!(err.is_permission_denied());
    /// assert_eq!(err.status(), Some(403));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If `token` cannot be sent in an HTTP header (it has control characters).
    pub fn client_as(&self, token: &str) -> Client {
        self.client_builder(token)
            .build()
            .expect("a loopback URL and a header-safe token always make a client")
    }

    /// A client builder set up for the workspace (URL, `token`, no proxy, the emulated
    /// [`Emulator::clock`]), to change other settings, e.g. turn retries off to see faults.
    ///
    /// ```
    /// use azure_databricks_emulator::{Emulator, Fault};
    /// use azure_databricks_sdk::RetryPolicy;
    ///
    /// let ws = Emulator::start()?;
    /// let once = ws.client_builder(ws.admin_token()).retry(RetryPolicy::disabled()).build()?;
    /// ws.inject(Fault::unavailable());
    /// assert_eq!(once.clusters().list().unwrap_err().status(), Some(503));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_builder(&self, token: &str) -> ClientBuilder {
        Client::builder(&self.base_url)
            .auth(Auth::personal_access_token(token))
            .no_proxy()
            .clock(self.clock())
    }

    /// The emulated time as an SDK [`Clock`](SdkClock), for clients built elsewhere
    /// (`ClientBuilder::clock`): `sleep` lets emulated time pass (at once when the emulator is
    /// frozen, in `duration / speed` of real time otherwise).
    pub fn clock(&self) -> Arc<dyn SdkClock> {
        Arc::new(EmulatedClock::new(Arc::clone(&self.shared)))
    }

    /// Adds a workspace user (a member of the group `users`) and returns a token of theirs
    /// that never expires. Adding an existing user gives them another token.
    ///
    /// ```
    /// use azure_databricks_emulator::Emulator;
    /// use azure_databricks_sdk::models::CreateScopeRequest;
    ///
    /// let ws = Emulator::start()?;
    /// let bob = ws.client_as(&ws.add_user("bob@example.com"));
    /// let alice = ws.client_as(&ws.add_user("alice@example.com"));
    /// bob.secrets().scopes().create(&CreateScopeRequest { scope: "bobs".into(), ..Default::default() })?;
    /// bob.secrets().put("bobs", "password", "s3cr3t")?;
    /// // The creator holds MANAGE; alice has no ACL on the scope.
    /// assert!(alice.secrets().list("bobs").unwrap_err().is_permission_denied());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_user(&self, user_name: &str) -> String {
        api::lock(&self.shared).add_user(user_name, false, None)
    }

    /// Adds a workspace admin (groups `users` and `admins`: bypasses secret ACLs, may pin
    /// clusters) and returns a token of theirs that never expires.
    pub fn add_admin(&self, user_name: &str) -> String {
        api::lock(&self.shared).add_user(user_name, true, None)
    }

    /// Moves the emulated time forward; cluster transitions due in that time happen, each
    /// at its own time (events carry the time they were due).
    pub fn advance(&self, by: Duration) {
        api::lock(&self.shared).advance(by);
    }

    /// The emulated time, in epoch milliseconds (the unit of every time field of the API).
    pub fn now_millis(&self) -> i64 {
        api::lock(&self.shared).clock.now_ms()
    }

    /// Arms a fault for the next matching request(s); see [`Fault`]. Faults queue up and are
    /// played in the order they were injected.
    pub fn inject(&self, fault: Fault) {
        api::lock(&self.shared).faults.push(fault);
    }

    /// Disarms every pending fault.
    pub fn clear_faults(&self) {
        api::lock(&self.shared).faults.clear();
    }

    /// How many requests the workspace received, faulted ones included: what a retrying
    /// client really sent.
    pub fn request_count(&self) -> u64 {
        api::lock(&self.shared).requests
    }

    /// The most recent requests the workspace received (up to 1000), oldest first, with the
    /// status of each answer: which requests a client really sent, and in which order.
    ///
    /// ```
    /// use azure_databricks_emulator::{Emulator, Fault};
    ///
    /// let ws = Emulator::start()?;
    /// ws.inject(Fault::unavailable().on("token/list"));
    /// ws.client().tokens().list()?; // retried by the SDK
    /// let log = ws.request_log();
    /// assert_eq!(log.len(), 2);
    /// assert!(log.iter().all(|r| r.is("token/list") && r.method == "GET"));
    /// assert_eq!((log[0].status, log[1].status), (Some(503), Some(200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        api::lock(&self.shared).request_log.entries()
    }

    /// Adds (or replaces) a notebook at `path` whose source decides what a notebook task that
    /// runs it does: `time.sleep(N)` runs N emulated seconds, `dbutils.notebook.exit("X")`
    /// succeeds with result `X`, `raise ...("msg")` fails with `msg`; a task whose notebook is
    /// missing fails with `Notebook not found`. The notebook is a Python notebook of the
    /// emulated workspace, as `workspace/import` makes it (its folders are made too), so the
    /// Workspace API lists and exports it, and a notebook imported through the API runs the
    /// same way.
    ///
    /// ```
    /// use std::time::Duration;
    /// use azure_databricks_emulator::Emulator;
    /// use azure_databricks_sdk::models::{NotebookTask, SubmitRun, SubmitTask};
    ///
    /// let ws = Emulator::start()?;
    /// ws.add_notebook("/Shared/hello", "dbutils.notebook.exit(\"hi\")");
    /// let client = ws.client();
    /// let jobs = client.jobs();
    /// let run = jobs.submit_and_wait(&SubmitRun {
    ///     tasks: vec![SubmitTask {
    ///         task_key: "hello".into(),
    ///         notebook_task: Some(NotebookTask { notebook_path: "/Shared/hello".into(), ..Default::default() }),
    ///         ..Default::default()
    ///     }],
    ///     ..Default::default()
    /// }, Duration::from_secs(600))?;
    /// let outputs = jobs.run_output(run.run_id.unwrap())?;
    /// assert_eq!(outputs[0].output.notebook_output.as_ref().unwrap().result.as_deref(), Some("hi"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_notebook(&self, path: &str, source: &str) {
        let mut ws = api::lock(&self.shared);
        let now = ws.clock.now_ms();
        let parent = path.rsplit_once('/').map_or("/", |(parent, _)| parent);
        let tree = &mut ws.workspace_tree;
        if !parent.is_empty() {
            tree.mkdirs(parent, now)
                .expect("a notebook's folder can be made");
        }
        tree.import(
            path,
            crate::services::workspace::Imported::Notebook {
                language: azure_databricks_sdk::models::Language::Python,
                source: source.as_bytes(),
            },
            true,
            now,
        )
        .expect("an absolute notebook path");
    }

    /// The value of a secret, which the API never returns: to check what a tool wrote.
    ///
    /// ```
    /// use azure_databricks_emulator::Emulator;
    /// use azure_databricks_sdk::SecretValue;
    /// use azure_databricks_sdk::models::CreateScopeRequest;
    ///
    /// let ws = Emulator::start()?;
    /// let client = ws.client();
    /// client.secrets().scopes().create(&CreateScopeRequest { scope: "etl".into(), ..Default::default() })?;
    /// client.secrets().put("etl", "key", SecretValue::Bytes(vec![0, 1, 2]))?;
    /// assert_eq!(ws.secret_value("etl", "key"), Some(vec![0, 1, 2]));
    /// assert_eq!(ws.secret_value("etl", "other"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn secret_value(&self, scope: &str, key: &str) -> Option<Vec<u8>> {
        api::lock(&self.shared).secrets.value(scope, key)
    }
}

/// Settings of an [`Emulator`], from [`Emulator::builder`].
///
/// ```
/// use std::time::Duration;
/// use azure_databricks_emulator::Emulator;
///
/// // One emulated minute per real second, clusters up in 30 emulated seconds.
/// let ws = Emulator::builder()
///     .speed(60.0)
///     .startup_time(Duration::from_secs(30))
///     .admin_user("ops@contoso.com")
///     .start()?;
/// assert_eq!(ws.admin_user(), "ops@contoso.com");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    port: u16,
    speed: f64,
    admin_user: String,
    admin_token: Option<String>,
    timings: Timings,
    log_requests: bool,
    limits: Limits,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            port: 0,
            speed: 0.0,
            admin_user: DEFAULT_ADMIN_USER.to_string(),
            admin_token: None,
            timings: Timings::default(),
            log_requests: false,
            limits: Limits::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The loopback port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How fast emulated time runs against real time: 0 (the default) stands still between
    /// [`Emulator::advance`] calls, 1 is real time, 60 is a minute per second.
    pub fn speed(mut self, factor: f64) -> Self {
        self.speed = factor;
        self
    }

    /// The admin's user name.
    pub fn admin_user(mut self, user_name: impl Into<String>) -> Self {
        self.admin_user = user_name.into();
        self
    }

    /// A fixed admin token instead of a random `dapi…` one (e.g. to keep `DATABRICKS_TOKEN`
    /// across restarts of the binary).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Emulated time from create or start (PENDING) to RUNNING; 3 minutes by default.
    pub fn startup_time(mut self, d: Duration) -> Self {
        self.timings.startup = millis(d);
        self
    }

    /// Emulated time from restart, or edit of a running cluster (RESTARTING), to RUNNING;
    /// 2 minutes by default.
    pub fn restart_time(mut self, d: Duration) -> Self {
        self.timings.restart = millis(d);
        self
    }

    /// Emulated time an upsize (RESIZING) takes; 2 minutes by default.
    pub fn resize_time(mut self, d: Duration) -> Self {
        self.timings.resize = millis(d);
        self
    }

    /// Emulated time from TERMINATING to TERMINATED; 1 minute by default.
    pub fn termination_time(mut self, d: Duration) -> Self {
        self.timings.termination = millis(d);
        self
    }

    /// Print one line per request on stderr (`POST /api/2.0/clusters/create -> 200`).
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Most connections open at once; [`DEFAULT_MAX_CONNECTIONS`] (512) by default, at
    /// least 1.
    ///
    /// A new connection beyond it closes the connection that has waited the longest for its
    /// next request (or, when none is waiting, the one that has been sending its request the
    /// longest) and is served; only when every connection is running a request is the new
    /// one answered 503 `TEMPORARILY_UNAVAILABLE`. Idle clients cannot lock others out.
    ///
    /// ```
    /// use std::net::TcpStream;
    /// use azure_databricks_emulator::Emulator;
    ///
    /// let ws = Emulator::builder().max_connections(4).start()?;
    /// let idle: Vec<TcpStream> = (0..10).map(|_| TcpStream::connect(("127.0.0.1", ws.port()))).collect::<Result<_, _>>()?;
    /// assert!(ws.client().clusters().list()?.is_empty());
    /// # drop(idle);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`DEFAULT_MAX_CONNECTIONS`]: crate::DEFAULT_MAX_CONNECTIONS
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n;
        self
    }

    /// How long a connection may wait for its next request before the server closes it;
    /// [`DEFAULT_IDLE_TIMEOUT`] (60 s) by default. Keep it longer than the time your client
    /// keeps idle connections pooled (15 s for this SDK), or the client may send a request
    /// on a connection the server is closing. Values are kept between 1 ms and 24 h.
    ///
    /// [`DEFAULT_IDLE_TIMEOUT`]: crate::DEFAULT_IDLE_TIMEOUT
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.limits.idle_timeout = d;
        self
    }

    /// How long a client may take to send one request from its first byte;
    /// [`DEFAULT_REQUEST_TIMEOUT`] (30 s) by default. A large body earns more time as it
    /// arrives: every 64 KiB received give the request this long again, so an upload of
    /// gigabytes is cut off only when it stalls. A request still incomplete at its deadline is
    /// answered 408 and its connection closed. Values are kept between 1 ms and 24 h.
    ///
    /// [`DEFAULT_REQUEST_TIMEOUT`]: crate::DEFAULT_REQUEST_TIMEOUT
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.limits.request_timeout = d;
        self
    }

    /// Starts the workspace.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound, or the admin user or token is empty or has whitespace
    /// or control characters.
    pub fn start(self) -> io::Result<Emulator> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
        if !usable(&self.admin_user) {
            return Err(invalid(
                "the admin user name must be non-empty printable text without spaces",
            ));
        }
        if self.admin_token.as_deref().is_some_and(|t| !usable(t)) {
            return Err(invalid(
                "the admin token must be non-empty printable text without spaces",
            ));
        }
        let catalog = Catalog::azure().map_err(io::Error::other)?;
        let mut workspace = Workspace::new(Clock::new(self.speed), self.timings, catalog);
        workspace.log_requests = self.log_requests;
        let admin_token = workspace.add_user(&self.admin_user, true, self.admin_token);
        let shared = Arc::new(Mutex::new(workspace));
        let api = api::Api {
            shared: Arc::clone(&shared),
        };
        let server = Server::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)),
            Arc::new(api),
            self.limits,
            Arc::new(ScratchDir::new()),
        )?;
        Ok(Emulator {
            base_url: format!("http://{}", server.addr()),
            admin_user: self.admin_user,
            admin_token,
            shared,
            server,
        })
    }
}

/// Printable ASCII without spaces: safe in a header and in a shell line.
fn usable(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_databricks_sdk::RetryPolicy;

    #[test]
    fn a_panic_while_the_workspace_is_locked_does_not_stop_the_emulator() {
        let ws = Emulator::start().unwrap();
        let shared = Arc::clone(&ws.shared);
        let panicked = std::thread::spawn(move || {
            let _workspace = api::lock(&shared);
            panic!("a request fell over while holding the workspace");
        })
        .join();
        assert!(panicked.is_err());
        assert!(ws.shared.is_poisoned());
        let client = ws
            .client_builder(ws.admin_token())
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap();
        assert!(client.clusters().list().unwrap().is_empty());
        assert_eq!(client.tokens().list().unwrap().len(), 1);
        ws.advance(Duration::from_secs(1));
        assert_eq!(ws.request_count(), 2);
    }
}
