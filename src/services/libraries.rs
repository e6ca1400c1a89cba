//! Installing libraries and waiting for them, on the shared waiting module.

use crate::error::WaitError;
use crate::models::{
    ClusterLibraryStatuses, InstallLibrariesRequest, Library, LibraryInstallStatus,
};
use crate::wait::{Ended, Polled, Step, Waiting};
use crate::{Libraries, Result};

/// How a wait for libraries runs (see [`Waiting`]): it polls
/// [`Libraries::cluster_status`].
pub type LibrariesWait<'f> = Waiting<'f, ClusterLibraryStatuses>;

impl Polled for ClusterLibraryStatuses {
    /// The statuses of the libraries, e.g. `INSTALLED,PENDING`: a change of any is a change.
    fn state_name(&self) -> Option<String> {
        let statuses: Vec<&str> = self
            .library_statuses
            .iter()
            .map(|s| s.status.as_ref().map_or("?", LibraryInstallStatus::as_str))
            .collect();
        Some(statuses.join(","))
    }
}

/// A library in words: `pypi simplejson==3.8.0`, `jar /Volumes/...`.
fn describe(library: &Library) -> String {
    if let Some(pypi) = &library.pypi {
        format!("pypi {}", pypi.package)
    } else if let Some(maven) = &library.maven {
        format!("maven {}", maven.coordinates)
    } else if let Some(cran) = &library.cran {
        format!("cran {}", cran.package)
    } else {
        [
            ("jar", &library.jar),
            ("whl", &library.whl),
            ("requirements", &library.requirements),
            ("egg", &library.egg),
        ]
        .into_iter()
        .find_map(|(kind, path)| path.as_ref().map(|p| format!("{kind} {p}")))
        .unwrap_or_else(|| "library".to_string())
    }
}

/// Where each wanted library stands: done when all are `INSTALLED`, failed when one is
/// `FAILED` (or `SKIPPED`, which will not install either), else wait (absent ones too).
fn step(wanted: &[Library], statuses: &ClusterLibraryStatuses) -> Step {
    let mut all_installed = true;
    for library in wanted {
        let status = statuses
            .library_statuses
            .iter()
            .find(|s| s.library.as_ref() == Some(library))
            .and_then(|s| s.status.clone());
        match status {
            Some(LibraryInstallStatus::Installed) => {}
            Some(LibraryInstallStatus::Failed | LibraryInstallStatus::Skipped) => {
                return Step::Failed;
            }
            _ => all_installed = false,
        }
    }
    if all_installed {
        Step::Done
    } else {
        Step::Wait
    }
}

fn wait_error(
    cluster_id: &str,
    wanted: &[Library],
    statuses: ClusterLibraryStatuses,
    ended: Ended,
) -> WaitError {
    // Each failed library with its messages; else what is still missing.
    let mut failed = Vec::new();
    let mut waiting = Vec::new();
    for library in wanted {
        let found = statuses
            .library_statuses
            .iter()
            .find(|s| s.library.as_ref() == Some(library));
        let status = found.and_then(|s| s.status.clone());
        match status {
            Some(LibraryInstallStatus::Failed | LibraryInstallStatus::Skipped) => {
                let messages = found.map(|s| s.messages.join("; ")).unwrap_or_default();
                failed.push(format!(
                    "{} {}: {messages}",
                    describe(library),
                    status.map_or_else(String::new, |s| s.to_string())
                ));
            }
            Some(LibraryInstallStatus::Installed) => {}
            other => waiting.push(format!(
                "{} {}",
                describe(library),
                other.map_or_else(|| "not listed".to_string(), |s| s.to_string())
            )),
        }
    }
    WaitError {
        resource: format!("libraries of cluster {cluster_id}"),
        target: "INSTALLED".into(),
        state: Some(
            if failed.is_empty() {
                "waiting"
            } else {
                "FAILED"
            }
            .into(),
        ),
        message: Some(if failed.is_empty() {
            waiting.join(", ")
        } else {
            failed.join(", ")
        }),
        reason: None,
        timeout: match ended {
            Ended::TimedOut(timeout) => Some(timeout),
            Ended::Failed | Ended::Stopped => None,
        },
        note: (ended == Ended::Stopped).then(|| crate::wait::STOPPED.to_string()),
        last: Some(Box::new(statuses)),
    }
}

impl Libraries<'_> {
    /// Installs libraries on a cluster ([`Libraries::install`]) and waits until every one of
    /// them is `INSTALLED` ([`Libraries::wait_installed`]).
    ///
    /// # Errors
    ///
    /// What [`Libraries::install`] and [`Libraries::wait_installed`] return.
    pub fn install_and_wait<'f>(
        &self,
        request: &InstallLibrariesRequest,
        wait: impl Into<LibrariesWait<'f>>,
    ) -> Result<ClusterLibraryStatuses> {
        self.install(request)?;
        self.wait_installed(&request.cluster_id, &request.libraries, wait)
    }

    /// Waits until every library of `libraries` is `INSTALLED` on the cluster, polling
    /// [`Libraries::cluster_status`] on the shared waiting module (deadline, growing pause,
    /// temporary failures tolerated, callbacks; see [`Waiting`]).
    ///
    /// Libraries of a **terminated cluster** stay `PENDING` until the cluster starts: this
    /// wait does not start it, it keeps waiting (within its timeout) for whoever does — start
    /// it with [`crate::Clusters::start`] or [`crate::Clusters::ensure_running`] to have them
    /// installed.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Wait`] when a library is `FAILED` (or `SKIPPED`): its message names each
    /// such library with the service's messages, e.g. `pypi nosuchpkg==1.0 FAILED: Library
    /// installation failed ...`; also when the timeout passes (naming the libraries not yet
    /// installed) or the wait is stopped. The last statuses are in
    /// [`crate::WaitError::last`].
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use std::time::Duration;
    /// use azure_databricks_sdk::models::{InstallLibrariesRequest, Library, PythonPyPiLibrary};
    /// let request = InstallLibrariesRequest {
    ///     cluster_id: "0923-164208-meows279".into(),
    ///     libraries: vec![Library {
    ///         pypi: Some(PythonPyPiLibrary { package: "simplejson==3.8.0".into(), repo: None, unknown_fields: Default::default() }),
    ///         ..Default::default()
    ///     }],
    ///     ..Default::default()
    /// };
    /// client.libraries().install_and_wait(&request, Duration::from_secs(600))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_installed<'f>(
        &self,
        cluster_id: &str,
        libraries: &[Library],
        wait: impl Into<LibrariesWait<'f>>,
    ) -> Result<ClusterLibraryStatuses> {
        let mut wait = wait.into();
        crate::wait::poll(
            &mut wait,
            self.client.clock(),
            || self.cluster_status(cluster_id),
            |statuses| Ok(step(libraries, statuses)),
            |statuses, ended| wait_error(cluster_id, libraries, statuses, ended),
        )
    }
}
