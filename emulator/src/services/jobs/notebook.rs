//! What a notebook task does, read from its notebook's source (the emulator runs no code):
//!
//! * `time.sleep(N)` — the task runs N more emulated seconds;
//! * `dbutils.notebook.exit("X")` — the task succeeds with result `X` (the notebook stops);
//! * `raise ...("msg")` — the task fails with `msg` (the notebook stops);
//! * no notebook at the path — the task fails as the service says: `Notebook not found`.
//!
//! The first `exit` or `raise` decides; a notebook with neither succeeds without a result.
//! The source is the notebook's in the emulated workspace (the Workspace API's store, filled by
//! `workspace/import` or `Emulator::add_notebook`).

use super::runs::{Ended, TASK_MS};

/// What a task's run will be: how long, and how it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Emulated milliseconds from start to end.
    pub(crate) duration: i64,
    /// `notebook_output.result`.
    pub(crate) result: Option<String>,
    /// The failure's message (`error` of the output, the task's state message).
    pub(crate) error: Option<String>,
    /// The line that raised (`error_trace`).
    pub(crate) trace: Option<String>,
    /// The service's code for the failure (`RUN_EXECUTION_ERROR`, `RESOURCE_NOT_FOUND`).
    code: &'static str,
    /// Not run: its `run_if` did not hold.
    skipped: Option<bool>,
}

impl Outcome {
    /// A success after `duration` ms.
    pub(crate) fn done(duration: i64) -> Self {
        Outcome {
            duration,
            result: None,
            error: None,
            trace: None,
            code: "SUCCESS",
            skipped: None,
        }
    }

    /// A task whose `run_if` did not hold; `upstream_failed` when a dependency failed.
    pub(crate) fn skipped(upstream_failed: bool) -> Self {
        Outcome {
            skipped: Some(upstream_failed),
            ..Outcome::done(0)
        }
    }

    /// How the task ended.
    pub(crate) fn ended(&self) -> Ended {
        match (self.skipped, &self.error) {
            (Some(upstream_failed), _) => Ended {
                life: "SKIPPED",
                result: Some(if upstream_failed {
                    "UPSTREAM_FAILED"
                } else {
                    "EXCLUDED"
                }),
                code: if upstream_failed {
                    "SKIPPED"
                } else {
                    "SUCCESS"
                },
                kind: "SUCCESS",
                message: if upstream_failed {
                    "Upstream task failed.".into()
                } else {
                    "The task's run_if condition was not met.".into()
                },
            },
            (None, Some(error)) => Ended {
                life: if self.code == "RESOURCE_NOT_FOUND" {
                    "INTERNAL_ERROR"
                } else {
                    "TERMINATED"
                },
                result: Some("FAILED"),
                code: self.code,
                kind: "CLIENT_ERROR",
                message: error.clone(),
            },
            (None, None) => Ended {
                life: "TERMINATED",
                result: Some("SUCCESS"),
                code: "SUCCESS",
                kind: "SUCCESS",
                message: String::new(),
            },
        }
    }
}

/// The outcome of running the notebook at `path`, whose source is `source` (`None`: there
/// is no notebook there).
pub(crate) fn outcome(path: &str, source: Option<&str>) -> Outcome {
    let Some(source) = source else {
        return Outcome {
            error: Some(format!("Notebook not found: {path}")),
            code: "RESOURCE_NOT_FOUND",
            ..Outcome::done(1_000)
        };
    };
    let mut outcome = Outcome::done(TASK_MS);
    for line in source.lines() {
        let line = line.trim();
        if let Some(seconds) = call_argument(line, "time.sleep(") {
            let seconds: f64 = seconds.trim().parse().unwrap_or(0.0);
            outcome.duration += (seconds.max(0.0) * 1000.0) as i64;
        } else if let Some(result) = call_argument(line, "dbutils.notebook.exit(") {
            outcome.result = Some(unquote(result));
            break;
        } else if let Some(raised) = line.strip_prefix("raise ") {
            let message = raised.split_once('(').map_or_else(
                || raised.to_string(),
                |(_, rest)| unquote(rest.strip_suffix(')').unwrap_or(rest)),
            );
            outcome.error = Some(message);
            outcome.trace = Some(line.to_string());
            outcome.code = "RUN_EXECUTION_ERROR";
            break;
        }
    }
    outcome
}

/// The text between `call` and the closing parenthesis of a line that starts with `call`.
fn call_argument<'a>(line: &'a str, call: &str) -> Option<&'a str> {
    line.strip_prefix(call)?
        .rsplit_once(')')
        .map(|(inside, _)| inside)
}

/// A Python string literal's text (`"x"` or `'x'`), or the text itself.
fn unquote(text: &str) -> String {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.replace(&format!("\\{quote}"), &quote.to_string());
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_decides_the_outcome() {
        let ok = outcome(
            "/n",
            Some(
                "import time\ntime.sleep(30)\ndbutils.notebook.exit(\"42 rows\")\nraise Exception('never')",
            ),
        );
        assert_eq!(ok.result.as_deref(), Some("42 rows"));
        assert_eq!(ok.duration, TASK_MS + 30_000);
        assert!(ok.ended().succeeded());
        let failed = outcome("/n", Some("x = 1\n    raise ValueError(\"no input\")\n"));
        assert_eq!(failed.error.as_deref(), Some("no input"));
        assert_eq!(failed.ended().result, Some("FAILED"));
        let missing = outcome("/gone", None);
        assert_eq!(missing.ended().message, "Notebook not found: /gone");
        assert_eq!(missing.ended().life, "INTERNAL_ERROR");
        assert!(outcome("/n", Some("print(1)")).result.is_none());
    }
}
