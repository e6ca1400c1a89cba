//! What the emulated Azure workspace offers: node (VM) types and Databricks Runtime versions.

use azure_databricks_sdk::models::{NodeType, SparkVersion};
use serde_json::json;

/// An Azure VM type offered as a node type.
#[derive(Debug, Clone, Copy)]
struct Vm {
    id: &'static str,
    cores: f64,
    memory_mb: i32,
    category: &'static str,
    local_disk_gb: i32,
    gpus: i32,
    disk_cache: bool,
    photon: bool,
}

const GENERAL: &str = "General Purpose";
const MEMORY: &str = "Memory Optimized";
const COMPUTE: &str = "Compute Optimized";
const STORAGE: &str = "Storage Optimized";
const GPU: &str = "GPU Accelerated";

/// A Photon-capable VM without GPU or disk cache.
const fn vm(
    id: &'static str,
    cores: f64,
    memory_mb: i32,
    category: &'static str,
    local_disk_gb: i32,
) -> Vm {
    Vm {
        id,
        cores,
        memory_mb,
        category,
        local_disk_gb,
        gpus: 0,
        disk_cache: false,
        photon: true,
    }
}

impl Vm {
    /// With the Databricks disk cache (VMs with local NVMe/SSD storage).
    const fn cached(mut self) -> Self {
        self.disk_cache = true;
        self
    }

    /// Without Photon (older generations, GPU VMs).
    const fn no_photon(mut self) -> Self {
        self.photon = false;
        self
    }

    /// With GPUs.
    const fn gpus(mut self, gpus: i32) -> Self {
        self.gpus = gpus;
        self.no_photon()
    }
}

const NODE_TYPES: &[Vm] = &[
    vm("Standard_DS3_v2", 4.0, 14_336, GENERAL, 28),
    vm("Standard_DS4_v2", 8.0, 28_672, GENERAL, 56),
    vm("Standard_DS5_v2", 16.0, 57_344, GENERAL, 112),
    vm("Standard_D4ds_v5", 4.0, 16_384, GENERAL, 150).cached(),
    vm("Standard_D8ds_v5", 8.0, 32_768, GENERAL, 300).cached(),
    vm("Standard_D16ds_v5", 16.0, 65_536, GENERAL, 600).cached(),
    vm("Standard_E4ds_v4", 4.0, 32_768, MEMORY, 150).cached(),
    vm("Standard_E8ds_v4", 8.0, 65_536, MEMORY, 300).cached(),
    vm("Standard_E16ds_v4", 16.0, 131_072, MEMORY, 600).cached(),
    vm("Standard_F4s", 4.0, 8_192, COMPUTE, 16).no_photon(),
    vm("Standard_F8s_v2", 8.0, 16_384, COMPUTE, 64),
    vm("Standard_L8s_v3", 8.0, 65_536, STORAGE, 80).cached(),
    vm("Standard_NC4as_T4_v3", 4.0, 28_672, GPU, 180).gpus(1),
    vm("Standard_NC6s_v3", 6.0, 114_688, GPU, 736).gpus(1),
];

/// Runtime versions: (key, name).
const SPARK_VERSIONS: &[(&str, &str)] = &[
    (
        "12.2.x-scala2.12",
        "12.2 LTS (includes Apache Spark 3.3.2, Scala 2.12)",
    ),
    (
        "13.3.x-scala2.12",
        "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)",
    ),
    (
        "13.3.x-photon-scala2.12",
        "13.3 LTS Photon (includes Apache Spark 3.4.1, Scala 2.12)",
    ),
    (
        "13.3.x-cpu-ml-scala2.12",
        "13.3 LTS ML (includes Apache Spark 3.4.1, Scala 2.12)",
    ),
    (
        "14.3.x-scala2.12",
        "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "14.3.x-photon-scala2.12",
        "14.3 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "14.3.x-cpu-ml-scala2.12",
        "14.3 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "14.3.x-gpu-ml-scala2.12",
        "14.3 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)",
    ),
    (
        "15.4.x-scala2.12",
        "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "15.4.x-photon-scala2.12",
        "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "15.4.x-cpu-ml-scala2.12",
        "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)",
    ),
    (
        "15.4.x-gpu-ml-scala2.12",
        "15.4 LTS ML (includes Apache Spark 3.5.0, GPU, Scala 2.12)",
    ),
    (
        "16.4.x-scala2.12",
        "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)",
    ),
    (
        "16.4.x-scala2.13",
        "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.13)",
    ),
    (
        "17.3.x-scala2.13",
        "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)",
    ),
];

/// The node types and runtime versions, decoded once into the SDK's models.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) node_types: Vec<NodeType>,
    pub(crate) versions: Vec<SparkVersion>,
}

impl Catalog {
    /// The Azure catalog. Fails only if the SDK's models changed shape.
    pub(crate) fn azure() -> Result<Self, serde_json::Error> {
        let node_types = NODE_TYPES
            .iter()
            .enumerate()
            .map(|(order, vm)| {
                serde_json::from_value(json!({
                    "node_type_id": vm.id,
                    "instance_type_id": vm.id,
                    "description": vm.id,
                    "category": vm.category,
                    "num_cores": vm.cores,
                    "memory_mb": vm.memory_mb,
                    "num_gpus": vm.gpus,
                    "display_order": order,
                    "is_deprecated": false,
                    "is_hidden": false,
                    "is_io_cache_enabled": vm.disk_cache,
                    "photon_driver_capable": vm.photon,
                    "photon_worker_capable": vm.photon,
                    "support_cluster_tags": true,
                    "support_port_forwarding": true,
                    "supports_elastic_disk": true,
                    "node_info": {"available_core_quota": 350.0, "total_core_quota": 350.0},
                    "node_instance_type": {
                        "instance_type_id": vm.id,
                        "local_disks": 1,
                        "local_disk_size_gb": vm.local_disk_gb,
                    },
                }))
            })
            .collect::<Result<Vec<NodeType>, _>>()?;
        let versions = SPARK_VERSIONS
            .iter()
            .map(|&(key, name)| serde_json::from_value(json!({"key": key, "name": name})))
            .collect::<Result<Vec<SparkVersion>, _>>()?;
        Ok(Self {
            node_types,
            versions,
        })
    }

    /// The node type with this id.
    pub(crate) fn node_type(&self, id: &str) -> Option<&NodeType> {
        self.node_types.iter().find(|n| n.node_type_id == id)
    }

    /// Whether this runtime version key exists.
    pub(crate) fn has_version(&self, key: &str) -> bool {
        self.versions.iter().any(|v| v.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_decodes_into_the_sdk_models() {
        let catalog = Catalog::azure().unwrap();
        assert_eq!(catalog.node_types.len(), NODE_TYPES.len());
        let ds3 = catalog.node_type("Standard_DS3_v2").unwrap();
        assert_eq!((ds3.num_cores, ds3.memory_mb), (4.0, 14_336));
        assert!(catalog.node_type("Standard_E8ds_v4").is_some());
        assert!(catalog.node_type("Standard_XL_nope").is_none());
        for key in ["13.3.x-scala2.12", "14.3.x-scala2.12", "15.4.x-scala2.12"] {
            assert!(catalog.has_version(key), "{key}");
        }
        assert!(!catalog.has_version("7.3.x-scala2.12"));
    }
}
