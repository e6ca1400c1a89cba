//! The clusters of the workspace: creation (with idempotency tokens and `clone_from`), lookup,
//! listing (API 2.0: all of them; API 2.1: filtered, sorted and paged), edits and partial
//! updates, permanent deletion (refused for pinned clusters), and the 30-day retention of
//! terminated clusters, after which their ids answer `INVALID_STATE` "Cannot access cluster
//! … that was terminated or unpinned more than 30 days ago."

use std::collections::HashSet;

use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterSource, ClusterState, ListClustersRequest,
    ListClustersSortByDirection, ListClustersSortByField,
};
use serde_json::{Map, Value, json};

use super::catalog::Catalog;
use super::cluster_spec;
use super::lifecycle::{Cluster, Phase};
use crate::error::ApiError;
use crate::ids;
use crate::page_token::{self, Page, fingerprint};
use crate::workspace::Env;

/// How long a terminated, unpinned cluster stays visible: 30 days from its termination or its
/// unpinning, whichever is later.
pub(crate) const RETENTION_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Clusters per page of `clusters/list` (2.1) when `page_size` is unset or 0. The service does
/// not document its default; this one is the emulator's choice.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 20;
/// Most clusters per page of `clusters/list` (2.1); a larger `page_size` gets this many, as
/// the service caps it (databricks/cli#1701: "100 is max").
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// The page size `clusters/list` uses for `page_size`.
fn list_page_size(requested: Option<i32>) -> Result<usize, ApiError> {
    match requested {
        Some(n) if n < 0 => Err(ApiError::invalid_parameter(format!(
            "page_size must not be negative; got {n}"
        ))),
        Some(n) if n > 0 => Ok((n as usize).min(MAX_PAGE_SIZE)),
        _ => Ok(DEFAULT_PAGE_SIZE),
    }
}

/// The sort of a 2.1 list: by name or by creation (the default, newest first), and whether
/// ascending.
fn sort_of(request: &ListClustersRequest) -> Result<(bool, bool), ApiError> {
    let sort = request.sort_by.clone().unwrap_or_default();
    let by_name = match &sort.field {
        None | Some(ListClustersSortByField::Default) => false,
        Some(ListClustersSortByField::ClusterName) => true,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid sort_by.field {other}; use CLUSTER_NAME or DEFAULT"
            )));
        }
    };
    let ascending = match &sort.direction {
        // By name A to Z; by default newest first.
        None => by_name,
        Some(ListClustersSortByDirection::Asc) => true,
        Some(ListClustersSortByDirection::Desc) => false,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid sort_by.direction {other}; use ASC or DESC"
            )));
        }
    };
    Ok((by_name, ascending))
}

/// The clusters, oldest first, and the ids of those the 30-day retention removed.
#[derive(Debug, Default)]
pub(crate) struct Clusters {
    all: Vec<Cluster>,
    /// Ids of clusters forgotten after their 30 days: they keep answering `INVALID_STATE`
    /// (never "does not exist") for as long as the emulator runs. One short string per
    /// purged cluster, so bounded by the clusters ever created.
    purged: HashSet<String>,
}

/// The service's answer for an unknown cluster id: 400, not 404.
pub(crate) fn does_not_exist(id: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Cluster {id} does not exist"))
}

/// The service's answer for a cluster the 30-day retention removed (terraform-provider-
/// databricks #1177, #2227): 400 `INVALID_STATE`, which clients take as "not found".
pub(crate) fn purged(id: &str) -> ApiError {
    ApiError::invalid_state(format!(
        "Cannot access cluster {id} that was terminated or unpinned more than 30 days ago."
    ))
}

/// The service's refusal to permanently delete a pinned cluster (the message as quoted in
/// terraform-provider-databricks #113; the error code is the emulator's choice).
pub(crate) fn pinned(id: &str) -> ApiError {
    ApiError::invalid_state(format!(
        "Cannot delete pinned cluster {id}. Please ask an admin to unpin the cluster first."
    ))
}

