//! One cluster and its state machine.
//!
//! ```text
//!            create/start              edit (RUNNING), restart
//!   ──────► PENDING ──startup──► RUNNING ◄──────────────► RESTARTING
//!              │                  │   ▲ resize (upsize)
//!              │                  │   └────── RESIZING
//!              ▼  delete          ▼ delete, autotermination
//!           TERMINATING ──termination──► TERMINATED ──start──► PENDING
//! ```
//!
//! Transitions that take time are due at an emulated time and fire lazily, in order, when the
//! workspace is next looked at ([`Cluster::advance_to`]); their events carry the due time, not
//! the time they were noticed. Every change records an event: CREATING, STARTING, RUNNING,
//! RESIZING, UPSIZE_COMPLETED, RESTARTING, EDITED, TERMINATING, PINNED, UNPINNED. Reaching
//! TERMINATED records none (the service has no such event type), nor does a downsize, which
//! completes at once. How a cluster is shown is in `cluster_info`.

use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterEvent, ClusterEventType, ClusterSize, ClusterState, EventDetails,
    ResizeCause, SparkNode, TerminationCode, TerminationReason, TerminationType,
};

use super::events::StoredEvent;
use crate::error::ApiError;
use crate::workspace::Env;

/// Where a cluster is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Pending,
    Running,
    Restarting,
    Resizing,
    Terminating,
    Terminated,
}

impl Phase {
    /// The state as the API reports it.
    pub(crate) fn state(self) -> ClusterState {
        match self {
            Phase::Pending => ClusterState::Pending,
            Phase::Running => ClusterState::Running,
            Phase::Restarting => ClusterState::Restarting,
            Phase::Resizing => ClusterState::Resizing,
            Phase::Terminating => ClusterState::Terminating,
            Phase::Terminated => ClusterState::Terminated,
        }
    }

    /// The state as the service names it in `INVALID_STATE` messages.
    fn title(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Restarting => "Restarting",
            Phase::Resizing => "Resizing",
            Phase::Terminating => "Terminating",
            Phase::Terminated => "Terminated",
        }
    }
}

/// The size a resize asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Size {
    Fixed(i32),
    Autoscale { min: i32, max: i32 },
}

/// A cluster as the workspace keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub(crate) id: String,
    /// Creation order in the workspace (unique, increasing): the default list order.
    pub(crate) seq: u64,
    /// The latest specification (create or edit), `cluster_id` unset.
    pub(crate) spec: ClusterAttributes,
    pub(crate) creator: String,
    pub(crate) phase: Phase,
    /// When the pending transition of the current phase fires (RUNNING: autotermination).
    due: Option<i64>,
    /// Workers the cluster has now, and the number it is heading for.
    pub(super) workers: i32,
    pub(super) target: i32,
    pub(super) start_time: i64,
    pub(crate) terminated_time: Option<i64>,
    pub(super) last_restarted_time: Option<i64>,
    pub(super) spark_context_id: i64,
    pub(super) termination_reason: Option<TerminationReason>,
    pub(crate) pinned: bool,
    /// When the cluster was last unpinned: a terminated cluster is kept 30 days from its
    /// termination or its unpinning, whichever is later.
    pub(crate) unpinned_time: Option<i64>,
    /// The `idempotency_token` of the create, until the cluster is TERMINATED (the service
    /// clears it then; a create with the token afterwards makes a new cluster).
    pub(crate) idempotency_token: Option<String>,
    pub(super) driver: Option<SparkNode>,
    pub(super) executors: Vec<SparkNode>,
    pub(crate) events: Vec<StoredEvent>,
}

fn invalid_state(id: &str, phase: Phase) -> ApiError {
    ApiError::invalid_state(format!(
        "Cluster {id} is in unexpected state {}.",
        phase.title()
    ))
}

/// Workers a specification starts with (none for a single-node cluster).
fn initial_workers(spec: &ClusterAttributes) -> i32 {
    if spec.is_single_node == Some(true) {
        return 0;
    }
    spec.num_workers
        .or_else(|| spec.autoscale.as_ref().and_then(|a| a.min_workers))
        .unwrap_or(0)
        .max(0)
}

