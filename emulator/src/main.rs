//! `azure-databricks-emulator`: an emulated Azure Databricks workspace on loopback, until
//! Ctrl-C. Prints the URL and the tokens to give a client.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use azure_databricks_emulator::Emulator;

const USAGE: &str = "\
Usage: azure-databricks-emulator [OPTIONS]

Serves an emulated Azure Databricks workspace (REST API 2.0: clusters, tokens,
secrets, secret scopes and ACLs) on http://127.0.0.1:<port> until Ctrl-C.

Options:
  --port <PORT>         port to listen on [default: 8080; 0 picks a free one]
  --speed <FACTOR>      emulated seconds per real second [default: 1]
  --startup <SECONDS>   emulated time a cluster takes to start [default: 180]
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

#[derive(Debug)]
struct Options {
    port: u16,
    speed: f64,
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
    let mut builder = Emulator::builder()
        .port(options.port)
        .speed(options.speed)
        .log_requests(!options.quiet);
    if let Some(secs) = options.startup {
        builder = builder.startup_time(Duration::from_secs(secs));
    }
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
