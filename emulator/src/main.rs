//! `azure-databricks-emulator`: an emulated Azure Databricks workspace on loopback, until
//! Ctrl-C. Prints the URL and the tokens to give a client.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use azure_databricks_emulator::Emulator;

const USAGE: &str = "\
Usage: azure-databricks-emulator [OPTIONS]

Serves an emulated Azure Databricks workspace (clusters on REST API 2.1 and 2.0;
tokens, secrets, secret scopes and ACLs on 2.0; OAuth for service principals;
host metadata at /.well-known/databricks-config) on http://127.0.0.1:<port>
until Ctrl-C.

Cluster lifecycle: for interactive use, clusters start, restart and resize in
10 s and terminate in 5 s. The service takes minutes (start 3 min, restart and
resize 2 min, termination 1 min): --realistic uses those.

Options:
  --port <PORT>         port to listen on [default: 8080; 0 picks a free one]
  --startup <SECONDS>   time a cluster takes to start [default: 10]
  --realistic           the service's lifecycle times (start in 180 s, ...)
  --speed <FACTOR>      emulated seconds per real second [default: 1]; also
                        ages tokens faster (an OAuth token lasts 1 h / FACTOR)
  --token <TOKEN>       admin token to accept instead of a random dapi... one
  --admin <USER>        admin user name [default: admin@example.com]
  --user <USER>         add a user and print a token of theirs (repeatable)
  --max-connections <N> connections open at once [default: 512]
  --quiet               do not log requests on stderr
  -h, --help            print this help

Limits:
  At --max-connections, a new connection closes the one idle the longest (or,
  if none is idle, the one that has been sending its request the longest);
  only when every connection is running a request is it answered 503.
  Idle keep-alive connections are closed after 60 s. A request (head and body)
  must arrive within 30 s of its first byte (else 408), an answer be read
  within 30 s. Request heads: 64 KB, 100 headers (431); bodies: 10 MB (413).
  Invalid values are answered 400 INVALID_PARAMETER_VALUE like the service:
  num_workers and autoscale.max_workers at most 10000, autotermination_minutes
  10 to 10000 or 0, token lifetime_seconds 0 to 63072000 (730 days; absent or
  0: 730 days), idempotency_token at most 64 characters, events limit 1 to 500.";

/// Emulated lifecycle times of the binary, in seconds: (start, restart, resize, terminate).
const INTERACTIVE_LIFECYCLE: Lifecycle = Lifecycle {
    startup: 10,
    restart: 10,
    resize: 10,
    termination: 5,
};

/// The service's lifecycle times (the library's defaults), for `--realistic`.
const REALISTIC_LIFECYCLE: Lifecycle = Lifecycle {
    startup: 180,
    restart: 120,
    resize: 120,
    termination: 60,
};

/// Emulated seconds each cluster transition takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lifecycle {
    startup: u64,
    restart: u64,
    resize: u64,
    termination: u64,
}

#[derive(Debug)]
struct Options {
    port: u16,
    speed: f64,
    realistic: bool,
    startup: Option<u64>,
    token: Option<String>,
    admin: Option<String>,
    users: Vec<String>,
    max_connections: Option<usize>,
    quiet: bool,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        port: 8080,
        speed: 1.0,
        realistic: false,
        startup: None,
        token: None,
        admin: None,
        users: Vec::new(),
        max_connections: None,
        quiet: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_string(), Some(value.to_string())),
            None => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                options.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port needs a number from 0 to 65535".to_string())?;
            }
            "--speed" => {
                options.speed = value("--speed")?
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or("--speed needs a number >= 0")?;
            }
            "--startup" => {
                options.startup = Some(
                    value("--startup")?
                        .parse()
                        .map_err(|_| "--startup needs a whole number of seconds".to_string())?,
                );
            }
            "--realistic" => options.realistic = true,
            "--token" => options.token = Some(value("--token")?),
            "--admin" => options.admin = Some(value("--admin")?),
            "--user" => options.users.push(value("--user")?),
            "--max-connections" => {
                options.max_connections = Some(
                    value("--max-connections")?
                        .parse()
                        .ok()
                        .filter(|n: &usize| *n > 0)
                        .ok_or("--max-connections needs a whole number >= 1")?,
                );
            }
            "--quiet" => options.quiet = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Some(options))
}

impl Options {
    /// The lifecycle times to emulate: quick ones unless `--realistic`, `--startup` winning.
    fn lifecycle(&self) -> Lifecycle {
        let base = if self.realistic {
            REALISTIC_LIFECYCLE
        } else {
            INTERACTIVE_LIFECYCLE
        };
        Lifecycle {
            startup: self.startup.unwrap_or(base.startup),
            ..base
        }
    }
}

