//! The whole workspace state. The emulator keeps one [`Workspace`] behind one mutex: every
//! request is carried out entirely under it, so concurrent clients never lose an update.

use std::sync::Arc;
use std::time::Duration;

use base64::prelude::*;

use crate::clock::{Clock, millis};
use crate::error::ApiError;
use crate::fault::Faults;
use crate::ids::Rng;
use crate::request_log::RequestLog;
use crate::scratch::ScratchDir;
use crate::services::cluster_policies::Policies;
use crate::services::clusters::Clusters;
use crate::services::clusters::catalog::Catalog;
use crate::services::dbfs::DbfsStore;
use crate::services::files::Volumes;
use crate::services::instance_pools::Pools;
use crate::services::jobs::Jobs;
use crate::services::libraries::LibraryStore;
use crate::services::oauth::OAuth;
use crate::services::permissions::PermissionStore;
use crate::services::secrets::SecretStore;
use crate::services::tokens::Tokens;
use crate::services::workspace::WorkspaceTree;
use crate::users::{Caller, Users};

/// How long cluster transitions take, in emulated milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timings {
    /// PENDING → RUNNING (create, start).
    pub(crate) startup: i64,
    /// RESTARTING → RUNNING (restart, edit of a running cluster).
    pub(crate) restart: i64,
    /// RESIZING → RUNNING (upsize).
    pub(crate) resize: i64,
    /// TERMINATING → TERMINATED.
    pub(crate) termination: i64,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            startup: millis(Duration::from_secs(180)),
            restart: millis(Duration::from_secs(120)),
            resize: millis(Duration::from_secs(120)),
            termination: millis(Duration::from_secs(60)),
        }
    }
}

/// What state changes need besides the state: randomness, event order, durations.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub(crate) rng: Rng,
    /// Last event sequence number given out.
    pub(crate) seq: u64,
    pub(crate) timings: Timings,
}

impl Env {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

/// Everything the emulated workspace knows.
#[derive(Debug)]
pub(crate) struct Workspace {
    pub(crate) clock: Clock,
    pub(crate) env: Env,
    pub(crate) catalog: Catalog,
    pub(crate) users: Users,
    pub(crate) tokens: Tokens,
    /// Service principals with OAuth secrets, and their access tokens.
    pub(crate) oauth: OAuth,
    pub(crate) clusters: Clusters,
    pub(crate) secrets: SecretStore,
    /// Files of Unity Catalog volumes (Files API), on disk in a temporary directory of their own.
    pub(crate) files: Volumes,
    /// Jobs, their runs, and the notebooks their notebook tasks read.
    pub(crate) jobs: Jobs,
    /// DBFS files and open write streams, on disk in a temporary directory of their own.
    pub(crate) dbfs: DbfsStore,
    /// Notebooks, workspace files and directories (Workspace API), contents on disk.
    pub(crate) workspace_tree: WorkspaceTree,
    /// Direct grants of workspace objects.
    pub(crate) permissions: PermissionStore,
    /// Cluster policies.
    pub(crate) policies: Policies,
    /// Instance pools.
    pub(crate) pools: Pools,
    /// Libraries of clusters.
    pub(crate) libraries: LibraryStore,
    pub(crate) faults: Faults,
    /// Requests received, faulted ones included.
    pub(crate) requests: u64,
    /// The most recent requests and their answers' statuses.
    pub(crate) request_log: RequestLog,
    /// Print one line per request on stderr.
    pub(crate) log_requests: bool,
}

impl Workspace {
    pub(crate) fn new(clock: Clock, timings: Timings, catalog: Catalog) -> Self {
        Self {
            clock,
            env: Env {
                rng: Rng::from_entropy(),
                seq: 0,
                timings,
            },
            catalog,
            users: Users::default(),
            tokens: Tokens::default(),
            oauth: OAuth::default(),
            clusters: Clusters::default(),
            secrets: SecretStore::default(),
            files: Volumes::new(Arc::new(ScratchDir::new())),
            jobs: Jobs::default(),
            dbfs: DbfsStore::new(Arc::new(ScratchDir::new())),
            workspace_tree: WorkspaceTree::new(Arc::new(ScratchDir::new())),
            permissions: PermissionStore::default(),
            policies: Policies::default(),
            pools: Pools::default(),
            libraries: LibraryStore::default(),
            faults: Faults::default(),
            requests: 0,
            request_log: RequestLog::default(),
            log_requests: false,
        }
    }

