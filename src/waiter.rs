//! Waiting for a cluster to reach a state, and the `*_and_wait` operations.

use std::fmt;
use std::time::Duration;

use crate::models::{ClusterAttributes, ClusterInfo, ClusterResizeRequest, ClusterState};
use crate::{Clusters, Error, Result};

/// Default longest wait for a cluster state: 20 minutes.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// First pause between two polls: 1 s; each pause is 1 s longer than the previous one.
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest pause between two polls: 10 s.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(10);

/// How a wait for a cluster state runs: its timeout (default 20 minutes) and an optional
/// progress callback that receives every polled [`ClusterInfo`].
///
/// Anything that takes `impl Into<Wait>` also takes a plain [`Duration`] (the timeout).
///
/// ```
/// use std::time::Duration;
/// use azure_databricks_sdk::Wait;
/// let wait = Wait::default()
///     .timeout(Duration::from_secs(600))
///     .on_progress(|cluster| println!("{:?}: {:?}", cluster.state, cluster.state_message));
/// # let _ = wait;
/// ```
#[must_use]
pub struct Wait<'f> {
    timeout: Duration,
    progress: Option<Progress<'f>>,
}

/// The progress callback of a [`Wait`].
type Progress<'f> = Box<dyn FnMut(&ClusterInfo) + 'f>;

impl Default for Wait<'_> {
    /// 20 minutes, no progress callback.
    fn default() -> Self {
        Self {
            timeout: DEFAULT_WAIT_TIMEOUT,
            progress: None,
        }
    }
}

impl<'f> Wait<'f> {
    /// Longest time to wait. Defaults to 20 minutes.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with every polled state of the cluster.
    pub fn on_progress(mut self, progress: impl FnMut(&ClusterInfo) + 'f) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }
}

impl From<Duration> for Wait<'_> {
    fn from(timeout: Duration) -> Self {
        Wait::default().timeout(timeout)
    }
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("timeout", &self.timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// States from which `target` cannot be reached without another request.
fn is_failure(target: &ClusterState, state: &ClusterState) -> bool {
    match target {
        ClusterState::Running => matches!(state, ClusterState::Error | ClusterState::Terminated),
        ClusterState::Terminated => matches!(state, ClusterState::Error),
        _ => matches!(state, ClusterState::Error),
    }
}

impl Clusters<'_> {
    /// Polls [`Clusters::get`] until the cluster is in state `target`.
    ///
    /// Polls with a pause growing from 1 s to 10 s, through the client's [`crate::Clock`].
    /// Waiting for `RUNNING` fails fast with [`Error::ClusterFailed`] (state message and
    /// termination reason included) when the cluster is `ERROR` or `TERMINATED`; waiting for any
    /// other state fails on `ERROR`. After the timeout, [`Error::WaitTimeout`] carries the last
    /// state seen. Errors of `get` end the wait.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use std::time::Duration;
    /// use azure_databricks_sdk::models::ClusterState;
    /// let cluster = client.clusters().wait_for("0923-164208-meows279", ClusterState::Running, Duration::from_secs(900))?;
    /// println!("{:?} workers", cluster.executors.len());
    /// # Ok(()) }
    /// ```
    pub fn wait_for<'f>(
        &self,
        cluster_id: &str,
        target: ClusterState,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.wait_until(cluster_id, target, wait.into(), false)
    }

    fn wait_until(
        &self,
        cluster_id: &str,
        target: ClusterState,
        mut wait: Wait<'_>,
        terminated_is_done: bool,
    ) -> Result<ClusterInfo> {
        let clock = self.client.clock();
        // A timeout too large to represent means no deadline.
        let deadline = clock.now().checked_add(wait.timeout);
        let mut pause = FIRST_POLL_INTERVAL;
        loop {
            let info = self.get(cluster_id)?;
            if let Some(progress) = wait.progress.as_mut() {
                progress(&info);
            }
            match &info.state {
                Some(state) if *state == target => return Ok(info),
                Some(ClusterState::Terminated) if terminated_is_done => return Ok(info),
                Some(state) if is_failure(&target, state) => {
                    return Err(Error::ClusterFailed {
                        cluster_id: cluster_id.to_string(),
                        state: state.clone(),
                        target,
                        state_message: info.state_message.clone().unwrap_or_default(),
                        termination_reason: info.termination_reason.clone().map(Box::new),
                    });
                }
                _ => {}
            }
            let now = clock.now();
            if deadline.is_some_and(|d| now >= d) {
                return Err(Error::WaitTimeout {
                    cluster_id: cluster_id.to_string(),
                    target,
                    timeout: wait.timeout,
                    last_state: info.state,
                    last_state_message: info.state_message,
                });
            }
            let left = deadline.map_or(pause, |d| d - now);
            clock.sleep(pause.min(left));
            pause = (pause + FIRST_POLL_INTERVAL).min(MAX_POLL_INTERVAL);
        }
    }

    /// [`Clusters::create`], then waits until the new cluster is `RUNNING`
    /// (see [`Clusters::wait_for`]).
    pub fn create_and_wait<'f>(
        &self,
        request: &ClusterAttributes,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let created = self.create(request)?;
        self.wait_for(&created.cluster_id, ClusterState::Running, wait)
    }

    /// [`Clusters::start`], then waits until the cluster is `RUNNING`.
    pub fn start_and_wait<'f>(
        &self,
        cluster_id: &str,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.start(cluster_id)?;
        self.wait_for(cluster_id, ClusterState::Running, wait)
    }

    /// [`Clusters::restart`], then waits until the cluster is `RUNNING` again.
    pub fn restart_and_wait<'f>(
        &self,
        cluster_id: &str,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.restart(cluster_id)?;
        self.wait_for(cluster_id, ClusterState::Running, wait)
    }

    /// [`Clusters::resize`], then waits until the cluster is `RUNNING` again.
    pub fn resize_and_wait<'f>(
        &self,
        request: &ClusterResizeRequest,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.resize(request)?;
        self.wait_for(&request.cluster_id, ClusterState::Running, wait)
    }

    /// [`Clusters::edit`], then waits until the cluster is `RUNNING` again. An edited
    /// `TERMINATED` cluster stays terminated (the new configuration applies at its next start),
    /// so the wait also ends when the cluster is `TERMINATED`.
    pub fn edit_and_wait<'f>(
        &self,
        request: &ClusterAttributes,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.edit(request)?;
        let cluster_id = request.cluster_id.as_deref().unwrap_or_default();
        self.wait_until(cluster_id, ClusterState::Running, wait.into(), true)
    }

    /// [`Clusters::delete`] (terminate), then waits until the cluster is `TERMINATED`.
    pub fn delete_and_wait<'f>(
        &self,
        cluster_id: &str,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        self.delete(cluster_id)?;
        self.wait_for(cluster_id, ClusterState::Terminated, wait)
    }
}
