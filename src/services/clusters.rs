//! What the Clusters API gains by hand on top of the generated operations: waiting for a
//! state and the `*_and_wait` operations, lazy iteration over pages, the edit that keeps every
//! setting; the lifecycle helpers ([`lifecycle`]) and runtime and node type selection
//! ([`select`]).

mod lifecycle;
mod select;

pub use select::{NodeTypeFilter, SparkVersionFilter};

use crate::error::WaitError;
use crate::models::{
    ClusterAttributes, ClusterEvent, ClusterEventRequest, ClusterInfo, ClusterResizeRequest,
    ClusterSpec, ClusterState, ListClustersRequest,
};
use crate::wait::{Ended, Step, Wait};
use crate::{Clusters, Error, Pages, Result};

/// The options of [`Wait`] that only cluster waits read.
impl Wait<'_> {
    /// For [`Clusters::create_and_wait`]: when the new cluster fails to start (it ends
    /// `ERROR` or `TERMINATED`, e.g. an init script failed), permanently delete it, so that a
    /// retried job does not leave failed clusters behind; the error says it was deleted (or why
    /// deleting failed). Off by default: the failed cluster stays for inspection. A wait that
    /// times out or is stopped deletes nothing (the cluster may still start).
    pub fn delete_on_failure(mut self) -> Self {
        self.delete_on_failure = true;
        self
    }

    /// For [`Clusters::edit_and_wait`], [`Clusters::update_and_wait`] and
    /// [`Clusters::resize_and_wait`]: when the service refuses the change with `INVALID_STATE`
    /// because the cluster is busy (`PENDING`, `RESTARTING`, `RESIZING`, `TERMINATING`), wait
    /// until it is `RUNNING` or `TERMINATED` and send the change again, all within the wait's
    /// timeout. Off by default: the `INVALID_STATE` error is returned.
    pub fn retry_while_busy(mut self) -> Self {
        self.retry_while_busy = true;
        self
    }
}

