//! Cluster lifecycle helpers the operators' jobs need: make sure a cluster runs, and delete a
//! pinned one.

use crate::models::{ClusterInfo, ClusterState};
use crate::wait::{Step, Wait};
use crate::{Clusters, Result};

impl Clusters<'_> {
    /// Makes sure the cluster runs: [`Clusters::ensure_running_with`] with the default wait
    /// (20 minutes).
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// let cluster = client.clusters().ensure_running("0923-164208-meows279")?;
    /// println!("{} is running", cluster.cluster_id);
    /// # Ok(()) }
    /// ```
    pub fn ensure_running(&self, cluster_id: &str) -> Result<ClusterInfo> {
        self.ensure_running_with(cluster_id, Wait::default())
    }

    /// Makes sure the cluster runs, whatever state it is in, and returns it `RUNNING`.
    ///
    /// * `RUNNING`: returned at once.
    /// * `PENDING`, `RESTARTING`, `RESIZING`: waited for.
    /// * `TERMINATING`: waited for until `TERMINATED`, then started.
    /// * `TERMINATED`: started, then waited for.
    /// * `ERROR` (or a state this SDK does not know): [`crate::Error::Wait`].
    ///
    /// Safe when several processes call it for the same cluster at once: a start answered
    /// `INVALID_STATE` ("already running or starting", because another caller started it
    /// between our look and our start) is taken as success and the wait goes on. The wait is
    /// bounded by `wait`'s timeout and reports progress like [`Clusters::wait_for`].
    pub fn ensure_running_with<'f>(
        &self,
        cluster_id: &str,
        wait: impl Into<Wait<'f>>,
    ) -> Result<ClusterInfo> {
        let mut wait = wait.into();
        self.poll(cluster_id, &ClusterState::Running, &mut wait, |info| {
            Ok(match &info.state {
                Some(ClusterState::Running) => Step::Done,
                Some(ClusterState::Terminated) => {
                    match self.start(cluster_id) {
                        Err(e) if e.is_invalid_state() && !e.is_not_found() => {
                            log::debug!(target: crate::LOG_TARGET, "{e}; another caller started cluster {cluster_id}");
                        }
                        other => other?,
                    }
                    Step::Wait
                }
                Some(
                    ClusterState::Pending
                    | ClusterState::Restarting
                    | ClusterState::Resizing
                    | ClusterState::Terminating,
                ) => Step::Wait,
                _ => Step::Failed,
            })
        })
    }

    /// Permanently deletes a cluster: it is terminated if needed and removed from the cluster
    /// list; it cannot be restarted. A pinned cluster is refused by the service ("unpin the
    /// cluster first"): the SDK then unpins it and sends the delete again.
    ///
    /// `POST /api/2.1/clusters/permanent-delete` (and `POST /api/2.1/clusters/unpin` when the
    /// cluster is pinned).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Api`] with the service's answer, or a transport error;
    /// [`crate::Error::InvalidInput`], before anything is sent, for an empty `cluster_id`.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// client.clusters().permanent_delete("0923-164208-meows279")?;
    /// # Ok(()) }
    /// ```
    pub fn permanent_delete(&self, cluster_id: &str) -> Result<()> {
        match self.send_permanent_delete(cluster_id) {
            Err(e)
                if e.api()
                    .is_some_and(|a| a.message().contains("unpin the cluster first")) =>
            {
                log::debug!(target: crate::LOG_TARGET, "{e}; unpinning cluster {cluster_id} and deleting again");
                self.unpin(cluster_id)?;
                self.send_permanent_delete(cluster_id)
            }
            other => other,
        }
    }
}