    /// Adds a user (or an admin) with a token that never expires; returns the token.
    pub(crate) fn add_user(&mut self, name: &str, admin: bool, token: Option<String>) -> String {
        self.users.add(name, admin);
        let now = self.clock.now_ms();
        let value = token.unwrap_or_else(|| self.tokens.fresh_value(&mut self.env.rng));
        self.tokens.insert(
            value.clone(),
            &mut self.env.rng,
            name,
            now,
            0,
            Some("added by the emulator".into()),
        );
        value
    }

    /// The user behind an `Authorization` header: `Bearer <token>`, or Basic with user
    /// `token` and the token as password.
    ///
    /// # Errors
    ///
    /// 401 when no credential was sent, 403 `Invalid access token.` (integer error code) for
    /// a token that is unknown, expired or revoked.
    pub(crate) fn authenticate(
        &self,
        authorization: Option<&str>,
        now: i64,
    ) -> Result<Caller, ApiError> {
        let (scheme, credential) = authorization
            .and_then(|h| h.trim().split_once(' '))
            .ok_or_else(ApiError::unauthenticated)?;
        let token = if scheme.eq_ignore_ascii_case("bearer") {
            credential.trim().to_string()
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = BASE64_STANDARD
                .decode(credential.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(ApiError::invalid_token)?;
            match decoded.split_once(':') {
                Some(("token", token)) => token.to_string(),
                _ => return Err(ApiError::invalid_token()),
            }
        } else {
            return Err(ApiError::unauthenticated());
        };
        self.tokens
            .owner(&token, now)
            .or_else(|| self.oauth.owner(&token, now))
            .and_then(|owner| self.users.caller(owner))
            .ok_or_else(ApiError::invalid_token)
    }

    /// Whether a service principal has this application id.
    pub(crate) fn is_service_principal(&self, application_id: &str) -> bool {
        self.oauth.has(application_id)
            || self
                .users
                .get(application_id)
                .is_some_and(|u| u.kind == crate::users::Kind::ServicePrincipal)
    }

    /// Brings the clusters, the job runs and the libraries up to `now` (runs start and stop
    /// clusters, which are then brought up to `now` too; libraries install once their cluster
    /// runs).
    pub(crate) fn settle(&mut self, now: i64) {
        self.clusters.settle(now, &mut self.env);
        crate::services::jobs::settle(self, now);
        self.clusters.settle(now, &mut self.env);
        crate::services::libraries::settle(self, now);
    }

    /// Moves the emulated time forward and brings the clusters up to it.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
        let now = self.clock.now_ms();
        self.settle(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> Workspace {
        Workspace::new(
            Clock::starting_at(0, 0.0),
            Timings::default(),
            Catalog::azure().unwrap(),
        )
    }

    #[test]
    fn bearer_and_basic_token_credentials_authenticate() {
        let mut ws = workspace();
        let token = ws.add_user("alice@example.com", false, None);
        let bearer = format!("Bearer {token}");
        assert_eq!(
            ws.authenticate(Some(&bearer), 0).unwrap().name,
            "alice@example.com"
        );
        let basic = format!("Basic {}", BASE64_STANDARD.encode(format!("token:{token}")));
        assert!(ws.authenticate(Some(&basic), 0).is_ok());
    }

    #[test]
    fn missing_credentials_are_401_and_bad_tokens_403() {
        let ws = workspace();
        assert_eq!(ws.authenticate(None, 0).unwrap_err().status, 401);
        assert_eq!(
            ws.authenticate(Some("Negotiate x"), 0).unwrap_err().status,
            401
        );
        let bad = ws.authenticate(Some("Bearer dapi0000"), 0).unwrap_err();
        assert_eq!(bad, ApiError::invalid_token());
        let basic = format!("Basic {}", BASE64_STANDARD.encode("me:password"));
        assert_eq!(ws.authenticate(Some(&basic), 0).unwrap_err().status, 403);
    }
}
