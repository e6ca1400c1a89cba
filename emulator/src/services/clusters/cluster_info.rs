//! A cluster as `clusters/get` and `clusters/list` show it: the specification (with what the
//! service fills in, e.g. for a single-node cluster), the state, the nodes, sizes from the node
//! type catalog, the tags the service adds, and — in `clusters/get` only — the `spec` snapshot
//! of the settings the user gave.

use azure_databricks_sdk::models::{
    AzureAttributes, AzureAvailability, ClusterInfo, ClusterSource, RuntimeEngine, TerminationCode,
};

use super::catalog::Catalog;
use super::cluster_spec;
use super::lifecycle::{Cluster, Phase};
use crate::error::ApiError;

/// What the service sets on a single-node cluster (`is_single_node`): tags and Spark settings,
/// on top of the user's.
const SINGLE_NODE_TAGS: &[(&str, &str)] = &[("ResourceClass", "SingleNode")];
const SINGLE_NODE_CONF: &[(&str, &str)] = &[
    ("spark.databricks.cluster.profile", "singleNode"),
    ("spark.master", "local[*, 4]"),
];

impl Cluster {
    /// The cluster as `clusters/get` shows it: [`Cluster::info`] and the `spec` snapshot of the
    /// settings the user last gave (unknown fields included).
    pub(crate) fn details(&self, catalog: &Catalog) -> Result<ClusterInfo, ApiError> {
        let mut info = self.info(catalog)?;
        info.spec = Some(cluster_spec::snapshot(&self.spec)?);
        Ok(info)
    }

    /// The cluster as `clusters/list` shows it (no `spec`).
    pub(crate) fn info(&self, catalog: &Catalog) -> Result<ClusterInfo, ApiError> {
        // `ClusterInfo` has no `Default` (`cluster_id` is required): start from the id alone, so
        // that fields the schema gains later are simply absent here.
        let mut info: ClusterInfo =
            serde_json::from_value(serde_json::json!({"cluster_id": self.id}))
                .map_err(|e| ApiError::internal(format!("ClusterInfo: {e}")))?;
        let spec = self.spec.clone();
        let node_type = spec.node_type_id.clone();
        let driver_type = spec.driver_node_type_id.clone().or(node_type.clone());
        let name = spec.cluster_name.clone().unwrap_or_default();
        let size = |id: &Option<String>| {
            id.as_deref()
                .and_then(|id| catalog.node_type(id))
                .map_or((0.0, 0), |n| (n.num_cores, i64::from(n.memory_mb)))
        };
        let (driver_cores, driver_mb) = size(&driver_type);
        let (worker_cores, worker_mb) = size(&node_type);
        let nodes = i64::from(self.target.max(self.workers));
        let photon = spec.spark_version.contains("photon");

        // Collected, not built as a BTreeMap: the models' map type is the generator's choice.
        info.default_tags = [
            ("Vendor".to_string(), "Databricks".to_string()),
            ("Creator".to_string(), self.creator.clone()),
            ("ClusterName".to_string(), name.clone()),
            ("ClusterId".to_string(), self.id.clone()),
        ]
        .into_iter()
        .collect();
        info.cluster_name = Some(name);
        info.creator_user_name = Some(self.creator.clone());
        info.cluster_source = Some(ClusterSource::Api);
        info.state = Some(self.phase.state());
        info.state_message = self.state_message();
        info.start_time = Some(self.start_time);
        info.terminated_time = self.terminated_time;
        info.last_restarted_time = self.last_restarted_time;
        info.termination_reason = self.termination_reason.clone();
        info.spark_context_id = Some(self.spark_context_id);
        info.jdbc_port = Some(10_000);
        info.cluster_cores = Some(driver_cores + worker_cores * nodes as f64);
        info.cluster_memory_mb = Some(driver_mb.saturating_add(worker_mb.saturating_mul(nodes)));
        info.driver = self.driver.clone();
        info.executors = self.executors.clone();
        info.driver_node_type_id = driver_type;
        info.node_type_id = node_type;
        info.enable_elastic_disk = Some(spec.enable_elastic_disk.unwrap_or(true));
        info.enable_local_disk_encryption =
            Some(spec.enable_local_disk_encryption.unwrap_or(false));
        info.runtime_engine = Some(spec.runtime_engine.clone().unwrap_or(if photon {
            RuntimeEngine::Photon
        } else {
            RuntimeEngine::Standard
        }));
        info.azure_attributes = Some(spec.azure_attributes.clone().unwrap_or(AzureAttributes {
            first_on_demand: Some(1),
            availability: Some(AzureAvailability::OnDemandAzure),
            spot_bid_max_price: Some(-1.0),
            ..Default::default()
        }));
        info.autoscale = spec.autoscale;
        info.num_workers = spec.num_workers;
        info.kind = spec.kind;
        info.is_single_node = spec.is_single_node;
        info.use_ml_runtime = spec.use_ml_runtime;
        info.dependency_mode = spec.dependency_mode;
        info.worker_node_type_flexibility = spec.worker_node_type_flexibility;
        info.driver_node_type_flexibility = spec.driver_node_type_flexibility;
        info.autotermination_minutes = spec.autotermination_minutes;
        info.spark_version = Some(spec.spark_version);
        info.spark_conf = spec.spark_conf;
        info.spark_env_vars = spec.spark_env_vars;
        info.custom_tags = spec.custom_tags;
        info.ssh_public_keys = spec.ssh_public_keys;
        info.init_scripts = spec.init_scripts;
        info.cluster_log_conf = spec.cluster_log_conf;
        info.docker_image = spec.docker_image;
        info.instance_pool_id = spec.instance_pool_id;
        info.driver_instance_pool_id = spec.driver_instance_pool_id;
        info.policy_id = spec.policy_id;
        info.data_security_mode = spec.data_security_mode;
        info.single_user_name = spec.single_user_name;
        info.workload_type = spec.workload_type;
        if info.is_single_node == Some(true) {
            info.num_workers = Some(0);
            for (key, value) in SINGLE_NODE_TAGS {
                info.custom_tags.insert(key.to_string(), value.to_string());
            }
            for (key, value) in SINGLE_NODE_CONF {
                info.spark_conf.insert(key.to_string(), value.to_string());
            }
        }
        Ok(info)
    }

