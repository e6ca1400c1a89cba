//! Running a program with a deadline, and finding it on a search path: the one way the CLIs
//! that print tokens (`az`, `databricks`) are run.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Result;
use crate::error::AuthError;

/// Longest part of a CLI's error output kept in an error message.
const MAX_STDERR: usize = 400;

/// The `az` executable in the directories of `search_path` (`PATH` syntax).
pub(crate) fn find_az(search_path: Option<&OsStr>) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["az.cmd", "az.exe", "az.bat"]
    } else {
        &["az"]
    };
    find_program(names, search_path)
}

/// The first executable named one of `names` in the directories of `search_path`.
pub(crate) fn find_program(names: &[&str], search_path: Option<&OsStr>) -> Option<PathBuf> {
    let path = search_path?;
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// How a CLI that prints tokens is run: its environment and search path (those of the process,
/// or of an injected configuration environment) and its deadline.
#[derive(Debug, Clone)]
pub(crate) struct CliRunner {
    /// The `auth_type` name, for errors.
    pub(crate) method: &'static str,
    /// The directories searched for the program, also its `PATH`.
    pub(crate) search_path: Option<OsString>,
    /// The whole environment of the program (from an injected [`crate::Config`] environment).
    pub(crate) environment: Option<Arc<HashMap<String, String>>>,
    pub(crate) timeout: Duration,
}

impl CliRunner {
    /// `search_path`, else the `PATH` of the environment.
    pub(crate) fn new(
        method: &'static str,
        search_path: Option<OsString>,
        environment: Option<Arc<HashMap<String, String>>>,
        timeout: Duration,
    ) -> Self {
        let search_path = search_path.or_else(|| match &environment {
            Some(env) => env.get("PATH").map(OsString::from),
            None => std::env::var_os("PATH"),
        });
        Self {
            method,
            search_path,
            environment,
            timeout,
        }
    }

    /// Runs `program` with `args`; a program that cannot be started or does not finish in
    /// time is an [`AuthError`] that says so. `label` names the command in messages.
    pub(crate) fn run(&self, program: &Path, args: &[&str], label: &str) -> Result<Output> {
        let mut command = Command::new(program);
        command.args(args);
        if let Some(env) = &self.environment {
            command.env_clear().envs(env.iter());
        }
        if let Some(path) = &self.search_path {
            command.env("PATH", path);
        }
        run(command, self.timeout).map_err(|e| match e {
            RunError::Spawn(e) => {
                AuthError::new(self.method, format!("cannot run {}", program.display()))
                    .with_source(e)
                    .into()
            }
            RunError::Timeout => AuthError::new(
                self.method,
                format!(
                    "`{label}` did not finish within {} s",
                    self.timeout.as_secs_f32()
                ),
            )
            .into(),
        })
    }
}

/// A CLI's error output on one line, shortened.
pub(crate) fn stderr_text(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::error::truncate(&text, MAX_STDERR).to_string()
}

/// What a finished program printed, and how it ended.
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Why a program gave no [`Output`].
pub(crate) enum RunError {
    Spawn(std::io::Error),
    Timeout,
}

/// Runs `command` without input, killing it after `timeout`.
pub(crate) fn run(
    mut command: Command,
    timeout: Duration,
) -> std::result::Result<Output, RunError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    // A timeout too large to represent means no deadline.
    let deadline = Instant::now().checked_add(timeout);
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if deadline.is_none_or(|d| Instant::now() < d) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Timeout);
            }
            Err(e) => return Err(RunError::Spawn(e)),
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn finds_only_executables_on_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let az = dir.path().join("az");
        std::fs::write(&az, "#!/bin/sh\n").unwrap();
        assert_eq!(
            find_az(Some(dir.path().as_os_str())),
            None,
            "not executable"
        );
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["/nonexistent".as_ref(), dir.path()]).unwrap();
        assert_eq!(find_az(Some(&path)), Some(az));
        assert_eq!(find_az(None), None);
    }

    #[test]
    fn output_and_exit_status_are_collected() {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "echo out; echo err >&2; exit 3"]);
        let Ok(output) = run(command, Duration::from_secs(10)) else {
            panic!("sh runs");
        };
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        assert_eq!(output.status.code(), Some(3));
    }
}
