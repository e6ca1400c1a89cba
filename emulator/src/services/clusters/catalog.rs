//! What the emulated Azure workspace offers: node (VM) types and Databricks Runtime versions.
//!
//! A few node types are listed but cannot be used, as in a real workspace whose region or
//! subscription lacks some VM sizes: their `node_info.status` says `NotAvailableInRegion`
//! and/or `NotEnabledOnSubscription` (the service's CamelCase values), and a cluster asking
//! for one is refused.

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
    /// Why the workspace cannot use it (`node_info.status`); empty when it can.
    status: &'static [&'static str],
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
        status: &[],
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

    /// Listed, but not usable in the workspace, for these reasons.
    const fn unavailable(mut self, status: &'static [&'static str]) -> Self {
        self.status = status;
        self
    }
}

/// `node_info.status` values, as the service spells them (schema `CloudProviderNodeStatus`).
const NOT_IN_REGION: &str = "NotAvailableInRegion";
const NOT_ON_SUBSCRIPTION: &str = "NotEnabledOnSubscription";

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
    // Listed but unusable. The smallest node types of the catalog, so that a client choosing
    // the smallest one must look at `node_info.status`.
    vm("Standard_F2s_v2", 2.0, 4_096, COMPUTE, 16).unavailable(&[NOT_ON_SUBSCRIPTION]),
    vm("Standard_DC2as_v5", 2.0, 8_192, GENERAL, 0)
        .no_photon()
        .unavailable(&[NOT_IN_REGION]),
    // As a workspace in Central India lists it (terraform-provider-databricks #1533).
    vm("Standard_L8as_v3", 8.0, 65_536, STORAGE, 80)
        .cached()
        .unavailable(&[NOT_ON_SUBSCRIPTION, NOT_IN_REGION]),
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
    // Newer than the newest LTS, so that choosing an LTS differs from choosing the newest.
    (
        "18.0.x-scala2.13",
        "18.0 (includes Apache Spark 4.1.0, Scala 2.13)",
    ),
];

/// The `node_info` of a node type: the core quota, and `status` when it cannot be used.
fn node_info(vm: &Vm) -> serde_json::Value {
    let mut info = json!({"available_core_quota": 350.0, "total_core_quota": 350.0});
    if !vm.status.is_empty() {
        info["status"] = json!(vm.status);
    }
    info
}

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
                    "node_info": node_info(vm),
                    "node_instance_type": {
                        "instance_type_id": vm.id,
                        "local_disks": i32::from(vm.local_disk_gb > 0),
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

    /// Why the workspace cannot use this node type (`node_info.status`); empty when it can
    /// or when there is no such node type.
    pub(crate) fn unavailable_because(&self, id: &str) -> Vec<String> {
        self.node_type(id)
            .and_then(|n| n.node_info.as_ref())
            .map(|info| info.status.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
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

    #[test]
    fn some_node_types_are_listed_as_unavailable_with_the_services_status_values() {
        use azure_databricks_sdk::models::CloudProviderNodeStatus as Status;
        let catalog = Catalog::azure().unwrap();
        assert!(catalog.unavailable_because("Standard_DS3_v2").is_empty());
        assert!(catalog.unavailable_because("Standard_XL_nope").is_empty());
        assert_eq!(
            catalog.unavailable_because("Standard_L8as_v3"),
            ["NotEnabledOnSubscription", "NotAvailableInRegion"]
        );
        let f2 = catalog.node_type("Standard_F2s_v2").unwrap();
        assert_eq!(
            f2.node_info.as_ref().unwrap().status,
            [Status::NotEnabledOnSubscription]
        );
        let dc2 = catalog.node_type("Standard_DC2as_v5").unwrap();
        assert_eq!(
            dc2.node_info.as_ref().unwrap().status,
            [Status::NotAvailableInRegion]
        );
        // On the wire as the service sends them; absent for usable node types.
        let wire = serde_json::to_value(&catalog.node_types).unwrap();
        let status = |id: &str| {
            wire.as_array()
                .unwrap()
                .iter()
                .find(|n| n["node_type_id"] == id)
                .unwrap()["node_info"]
                .get("status")
                .cloned()
        };
        assert_eq!(
            status("Standard_F2s_v2"),
            Some(json!(["NotEnabledOnSubscription"]))
        );
        assert_eq!(status("Standard_DS3_v2"), None);
        // The smallest node types (by cores, then memory) are the unusable ones.
        let mut by_size: Vec<&NodeType> = catalog.node_types.iter().collect();
        by_size.sort_by(|a, b| {
            a.num_cores
                .total_cmp(&b.num_cores)
                .then(a.memory_mb.cmp(&b.memory_mb))
        });
        assert_eq!(
            [
                by_size[0].node_type_id.as_str(),
                by_size[1].node_type_id.as_str()
            ],
            ["Standard_F2s_v2", "Standard_DC2as_v5"]
        );
    }
}
