//! Choosing a Databricks Runtime and a node type by what they offer, instead of hard-coding
//! `13.3.x-scala2.12` and `Standard_DS3_v2`: the official SDKs' `select_spark_version` and
//! `select_node_type` (databricks-sdk-go `ext_spark_version.go`, `node_type.go`), with the same
//! matching rules.

use std::cmp::Ordering;

use crate::models::{CloudProviderNodeStatus, NodeType, SparkVersion};
use crate::{Clusters, Error, Result};

/// What [`Clusters::select_spark_version`] looks for. `Default` is the latest version for
/// Scala 2.1x (2.12 or 2.13) that is not ML, GPU, Photon, genomics or beta — the official
/// SDKs' defaults.
///
/// ```
/// use azure_databricks_sdk::SparkVersionFilter;
/// let lts_ml = SparkVersionFilter { long_term_support: true, ml: true, ..Default::default() };
/// # let _ = lts_ml;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparkVersionFilter {
    /// Pick the newest of several matches (default); when `false`, several different
    /// matches are an error.
    pub latest: bool,
    /// Only long-term-support versions (`LTS` in the name, or an `-esr-` key).
    pub long_term_support: bool,
    /// Only beta versions (`Beta` in the name); by default beta versions are excluded.
    pub beta: bool,
    /// Machine-learning runtimes (`-ml-` in the key), and only those.
    pub ml: bool,
    /// GPU runtimes (`-gpu-`), and only those.
    pub gpu: bool,
    /// Photon runtimes (`-photon-`), and only those.
    pub photon: bool,
    /// Genomics runtimes (`-hls-`), and only those.
    pub genomics: bool,
    /// The Scala version the key names after `-scala`; `2.1` matches `2.12` and `2.13`.
    pub scala: String,
    /// The Apache Spark version the name mentions, e.g. `3.5`.
    pub spark_version: Option<String>,
}

impl Default for SparkVersionFilter {
    fn default() -> Self {
        Self {
            latest: true,
            long_term_support: false,
            beta: false,
            ml: false,
            gpu: false,
            photon: false,
            genomics: false,
            scala: "2.1".into(),
            spark_version: None,
        }
    }
}

impl SparkVersionFilter {
    /// Whether `version` matches.
    pub fn matches(&self, version: &SparkVersion) -> bool {
        let key = version.key.as_str();
        let name = version.name.as_deref().unwrap_or_default();
        let flag = |mark: &str, wanted: bool| key.contains(mark) == wanted;
        key.contains(&format!("-scala{}", self.scala))
            && !key.contains("apache-spark-")
            && flag("-ml-", self.ml)
            && flag("-hls-", self.genomics)
            && flag("-gpu-", self.gpu)
            && flag("-photon-", self.photon)
            && !key.contains("-aarch64-")
            && name.contains("Beta") == self.beta
            && (!self.long_term_support || name.contains("LTS") || key.contains("-esr-"))
            && self
                .spark_version
                .as_ref()
                .is_none_or(|v| name.contains(&format!("Apache Spark {v}")))
    }

    /// The key of the version to use among `versions`.
    ///
    /// # Errors
    ///
    /// [`Error::NoMatch`] when none matches; [`Error::Ambiguous`] when several different
    /// versions match and `latest` is `false`.
    pub fn select(&self, versions: &[SparkVersion]) -> Result<String> {
        let mut keys: Vec<&str> = versions
            .iter()
            .filter(|v| self.matches(v))
            .map(|v| v.key.as_str())
            .collect();
        if keys.is_empty() {
            return Err(Error::NoMatch {
                what: "Databricks Runtime version".into(),
                reason: format!("none of the {} versions matches {self:?}", versions.len()),
            });
        }
        if self.latest {
            keys.sort_by(|a, b| runtime_number(b).cmp(&runtime_number(a)).then(a.cmp(b)));
        } else {
            keys.sort();
            let mut distinct: Vec<String> = keys
                .iter()
                .map(|k| k.replace("-scala2.12", "").replace("-scala2.13", ""))
                .collect();
            distinct.dedup();
            if distinct.len() > 1 {
                return Err(Error::Ambiguous {
                    what: "the Databricks Runtime filter (set `latest` to take the newest)".into(),
                    matches: distinct,
                });
            }
        }
        Ok(keys[0].to_string())
    }
}

