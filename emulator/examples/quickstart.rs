//! A tour of the SDK: clusters, tokens, secrets, notebooks and data files, jobs (and,
//! emulated, a pool-backed cluster under a policy with a library installed, and a grant).
//!
//! ```sh
//! cargo run --example quickstart                       # an emulated workspace, no account needed
//! DATABRICKS_HOST=adb-1234567890123456.7.azuredatabricks.net DATABRICKS_TOKEN=dapi... \
//!     cargo run --example quickstart                   # your workspace, read-only
//! cargo run --example quickstart -- --write            # your workspace: also creates, then removes,
//!                                                      # a 1-worker cluster, a token, a secret scope,
//!                                                      # a notebook and a DBFS file
//! ```
//!
//! It is an example of the emulator crate so that its first build compiles only what it needs
//! (the SDK and the emulator), not the SDK's test dependencies; run it from the repository root
//! as above.
//!
//! Without `DATABRICKS_HOST` the tour runs against the workspace emulator
//! (`azure-databricks-emulator`), whose clock runs 2 emulated minutes per real second, so a
//! cluster takes about 1.5 s to start.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    AclPermission, ClusterAttributes, ClusterEventRequest, ClusterInfo, ClusterResizeRequest,
    ClusterSpec, ClusterState, CreateScopeRequest, CreateTokenRequest, ExportFormat, ImportFormat,
    Language, ListClustersFilterBy, ListClustersRequest, ListOrder, WorkspaceDeleteRequest,
};
use azure_databricks_sdk::{
    Auth, Client, NodeTypeFilter, SecretValue, SparkVersionFilter, Upload, Wait,
};

/// Emulated seconds per real second.
const EMULATOR_SPEED: f64 = 120.0;
/// Longest wait for a cluster state.
const WAIT: Duration = Duration::from_secs(20 * 60);

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nerror: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result {
    let write = std::env::args().skip(1).any(|arg| arg == "--write");
    let host = std::env::var("DATABRICKS_HOST").unwrap_or_default();
    if host.trim().is_empty() {
        let ws = Emulator::builder().speed(EMULATOR_SPEED).start()?;
        println!(
            "No DATABRICKS_HOST set: touring an emulated workspace at {} (1 s = 2 emulated minutes).",
            ws.base_url()
        );
        let tour = Tour {
            client: ws.client(),
            emulator: Some(&ws),
        };
        tour.read_only()?;
        tour.write()?;
        oauth_m2m_profile(&ws)?;
        jobs_tour(&ws)?;
        governance(&ws)?;
        println!("\nTour done; everything it created is gone again. Next:");
        println!(
            "  * your own workspace: set DATABRICKS_HOST and DATABRICKS_TOKEN and run this again"
        );
        println!(
            "  * a workspace for curl, the Databricks CLI or the Python SDK: cargo run -p azure-databricks-emulator"
        );
        return Ok(());
    }
    let token = std::env::var("DATABRICKS_TOKEN")
        .map_err(|_| "DATABRICKS_HOST is set but DATABRICKS_TOKEN is not: set it to a personal access token (dapi...)")?;
    let tour = Tour {
        client: Client::builder(host)
            .auth(Auth::personal_access_token(token))
            .build()?,
        emulator: None,
    };
    println!("Workspace {}", tour.client.base_url());
    tour.read_only()?;
    if write {
        tour.write()?;
        println!("\nTour done; everything it created is gone again.");
        Ok(())
    } else {
        println!(
            "\nRead-only tour done. Run with `-- --write` to also create (and remove) a 1-worker cluster, a token, a secret scope, a notebook and a DBFS file."
        );
        Ok(())
    }
}

struct Tour<'a> {
    client: Client,
    /// The emulated workspace, if the tour runs against one.
    emulator: Option<&'a Emulator>,
}