fn size_of(spec: &ClusterAttributes) -> ClusterSize {
    ClusterSize {
        unknown_fields: Default::default(),
        num_workers: spec.num_workers,
        autoscale: spec.autoscale.clone(),
    }
}

fn user_details(user: &str) -> EventDetails {
    EventDetails {
        user: Some(user.to_string()),
        ..Default::default()
    }
}

impl Cluster {
    /// A new cluster, PENDING, with its CREATING event.
    pub(crate) fn create(
        id: String,
        spec: ClusterAttributes,
        creator: &str,
        now: i64,
        env: &mut Env,
    ) -> Self {
        let target = initial_workers(&spec);
        let mut cluster = Cluster {
            id,
            seq: env.next_seq(),
            creator: creator.to_string(),
            phase: Phase::Pending,
            due: Some(now.saturating_add(env.timings.startup)),
            workers: 0,
            target,
            start_time: now,
            terminated_time: None,
            last_restarted_time: None,
            spark_context_id: env.rng.below(1 << 62) as i64,
            termination_reason: None,
            pinned: false,
            unpinned_time: None,
            idempotency_token: None,
            driver: None,
            executors: Vec::new(),
            events: Vec::new(),
            spec: spec.clone(),
        };
        cluster.record(
            env,
            now,
            ClusterEventType::Creating,
            EventDetails {
                attributes: Some(spec),
                ..user_details(creator)
            },
        );
        cluster
    }

    fn record(&mut self, env: &mut Env, at: i64, kind: ClusterEventType, details: EventDetails) {
        self.events.push(StoredEvent {
            seq: env.next_seq(),
            event: ClusterEvent {
                unknown_fields: Default::default(),
                cluster_id: self.id.clone(),
                timestamp: Some(at),
                type_: Some(kind),
                details: Some(details),
                data_plane_event_details: None,
            },
        });
    }

    /// Fires every transition due at or before `now`, in order.
    pub(crate) fn advance_to(&mut self, now: i64, env: &mut Env) {
        while let Some(at) = self.due.filter(|&due| due <= now) {
            self.due = None;
            match self.phase {
                Phase::Pending | Phase::Restarting => self.enter_running(at, env),
                Phase::Resizing => {
                    self.workers = self.target;
                    self.fill_executors(at, env);
                    self.phase = Phase::Running;
                    self.record(
                        env,
                        at,
                        ClusterEventType::UpsizeCompleted,
                        EventDetails {
                            current_num_workers: Some(self.workers),
                            target_num_workers: Some(self.target),
                            ..Default::default()
                        },
                    );
                    self.schedule_autotermination(at);
                }
                Phase::Terminating => {
                    self.phase = Phase::Terminated;
                    self.terminated_time = Some(at);
                    self.idempotency_token = None;
                    self.workers = 0;
                    self.driver = None;
                    self.executors.clear();
                }
                Phase::Running => {
                    let minutes = self.spec.autotermination_minutes.unwrap_or_default();
                    let reason = TerminationReason {
                        unknown_fields: Default::default(),
                        code: Some(TerminationCode::Inactivity),
                        type_: Some(TerminationType::Success),
                        parameters: [("inactivity_duration_min".to_string(), minutes.to_string())]
                            .into_iter()
                            .collect(),
                    };
                    self.begin_termination(at, None, reason, env);
                }
                Phase::Terminated => {}
            }
        }
    }

    fn enter_running(&mut self, at: i64, env: &mut Env) {
        self.phase = Phase::Running;
        self.workers = self.target;
        self.driver = Some(node(env, at, 0));
        self.executors.clear();
        self.fill_executors(at, env);
        self.record(
            env,
            at,
            ClusterEventType::Running,
            EventDetails {
                current_num_workers: Some(self.workers),
                target_num_workers: Some(self.target),
                ..Default::default()
            },
        );
        self.schedule_autotermination(at);
    }

    fn fill_executors(&mut self, at: i64, env: &mut Env) {
        let want = usize::try_from(self.workers).unwrap_or(0);
        self.executors.truncate(want);
        while self.executors.len() < want {
            let n = self.executors.len() + 1;
            self.executors.push(node(env, at, n));
        }
    }

    fn schedule_autotermination(&mut self, at: i64) {
        self.due = match self.spec.autotermination_minutes {
            Some(minutes) if minutes > 0 => Some(at.saturating_add(i64::from(minutes) * 60_000)),
            _ => None,
        };
    }

