//! The clusters of the workspace: creation (with idempotency tokens and `clone_from`), lookup,
//! listing (API 2.0: all of them; API 2.1: filtered, sorted and paged), edits and partial
//! updates, permanent deletion, and the 30-day retention of terminated clusters.

use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterSource, ClusterState, ListClustersRequest,
    ListClustersSortByDirection, ListClustersSortByField,
};
use serde_json::{Map, Value, json};

use super::Env;
use super::catalog::Catalog;
use super::cluster_spec;
use super::lifecycle::{Cluster, Phase};
use super::page_token::{self, Page, fingerprint};
use crate::error::ApiError;
use crate::ids;

/// How long a terminated, unpinned cluster stays visible: 30 days.
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