/// The error of a wait for `target` that ended with the cluster in `info`.
fn wait_error(
    cluster_id: &str,
    target: &ClusterState,
    info: ClusterInfo,
    ended: Ended,
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
        timeout: match ended {
            Ended::TimedOut(timeout) => Some(timeout),
            Ended::Failed | Ended::Stopped => None,
        },
        note: (ended == Ended::Stopped).then(|| crate::wait::STOPPED.to_string()),
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
        self.poll(cluster_id, &target, &mut wait, |info| {
            Ok(match &info.state {
                Some(state) if *state == target => Step::Done,
                Some(ClusterState::Terminated) if terminated_is_done => Step::Done,
                Some(state) if is_failure(&target, state) => Step::Failed,
                _ => Step::Wait,
            })
        })
    }

    /// Polls [`Clusters::get`] on the shared waiting module (see [`Wait`]), calling `step`
    /// with each state, until `step` says done or failed or the wait's timeout runs out. The
    /// time spent is taken off `wait.timeout`, so that successive polls of one operation share
    /// its timeout.
    pub(crate) fn poll(
        &self,
        cluster_id: &str,
        target: &ClusterState,
        wait: &mut Wait<'_>,
        step: impl FnMut(&ClusterInfo) -> Result<Step>,
    ) -> Result<ClusterInfo> {
        crate::wait::poll(
            wait,
            self.client.clock(),
            || self.get(cluster_id),
            step,
            |info, ended| wait_error(cluster_id, target, info, ended),
        )
    }

    /// Sends a change; with [`Wait::retry_while_busy`], a change refused with `INVALID_STATE`
    /// while the cluster is busy is sent again once the cluster is `RUNNING` or `TERMINATED`,
    /// within the wait's timeout.
    fn send_when_settled(
        &self,
        cluster_id: &str,
        wait: &mut Wait<'_>,
        send: impl Fn() -> Result<()>,
    ) -> Result<()> {
        let settled = |state: &Option<ClusterState>| {
            matches!(
                state,
                Some(ClusterState::Running | ClusterState::Terminated)
            )
        };
        loop {
            match send() {
                Err(e) if wait.retry_while_busy && e.is_invalid_state() && !e.is_not_found() => {
                    // Only a busy cluster is waited for: INVALID_STATE of a settled one (a job
                    // cluster, say) is not going to change.
                    if settled(&self.get(cluster_id)?.state) {
                        return Err(e);
                    }
                    log::debug!(target: crate::LOG_TARGET, "{e}; waiting for cluster {cluster_id} to settle");
                    self.poll(cluster_id, &ClusterState::Running, wait, |info| {
                        Ok(match &info.state {
                            state if settled(state) => Step::Done,
                            Some(ClusterState::Error) => Step::Failed,
                            _ => Step::Wait,
                        })
                    })?;
                }
                other => return other,
            }
        }
    }

    /// [`Clusters::create`], then waits until the new cluster is `RUNNING`
    /// (see [`Clusters::wait_for`]).
    ///
    /// With [`Wait::delete_on_failure`], a cluster that fails to start is permanently deleted
    /// and the error says so.
    pub fn create_and_wait<'f>(
        &self,
        request: &ClusterAttributes,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let wait = wait.into();
        let delete_on_failure = wait.delete_on_failure;
        let created = self.create(request)?;
        let id = created.cluster_id;
        match self.wait_until(&id, ClusterState::Running, wait, false) {
            Err(Error::Wait(mut failed))
                if delete_on_failure && failed.timeout.is_none() && failed.note.is_none() =>
            {
                failed.note = Some(match self.permanent_delete(&id) {
                    Ok(()) => "the cluster was permanently deleted".to_string(),
                    Err(e) => format!("permanently deleting it failed: {e}"),
                });
                Err(Error::Wait(failed))
            }
            other => other,
        }
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

    /// [`Clusters::resize`], then waits until the cluster is `RUNNING` again. With
    /// [`Wait::retry_while_busy`], a resize refused while the cluster is busy is sent again
    /// once it settles.
    pub fn resize_and_wait<'f>(
        &self,
        request: &ClusterResizeRequest,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let mut wait = wait.into();
        let id = &request.cluster_id;
        self.send_when_settled(id, &mut wait, || self.resize(request))?;
        self.wait_until(id, ClusterState::Running, wait, false)
    }

    /// [`Clusters::edit`], then waits until the cluster is `RUNNING` again. An edited
    /// `TERMINATED` cluster stays terminated (the new configuration applies at its next start),
    /// so the wait also ends when the cluster is `TERMINATED`.
    ///
    /// With [`Wait::retry_while_busy`], an edit refused while the cluster is restarting or
    /// resizing is sent again once it settles.
    pub fn edit_and_wait<'f>(
        &self,
        request: &ClusterAttributes,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let mut wait = wait.into();
        let cluster_id = request.cluster_id.as_deref().unwrap_or_default();
        self.send_when_settled(cluster_id, &mut wait, || self.edit(request))?;
        self.wait_until(cluster_id, ClusterState::Running, wait, true)
    }

    /// [`Clusters::update`], then waits until the cluster is `RUNNING` again (an updated
    /// `TERMINATED` cluster stays terminated, which also ends the wait). With
    /// [`Wait::retry_while_busy`], an update refused while the cluster is busy is sent again
    /// once it settles.
    pub fn update_and_wait<'f>(
        &self,
        cluster_id: &str,
        cluster: &ClusterSpec,
        update_mask: &str,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let mut wait = wait.into();
        self.send_when_settled(cluster_id, &mut wait, || {
            self.update(cluster_id, cluster, update_mask)
        })?;
        self.wait_until(cluster_id, ClusterState::Running, wait, true)
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
    /// Every cluster of the workspace: [`Clusters::list_with`] with no filter.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// for cluster in client.clusters().list()? {
    ///     let state = cluster.state.as_ref().map_or("?", |s| s.as_str());
    ///     println!("{} {} {state}", cluster.cluster_id, cluster.cluster_name.as_deref().unwrap_or(""));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Result<Vec<ClusterInfo>> {
        self.list_with(&ListClustersRequest::default())
    }

    /// The clusters that match `request` (filters, order, page size), every page of them. Use
    /// [`Clusters::list_iter`] to hold one page at a time instead.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{ClusterState, ListClustersFilterBy, ListClustersRequest};
    /// let running = client.clusters().list_with(&ListClustersRequest {
    ///     filter_by: Some(ListClustersFilterBy {
    ///         cluster_states: vec![ClusterState::Running, ClusterState::Pending],
    ///         ..Default::default()
    ///     }),
    ///     ..Default::default()
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn list_with(&self, request: &ListClustersRequest) -> Result<Vec<ClusterInfo>> {
        self.list_iter(request).collect_all()
    }

    /// The cluster named `name` (with all its details, from [`Clusters::get`]), or `None` when
    /// no cluster has that name. Names are not unique: when several clusters share it, this
    /// fails with [`Error::Ambiguous`] listing their ids rather than picking one.
    pub fn get_by_name(&self, name: &str) -> Result<Option<ClusterInfo>> {
        let mut matches = Vec::new();
        for cluster in self.list_iter(&ListClustersRequest::default()) {
            let cluster = cluster?;
            if cluster.cluster_name.as_deref() == Some(name) {
                matches.push(cluster.cluster_id);
            }
        }
        match matches.as_slice() {
            [] => Ok(None),
            [id] => self.get(id).map(Some),
            _ => Err(Error::Ambiguous {
                what: format!("cluster name `{name}`"),
                matches,
            }),
        }
    }

    /// Every event matching `request`, page after page, as a lazy iterator.
    ///
    /// The first page is requested on the first `next()`. The next page is the service's
    /// `next_page` (a complete request, posted back exactly as received, unknown fields
    /// included) or, in the 2.1 pagination, `request` with `page_token` = the answer's
    /// `next_page_token`; the iteration ends when the answer has neither. Only one page is held
    /// in memory. If the service asks for a page already read (the same request again, or an
    /// `offset` going backwards), the iterator yields [`Error::RepeatedPage`] instead of looping
    /// forever. After an error the iterator ends. Each page request is retried like any call.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{ClusterEventRequest, ListOrder};
    /// let request = ClusterEventRequest {
    ///     cluster_id: "0923-164208-meows279".into(),
    ///     order: Some(ListOrder::Asc),
    ///     page_size: Some(100),
    ///     ..Default::default()
    /// };
    /// for event in client.clusters().events_iter(&request) {
    ///     let event = event?;
    ///     let kind = event.type_.as_ref().map_or("?", |t| t.as_str());
    ///     println!("{} {kind}", event.timestamp.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events_iter(&self, request: &ClusterEventRequest) -> EventsIter<'a> {
        let clusters = *self;
        let mut request = request.clone();
        let first = serde_json::to_string(&request).unwrap_or_default();
        Pages::new("clusters.events", move || {
            let response = clusters.events(&request)?;
            let token = crate::paging::next_token(response.next_page_token.as_ref());
            let next = match (response.next_page, token) {
                (Some(next), _) => next,
                (None, Some(token)) => ClusterEventRequest {
                    page_token: Some(token),
                    offset: None,
                    ..request.clone()
                },
                (None, None) => return Ok((response.events, None)),
            };
            // An `offset` going backwards over the same time range asks for events already
            // read: the same page again, as far as the guard is concerned.
            let key = if offset_goes_back(&request, &next) {
                serde_json::to_string(&request)
            } else {
                serde_json::to_string(&next)
            }
            .unwrap_or_default();
            request = next;
            Ok((response.events, Some(key)))
        })
        .with_first_key(first)
    }
}

