//! What the Clusters API gains by hand on top of the generated operations: waiting for a
//! state and the `*_and_wait` operations, and lazy iteration over event pages.

use std::fmt;
use std::time::Duration;

use crate::defaults::{FIRST_POLL_INTERVAL, MAX_POLL_INTERVAL, WAIT_TIMEOUT};
use crate::error::WaitError;
use crate::models::{
    ClusterAttributes, ClusterEvent, ClusterEventRequest, ClusterInfo, ClusterResizeRequest,
    ClusterState,
};
use crate::{Clusters, Error, Result};

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
            timeout: WAIT_TIMEOUT,
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

/// The error of a wait for `target` that ended with the cluster in `info` (timed out after
/// `timeout`, or failed).
fn wait_error(
    cluster_id: &str,
    target: &ClusterState,
    info: ClusterInfo,
    timeout: Option<Duration>,
) -> WaitError {
    let reason = info.termination_reason.as_ref().map(|r| {
        let mut text = r.code.as_ref().map_or("?", |c| c.as_str()).to_string();
        if let Some(kind) = &r.type_ {
            text.push_str(&format!(" ({kind})"));
        }
        for (key, value) in &r.parameters {
            text.push_str(&format!(", {key}: {value}"));
        }
        text
    });
    WaitError {
        resource: format!("cluster {cluster_id}"),
        target: target.to_string(),
        state: info.state.as_ref().map(ToString::to_string),
        message: info.state_message.clone(),
        reason,
        timeout,
        note: None,
        last: Some(Box::new(info)),
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
    /// Waiting for `RUNNING` fails fast with [`Error::Wait`] (state message and termination
    /// reason included, the last [`ClusterInfo`] in [`WaitError::last`]) when the cluster is
    /// `ERROR` or `TERMINATED`; waiting for any other state fails on `ERROR`. After the timeout,
    /// the [`WaitError`] carries the last state seen ([`WaitError::timed_out`] is set). Errors
    /// of `get` end the wait.
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
                    return Err(wait_error(cluster_id, &target, info, None).into());
                }
                _ => {}
            }
            let now = clock.now();
            if deadline.is_some_and(|d| now >= d) {
                return Err(wait_error(cluster_id, &target, info, Some(wait.timeout)).into());
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

impl<'a> Clusters<'a> {
    /// Every event matching `request`, page after page, as a lazy iterator.
    ///
    /// The first page is requested on the first `next()`; the service's `next_page` (a complete
    /// request for the following page) is posted when the current page is used up, until the
    /// service stops sending one. Only one page is held in memory. If the service answers a
    /// `next_page` that does not advance (the same request again, or an `offset` going
    /// backwards), the iterator yields [`Error::RepeatedPage`] instead of looping forever. After
    /// an error the iterator ends. Each page request is retried like any call.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{ClusterEventRequest, ListOrder};
    /// let request = ClusterEventRequest {
    ///     cluster_id: "0923-164208-meows279".into(),
    ///     order: Some(ListOrder::Asc),
    ///     limit: Some(500),
    ///     ..Default::default()
    /// };
    /// for event in client.clusters().events_iter(&request) {
    ///     let event = event?;
    ///     println!("{:?} {:?}", event.timestamp, event.type_);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events_iter(&self, request: &ClusterEventRequest) -> EventsIter<'a> {
        EventsIter {
            clusters: *self,
            next: Some(request.clone()),
            previous: None,
            page: Vec::new().into_iter(),
        }
    }
}

/// Iterator over cluster events; see [`Clusters::events_iter`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct EventsIter<'a> {
    clusters: Clusters<'a>,
    /// The request of the next page, `None` once done.
    next: Option<ClusterEventRequest>,
    /// The request of the page being read.
    previous: Option<ClusterEventRequest>,
    page: std::vec::IntoIter<ClusterEvent>,
}

/// Whether `next` asks for a page that cannot come after `previous`.
fn does_not_advance(previous: &ClusterEventRequest, next: &ClusterEventRequest) -> bool {
    let offset_back = matches!((previous.offset, next.offset), (Some(a), Some(b)) if b <= a)
        && previous.start_time == next.start_time
        && previous.end_time == next.end_time;
    next == previous || offset_back
}

impl Iterator for EventsIter<'_> {
    type Item = Result<ClusterEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(event) = self.page.next() {
                return Some(Ok(event));
            }
            let request = self.next.take()?;
            if self
                .previous
                .as_ref()
                .is_some_and(|p| does_not_advance(p, &request))
            {
                return Some(Err(Error::RepeatedPage {
                    operation: "clusters.events".into(),
                }));
            }
            match self.clusters.events(&request) {
                Ok(response) => {
                    self.page = response.events.into_iter();
                    self.next = response.next_page;
                    self.previous = Some(request);
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(offset: Option<i64>) -> ClusterEventRequest {
        ClusterEventRequest {
            cluster_id: "c".into(),
            offset,
            ..Default::default()
        }
    }

    #[test]
    fn a_page_that_does_not_advance_is_detected() {
        assert!(does_not_advance(&request(Some(50)), &request(Some(50))));
        assert!(does_not_advance(&request(Some(50)), &request(Some(0))));
        assert!(!does_not_advance(&request(Some(50)), &request(Some(100))));
        assert!(!does_not_advance(&request(None), &request(Some(50))));
    }
}