    fn begin_termination(
        &mut self,
        at: i64,
        user: Option<&str>,
        reason: TerminationReason,
        env: &mut Env,
    ) {
        self.phase = Phase::Terminating;
        self.termination_reason = Some(reason.clone());
        self.due = Some(at.saturating_add(env.timings.termination));
        self.record(
            env,
            at,
            ClusterEventType::Terminating,
            EventDetails {
                user: user.map(str::to_string),
                reason: Some(reason),
                ..Default::default()
            },
        );
    }

    /// `clusters/start`: only from TERMINATED.
    pub(crate) fn start(&mut self, user: &str, now: i64, env: &mut Env) -> Result<(), ApiError> {
        if self.phase != Phase::Terminated {
            return Err(invalid_state(&self.id, self.phase));
        }
        self.phase = Phase::Pending;
        self.due = Some(now.saturating_add(env.timings.startup));
        self.start_time = now;
        self.terminated_time = None;
        self.termination_reason = None;
        self.target = initial_workers(&self.spec);
        self.spark_context_id = env.rng.below(1 << 62) as i64;
        self.record(env, now, ClusterEventType::Starting, user_details(user));
        Ok(())
    }

    /// `clusters/restart`: only while RUNNING.
    pub(crate) fn restart(&mut self, user: &str, now: i64, env: &mut Env) -> Result<(), ApiError> {
        if self.phase != Phase::Running {
            return Err(invalid_state(&self.id, self.phase));
        }
        self.begin_restart(user, now, env);
        Ok(())
    }

    fn begin_restart(&mut self, user: &str, now: i64, env: &mut Env) {
        self.phase = Phase::Restarting;
        self.due = Some(now.saturating_add(env.timings.restart));
        self.last_restarted_time = Some(now);
        self.spark_context_id = env.rng.below(1 << 62) as i64;
        self.record(env, now, ClusterEventType::Restarting, user_details(user));
    }

    /// `clusters/resize`: only while RUNNING. Growing goes through RESIZING until the new
    /// nodes are there; shrinking completes at once.
    pub(crate) fn resize(
        &mut self,
        size: Size,
        user: &str,
        now: i64,
        env: &mut Env,
    ) -> Result<(), ApiError> {
        if self.phase != Phase::Running {
            return Err(invalid_state(&self.id, self.phase));
        }
        let previous = size_of(&self.spec);
        let target = match size {
            Size::Fixed(n) => {
                self.spec.num_workers = Some(n);
                self.spec.autoscale = None;
                n
            }
            Size::Autoscale { min, max } => {
                self.spec.num_workers = None;
                self.spec.autoscale = Some(azure_databricks_sdk::models::AutoScale {
                    unknown_fields: Default::default(),
                    min_workers: Some(min),
                    max_workers: Some(max),
                });
                self.workers.clamp(min, max)
            }
        };
        self.record(
            env,
            now,
            ClusterEventType::Resizing,
            EventDetails {
                current_num_workers: Some(self.workers),
                target_num_workers: Some(target),
                cluster_size: Some(size_of(&self.spec)),
                previous_cluster_size: Some(previous),
                cause: Some(ResizeCause::UserRequest),
                ..user_details(user)
            },
        );
        self.target = target;
        if target > self.workers {
            self.phase = Phase::Resizing;
            self.due = Some(now.saturating_add(env.timings.resize));
        } else {
            self.workers = target;
            self.fill_executors(now, env);
            self.schedule_autotermination(now);
        }
        Ok(())
    }

    /// `clusters/edit`: RUNNING (restarts to apply) or TERMINATED (applies at next start).
    pub(crate) fn edit(
        &mut self,
        spec: ClusterAttributes,
        user: &str,
        now: i64,
        env: &mut Env,
    ) -> Result<(), ApiError> {
        if !matches!(self.phase, Phase::Running | Phase::Terminated) {
            return Err(invalid_state(&self.id, self.phase));
        }
        let previous = std::mem::replace(&mut self.spec, spec.clone());
        self.record(
            env,
            now,
            ClusterEventType::Edited,
            EventDetails {
                attributes: Some(spec),
                previous_attributes: Some(previous),
                ..user_details(user)
            },
        );
        if self.phase == Phase::Running {
            self.target = initial_workers(&self.spec);
            self.begin_restart(user, now, env);
        }
        Ok(())
    }