/// Iterator over cluster events; see [`Clusters::events_iter`].
pub type EventsIter<'a> = Pages<'a, ClusterEvent>;

/// Iterator over clusters; see [`Clusters::list_iter`].
pub type ClustersIter<'a> = Pages<'a, ClusterInfo>;

/// Whether `next` asks for events before those of `previous` (an `offset` going backwards
/// over the same time range).
fn offset_goes_back(previous: &ClusterEventRequest, next: &ClusterEventRequest) -> bool {
    matches!((previous.offset, next.offset), (Some(a), Some(b)) if b <= a)
        && previous.start_time == next.start_time
        && previous.end_time == next.end_time
}

impl From<&ClusterInfo> for ClusterAttributes {
    /// The `clusters/edit` request that keeps every setting of a cluster as [`Clusters::get`]
    /// returned it: from its `spec` when the service sent one (its own snapshot of the user's
    /// settings, unknown fields included), else from the setting fields of the cluster; with
    /// `cluster_id` set. Change what you need and send it: nothing else is reset.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::ClusterAttributes;
    /// let cluster = client.clusters().get("0923-164208-meows279")?;
    /// let mut edit = ClusterAttributes::from(&cluster);
    /// edit.autotermination_minutes = Some(120);
    /// client.clusters().edit(&edit)?;
    /// # Ok(()) }
    /// ```
    fn from(cluster: &ClusterInfo) -> Self {
        let spec = match &cluster.spec {
            Some(spec) => spec.clone(),
            None => ClusterSpec::from(cluster),
        };
        ClusterAttributes {
            cluster_id: Some(cluster.cluster_id.clone()),
            ..ClusterAttributes::from(spec)
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
    fn an_offset_going_back_is_detected() {
        assert!(offset_goes_back(&request(Some(50)), &request(Some(50))));
        assert!(offset_goes_back(&request(Some(50)), &request(Some(0))));
        assert!(!offset_goes_back(&request(Some(50)), &request(Some(100))));
        assert!(!offset_goes_back(&request(None), &request(Some(50))));
    }
}
