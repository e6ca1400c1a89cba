//! Waiting for a resource to reach a state, for every service: one polling loop with an
//! explicit deadline, a pause growing to a cap (with optional jitter), temporary errors
//! tolerated while polling, progress callbacks, and a way for the caller to stop early.
//!
//! [`Wait`] is what callers configure; services poll with [`Wait::poll`], giving how to read
//! the resource, what its state is called, what a state means ([`Step`]) and how to describe
//! the resource in errors.

use std::fmt;
use std::time::Duration;

use crate::defaults::{FIRST_POLL_INTERVAL, MAX_POLL_INTERVAL, WAIT_TIMEOUT};
use crate::error::WaitError;
use crate::models::ClusterInfo;
use crate::{Clock, Error, LOG_TARGET, Result};

/// How a wait for a resource state runs: its deadline (default 20 minutes,
/// [`crate::defaults::WAIT_TIMEOUT`]; there is no other cap), the pause between polls
/// (1 s growing by 1 s per poll, plus the jitter if set, never more than 10 s), callbacks that see each
/// polled state or each change of state, and a condition that stops the wait early.
///
/// `T` is what is polled: [`ClusterInfo`] for cluster waits ([`Wait`]). Anything that takes
/// `impl Into<Wait>` also takes a plain [`Duration`] (the timeout).
///
/// While polling, a temporary failure of the read (throttling, a 5xx answer, a lost
/// connection: what the client's retries gave up on) is logged at `warn` and the wait goes
/// on, within its deadline; any other error ends the wait.
///
/// ```
/// use std::time::Duration;
/// use azure_databricks_sdk::Wait;
/// let wait = Wait::default()
///     .timeout(Duration::from_secs(600))
///     .on_change(|cluster| println!("{:?}: {:?}", cluster.state, cluster.state_message));
/// # let _ = wait;
/// ```
#[must_use]
pub struct Waiting<'f, T> {
    pub(crate) timeout: Duration,
    jitter: Duration,
    progress: Option<Callback<'f, T>>,
    change: Option<Callback<'f, T>>,
    stop: Option<Box<dyn FnMut() -> bool + 'f>>,
    /// Clusters: permanently delete a cluster that fails to start.
    pub(crate) delete_on_failure: bool,
    /// Clusters: wait out `INVALID_STATE` of a busy cluster and send the change again.
    pub(crate) retry_while_busy: bool,
    /// Job runs: cancel the run when the deadline passes.
    pub(crate) cancel_on_timeout: bool,
}

impl<T> Default for Waiting<'_, T> {
    /// 20 minutes, no jitter, no callbacks.
    fn default() -> Self {
        Self {
            timeout: WAIT_TIMEOUT,
            jitter: Duration::ZERO,
            progress: None,
            change: None,
            stop: None,
            delete_on_failure: false,
            retry_while_busy: false,
            cancel_on_timeout: false,
        }
    }
}

impl<'f, T> Waiting<'f, T> {
    /// Longest time to wait. Defaults to 20 minutes ([`crate::defaults::WAIT_TIMEOUT`]);
    /// [`Duration::MAX`] waits without a deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds a random extra pause of up to `jitter` to every pause between polls, so that many
    /// waiters do not poll in step; the pause, jitter included, stays at most 10 s
    /// ([`crate::defaults::MAX_POLL_INTERVAL`]). Defaults to none.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Called with every polled state.
    pub fn on_progress(mut self, progress: impl FnMut(&T) + 'f) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Called with the first polled state and with each one whose state differs from the
    /// previous one.
    pub fn on_change(mut self, change: impl FnMut(&T) + 'f) -> Self {
        self.change = Some(Box::new(change));
        self
    }

    /// Checked before every pause: when it answers `true`, the wait ends at once with an
    /// [`Error::Wait`] whose [`WaitError::note`] says it was stopped (the resource is left as
    /// it is). For a stop from another thread, check an `AtomicBool` here.
    pub fn stop_when(mut self, stop: impl FnMut() -> bool + 'f) -> Self {
        self.stop = Some(Box::new(stop));
        self
    }
}

impl<T> From<Duration> for Waiting<'_, T> {
    fn from(timeout: Duration) -> Self {
        Waiting::default().timeout(timeout)
    }
}

impl<T> fmt::Debug for Waiting<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("timeout", &self.timeout)
            .field("jitter", &self.jitter)
            .field("progress", &self.progress.is_some())
            .field("change", &self.change.is_some())
            .field("stop", &self.stop.is_some())
            .field("delete_on_failure", &self.delete_on_failure)
            .field("retry_while_busy", &self.retry_while_busy)
            .field("cancel_on_timeout", &self.cancel_on_timeout)
            .finish()
    }
}

