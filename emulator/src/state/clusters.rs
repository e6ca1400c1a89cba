//! The clusters of the workspace: creation (with idempotency tokens), lookup, listing,
//! permanent deletion, and the 30-day retention of terminated clusters.

use azure_databricks_sdk::models::ClusterAttributes;

use super::Env;
use super::catalog::Catalog;
use super::cluster_spec;
use super::lifecycle::{Cluster, Phase};
use crate::error::ApiError;
use crate::ids;

/// How long a terminated, unpinned cluster stays visible: 30 days.
pub(crate) const RETENTION_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// The clusters, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Clusters {
    all: Vec<Cluster>,
}

/// The service's answer for an unknown cluster id: 400, not 404.
pub(crate) fn does_not_exist(id: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Cluster {id} does not exist"))
}

impl Clusters {
    /// Validates `spec` and creates a PENDING cluster; returns its id. A create with the
    /// `idempotency_token` of a cluster that is not terminated returns that cluster instead.
    pub(crate) fn create(
        &mut self,
        mut spec: ClusterAttributes,
        creator: &str,
        now: i64,
        env: &mut Env,
        catalog: &Catalog,
    ) -> Result<String, ApiError> {
        spec.cluster_id = None;
        cluster_spec::validate(&spec, catalog)?;
        if let Some(token) = &spec.idempotency_token
            && let Some(existing) = self.all.iter().find(|c| {
                c.spec.idempotency_token.as_ref() == Some(token) && c.phase != Phase::Terminated
            })
        {
            return Ok(existing.id.clone());
        }
        let id = loop {
            let id = ids::cluster_id(now, &mut env.rng);
            if self.get(&id).is_err() {
                break id;
            }
        };
        self.all
            .push(Cluster::create(id.clone(), spec, creator, now, env));
        Ok(id)
    }

    /// The cluster with this id.
    pub(crate) fn get(&self, id: &str) -> Result<&Cluster, ApiError> {
        self.all
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| does_not_exist(id))
    }

    /// The cluster with this id, to change it.
    pub(crate) fn get_mut(&mut self, id: &str) -> Result<&mut Cluster, ApiError> {
        self.all
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| does_not_exist(id))
    }

    /// `clusters/edit`: validates the new specification, then applies the state rules.
    pub(crate) fn edit(
        &mut self,
        id: &str,
        mut spec: ClusterAttributes,
        user: &str,
        now: i64,
        env: &mut Env,
        catalog: &Catalog,
    ) -> Result<(), ApiError> {
        spec.cluster_id = None;
        let cluster = self.get_mut(id)?;
        cluster_spec::validate(&spec, catalog)?;
        cluster.edit(spec, user, now, env)
    }

    /// `clusters/permanent-delete`: gone, with its events.
    pub(crate) fn remove(&mut self, id: &str) -> Result<(), ApiError> {
        let index = self
            .all
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| does_not_exist(id))?;
        self.all.remove(index);
        Ok(())
    }

    /// Every cluster, newest first.
    pub(crate) fn list(&self) -> impl Iterator<Item = &Cluster> {
        self.all.iter().rev()
    }

    /// Fires the due transitions of every cluster and forgets unpinned clusters terminated
    /// more than [`RETENTION_MS`] ago.
    pub(crate) fn settle(&mut self, now: i64, env: &mut Env) {
        for cluster in &mut self.all {
            cluster.advance_to(now, env);
        }
        self.all.retain(|c| {
            c.pinned
                || c.phase != Phase::Terminated
                || c.terminated_time
                    .is_none_or(|t| now.saturating_sub(t) <= RETENTION_MS)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::Timings;
    use super::*;
    use crate::ids::Rng;

    fn env() -> Env {
        Env {
            rng: Rng::seeded(2),
            seq: 0,
            timings: Timings::default(),
        }
    }

    fn spec() -> ClusterAttributes {
        ClusterAttributes {
            spark_version: "13.3.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(1),
            ..Default::default()
        }
    }

    #[test]
    fn unknown_ids_answer_400_does_not_exist() {
        let clusters = Clusters::default();
        let err = clusters.get("0101-000000-nothere1").unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_PARAMETER_VALUE"));
        assert_eq!(err.message, "Cluster 0101-000000-nothere1 does not exist");
    }

    #[test]
    fn idempotency_tokens_return_the_live_cluster() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let with_token = ClusterAttributes {
            idempotency_token: Some("etl-1".into()),
            ..spec()
        };
        let a = clusters
            .create(with_token.clone(), "u", 0, &mut env, &catalog)
            .unwrap();
        let b = clusters
            .create(with_token.clone(), "u", 0, &mut env, &catalog)
            .unwrap();
        assert_eq!(a, b);
        clusters.get_mut(&a).unwrap().terminate("u", 0, &mut env);
        clusters.settle(10 * 60_000, &mut env);
        let c = clusters
            .create(with_token, "u", 0, &mut env, &catalog)
            .unwrap();
        assert_ne!(a, c);
        assert_eq!(clusters.list().count(), 2);
    }

    #[test]
    fn terminated_clusters_disappear_after_30_days_unless_pinned() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let kept = clusters.create(spec(), "u", 0, &mut env, &catalog).unwrap();
        let gone = clusters.create(spec(), "u", 0, &mut env, &catalog).unwrap();
        for id in [&kept, &gone] {
            clusters.get_mut(id).unwrap().terminate("u", 0, &mut env);
        }
        clusters
            .get_mut(&kept)
            .unwrap()
            .set_pinned(true, "u", 0, &mut env);
        clusters.settle(60_000 + RETENTION_MS, &mut env);
        assert_eq!(clusters.list().count(), 2);
        clusters.settle(60_001 + RETENTION_MS, &mut env);
        assert!(clusters.get(&kept).is_ok());
        assert!(clusters.get(&gone).is_err());
    }

    #[test]
    fn permanent_delete_removes_and_list_is_newest_first() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let first = clusters.create(spec(), "u", 0, &mut env, &catalog).unwrap();
        let second = clusters.create(spec(), "u", 0, &mut env, &catalog).unwrap();
        let ids: Vec<&str> = clusters.list().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [second.as_str(), first.as_str()]);
        clusters.remove(&first).unwrap();
        assert!(clusters.remove(&first).is_err());
        assert_eq!(clusters.list().count(), 1);
    }
}