impl Tour<'_> {
    /// Now, in the workspace's time (emulated or real), in epoch milliseconds.
    fn now_ms(&self) -> i64 {
        match self.emulator {
            Some(ws) => ws.now_millis(),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        }
    }

    fn since(&self, start_ms: i64) -> String {
        let secs = (self.now_ms() - start_ms).max(0) / 1000;
        let clock = if self.emulator.is_some() {
            " emulated"
        } else {
            ""
        };
        format!("{}m {:02}s{clock}", secs / 60, secs % 60)
    }

    fn read_only(&self) -> Result {
        let clusters = self.client.clusters();
        section("Clusters");
        let list = clusters.list()?;
        println!("{} cluster(s)", list.len());
        for cluster in list.iter().take(5) {
            println!(
                "  {}  {:<12} {}",
                cluster.cluster_id,
                state_name(cluster),
                cluster.cluster_name.as_deref().unwrap_or("")
            );
        }
        let node_types = clusters.list_node_types()?;
        println!("{} node types, e.g.:", node_types.len());
        for node in node_types.iter().take(4) {
            println!(
                "  {:<22} {:>3} cores {:>4} GB  {}",
                node.node_type_id,
                node.num_cores,
                node.memory_mb / 1024,
                node.category.as_deref().unwrap_or("")
            );
        }
        let versions = clusters.spark_versions()?;
        let lts = SparkVersionFilter {
            long_term_support: true,
            ..Default::default()
        };
        println!(
            "{} runtime versions; latest LTS: {}",
            versions.len(),
            lts.select(&versions).unwrap_or_else(|e| e.to_string())
        );

        section("Tokens");
        for token in self.client.tokens().list()? {
            println!(
                "  {}…  {}",
                &token.token_id[..token.token_id.len().min(12)],
                token.comment.as_deref().unwrap_or("(no comment)")
            );
        }

        section("Secret scopes");
        let scopes = self.client.secrets().scopes().list()?;
        if scopes.is_empty() {
            println!("  (none)");
        }
        for scope in scopes {
            let backend = scope
                .backend_type
                .map_or("?".to_string(), |b| b.to_string());
            println!("  {:<30} {backend}", scope.name);
        }
        Ok(())
    }

    fn write(&self) -> Result {
        self.cluster_tour()?;
        self.token_tour()?;
        self.secrets_tour()?;
        self.notebook_and_data_tour()
    }

    fn cluster_tour(&self) -> Result {
        let clusters = self.client.clusters();
        section("A cluster's life");
        // Chosen by what they offer, not hard-coded: the smallest node type with a local disk
        // that the region and subscription can use, and the newest long-term-support runtime.
        let node_type = clusters.select_node_type(&NodeTypeFilter {
            local_disk: true,
            ..Default::default()
        })?;
        let version = clusters.select_spark_version(&SparkVersionFilter {
            long_term_support: true,
            ..Default::default()
        })?;
        println!("chose node type {node_type} and runtime {version}");
        let spec = ClusterAttributes {
            cluster_name: Some("sdk-quickstart".into()),
            spark_version: version.clone(),
            node_type_id: Some(node_type.clone()),
            num_workers: Some(1),
            autotermination_minutes: Some(10),
            ..Default::default()
        };
        let id = clusters.create(&spec)?.cluster_id;
        println!("created {id}: 1 x {node_type}, {version}");
        // Whatever happens next, the cluster is removed at the end.
        let outcome = self.use_cluster(&id);
        let cleanup = clusters.permanent_delete(&id);
        outcome?;
        cleanup?;
        println!("permanently deleted {id}");
        Ok(())
    }

    fn use_cluster(&self, id: &str) -> Result {
        let clusters = self.client.clusters();
        let start = self.now_ms();
        let running = clusters.wait_for(id, ClusterState::Running, self.progress())?;
        println!(
            "RUNNING after {}: driver {} and {} worker(s)",
            self.since(start),
            running
                .driver
                .as_ref()
                .and_then(|d| d.private_ip.as_deref())
                .unwrap_or("?"),
            running.executors.len()
        );

        let start = self.now_ms();
        let resize = ClusterResizeRequest {
            cluster_id: id.to_string(),
            num_workers: Some(2),
            ..Default::default()
        };
        let resized = clusters.resize_and_wait(&resize, self.progress())?;
        println!(
            "resized to {} workers in {}",
            resized.executors.len(),
            self.since(start)
        );

        // The service filters (and pages) the list: only the running clusters.
        let running_now = clusters.list_with(&ListClustersRequest {
            filter_by: Some(ListClustersFilterBy {
                cluster_states: vec![ClusterState::Running],
                ..Default::default()
            }),
            ..Default::default()
        })?;
        println!("{} running cluster(s) in the workspace", running_now.len());

        // A partial update changes only the fields its mask names (edit would replace them
        // all); a running cluster restarts to apply it.
        let start = self.now_ms();
        let change = ClusterSpec {
            autotermination_minutes: Some(30),
            ..Default::default()
        };
        let updated =
            clusters.update_and_wait(id, &change, "autotermination_minutes", self.progress())?;
        println!(
            "updated autotermination to {} min, still {} workers, running again in {}",
            updated.autotermination_minutes.unwrap_or_default(),
            updated.executors.len(),
            self.since(start)
        );

        let start = self.now_ms();
        clusters.delete_and_wait(id, self.progress())?;
        println!("TERMINATED after {}", self.since(start));

        let events = clusters.events(&ClusterEventRequest {
            cluster_id: id.to_string(),
            order: Some(ListOrder::Asc),
            ..Default::default()
        })?;
        println!("{} events:", events.total_count.unwrap_or_default());
        for event in &events.events {
            let kind = event.type_.as_ref().map_or("?", |t| t.as_str());
            let at = event.timestamp.map_or(String::new(), |t| {
                format!("+{}s", (t - events.events[0].timestamp.unwrap_or(t)) / 1000)
            });
            println!("  {at:>6}  {kind}");
        }
        Ok(())
    }

    /// A wait that prints each new state.
    fn progress(&self) -> Wait<'static> {
        let mut last: Option<ClusterState> = None;
        Wait::default()
            .timeout(WAIT)
            .on_progress(move |cluster: &ClusterInfo| {
                if cluster.state != last {
                    println!("  … {}", state_name(cluster));
                    last = cluster.state.clone();
                }
            })
    }

    fn token_tour(&self) -> Result {
        let tokens = self.client.tokens();
        section("Tokens");
        let token = tokens.create(&CreateTokenRequest {
            comment: Some("sdk quickstart".into()),
            lifetime_seconds: Some(3600),
            ..Default::default()
        })?;
        let info = token
            .token_info
            .ok_or("token/create answered no token_info")?;
        // The value is returned only now. A secret: never printed, not even in part.
        let value = token.token_value.expose();
        println!(
            "created token {}… (a {}-character value, returned only by this call; valid 1 h)",
            info.token_id.get(..12).unwrap_or(&info.token_id),
            value.len()
        );
        let listed = tokens.list()?;
        println!(
            "token/list shows {} token(s), never their values",
            listed.len()
        );
        tokens.delete(&info.token_id)?;
        println!("deleted it");
        Ok(())
    }

    fn secrets_tour(&self) -> Result {
        let secrets = self.client.secrets();
        section("Secrets");
        let scope = format!("sdk-quickstart-{}", self.now_ms() % 1_000_000);
        secrets.scopes().create(&CreateScopeRequest {
            scope: scope.clone(),
            ..Default::default()
        })?;
        println!("created scope {scope}");
        // Whatever happens next, the scope is removed at the end.
        let outcome = (|| -> Result {
            secrets.put(&scope, "db-password", "s3cr3t")?;
            secrets.put(
                &scope,
                "keystore",
                SecretValue::Bytes(vec![0xfe, 0xed, 0xfa, 0xce]),
            )?;
            for secret in secrets.list(&scope)? {
                println!("  secret {:<12} (values are never listed)", secret.key);
            }
            match secrets.acls().put(&scope, "users", AclPermission::Read) {
                Ok(()) => {
                    for acl in secrets.acls().list(&scope)? {
                        println!("  acl    {:<20} {}", acl.principal, acl.permission);
                    }
                }
                Err(e) if e.is_permission_denied() => {
                    println!("  (secret ACLs need the Premium tier: skipped)");
                }
                Err(e) => return Err(e.into()),
            }
            Ok(())
        })();
        let cleanup = secrets.scopes().delete(&scope);
        outcome?;
        cleanup?;
        println!("deleted scope {scope} and its secrets");
        Ok(())
    }
}