/// A callback of a [`Waiting`] with a polled value.
type Callback<'f, T> = Box<dyn FnMut(&T) + 'f>;

/// How a wait for a cluster state runs (see [`Waiting`]).
pub type Wait<'f> = Waiting<'f, ClusterInfo>;

/// What a polled state means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The wait is over.
    Done,
    /// The awaited state cannot follow from this one.
    Failed,
    /// Poll again.
    Wait,
}

/// How a service's poll reads and describes its resource.
pub(crate) trait Polled {
    /// The resource's state, compared between polls for [`Wait::on_change`].
    fn state_name(&self) -> Option<String>;
}

/// Why a poll ended without the awaited state, for the service's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The resource reached a state the awaited one cannot follow.
    Failed,
    /// The deadline passed (the timeout is the wait's).
    TimedOut(Duration),
    /// The caller's stop condition answered `true`.
    Stopped,
}

/// Polls `read` until `step` says done or failed, the deadline passes or the caller stops
/// the wait. `error` turns the last state and how the wait ended into the error. The time
/// spent is taken off the wait's timeout, so successive polls of one operation share it.
pub(crate) fn poll<T: Polled>(
    this: &mut Waiting<'_, T>,
    clock: &dyn Clock,
    mut read: impl FnMut() -> Result<T>,
    mut step: impl FnMut(&T) -> Result<Step>,
    error: impl Fn(T, Ended) -> WaitError,
) -> Result<T> {
    let started = clock.now();
    let timeout = this.timeout;
    // A timeout too large to represent means no deadline.
    let deadline = started.checked_add(timeout);
    let mut pause = FIRST_POLL_INTERVAL;
    let mut previous: Option<Option<String>> = None;
    let mut last: Option<T> = None;
    let outcome = loop {
        match read() {
            Ok(value) => {
                if let Some(progress) = this.progress.as_mut() {
                    progress(&value);
                }
                let state = value.state_name();
                if previous.as_ref() != Some(&state) {
                    if let Some(change) = this.change.as_mut() {
                        change(&value);
                    }
                    previous = Some(state);
                }
                match step(&value) {
                    Ok(Step::Done) => break Ok(value),
                    Ok(Step::Failed) => break Err(error(value, Ended::Failed).into()),
                    Ok(Step::Wait) => last = Some(value),
                    Err(e) => break Err(e),
                }
            }
            Err(e) if is_temporary(&e) => {
                log::warn!(target: LOG_TARGET, "{e}; still waiting (temporary failure while polling)");
                if deadline.is_some_and(|d| clock.now() >= d) {
                    break Err(match last.take() {
                        Some(value) => error(value, Ended::TimedOut(timeout)).into(),
                        None => e,
                    });
                }
            }
            Err(e) => break Err(e),
        }
        let now = clock.now();
        if deadline.is_some_and(|d| now >= d) {
            let value = last.take().expect("a timed-out poll read a value");
            break Err(error(value, Ended::TimedOut(timeout)).into());
        }
        if this.stop.as_mut().is_some_and(|stop| stop()) {
            break Err(match last.take() {
                Some(value) => error(value, Ended::Stopped).into(),
                None => Error::Wait(Box::new(WaitError {
                    resource: String::new(),
                    target: String::new(),
                    state: None,
                    message: None,
                    reason: None,
                    timeout: None,
                    note: Some(STOPPED.into()),
                    last: None,
                })),
            });
        }
        let jitter = if this.jitter.is_zero() {
            Duration::ZERO
        } else {
            this.jitter.min(MAX_POLL_INTERVAL).mul_f64(fastrand::f64())
        };
        // The jitter stays random at the cap: the pause gives way to it.
        let sleep = pause.min(MAX_POLL_INTERVAL.saturating_sub(jitter)) + jitter;
        let left = deadline.map_or(sleep, |d| d - now);
        clock.sleep(sleep.min(left));
        pause = (pause + FIRST_POLL_INTERVAL).min(MAX_POLL_INTERVAL);
    };
    this.timeout = timeout.saturating_sub(clock.now().saturating_duration_since(started));
    outcome
}

/// The note of a wait the caller stopped.
pub(crate) const STOPPED: &str = "the wait was stopped by the caller";

/// Whether a failed read may succeed if polled again: what the retry engine retries, and
/// what it gave up retrying.
fn is_temporary(error: &Error) -> bool {
    match error {
        Error::RetriesExhausted { last, .. } => is_temporary(last),
        other => crate::retry::classify(other).is_some(),
    }
}