/// The banner line that says how long clusters take, in real seconds, and how to change it.
fn lifecycle_line(lifecycle: Lifecycle, speed: f64) -> String {
    let real = |secs: u64| {
        if speed > 0.0 {
            format!("{} s", (secs as f64 / speed * 10.0).round() / 10.0)
        } else {
            "never (--speed 0: time stands still)".to_string()
        }
    };
    format!(
        "Clusters start in {}, restart and resize in {}, terminate in {} \
         (--startup SECONDS, --realistic for the service's minutes, --speed FACTOR).",
        real(lifecycle.startup),
        real(lifecycle.restart.max(lifecycle.resize)),
        real(lifecycle.termination)
    )
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let lifecycle = options.lifecycle();
    let mut builder = Emulator::builder()
        .port(options.port)
        .speed(options.speed)
        .log_requests(!options.quiet)
        .startup_time(Duration::from_secs(lifecycle.startup))
        .restart_time(Duration::from_secs(lifecycle.restart))
        .resize_time(Duration::from_secs(lifecycle.resize))
        .termination_time(Duration::from_secs(lifecycle.termination));
    if let Some(token) = options.token {
        builder = builder.admin_token(token);
    }
    if let Some(admin) = options.admin {
        builder = builder.admin_user(admin);
    }
    if let Some(n) = options.max_connections {
        builder = builder.max_connections(n);
    }
    let ws = match builder.start() {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!(
                "error: cannot start the emulator on port {}: {e}",
                options.port
            );
            return ExitCode::FAILURE;
        }
    };
    println!("Azure Databricks emulator listening on {}", ws.base_url());
    println!("  admin {}: {}", ws.admin_user(), ws.admin_token());
    for user in &options.users {
        println!("  user {user}: {}", ws.add_user(user));
    }
    println!("{}", lifecycle_line(lifecycle, options.speed));
    println!();
    println!("Point a client at it:");
    println!("  export DATABRICKS_HOST={}", ws.base_url());
    println!("  export DATABRICKS_TOKEN={}", ws.admin_token());
    println!(
        "  curl -H \"Authorization: Bearer $DATABRICKS_TOKEN\" $DATABRICKS_HOST/api/2.0/clusters/spark-versions"
    );
    println!("Press Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_are_parsed_with_spaces_or_equals() {
        let o = parse(args(&[
            "--port",
            "9000",
            "--speed=60",
            "--user",
            "a@x",
            "--user=b@x",
            "--max-connections=64",
            "--quiet",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((o.port, o.speed, o.quiet), (9000, 60.0, true));
        assert_eq!(o.max_connections, Some(64));
        assert_eq!(o.users, ["a@x", "b@x"]);
        let d = parse(Vec::new()).unwrap().unwrap();
        assert_eq!((d.port, d.speed, d.quiet), (8080, 1.0, false));
    }

    #[test]
    fn clusters_start_in_seconds_unless_realistic_is_asked_for() {
        let default = parse(Vec::new()).unwrap().unwrap();
        assert_eq!(default.lifecycle(), INTERACTIVE_LIFECYCLE);
        assert!(default.lifecycle().startup <= 10);
        let realistic = parse(args(&["--realistic"])).unwrap().unwrap();
        assert_eq!(realistic.lifecycle(), REALISTIC_LIFECYCLE);
        let custom = parse(args(&["--realistic", "--startup", "30"]))
            .unwrap()
            .unwrap();
        assert_eq!(custom.lifecycle().startup, 30);
        assert_eq!(custom.lifecycle().restart, 120);
    }

    #[test]
    fn the_banner_says_how_long_clusters_take_and_how_to_change_it() {
        assert_eq!(
            lifecycle_line(INTERACTIVE_LIFECYCLE, 1.0),
            "Clusters start in 10 s, restart and resize in 10 s, terminate in 5 s \
             (--startup SECONDS, --realistic for the service's minutes, --speed FACTOR)."
        );
        assert!(lifecycle_line(REALISTIC_LIFECYCLE, 60.0).starts_with("Clusters start in 3 s,"));
        assert!(lifecycle_line(REALISTIC_LIFECYCLE, 0.0).contains("never"));
    }

    #[test]
    fn bad_options_are_errors_and_help_is_none() {
        assert!(parse(args(&["--port", "x"])).is_err());
        assert!(parse(args(&["--speed", "-1"])).is_err());
        assert!(parse(args(&["--port"])).is_err());
        assert!(parse(args(&["--nope"])).is_err());
        assert!(parse(args(&["--max-connections", "0"])).is_err());
        assert!(parse(args(&["--max-connections", "-5"])).is_err());
        assert!(parse(args(&["--help"])).unwrap().is_none());
    }

    #[test]
    fn the_help_states_the_server_limits_of_the_library() {
        use azure_databricks_emulator::{
            DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT,
        };
        assert!(USAGE.contains(&format!("[default: {DEFAULT_MAX_CONNECTIONS}]")));
        assert!(USAGE.contains(&format!(
            "closed after {} s",
            DEFAULT_IDLE_TIMEOUT.as_secs()
        )));
        assert!(USAGE.contains(&format!(
            "within {} s of its first byte",
            DEFAULT_REQUEST_TIMEOUT.as_secs()
        )));
    }
}