/// When a cluster is forgotten: 30 days after it was terminated or unpinned, whichever is
/// later; never while pinned or not terminated.
fn purge_time(cluster: &Cluster) -> Option<i64> {
    if cluster.pinned || cluster.phase != Phase::Terminated {
        return None;
    }
    let since = cluster
        .terminated_time?
        .max(cluster.unpinned_time.unwrap_or(i64::MIN));
    Some(since.saturating_add(RETENTION_MS))
}

impl Clusters {
    /// Validates `spec` and creates a PENDING cluster; returns its id.
    ///
    /// A create with the `idempotency_token` of a cluster of the workspace (whoever created
    /// it) that is not `TERMINATED` returns that cluster's id and creates nothing, as the
    /// service documents; the token is forgotten when its cluster reaches `TERMINATED` or is
    /// permanently deleted, after which the same token creates a new cluster.
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
        // A request field, not a setting: kept beside the cluster, not in its spec.
        let token = spec.idempotency_token.take();
        if let Some(token) = &token
            && let Some(existing) = self
                .all
                .iter()
                .find(|c| c.idempotency_token.as_ref() == Some(token))
        {
            return Ok(existing.id.clone());
        }
        let id = loop {
            let id = ids::cluster_id(now, &mut env.rng);
            if !self.purged.contains(&id) && self.all.iter().all(|c| c.id != id) {
                break id;
            }
        };
        let mut cluster = Cluster::create(id.clone(), spec, creator, now, env);
        cluster.idempotency_token = token;
        self.all.push(cluster);
        Ok(id)
    }

    /// The answer for an id that names no cluster: purged, or never known.
    fn missing(&self, id: &str) -> ApiError {
        if self.purged.contains(id) {
            purged(id)
        } else {
            does_not_exist(id)
        }
    }

    /// The cluster with this id.
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` "Cluster … does not exist" for an unknown id;
    /// `INVALID_STATE` "Cannot access cluster …" for one the 30-day retention removed.
    pub(crate) fn get(&self, id: &str) -> Result<&Cluster, ApiError> {
        self.all
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| self.missing(id))
    }

    /// The cluster with this id, to change it (errors as [`Clusters::get`]).
    pub(crate) fn get_mut(&mut self, id: &str) -> Result<&mut Cluster, ApiError> {
        match self.all.iter().position(|c| c.id == id) {
            Some(index) => Ok(&mut self.all[index]),
            None => Err(self.missing(id)),
        }
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

    /// `clusters/permanent-delete`: gone, with its events and its idempotency token; its id
    /// then answers "does not exist".
    ///
    /// # Errors
    ///
    /// Those of [`Clusters::get`]; `INVALID_STATE` "… unpin the cluster first" for a pinned
    /// cluster, which stays as it was.
    pub(crate) fn remove(&mut self, id: &str) -> Result<(), ApiError> {
        let index = match self.all.iter().position(|c| c.id == id) {
            Some(index) => index,
            None => return Err(self.missing(id)),
        };
        if self.all[index].pinned {
            return Err(pinned(id));
        }
        self.all.remove(index);
        Ok(())
    }

    /// Every cluster, newest first.
    pub(crate) fn list(&self) -> impl Iterator<Item = &Cluster> {
        self.all.iter().rev()
    }

    /// One page of `clusters/list` (API 2.1): the clusters matching every filter of
    /// `request`, in its order, after (or before) the cluster its `page_token` names.
    ///
    /// Order: `DEFAULT` is by creation, newest first (`ASC`: oldest first); `CLUSTER_NAME` is
    /// by name, A to Z unless `DESC`; ties go by creation.
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` for an unknown state, source, sort field or direction, a
    /// negative `page_size`, or a page token that is not one of this query.
    pub(crate) fn list_page(
        &self,
        request: &ListClustersRequest,
    ) -> Result<Page<&Cluster>, ApiError> {
        let filter = request.filter_by.clone().unwrap_or_default();
        if let Some(state) = filter
            .cluster_states
            .iter()
            .find(|s| matches!(s, ClusterState::Unknown(v) if v != "UNKNOWN"))
        {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid filter_by.cluster_states value {state}"
            )));
        }
        if let Some(source) = filter
            .cluster_sources
            .iter()
            .find(|s| matches!(s, ClusterSource::Unknown(_)))
        {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid filter_by.cluster_sources value {source}"
            )));
        }
        let (by_name, ascending) = sort_of(request)?;
        let size = list_page_size(request.page_size)?;
        let query = fingerprint(&json!({
            "filter_by": filter,
            "sort": [by_name, ascending],
        }));
        // Every emulated cluster was created through the API.
        let source = ClusterSource::Api;
        let mut matching: Vec<&Cluster> = self
            .all
            .iter()
            .filter(|c| {
                (filter.cluster_states.is_empty()
                    || filter.cluster_states.contains(&c.phase.state()))
                    && (filter.cluster_sources.is_empty()
                        || filter.cluster_sources.contains(&source))
                    && filter.is_pinned.is_none_or(|p| p == c.pinned)
                    && filter
                        .policy_id
                        .as_ref()
                        .is_none_or(|p| c.spec.policy_id.as_ref() == Some(p))
            })
            .collect();
        let key = move |c: &&Cluster| {
            let name = if by_name {
                c.spec.cluster_name.clone().unwrap_or_default()
            } else {
                String::new()
            };
            (name, c.seq)
        };
        let order = move |a: &(String, u64), b: &(String, u64)| {
            if ascending { a.cmp(b) } else { b.cmp(a) }
        };
        matching.sort_by(|a, b| order(&key(a), &key(b)));
        page_token::page(
            matching,
            key,
            order,
            size,
            request.page_token.as_deref(),
            &query,
        )
    }

    /// The settings of a `clusters/create` request with `clone_from`: those of the source
    /// cluster, overridden by every field the request sets (`spark_version` is still required,
    /// as by the service).
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` when `clone_from.source_cluster_id` is missing or names no
    /// cluster.
    pub(crate) fn with_clone_source(
        &self,
        request: Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let Some(clone) = request.get("clone_from") else {
            return Ok(request);
        };
        let source = match clone.get("source_cluster_id") {
            Some(Value::String(id)) if !id.is_empty() => self.get(id)?,
            _ => return Err(ApiError::missing("clone_from.source_cluster_id")),
        };
        let mut merged = cluster_spec::settings_json(&source.spec)?;
        merged.extend(request);
        Ok(merged)
    }

    /// `clusters/update`: the settings `update_mask` names, from `cluster`; then like
    /// `clusters/edit` (validation and state rules).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update(
        &mut self,
        id: &str,
        cluster: &Map<String, Value>,
        update_mask: &str,
        user: &str,
        now: i64,
        env: &mut Env,
        catalog: &Catalog,
    ) -> Result<(), ApiError> {
        let spec = cluster_spec::apply_update(&self.get(id)?.spec, cluster, update_mask)?;
        self.edit(id, spec, user, now, env, catalog)
    }

    /// Fires the due transitions of every cluster and forgets unpinned clusters terminated
    /// (or unpinned) more than [`RETENTION_MS`] ago; their ids are remembered as purged.
    pub(crate) fn settle(&mut self, now: i64, env: &mut Env) {
        for cluster in &mut self.all {
            cluster.advance_to(now, env);
        }
        let purged = &mut self.purged;
        self.all.retain(|c| {
            let keep = purge_time(c).is_none_or(|t| now <= t);
            if !keep {
                purged.insert(c.id.clone());
            }
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Rng;
    use crate::workspace::Timings;

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

    fn terminate(clusters: &mut Clusters, id: &str, at: i64, env: &mut Env) {
        clusters.get_mut(id).unwrap().terminate("u", at, env);
        clusters.settle(at + 60_000, env);
        assert_eq!(clusters.get(id).unwrap().phase, Phase::Terminated);
    }

    #[test]
    fn an_idempotency_token_returns_its_cluster_to_any_caller_until_it_is_terminated() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let with_token = ClusterAttributes {
            idempotency_token: Some("etl-1".into()),
            ..spec()
        };
        let a = clusters
            .create(with_token.clone(), "alice", 0, &mut env, &catalog)
            .unwrap();
        // The same token from anyone in the workspace, even with other settings: that cluster.
        let other_settings = ClusterAttributes {
            num_workers: Some(7),
            ..with_token.clone()
        };
        let b = clusters
            .create(other_settings, "bob", 0, &mut env, &catalog)
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(clusters.list().count(), 1);
        assert_eq!(clusters.get(&a).unwrap().spec.num_workers, Some(1));
        // Not a setting: not in the spec, so an edit keeps it.
        assert_eq!(clusters.get(&a).unwrap().spec.idempotency_token, None);
        clusters.settle(3 * 60_000, &mut env);
        clusters
            .edit(&a, spec(), "u", 3 * 60_000, &mut env, &catalog)
            .unwrap();
        let again = clusters
            .create(with_token.clone(), "u", 3 * 60_000, &mut env, &catalog)
            .unwrap();
        assert_eq!(again, a);
        // TERMINATING is not TERMINATED: still that cluster.
        clusters
            .get_mut(&a)
            .unwrap()
            .terminate("u", 10 * 60_000, &mut env);
        let terminating = clusters
            .create(with_token.clone(), "u", 10 * 60_000, &mut env, &catalog)
            .unwrap();
        assert_eq!(terminating, a);
        // TERMINATED clears the token: a new cluster, and starting the old one again does not
        // bring the token back.
        clusters.settle(11 * 60_000, &mut env);
        let c = clusters
            .create(with_token.clone(), "u", 11 * 60_000, &mut env, &catalog)
            .unwrap();
        assert_ne!(a, c);
        clusters
            .get_mut(&a)
            .unwrap()
            .start("u", 11 * 60_000, &mut env)
            .unwrap();
        let d = clusters
            .create(with_token.clone(), "u", 11 * 60_000, &mut env, &catalog)
            .unwrap();
        assert_eq!(d, c);
        assert_eq!(clusters.list().count(), 2);
        // A permanently deleted cluster takes its token along.
        clusters.remove(&c).unwrap();
        let e = clusters
            .create(with_token, "u", 12 * 60_000, &mut env, &catalog)
            .unwrap();
        assert!(e != c && e != a);
    }

    #[test]
    fn an_idempotency_token_has_at_most_64_characters() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let token = |n: usize| ClusterAttributes {
            idempotency_token: Some("é".repeat(n)),
            ..spec()
        };
        let err = clusters
            .create(token(65), "u", 0, &mut env, &catalog)
            .unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_PARAMETER_VALUE"));
        assert_eq!(
            err.message,
            "idempotency_token must have at most 64 characters; got 65"
        );
        assert_eq!(clusters.list().count(), 0);
        // Characters, not bytes: 64 two-byte characters are fine.
        clusters
            .create(token(64), "u", 0, &mut env, &catalog)
            .unwrap();
    }

    #[test]
    fn terminated_clusters_are_purged_after_30_days_unless_pinned_and_then_answer_invalid_state() {
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
        assert_eq!(clusters.list().count(), 1, "not listed any more");
        let message = format!(
            "Cannot access cluster {gone} that was terminated or unpinned more than 30 days ago."
        );
        let err = clusters.get(&gone).unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_STATE"));
        assert_eq!(err.message, message);
        assert_eq!(clusters.get_mut(&gone).unwrap_err().message, message);
        assert_eq!(clusters.remove(&gone).unwrap_err().message, message);
        // For good: a year later it still answers so, never "does not exist".
        clusters.settle(400 * 24 * 3_600_000, &mut env);
        assert_eq!(clusters.get(&gone).unwrap_err().code(), "INVALID_STATE");
        // Unpinned long after its termination, a cluster has 30 days from the unpinning.
        let unpinned_at = 100 * 24 * 3_600_000;
        clusters
            .get_mut(&kept)
            .unwrap()
            .set_pinned(false, "u", unpinned_at, &mut env);
        clusters.settle(unpinned_at + RETENTION_MS, &mut env);
        assert!(clusters.get(&kept).is_ok());
        clusters.settle(unpinned_at + RETENTION_MS + 1, &mut env);
        assert_eq!(clusters.get(&kept).unwrap_err().code(), "INVALID_STATE");
        // A running cluster is never purged.
        let running = clusters
            .create(spec(), "u", unpinned_at, &mut env, &catalog)
            .unwrap();
        clusters.settle(unpinned_at + 90 * 24 * 3_600_000, &mut env);
        assert_eq!(clusters.get(&running).unwrap().phase, Phase::Running);
    }

    #[test]
    fn a_pinned_cluster_refuses_permanent_delete_until_unpinned() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let id = clusters.create(spec(), "u", 0, &mut env, &catalog).unwrap();
        terminate(&mut clusters, &id, 0, &mut env);
        clusters
            .get_mut(&id)
            .unwrap()
            .set_pinned(true, "u", 0, &mut env);
        let err = clusters.remove(&id).unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_STATE"));
        assert_eq!(
            err.message,
            format!(
                "Cannot delete pinned cluster {id}. Please ask an admin to unpin the cluster first."
            )
        );
        assert!(clusters.get(&id).unwrap().pinned, "left as it was");
        clusters
            .get_mut(&id)
            .unwrap()
            .set_pinned(false, "u", 0, &mut env);
        clusters.remove(&id).unwrap();
        // Deleted, not purged: "does not exist".
        assert_eq!(
            clusters.get(&id).unwrap_err().message,
            format!("Cluster {id} does not exist")
        );
    }

    fn named(name: &str) -> ClusterAttributes {
        ClusterAttributes {
            cluster_name: Some(name.into()),
            ..spec()
        }
    }

    fn names(page: &Page<&Cluster>) -> Vec<String> {
        page.items
            .iter()
            .map(|c| c.spec.cluster_name.clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn list_pages_filter_sort_and_follow_tokens() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
            clusters
                .create(named(name), "u", 0, &mut env, &catalog)
                .unwrap();
        }
        let all = clusters.list_page(&ListClustersRequest::default()).unwrap();
        assert_eq!(names(&all), ["bravo", "charlie", "echo", "alpha", "delta"]);
        assert!(all.next.is_none() && all.prev.is_none());

        let by_name = |token: Option<String>| ListClustersRequest {
            page_size: Some(2),
            page_token: token,
            sort_by: Some(azure_databricks_sdk::models::ListClustersSortBy {
                field: Some(ListClustersSortByField::ClusterName),
                ..Default::default()
            }),
            ..Default::default()
        };
        let first = clusters.list_page(&by_name(None)).unwrap();
        assert_eq!(names(&first), ["alpha", "bravo"]);
        let second = clusters.list_page(&by_name(first.next.clone())).unwrap();
        assert_eq!(names(&second), ["charlie", "delta"]);
        let third = clusters.list_page(&by_name(second.next.clone())).unwrap();
        assert_eq!(
            (names(&third), third.next.is_none()),
            (vec!["echo".to_string()], true)
        );
        let back = clusters.list_page(&by_name(third.prev.clone())).unwrap();
        assert_eq!(names(&back), ["charlie", "delta"]);
        // The token of one order is refused by another.
        let err = clusters
            .list_page(&ListClustersRequest {
                page_token: first.next,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
    }

    #[test]
    fn list_filters_by_state_source_pin_and_policy() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let a = clusters
            .create(named("a"), "u", 0, &mut env, &catalog)
            .unwrap();
        let with_policy = ClusterAttributes {
            policy_id: Some("E06216CAA0000360".into()),
            ..named("b")
        };
        clusters
            .create(with_policy, "u", 0, &mut env, &catalog)
            .unwrap();
        clusters
            .get_mut(&a)
            .unwrap()
            .set_pinned(true, "u", 0, &mut env);
        clusters.get_mut(&a).unwrap().terminate("u", 0, &mut env);
        let filtered = |filter: azure_databricks_sdk::models::ListClustersFilterBy| {
            let request = ListClustersRequest {
                filter_by: Some(filter),
                ..Default::default()
            };
            names(&clusters.list_page(&request).unwrap())
        };
        use azure_databricks_sdk::models::ListClustersFilterBy as F;
        assert_eq!(
            filtered(F {
                cluster_states: vec![ClusterState::Terminating, ClusterState::Terminated],
                ..Default::default()
            }),
            ["a"]
        );
        assert_eq!(
            filtered(F {
                is_pinned: Some(false),
                ..Default::default()
            }),
            ["b"]
        );
        assert_eq!(
            filtered(F {
                policy_id: Some("E06216CAA0000360".into()),
                ..Default::default()
            }),
            ["b"]
        );
        assert!(
            filtered(F {
                cluster_sources: vec![ClusterSource::Job],
                ..Default::default()
            })
            .is_empty()
        );
        assert_eq!(
            filtered(F {
                cluster_sources: vec![ClusterSource::Job, ClusterSource::Api],
                ..Default::default()
            }),
            ["b", "a"]
        );
        for bad in [
            F {
                cluster_states: vec!["HIBERNATING".into()],
                ..Default::default()
            },
            F {
                cluster_sources: vec!["ROBOT".into()],
                ..Default::default()
            },
        ] {
            let request = ListClustersRequest {
                filter_by: Some(bad),
                ..Default::default()
            };
            assert_eq!(
                clusters.list_page(&request).unwrap_err().code(),
                "INVALID_PARAMETER_VALUE"
            );
        }
    }

    #[test]
    fn list_page_sizes_default_to_20_and_stop_at_100() {
        assert_eq!(list_page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(list_page_size(Some(0)).unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(list_page_size(Some(7)).unwrap(), 7);
        assert_eq!(list_page_size(Some(1000)).unwrap(), MAX_PAGE_SIZE);
        assert_eq!(
            list_page_size(Some(-1)).unwrap_err().code(),
            "INVALID_PARAMETER_VALUE"
        );
    }

    #[test]
    fn clone_from_copies_the_source_settings_under_the_request() {
        let (mut clusters, mut env, catalog) =
            (Clusters::default(), env(), Catalog::azure().unwrap());
        let mut source = ClusterAttributes {
            autotermination_minutes: Some(45),
            idempotency_token: Some("source-token".into()),
            ..named("source")
        };
        source
            .unknown_fields
            .insert("future_setting", json!("kept"));
        let id = clusters.create(source, "u", 0, &mut env, &catalog).unwrap();
        let request = json!({"clone_from": {"source_cluster_id": id}, "cluster_name": "copy", "spark_version": "16.4.x-scala2.12"});
        let merged = clusters
            .with_clone_source(request.as_object().unwrap().clone())
            .unwrap();
        assert_eq!(merged["cluster_name"], "copy");
        assert_eq!(merged["spark_version"], "16.4.x-scala2.12");
        assert_eq!(merged["node_type_id"], "Standard_DS3_v2");
        assert_eq!(merged["autotermination_minutes"], 45);
        assert_eq!(merged["future_setting"], "kept");
        assert!(merged.get("idempotency_token").is_none());
        for bad in [
            json!({"clone_from": {}}),
            json!({"clone_from": {"source_cluster_id": "0101-000000-nothere0"}}),
        ] {
            let err = clusters
                .with_clone_source(bad.as_object().unwrap().clone())
                .unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE");
        }
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