impl Polled for ClusterInfo {
    fn state_name(&self) -> Option<String> {
        self.state.as_ref().map(ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use std::cell::Cell;
    use std::sync::Mutex;
    use std::time::Instant;

    /// A clock whose sleeps only move time.
    #[derive(Debug)]
    struct FakeClock {
        start: Instant,
        elapsed: Mutex<Duration>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Instant {
            self.start + *self.elapsed.lock().unwrap()
        }
        fn sleep(&self, duration: Duration) {
            *self.elapsed.lock().unwrap() += duration;
        }
    }

    fn clock() -> FakeClock {
        FakeClock {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Thing(&'static str);
    impl Polled for Thing {
        fn state_name(&self) -> Option<String> {
            Some(self.0.to_string())
        }
    }

    fn error(thing: Thing, ended: Ended) -> WaitError {
        WaitError {
            resource: "thing".into(),
            target: "DONE".into(),
            state: Some(thing.0.into()),
            message: None,
            reason: None,
            timeout: match ended {
                Ended::TimedOut(t) => Some(t),
                _ => None,
            },
            note: (ended == Ended::Stopped).then(|| STOPPED.to_string()),
            last: Some(Box::new(thing)),
        }
    }

    fn step(thing: &Thing) -> Result<Step> {
        Ok(match thing.0 {
            "DONE" => Step::Done,
            "BROKEN" => Step::Failed,
            _ => Step::Wait,
        })
    }

    fn unavailable() -> Error {
        ApiError::from_response("things.get", 503, b"{}", None, &[]).into()
    }

    #[test]
    fn temporary_errors_while_polling_are_tolerated_and_changes_reported_once() {
        let clock = clock();
        let mut script = vec![
            Ok(Thing("PENDING")),
            Err(unavailable()),
            Ok(Thing("PENDING")),
            Ok(Thing("RUNNING")),
            Ok(Thing("DONE")),
        ]
        .into_iter();
        let changes = Mutex::new(Vec::new());
        let polls = Cell::new(0);
        let mut wait = Waiting::default()
            .on_change(|t: &Thing| changes.lock().unwrap().push(t.0))
            .on_progress(|_| polls.set(polls.get() + 1));
        let done = poll(&mut wait, &clock, || script.next().unwrap(), step, error).unwrap();
        assert_eq!(done, Thing("DONE"));
        assert_eq!(*changes.lock().unwrap(), ["PENDING", "RUNNING", "DONE"]);
        assert_eq!(polls.get(), 4);
    }

    #[test]
    fn other_errors_end_the_wait() {
        let clock = clock();
        let mut wait: Waiting<'_, Thing> = Waiting::default();
        let err = poll(
            &mut wait,
            &clock,
            || Err(ApiError::from_response("things.get", 403, b"{}", None, &[]).into()),
            step,
            error,
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(403));
    }

    #[test]
    fn the_deadline_is_explicit_and_pauses_grow_to_the_cap_with_jitter_inside() {
        let clock = clock();
        let mut wait = Waiting::default()
            .timeout(Duration::from_secs(120))
            .jitter(Duration::from_millis(500));
        let err = poll(&mut wait, &clock, || Ok(Thing("PENDING")), step, error).unwrap_err();
        let wait_error = err.wait().unwrap();
        assert_eq!(wait_error.timed_out(), Some(Duration::from_secs(120)));
        assert_eq!(clock.now() - clock.start, Duration::from_secs(120));
        assert_eq!(wait.timeout, Duration::ZERO);
    }

    #[test]
    fn a_failed_state_ends_the_wait_with_the_last_value() {
        let clock = clock();
        let mut wait = Waiting::default();
        let err = poll(&mut wait, &clock, || Ok(Thing("BROKEN")), step, error).unwrap_err();
        assert_eq!(err.wait().unwrap().last::<Thing>(), Some(&Thing("BROKEN")));
        assert_eq!(err.wait().unwrap().timed_out(), None);
    }

    #[test]
    fn the_caller_can_stop_the_wait() {
        let clock = clock();
        let polls = Cell::new(0);
        let mut wait = Waiting::default().stop_when(|| polls.get() >= 3);
        let err = poll(
            &mut wait,
            &clock,
            || {
                polls.set(polls.get() + 1);
                Ok(Thing("PENDING"))
            },
            step,
            error,
        )
        .unwrap_err();
        assert_eq!(err.wait().unwrap().note(), Some(STOPPED));
        assert_eq!(polls.get(), 3);
    }
}