/// The runtime number of a key, `15.4.x-scala2.12` → `(15, 4)`, for ordering.
fn runtime_number(key: &str) -> (u32, u32) {
    let mut parts = key.split('.');
    let mut next = || {
        parts
            .next()
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    (next(), next())
}

/// What [`Clusters::select_node_type`] looks for: the smallest node type (fewest cores, then
/// least memory, local disks, GPUs, by the official SDKs' order) that has at least what is
/// asked. Node types the subscription or region cannot use (`node_info.status`) are skipped,
/// as are GPU node types unless `min_gpus` asks for GPUs. `Default` asks for nothing: the
/// smallest node type.
///
/// ```
/// use azure_databricks_sdk::NodeTypeFilter;
/// let filter = NodeTypeFilter { min_memory_gb: 16, min_cores: 4, local_disk: true, ..Default::default() };
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeTypeFilter {
    /// At least this much memory, in GB (of 1024 MB).
    pub min_memory_gb: u32,
    /// At least this much memory per core, in GB.
    pub gb_per_core: u32,
    /// At least this many cores.
    pub min_cores: u32,
    /// At least this many GPUs; 0 excludes GPU node types.
    pub min_gpus: u32,
    /// With a local disk (SSD or NVMe).
    pub local_disk: bool,
    /// With at least this much local disk, in GB.
    pub local_disk_min_size: u32,
    /// Of this category (e.g. `General Purpose`, `Memory Optimized`), in any case.
    pub category: Option<String>,
    /// Able to run Photon on workers.
    pub photon_worker_capable: bool,
    /// Able to run Photon on the driver.
    pub photon_driver_capable: bool,
    /// With the disk (IO) cache enabled.
    pub is_io_cache_enabled: bool,
    /// Supporting port forwarding.
    pub support_port_forwarding: bool,
}

impl NodeTypeFilter {
    /// Whether `node` is usable in the workspace (not marked unavailable in the region or on
    /// the subscription) and has what the filter asks.
    pub fn matches(&self, node: &NodeType) -> bool {
        let memory_gb = u32::try_from(node.memory_mb.max(0) / 1024).unwrap_or(0);
        let cores = node.num_cores.max(0.0) as u32;
        let gpus = u32::try_from(node.num_gpus.unwrap_or(0).max(0)).unwrap_or(0);
        let (disks, disk_gb) = node.node_instance_type.as_ref().map_or((None, 0), |t| {
            let disks = t.local_disks.unwrap_or(0) + t.local_nvme_disks.unwrap_or(0);
            let size = t.local_disk_size_gb.unwrap_or(0) + t.local_nvme_disk_size_gb.unwrap_or(0);
            (Some(disks), u32::try_from(size.max(0)).unwrap_or(0))
        });
        let wants_disk = self.local_disk || self.local_disk_min_size > 0;
        available(node)
            && memory_gb >= self.min_memory_gb
            && (self.gb_per_core == 0 || (cores > 0 && memory_gb / cores >= self.gb_per_core))
            && cores >= self.min_cores
            && (if self.min_gpus > 0 {
                gpus >= self.min_gpus
            } else {
                gpus == 0
            })
            && (!wants_disk || disks.is_none_or(|d| d > 0))
            && (self.local_disk_min_size == 0
                || disks.is_none()
                || disk_gb >= self.local_disk_min_size)
            && self.category.as_ref().is_none_or(|c| {
                node.category
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(c))
            })
            && (!self.photon_worker_capable || node.photon_worker_capable == Some(true))
            && (!self.photon_driver_capable || node.photon_driver_capable == Some(true))
            && (!self.is_io_cache_enabled || node.is_io_cache_enabled == Some(true))
            && (!self.support_port_forwarding || node.support_port_forwarding == Some(true))
    }

    /// The id of the smallest node type among `nodes` that matches.
    ///
    /// # Errors
    ///
    /// [`Error::NoMatch`] when none does (the message says how many were unavailable).
    pub fn select(&self, nodes: &[NodeType]) -> Result<String> {
        let mut sorted: Vec<&NodeType> = nodes.iter().collect();
        sorted.sort_by(|a, b| smallest_first(a, b));
        if let Some(node) = sorted.into_iter().find(|n| self.matches(n)) {
            return Ok(node.node_type_id.clone());
        }
        let unavailable = nodes.iter().filter(|n| !available(n)).count();
        Err(Error::NoMatch {
            what: "node type".into(),
            reason: format!(
                "none of the {} node types matches {self:?} ({unavailable} of them are not available in the region or on the subscription)",
                nodes.len()
            ),
        })
    }
}