impl Tour<'_> {
    /// Uploads a notebook (Workspace API) and a data file (DBFS), lists them, downloads them
    /// back and checks them, then removes them.
    fn notebook_and_data_tour(&self) -> Result {
        section("Notebooks and data");
        let run = self.now_ms() % 1_000_000;
        let folder = format!("/Shared/sdk-quickstart-{run}");
        let notebook = format!("{folder}/hello");
        let data_path = format!("/tmp/sdk-quickstart-{run}/data.csv");
        let source = "print('hello from the quickstart')";
        let data: Vec<u8> = (0..3_000_000u32)
            .flat_map(|i| format!("{i},{}\n", i % 7).into_bytes())
            .take(3 * 1024 * 1024 + 5)
            .collect();
        let workspace = self.client.workspace();
        let dbfs = self.client.dbfs();
        workspace.mkdirs(&folder)?;
        // Whatever happens next, both are removed at the end.
        let outcome = (|| -> Result {
            workspace.import(
                &notebook,
                source.as_bytes(),
                ImportFormat::Source,
                Some(Language::Python),
                false,
            )?;
            let written = dbfs.upload(&data_path, Upload::bytes(&data), false)?;
            println!("uploaded notebook {notebook} and {written} bytes to {data_path}");
            for object in workspace.list(&folder)? {
                println!(
                    "  {:<10} {}",
                    object
                        .object_type
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    object.path.unwrap_or_default()
                );
            }
            let parent = data_path.rsplit_once('/').map_or("/", |(p, _)| p);
            for file in dbfs.list(parent)? {
                println!(
                    "  {:<10} {} ({} bytes)",
                    "DBFS",
                    file.path.unwrap_or_default(),
                    file.file_size.unwrap_or_default()
                );
            }
            let mut exported = Vec::new();
            workspace.download_to(&notebook, ExportFormat::Source, &mut exported)?;
            let expected = format!("# Databricks notebook source\n{source}");
            if String::from_utf8_lossy(&exported).trim_end() != expected {
                return Err(format!(
                    "the notebook came back different: {:?}",
                    String::from_utf8_lossy(&exported)
                )
                .into());
            }
            let mut back = Vec::new();
            dbfs.download_to(&data_path, &mut back)?;
            if back != data {
                return Err("the data file came back different".into());
            }
            println!("downloaded both back: identical");
            Ok(())
        })();
        let removed_notebook = workspace.delete(&WorkspaceDeleteRequest {
            path: folder.clone(),
            recursive: Some(true),
            ..Default::default()
        });
        let parent = data_path
            .rsplit_once('/')
            .map_or("/", |(p, _)| p)
            .to_string();
        let removed_data = dbfs.delete(&parent, true);
        outcome?;
        removed_notebook?;
        removed_data?;
        println!("deleted {folder} and {parent}");
        Ok(())
    }
}