    fn state_message(&self) -> Option<String> {
        let text = match self.phase {
            Phase::Running => return None,
            Phase::Pending => {
                "Finding instances for new nodes, acquiring more instances if necessary"
            }
            Phase::Restarting => "Restarting the cluster",
            Phase::Resizing => "Adding nodes to the cluster",
            Phase::Terminating => "Terminating the cluster",
            Phase::Terminated => match self
                .termination_reason
                .as_ref()
                .and_then(|r| r.code.as_ref())
            {
                Some(TerminationCode::Inactivity) => {
                    return Some(format!(
                        "Inactive cluster terminated (inactive for {} minutes).",
                        self.spec.autotermination_minutes.unwrap_or_default()
                    ));
                }
                _ => "Terminated by user",
            },
        };
        Some(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Rng;
    use crate::workspace::{Env, Timings};
    use azure_databricks_sdk::models::ClusterAttributes;

    fn env() -> Env {
        Env {
            rng: Rng::seeded(11),
            seq: 0,
            timings: Timings::default(),
        }
    }

    fn running(env: &mut Env, workers: i32) -> Cluster {
        let spec = ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(workers),
            ..Default::default()
        };
        let mut c = Cluster::create("c".into(), spec, "u", 0, env);
        c.advance_to(3 * 60_000, env);
        c
    }

    #[test]
    fn info_has_the_spec_sizes_and_tags() {
        let mut env = env();
        let c = running(&mut env, 2);
        let info = c.info(&Catalog::azure().unwrap()).unwrap();
        assert_eq!(info.cluster_cores, Some(12.0));
        assert_eq!(info.cluster_memory_mb, Some(3 * 14_336));
        assert_eq!(info.default_tags["ClusterId"], "c");
        assert_eq!(info.driver_node_type_id.as_deref(), Some("Standard_DS3_v2"));
        assert_eq!(info.state_message, None);
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["executors"].as_array().unwrap().len(), 2);
        assert!(json.get("autoscale").is_none(), "absent fields are omitted");
    }

    #[test]
    fn the_new_settings_are_echoed_and_a_single_node_cluster_gets_its_tags() {
        use azure_databricks_sdk::models::{Kind, NodeTypeFlexibility};
        let mut env = env();
        let spec = ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            kind: Some(Kind::ClassicPreview),
            is_single_node: Some(true),
            use_ml_runtime: Some(true),
            dependency_mode: Some("DEPENDENCY_MODE_AUTO".into()),
            worker_node_type_flexibility: Some(NodeTypeFlexibility {
                alternate_node_type_ids: vec!["Standard_D4ds_v5".into()],
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut c = Cluster::create("c".into(), spec, "u", 0, &mut env);
        c.advance_to(3 * 60_000, &mut env);
        let catalog = Catalog::azure().unwrap();
        let info = c.info(&catalog).unwrap();
        assert_eq!(info.kind, Some(Kind::ClassicPreview));
        assert_eq!(
            (info.is_single_node, info.use_ml_runtime),
            (Some(true), Some(true))
        );
        assert_eq!(
            info.dependency_mode.as_ref().unwrap().as_str(),
            "DEPENDENCY_MODE_AUTO"
        );
        assert_eq!(
            info.worker_node_type_flexibility
                .unwrap()
                .alternate_node_type_ids,
            ["Standard_D4ds_v5"]
        );
        assert_eq!(info.num_workers, Some(0));
        assert_eq!(info.custom_tags["ResourceClass"], "SingleNode");
        assert_eq!(info.spark_conf["spark.master"], "local[*, 4]");
        assert!(info.executors.is_empty() && info.spec.is_none());
        // The spec is what the user gave, without what the service added.
        let spec = c.details(&catalog).unwrap().spec.unwrap();
        assert_eq!(spec.num_workers, None);
        assert!(spec.custom_tags.is_empty() && spec.spark_conf.is_empty());
        assert_eq!(spec.is_single_node, Some(true));
    }

    #[test]
    fn photon_runtimes_report_the_photon_engine_and_defaults_are_filled_in() {
        let mut env = env();
        let mut c = running(&mut env, 0);
        c.spec.spark_version = "15.4.x-photon-scala2.12".into();
        let info = c.info(&Catalog::azure().unwrap()).unwrap();
        assert_eq!(info.runtime_engine, Some(RuntimeEngine::Photon));
        assert_eq!(info.cluster_source, Some(ClusterSource::Api));
        assert_eq!(info.enable_elastic_disk, Some(true));
        let azure = info.azure_attributes.unwrap();
        assert_eq!(azure.availability, Some(AzureAvailability::OnDemandAzure));
        assert!(info.executors.is_empty());
    }
}