/// Not marked unavailable in the region or on the subscription.
fn available(node: &NodeType) -> bool {
    node.node_info.as_ref().is_none_or(|info| {
        !info.status.iter().any(|s| {
            matches!(
                s,
                CloudProviderNodeStatus::NotAvailableInRegion
                    | CloudProviderNodeStatus::NotEnabledOnSubscription
            )
        })
    })
}

/// The official SDKs' order: not deprecated first, then fewer cores, less memory, fewer and
/// smaller local disks, fewer GPUs, and the instance type id.
fn smallest_first(a: &NodeType, b: &NodeType) -> Ordering {
    let disks = |n: &NodeType| {
        n.node_instance_type.as_ref().map_or((0, 0, 0, 0), |t| {
            (
                t.local_disks.unwrap_or(0),
                t.local_disk_size_gb.unwrap_or(0),
                t.local_nvme_disks.unwrap_or(0),
                t.local_nvme_disk_size_gb.unwrap_or(0),
            )
        })
    };
    a.is_deprecated
        .unwrap_or(false)
        .cmp(&b.is_deprecated.unwrap_or(false))
        .then(a.num_cores.total_cmp(&b.num_cores))
        .then(a.memory_mb.cmp(&b.memory_mb))
        .then(disks(a).cmp(&disks(b)))
        .then(a.num_gpus.unwrap_or(0).cmp(&b.num_gpus.unwrap_or(0)))
        .then(a.instance_type_id.cmp(&b.instance_type_id))
}

impl Clusters<'_> {
    /// The key of the Databricks Runtime version that matches `filter` (see
    /// [`SparkVersionFilter`]), from [`Clusters::spark_versions`].
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::SparkVersionFilter;
    /// let lts = client.clusters().select_spark_version(&SparkVersionFilter {
    ///     long_term_support: true,
    ///     ..Default::default()
    /// })?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`Clusters::spark_versions`], and those of [`SparkVersionFilter::select`].
    pub fn select_spark_version(&self, filter: &SparkVersionFilter) -> Result<String> {
        filter.select(&self.spark_versions()?)
    }

    /// The id of the smallest node type that matches `filter` and that the workspace can use
    /// (see [`NodeTypeFilter`]), from [`Clusters::list_node_types`].
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::NodeTypeFilter;
    /// let node = client.clusters().select_node_type(&NodeTypeFilter {
    ///     min_memory_gb: 16,
    ///     local_disk: true,
    ///     ..Default::default()
    /// })?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`Clusters::list_node_types`], and those of [`NodeTypeFilter::select`].
    pub fn select_node_type(&self, filter: &NodeTypeFilter) -> Result<String> {
        filter.select(&self.list_node_types()?)
    }
}