/// Signs in as a Databricks service principal with an OAuth secret (`oauth-m2m`) through a
/// written profile, as `~/.databrickscfg` would have it, and makes one call.
fn oauth_m2m_profile(ws: &Emulator) -> Result {
    section("OAuth service principal (oauth-m2m) from a profile");
    let sp = ws.add_service_principal("quickstart-sp");
    let path =
        std::env::temp_dir().join(format!("databrickscfg-quickstart-{}", std::process::id()));
    std::fs::write(&path, sp.profile("quickstart-sp", ws.base_url()))?;
    println!(
        "wrote profile [quickstart-sp] (auth_type = oauth-m2m) to {}",
        path.display()
    );
    let config = azure_databricks_sdk::Config::builder()
        .config_file(&path)
        .profile("quickstart-sp")
        .no_proxy()
        .build();
    std::fs::remove_file(&path)?; // the secret is in memory now; the file is gone
    let config = config?;
    let client = Client::from_config(&config)?;
    let clusters = client.clusters().list()?;
    println!(
        "signed in as {} with {}: {} cluster(s) listed",
        sp.client_id,
        client.auth_method(),
        clusters.len()
    );
    Ok(())
}

/// Imports a notebook (Workspace API), creates a job that runs it, runs it with a progress line
/// per state, prints its output, and deletes the job and the notebook.
fn jobs_tour(ws: &Emulator) -> Result {
    use azure_databricks_sdk::RunWait;
    use azure_databricks_sdk::models::{
        CreateJob, DeleteJob, ImportFormat, JobSettings, Language, NotebookTask, RunNow, Task,
        WorkspaceDeleteRequest,
    };
    section("Jobs");
    let client = ws.client();
    let path = "/Shared/sdk-quickstart/count";
    client.workspace().mkdirs("/Shared/sdk-quickstart")?;
    client.workspace().import(
        path,
        b"import time\ntime.sleep(90)  # a minute and a half of work\ndbutils.notebook.exit(\"42 rows\")",
        ImportFormat::Source,
        Some(Language::Python),
        true,
    )?;
    println!("imported notebook {path}");
    let jobs = client.jobs();
    let job_id = jobs
        .create(&CreateJob::from(JobSettings {
            name: Some("sdk-quickstart".into()),
            tasks: vec![Task {
                task_key: "count".into(),
                notebook_task: Some(NotebookTask {
                    notebook_path: path.into(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }))?
        .job_id
        .ok_or("jobs/create answered no job_id")?;
    println!("created job {job_id}");
    // Whatever happens next, the job is deleted at the end.
    let outcome = (|| -> Result {
        let run = jobs.run_now_and_wait(
            &RunNow {
                job_id,
                ..Default::default()
            },
            RunWait::from(Duration::from_secs(3600)).on_change(|run| {
                let state = run.status.as_ref().and_then(|s| s.state.as_ref());
                println!(
                    "  run {}: {}",
                    run.run_id.unwrap_or(0),
                    state.map_or("?", |s| s.as_str())
                );
            }),
        )?;
        for task in jobs.run_output(run.run_id.unwrap_or(0))? {
            let result = task
                .output
                .notebook_output
                .as_ref()
                .and_then(|n| n.result.as_deref());
            println!(
                "  task {}: {}",
                task.task_key,
                result.unwrap_or("(no result)")
            );
        }
        Ok(())
    })();
    let cleanup = jobs.delete(&DeleteJob {
        job_id,
        ..Default::default()
    });
    let removed_notebook = client.workspace().delete(&WorkspaceDeleteRequest {
        path: "/Shared/sdk-quickstart".into(),
        recursive: Some(true),
        ..Default::default()
    });
    outcome?;
    cleanup?;
    removed_notebook?;
    println!("deleted job {job_id} and its notebook");
    Ok(())
}

/// A user who may only create small clusters under a policy, on a pool, with a library, and a
/// grant on the cluster.
fn governance(ws: &Emulator) -> Result {
    use azure_databricks_sdk::models::{
        AccessControlRequest, CreatePolicyRequest, InstallLibrariesRequest, InstancePoolAttributes,
        Library, PermissionLevel, PermissionObjectType, PythonPyPiLibrary, SetObjectPermissions,
    };
    section("A pool-backed cluster under a policy, a library, and a grant");
    let admin = ws.client();
    let pool = admin
        .instance_pools()
        .create(&InstancePoolAttributes {
            instance_pool_name: "quickstart-pool".into(),
            node_type_id: "Standard_DS3_v2".into(),
            min_idle_instances: Some(1),
            ..Default::default()
        })?
        .instance_pool_id
        .ok_or("no pool id")?;
    let policy = admin
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("quickstart-small".into()),
            definition: Some(
                r#"{"num_workers": {"type": "range", "maxValue": 2, "defaultValue": 1}, "autotermination_minutes": {"type": "fixed", "value": 30}}"#
                    .into(),
            ),
            ..Default::default()
        })?
        .policy_id
        .ok_or("no policy id")?;
    let grant = |level: PermissionLevel| SetObjectPermissions {
        access_control_list: vec![AccessControlRequest {
            group_name: Some("users".into()),
            permission_level: Some(level),
            ..Default::default()
        }],
        ..Default::default()
    };
    let policy_type = PermissionObjectType::ClusterPolicies;
    let cluster_type = PermissionObjectType::Clusters;
    admin
        .permissions()
        .update(policy_type, &policy, &grant(PermissionLevel::CanUse))?;
    let user = ws.client_as(&ws.add_user("quickstart-user@example.com"));
    let cluster = user
        .clusters()
        .create(&ClusterAttributes {
            cluster_name: Some("quickstart-governed".into()),
            spark_version: "15.4.x-scala2.12".into(),
            instance_pool_id: Some(pool.clone()),
            policy_id: Some(policy.clone()),
            apply_policy_default_values: Some(true),
            ..Default::default()
        })?
        .cluster_id;
    let info = user.clusters().get(&cluster)?;
    println!(
        "quickstart-user@example.com created {cluster} under policy {policy}: {} worker(s), autotermination {} min (from the policy)",
        info.num_workers.unwrap_or(0),
        info.autotermination_minutes.unwrap_or(0)
    );
    let library = Library {
        pypi: Some(PythonPyPiLibrary {
            package: "simplejson==3.8.0".into(),
            repo: None,
            unknown_fields: Default::default(),
        }),
        ..Default::default()
    };
    let request = InstallLibrariesRequest {
        cluster_id: cluster.clone(),
        libraries: vec![library],
        ..Default::default()
    };
    user.clusters().ensure_running(&cluster)?;
    let installed = user.libraries().install_and_wait(&request, WAIT)?;
    let status = installed.library_statuses[0].status.as_ref();
    println!(
        "on pool {pool} ({}): simplejson {}",
        info.node_type_id.as_deref().unwrap_or("?"),
        status.map_or("?", |s| s.as_str())
    );
    let acl =
        user.permissions()
            .update(cluster_type, &cluster, &grant(PermissionLevel::CanRestart))?;
    println!(
        "granted CAN_RESTART to users: {} entries on the cluster",
        acl.access_control_list.len()
    );
    admin.clusters().permanent_delete(&cluster)?;
    admin.cluster_policies().delete(&policy)?;
    admin.instance_pools().delete(&pool)?;
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

fn state_name(cluster: &ClusterInfo) -> &str {
    cluster.state.as_ref().map_or("?", |s| s.as_str())
}