    /// `clusters/delete`: terminates; a no-op when already terminating or terminated.
    pub(crate) fn terminate(&mut self, user: &str, now: i64, env: &mut Env) {
        if matches!(self.phase, Phase::Terminating | Phase::Terminated) {
            return;
        }
        let reason = TerminationReason {
            unknown_fields: Default::default(),
            code: Some(TerminationCode::UserRequest),
            type_: Some(TerminationType::Success),
            parameters: [("username".to_string(), user.to_string())]
                .into_iter()
                .collect(),
        };
        self.begin_termination(now, Some(user), reason, env);
    }

    /// `clusters/pin` and `clusters/unpin`; a no-op when already so.
    pub(crate) fn set_pinned(&mut self, pinned: bool, user: &str, now: i64, env: &mut Env) {
        if self.pinned == pinned {
            return;
        }
        self.pinned = pinned;
        if !pinned {
            self.unpinned_time = Some(now);
        }
        let kind = if pinned {
            ClusterEventType::Pinned
        } else {
            ClusterEventType::Unpinned
        };
        self.record(env, now, kind, user_details(user));
    }

    /// Workers the cluster has now (tests).
    #[cfg(test)]
    pub(crate) fn workers(&self) -> i32 {
        self.workers
    }
}

/// A driver (`n == 0`) or worker node with made-up but well-formed identifiers.
fn node(env: &mut Env, at: i64, n: usize) -> SparkNode {
    let third = 64 + n / 250;
    let fourth = 4 + n % 250;
    SparkNode {
        unknown_fields: Default::default(),
        private_ip: Some(format!("10.139.{third}.{fourth}")),
        host_private_ip: Some(format!("10.139.{}.{fourth}", third - 64)),
        node_id: Some(env.rng.hex(32)),
        instance_id: Some(env.rng.hex(32)),
        start_timestamp: Some(at),
        public_dns: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::Catalog;
    use super::*;
    use crate::ids::Rng;
    use crate::workspace::Timings;
    use azure_databricks_sdk::models::AutoScale;

    const MIN: i64 = 60_000;

    fn env() -> Env {
        Env {
            rng: Rng::seeded(11),
            seq: 0,
            timings: Timings::default(),
        }
    }

    fn spec(workers: i32) -> ClusterAttributes {
        ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(workers),
            ..Default::default()
        }
    }

    fn types(c: &Cluster) -> Vec<String> {
        c.events
            .iter()
            .map(|e| e.event.type_.as_ref().unwrap().as_str().to_string())
            .collect()
    }

    fn running(env: &mut Env, workers: i32) -> Cluster {
        let mut c = Cluster::create("c".into(), spec(workers), "u", 0, env);
        c.advance_to(3 * MIN, env);
        assert_eq!(c.phase, Phase::Running);
        c
    }

    #[test]
    fn a_new_cluster_is_pending_until_the_startup_time_has_passed() {
        let mut env = env();
        let mut c = Cluster::create("c".into(), spec(2), "u", 0, &mut env);
        c.advance_to(3 * MIN - 1, &mut env);
        assert_eq!(c.phase, Phase::Pending);
        c.advance_to(3 * MIN, &mut env);
        assert_eq!(c.phase, Phase::Running);
        assert_eq!(c.workers(), 2);
        assert_eq!(types(&c), ["CREATING", "RUNNING"]);
        // The RUNNING event has the due time, not the time it was noticed.
        let mut late = Cluster::create("d".into(), spec(1), "u", 0, &mut env);
        late.advance_to(60 * MIN, &mut env);
        assert_eq!(late.events[1].event.timestamp, Some(3 * MIN));
    }

    #[test]
    fn start_resize_restart_and_edit_obey_the_state_rules() {
        let mut env = env();
        let mut c = Cluster::create("c".into(), spec(1), "u", 0, &mut env);
        for err in [
            c.start("u", 0, &mut env),
            c.restart("u", 0, &mut env),
            c.resize(Size::Fixed(3), "u", 0, &mut env),
            c.edit(spec(3), "u", 0, &mut env),
        ] {
            let err = err.unwrap_err();
            assert_eq!((err.status, err.code()), (400, "INVALID_STATE"));
            assert_eq!(err.message, "Cluster c is in unexpected state Pending.");
        }
        c.advance_to(3 * MIN, &mut env);
        assert_eq!(
            c.start("u", 0, &mut env).unwrap_err().code(),
            "INVALID_STATE"
        );
        c.terminate("u", 3 * MIN, &mut env);
        c.advance_to(4 * MIN, &mut env);
        assert_eq!(c.phase, Phase::Terminated);
        assert_eq!(
            c.restart("u", 4 * MIN, &mut env).unwrap_err().code(),
            "INVALID_STATE"
        );
        assert_eq!(
            c.resize(Size::Fixed(3), "u", 4 * MIN, &mut env)
                .unwrap_err()
                .code(),
            "INVALID_STATE"
        );
        c.edit(spec(4), "u", 4 * MIN, &mut env).unwrap();
        assert_eq!(c.phase, Phase::Terminated);
        c.start("u", 4 * MIN, &mut env).unwrap();
        c.advance_to(7 * MIN, &mut env);
        assert_eq!((c.phase, c.workers()), (Phase::Running, 4));
        assert_eq!(
            types(&c),
            [
                "CREATING",
                "RUNNING",
                "TERMINATING",
                "EDITED",
                "STARTING",
                "RUNNING"
            ]
        );
    }

    #[test]
    fn a_busy_cluster_refuses_start_edit_and_resize_with_the_services_message() {
        let mut env = env();
        let message = |state: &str| format!("Cluster c is in unexpected state {state}.");
        let mut c = running(&mut env, 1);
        let err = c.start("u", 3 * MIN, &mut env).unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_STATE"));
        assert_eq!(err.message, message("Running"));
        c.restart("u", 3 * MIN, &mut env).unwrap();
        for err in [
            c.start("u", 3 * MIN, &mut env),
            c.edit(spec(2), "u", 3 * MIN, &mut env),
            c.resize(Size::Fixed(2), "u", 3 * MIN, &mut env),
            c.restart("u", 3 * MIN, &mut env),
        ] {
            assert_eq!(err.unwrap_err().message, message("Restarting"));
        }
        c.advance_to(5 * MIN, &mut env);
        c.resize(Size::Fixed(4), "u", 5 * MIN, &mut env).unwrap();
        assert_eq!(c.phase, Phase::Resizing);
        for err in [
            c.start("u", 5 * MIN, &mut env),
            c.edit(spec(2), "u", 5 * MIN, &mut env),
            c.resize(Size::Fixed(2), "u", 5 * MIN, &mut env),
        ] {
            let err = err.unwrap_err();
            assert_eq!(
                (err.code(), err.message.as_str()),
                ("INVALID_STATE", message("Resizing").as_str())
            );
        }
        c.terminate("u", 5 * MIN, &mut env);
        assert_eq!(
            c.edit(spec(2), "u", 5 * MIN, &mut env).unwrap_err().message,
            message("Terminating")
        );
        // Nothing of the refused requests was applied.
        assert_eq!(c.spec.num_workers, Some(4));
        assert_eq!(
            types(&c),
            [
                "CREATING",
                "RUNNING",
                "RESTARTING",
                "RUNNING",
                "RESIZING",
                "TERMINATING"
            ]
        );
    }

    #[test]
    fn upsizing_goes_through_resizing_and_downsizing_is_immediate() {
        let mut env = env();
        let mut c = running(&mut env, 2);
        c.resize(Size::Fixed(5), "u", 3 * MIN, &mut env).unwrap();
        assert_eq!((c.phase, c.workers()), (Phase::Resizing, 2));
        c.advance_to(5 * MIN, &mut env);
        assert_eq!((c.phase, c.workers()), (Phase::Running, 5));
        assert_eq!(
            c.info(&Catalog::azure().unwrap()).unwrap().executors.len(),
            5
        );
        c.resize(Size::Fixed(1), "u", 5 * MIN, &mut env).unwrap();
        assert_eq!((c.phase, c.workers()), (Phase::Running, 1));
        c.resize(Size::Autoscale { min: 3, max: 6 }, "u", 5 * MIN, &mut env)
            .unwrap();
        assert_eq!(c.phase, Phase::Resizing);
        c.advance_to(7 * MIN, &mut env);
        assert_eq!(c.workers(), 3);
        assert_eq!(
            c.spec.autoscale,
            Some(AutoScale {
                unknown_fields: Default::default(),
                min_workers: Some(3),
                max_workers: Some(6)
            })
        );
        assert_eq!(c.spec.num_workers, None);
        assert_eq!(
            types(&c),
            [
                "CREATING",
                "RUNNING",
                "RESIZING",
                "UPSIZE_COMPLETED",
                "RESIZING",
                "RESIZING",
                "UPSIZE_COMPLETED"
            ]
        );
    }

    #[test]
    fn restart_and_edit_of_a_running_cluster_restart_it() {
        let mut env = env();
        let mut c = running(&mut env, 1);
        let context = c.spark_context_id;
        c.restart("u", 3 * MIN, &mut env).unwrap();
        assert_eq!(c.phase, Phase::Restarting);
        assert_ne!(c.spark_context_id, context);
        c.advance_to(5 * MIN, &mut env);
        assert_eq!(c.phase, Phase::Running);
        c.edit(spec(2), "u", 5 * MIN, &mut env).unwrap();
        assert_eq!(c.phase, Phase::Restarting);
        c.advance_to(7 * MIN, &mut env);
        assert_eq!((c.phase, c.workers()), (Phase::Running, 2));
        assert_eq!(
            types(&c),
            [
                "CREATING",
                "RUNNING",
                "RESTARTING",
                "RUNNING",
                "EDITED",
                "RESTARTING",
                "RUNNING"
            ]
        );
    }

    #[test]
    fn terminating_twice_is_a_no_op_and_terminated_clusters_have_no_nodes() {
        let mut env = env();
        let mut c = running(&mut env, 2);
        c.terminate("u", 3 * MIN, &mut env);
        c.terminate("u", 3 * MIN, &mut env);
        assert_eq!(c.phase, Phase::Terminating);
        c.advance_to(4 * MIN, &mut env);
        let info = c.info(&Catalog::azure().unwrap()).unwrap();
        assert_eq!(info.state, Some(ClusterState::Terminated));
        assert_eq!(info.terminated_time, Some(4 * MIN));
        assert!(info.driver.is_none() && info.executors.is_empty());
        let reason = info.termination_reason.unwrap();
        assert_eq!(reason.code, Some(TerminationCode::UserRequest));
        assert_eq!(reason.parameters["username"], "u");
        assert_eq!(types(&c), ["CREATING", "RUNNING", "TERMINATING"]);
        // Terminating a pending cluster cancels its start.
        let mut p = Cluster::create("p".into(), spec(1), "u", 0, &mut env);
        p.terminate("u", MIN, &mut env);
        p.advance_to(60 * MIN, &mut env);
        assert_eq!(p.phase, Phase::Terminated);
    }

    #[test]
    fn an_idle_cluster_terminates_after_its_autotermination_minutes() {
        let mut env = env();
        let mut c = Cluster::create(
            "c".into(),
            ClusterAttributes {
                autotermination_minutes: Some(30),
                ..spec(1)
            },
            "u",
            0,
            &mut env,
        );
        c.advance_to(33 * MIN - 1, &mut env);
        assert_eq!(c.phase, Phase::Running);
        c.advance_to(34 * MIN, &mut env);
        assert_eq!(c.phase, Phase::Terminated);
        let info = c.info(&Catalog::azure().unwrap()).unwrap();
        assert_eq!(
            info.termination_reason.unwrap().code,
            Some(TerminationCode::Inactivity)
        );
        assert_eq!(
            info.state_message.as_deref(),
            Some("Inactive cluster terminated (inactive for 30 minutes).")
        );
    }

    #[test]
    fn pinning_twice_records_one_event() {
        let mut env = env();
        let mut c = running(&mut env, 0);
        c.set_pinned(true, "u", 0, &mut env);
        c.set_pinned(true, "u", 0, &mut env);
        c.set_pinned(false, "u", 0, &mut env);
        assert_eq!(types(&c), ["CREATING", "RUNNING", "PINNED", "UNPINNED"]);
    }
}
