//! Cluster specifications: validation (`clusters/create`, `clusters/edit`, `clusters/update`)
//! as the service does it — known runtime and node types, workers or autoscale, autotermination
//! range, the `CLASSIC_PREVIEW` kind —, the `spec` snapshot `clusters/get` shows, and the
//! partial update of `clusters/update` (`update_mask`).

use azure_databricks_sdk::models::{
    AutoScale, AzureAttributes, ClusterAttributes, ClusterLogConf, ClusterSpec, DependencyMode,
    DockerImage, Kind, NodeTypeFlexibility, WorkloadType,
};
use azure_databricks_sdk::operations::CLUSTER_ATTRIBUTES_OWN_FIELDS;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::catalog::Catalog;
use super::lifecycle::Size;
use crate::error::ApiError;

/// Fields of a create or edit request that are not settings of the cluster: absent from its
/// `spec`, and not names an `update_mask` may use. They are what `ClusterAttributes` adds to
/// `ClusterSpec` in the schema.
const REQUEST_ONLY: &[&str] = CLUSTER_ATTRIBUTES_OWN_FIELDS;

/// Most workers a cluster may have, fixed or as its autoscale maximum. The service documents
/// no maximum (the cloud's quota stops a cluster at launch); this one is chosen so that what a
/// cluster shows (one executor per worker in `clusters/get`) stays a few megabytes.
pub(crate) const MAX_WORKERS: i32 = 10_000;
/// Shortest automatic termination, in minutes (0 turns it off): the schema's rule
/// [`rules::AUTOTERMINATION_MINUTES`](azure_databricks_sdk::rules::AUTOTERMINATION_MINUTES).
pub(crate) const MIN_AUTOTERMINATION_MINUTES: i32 =
    azure_databricks_sdk::rules::AUTOTERMINATION_MINUTES.min as i32;
/// Longest automatic termination, in minutes: the same rule.
pub(crate) const MAX_AUTOTERMINATION_MINUTES: i32 =
    azure_databricks_sdk::rules::AUTOTERMINATION_MINUTES.max as i32;

/// Most SSH public keys on a cluster.
const MAX_SSH_KEYS: usize = 10;
/// Longest idempotency token, in characters: the schema's rule
/// [`rules::IDEMPOTENCY_TOKEN`](azure_databricks_sdk::rules::IDEMPOTENCY_TOKEN).
pub(crate) const MAX_IDEMPOTENCY_TOKEN: usize =
    azure_databricks_sdk::rules::IDEMPOTENCY_TOKEN.max_chars;

/// Checks a specification; the first problem found is the answer.
pub(crate) fn validate(spec: &ClusterAttributes, catalog: &Catalog) -> Result<(), ApiError> {
    if spec.spark_version.trim().is_empty() {
        return Err(ApiError::missing("spark_version"));
    }
    if !catalog.has_version(&spec.spark_version) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid spark version {}. Use clusters/spark-versions for the available versions.",
            spec.spark_version
        )));
    }
    // Pools are checked, and give their node types, before (`instance_pools::apply_to_cluster`).
    let node_type = spec
        .node_type_id
        .as_deref()
        .ok_or_else(|| ApiError::missing("node_type_id"))?;
    let alternates = [
        &spec.worker_node_type_flexibility,
        &spec.driver_node_type_flexibility,
    ]
    .into_iter()
    .flatten()
    .flat_map(|f| f.alternate_node_type_ids.iter().map(String::as_str));
    for id in [Some(node_type), spec.driver_node_type_id.as_deref()]
        .into_iter()
        .flatten()
        .chain(alternates)
    {
        if catalog.node_type(id).is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "Node type {id} is not supported. Use clusters/list-node-types for the supported node types."
            )));
        }
        let reasons = catalog.unavailable_because(id);
        if !reasons.is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "Node type {id} is not available in this workspace ({}). Use a node type of clusters/list-node-types without node_info.status.",
                reasons.join(", ")
            )));
        }
    }
    validate_kind(spec)?;
    if spec.is_single_node == Some(true) {
        if spec.autoscale.is_some() || spec.num_workers.is_some_and(|n| n != 0) {
            return Err(ApiError::invalid_parameter(
                "A single-node cluster (is_single_node) has no workers: leave num_workers and autoscale unset.",
            ));
        }
    } else {
        size(spec.num_workers, spec.autoscale.as_ref())?;
    }
    if let Some(DependencyMode::Unknown(mode)) = &spec.dependency_mode {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid dependency_mode {mode}"
        )));
    }
    if let Some(minutes) = spec.autotermination_minutes
        && minutes != 0
        && !(MIN_AUTOTERMINATION_MINUTES..=MAX_AUTOTERMINATION_MINUTES).contains(&minutes)
    {
        return Err(ApiError::invalid_parameter(format!(
            "Automatic termination minutes must be between {MIN_AUTOTERMINATION_MINUTES} and {MAX_AUTOTERMINATION_MINUTES}, or 0 to disable it; got {minutes}"
        )));
    }
    if spec.ssh_public_keys.len() > MAX_SSH_KEYS {
        return Err(ApiError::invalid_parameter(format!(
            "At most {MAX_SSH_KEYS} SSH public keys may be given; got {}",
            spec.ssh_public_keys.len()
        )));
    }
    if let Some(length) = spec
        .idempotency_token
        .as_ref()
        .map(|t| t.chars().count())
        .filter(|&n| n > MAX_IDEMPOTENCY_TOKEN)
    {
        return Err(ApiError::invalid_parameter(format!(
            "idempotency_token must have at most {MAX_IDEMPOTENCY_TOKEN} characters; got {length}"
        )));
    }
    Ok(())
}

/// `kind`, and the fields only `kind = CLASSIC_PREVIEW` allows.
fn validate_kind(spec: &ClusterAttributes) -> Result<(), ApiError> {
    match &spec.kind {
        Some(Kind::Unknown(kind)) => Err(ApiError::invalid_parameter(format!(
            "Invalid kind {kind}; the only kind is CLASSIC_PREVIEW"
        ))),
        Some(Kind::ClassicPreview) => Ok(()),
        _ => match (spec.is_single_node, spec.use_ml_runtime) {
            (Some(_), _) => Err(ApiError::invalid_parameter(
                "is_single_node can only be used when kind = CLASSIC_PREVIEW",
            )),
            (_, Some(_)) => Err(ApiError::invalid_parameter(
                "use_ml_runtime can only be used when kind = CLASSIC_PREVIEW",
            )),
            _ => Ok(()),
        },
    }
}

/// The settings of a stored specification as JSON (unknown fields included), without the
/// fields that only belong to a request ([`REQUEST_ONLY`]).
pub(crate) fn settings_json(spec: &ClusterAttributes) -> Result<Map<String, Value>, ApiError> {
    let mut map = match serde_json::to_value(spec) {
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(ApiError::internal(
                "a cluster specification is not an object",
            ));
        }
    };
    for key in REQUEST_ONLY {
        map.remove(*key);
    }
    Ok(map)
}

/// The `spec` of `clusters/get`: the settings the user last gave, unknown fields included.
pub(crate) fn snapshot(spec: &ClusterAttributes) -> Result<ClusterSpec, ApiError> {
    serde_json::from_value(Value::Object(settings_json(spec)?))
        .map_err(|e| ApiError::internal(format!("ClusterSpec: {e}")))
}

/// Whether `name` is a field of the model `T` (`unknown` tells whether a decoded `T` kept it
/// as an unknown field).
fn knows<T: DeserializeOwned>(name: &str, unknown: fn(&T, &str) -> bool) -> bool {
    let mut probe = Map::new();
    probe.insert(name.to_string(), Value::Null);
    match serde_json::from_value::<T>(Value::Object(probe)) {
        Err(_) => true, // a field whose type refuses `null`
        Ok(value) => !unknown(&value, name),
    }
}

/// Whether `path` (`field` or `message.field`) names a setting a mask may change: a field of
/// `ClusterSpec`, or one field of a message-typed setting. Lists and maps (`spark_conf`,
/// `init_scripts`) can only be named whole.
fn is_setting(path: &str) -> bool {
    let (head, tail) = match path.split_once('.') {
        Some((head, tail)) => (head, Some(tail)),
        None => (path, None),
    };
    if head.is_empty() || REQUEST_ONLY.contains(&head) {
        return false;
    }
    if !knows::<ClusterSpec>(head, |s, n| s.unknown_fields.get(n).is_some()) {
        return false;
    }
    let Some(field) = tail else { return true };
    match head {
        "autoscale" => knows::<AutoScale>(field, |s, n| s.unknown_fields.get(n).is_some()),
        "azure_attributes" => {
            knows::<AzureAttributes>(field, |s, n| s.unknown_fields.get(n).is_some())
        }
        "cluster_log_conf" => {
            knows::<ClusterLogConf>(field, |s, n| s.unknown_fields.get(n).is_some())
        }
        "docker_image" => knows::<DockerImage>(field, |s, n| s.unknown_fields.get(n).is_some()),
        "workload_type" => knows::<WorkloadType>(field, |s, n| s.unknown_fields.get(n).is_some()),
        "worker_node_type_flexibility" | "driver_node_type_flexibility" => {
            knows::<NodeTypeFlexibility>(field, |s, n| s.unknown_fields.get(n).is_some())
        }
        _ => false,
    }
}

/// `clusters/update`: the settings of `current` with the fields `update_mask` names taken from
/// `cluster` — set when `cluster` has them, cleared when it does not —, or all of `cluster`
/// for the mask `*` (a full replacement). Other fields of `cluster` are ignored.
///
/// # Errors
///
/// `INVALID_PARAMETER_VALUE` for an empty mask or a name that is not a setting of a cluster;
/// `MALFORMED_REQUEST` when the result does not decode.
pub(crate) fn apply_update(
    current: &ClusterAttributes,
    cluster: &Map<String, Value>,
    update_mask: &str,
) -> Result<ClusterAttributes, ApiError> {
    let paths: Vec<&str> = update_mask.split(',').map(str::trim).collect();
    if let Some(bad) = paths.iter().find(|p| **p != "*" && !is_setting(p)) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid update_mask {update_mask:?}: {bad:?} is not a field of the cluster's settings \
             (use top-level fields such as num_workers, fields of a settings object such as \
             azure_attributes.availability, or * for all)"
        )));
    }
    let mut merged = serde_json::to_value(current)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    if paths.contains(&"*") {
        merged.retain(|key, _| REQUEST_ONLY.contains(&key.as_str()));
        merged.extend(cluster.iter().map(|(k, v)| (k.clone(), v.clone())));
    } else {
        for path in paths {
            let new = match path.split_once('.') {
                Some((head, field)) => cluster.get(head).and_then(|v| v.get(field)),
                None => cluster.get(path),
            };
            match (path.split_once('.'), new) {
                (None, Some(value)) => {
                    merged.insert(path.to_string(), value.clone());
                }
                (None, None) => {
                    merged.remove(path);
                }
                (Some((head, field)), value) => {
                    let slot = merged
                        .entry(head.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(inner) = slot {
                        match value {
                            Some(value) => {
                                inner.insert(field.to_string(), value.clone());
                            }
                            None => {
                                inner.remove(field);
                            }
                        }
                    }
                }
            }
        }
    }
    merged.remove("cluster_id");
    if !merged.get("spark_version").is_some_and(Value::is_string) {
        return Err(ApiError::missing("cluster.spark_version"));
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|e| ApiError::malformed(format!("Could not parse request object: cluster: {e}")))
}

/// The size of a cluster (create, edit, resize): exactly one of `num_workers` and
/// `autoscale`, with 0 <= workers <= [`MAX_WORKERS`] and min_workers < max_workers.
///
/// # Errors
///
/// `INVALID_PARAMETER_VALUE` naming the field and the value.
pub(crate) fn size(
    num_workers: Option<i32>,
    autoscale: Option<&AutoScale>,
) -> Result<Size, ApiError> {
    match (num_workers, autoscale) {
        (Some(_), Some(_)) => Err(ApiError::invalid_parameter(
            "Only one of num_workers or autoscale may be specified.",
        )),
        (None, None) => Err(ApiError::invalid_parameter(
            "Exactly one of num_workers or autoscale must be specified.",
        )),
        (Some(n), None) if n < 0 => Err(ApiError::invalid_parameter(format!(
            "num_workers must not be negative; got {n}"
        ))),
        (Some(n), None) if n > MAX_WORKERS => Err(ApiError::invalid_parameter(format!(
            "num_workers must be at most {MAX_WORKERS}; got {n}"
        ))),
        (Some(n), None) => Ok(Size::Fixed(n)),
        (None, Some(auto)) => {
            let min = auto
                .min_workers
                .ok_or_else(|| ApiError::missing("autoscale.min_workers"))?;
            let max = auto
                .max_workers
                .ok_or_else(|| ApiError::missing("autoscale.max_workers"))?;
            if min < 0 || max <= min {
                return Err(ApiError::invalid_parameter(format!(
                    "autoscale needs 0 <= min_workers < max_workers; got min_workers {min}, max_workers {max}"
                )));
            }
            if max > MAX_WORKERS {
                return Err(ApiError::invalid_parameter(format!(
                    "autoscale.max_workers must be at most {MAX_WORKERS}; got {max}"
                )));
            }
            Ok(Size::Autoscale { min, max })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ClusterAttributes {
        ClusterAttributes {
            spark_version: "14.3.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(1),
            ..Default::default()
        }
    }

    fn refused(spec: ClusterAttributes) -> String {
        let err = validate(&spec, &Catalog::azure().unwrap()).unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_PARAMETER_VALUE"));
        err.message
    }

    #[test]
    fn a_complete_spec_passes() {
        let catalog = Catalog::azure().unwrap();
        validate(&good(), &catalog).unwrap();
        for minutes in [0, 10, 10_000] {
            let spec = ClusterAttributes {
                autotermination_minutes: Some(minutes),
                ..good()
            };
            validate(&spec, &catalog).unwrap();
        }
        let auto = ClusterAttributes {
            num_workers: None,
            autoscale: Some(AutoScale {
                unknown_fields: Default::default(),
                min_workers: Some(0),
                max_workers: Some(4),
            }),
            ..good()
        };
        validate(&auto, &catalog).unwrap();
    }

    #[test]
    fn node_types_the_workspace_cannot_use_are_refused_as_driver_worker_or_alternate() {
        let catalog = Catalog::azure().unwrap();
        let err = validate(
            &ClusterAttributes {
                node_type_id: Some("Standard_L8as_v3".into()),
                ..good()
            },
            &catalog,
        )
        .unwrap_err();
        assert_eq!((err.status, err.code()), (400, "INVALID_PARAMETER_VALUE"));
        assert_eq!(
            err.message,
            "Node type Standard_L8as_v3 is not available in this workspace \
             (NotEnabledOnSubscription, NotAvailableInRegion). Use a node type of \
             clusters/list-node-types without node_info.status."
        );
        assert!(
            refused(ClusterAttributes {
                driver_node_type_id: Some("Standard_DC2as_v5".into()),
                ..good()
            })
            .contains(
                "Standard_DC2as_v5 is not available in this workspace (NotAvailableInRegion)"
            )
        );
        assert!(
            refused(ClusterAttributes {
                worker_node_type_flexibility: Some(NodeTypeFlexibility {
                    alternate_node_type_ids: vec!["Standard_F2s_v2".into()],
                    ..Default::default()
                }),
                ..good()
            })
            .contains("Standard_F2s_v2 is not available")
        );
    }

    #[test]
    fn unknown_versions_and_node_types_are_refused() {
        assert!(
            refused(ClusterAttributes {
                spark_version: "99.9.x".into(),
                ..good()
            })
            .contains("99.9.x")
        );
        assert!(
            refused(ClusterAttributes {
                node_type_id: Some("Standard_Nope".into()),
                ..good()
            })
            .contains("Standard_Nope")
        );
        assert!(
            refused(ClusterAttributes {
                driver_node_type_id: Some("Standard_X".into()),
                ..good()
            })
            .contains("Standard_X")
        );
        assert!(
            refused(ClusterAttributes {
                node_type_id: None,
                ..good()
            })
            .contains("node_type_id")
        );
    }

    #[test]
    fn workers_and_autoscale_are_exclusive_and_one_is_required() {
        let autoscale = Some(AutoScale {
            unknown_fields: Default::default(),
            min_workers: Some(1),
            max_workers: Some(2),
        });
        refused(ClusterAttributes {
            autoscale: autoscale.clone(),
            ..good()
        });
        refused(ClusterAttributes {
            num_workers: None,
            ..good()
        });
        refused(ClusterAttributes {
            num_workers: Some(-1),
            ..good()
        });
        refused(ClusterAttributes {
            num_workers: None,
            autoscale: Some(AutoScale {
                unknown_fields: Default::default(),
                min_workers: Some(3),
                max_workers: Some(3),
            }),
            ..good()
        });
    }

    #[test]
    fn worker_counts_beyond_the_maximum_are_invalid() {
        for n in [MAX_WORKERS + 1, i32::MAX] {
            let message = refused(ClusterAttributes {
                num_workers: Some(n),
                ..good()
            });
            assert_eq!(
                message,
                format!("num_workers must be at most {MAX_WORKERS}; got {n}")
            );
        }
        for (min, max) in [(0, i32::MAX), (i32::MAX - 1, i32::MAX), (i32::MIN, 2)] {
            refused(ClusterAttributes {
                num_workers: None,
                autoscale: Some(AutoScale {
                    unknown_fields: Default::default(),
                    min_workers: Some(min),
                    max_workers: Some(max),
                }),
                ..good()
            });
        }
        let catalog = Catalog::azure().unwrap();
        validate(
            &ClusterAttributes {
                num_workers: Some(MAX_WORKERS),
                ..good()
            },
            &catalog,
        )
        .unwrap();
        assert_eq!(
            size(
                None,
                Some(&AutoScale {
                    unknown_fields: Default::default(),
                    min_workers: Some(0),
                    max_workers: Some(MAX_WORKERS)
                })
            )
            .unwrap(),
            Size::Autoscale {
                min: 0,
                max: MAX_WORKERS
            }
        );
    }

    #[test]
    fn single_node_and_ml_runtime_need_the_classic_preview_kind() {
        let catalog = Catalog::azure().unwrap();
        let single = ClusterAttributes {
            kind: Some(Kind::ClassicPreview),
            is_single_node: Some(true),
            use_ml_runtime: Some(false),
            num_workers: None,
            ..good()
        };
        validate(&single, &catalog).unwrap();
        validate(
            &ClusterAttributes {
                num_workers: Some(0),
                ..single.clone()
            },
            &catalog,
        )
        .unwrap();
        assert!(
            refused(ClusterAttributes {
                num_workers: Some(2),
                ..single.clone()
            })
            .contains("no workers")
        );
        assert!(
            refused(ClusterAttributes {
                kind: None,
                ..single.clone()
            })
            .contains("CLASSIC_PREVIEW")
        );
        assert!(
            refused(ClusterAttributes {
                use_ml_runtime: Some(true),
                ..good()
            })
            .contains("use_ml_runtime")
        );
        assert!(
            refused(ClusterAttributes {
                kind: Some("SERVERLESS".into()),
                ..good()
            })
            .contains("SERVERLESS")
        );
        assert!(
            refused(ClusterAttributes {
                dependency_mode: Some("DEPENDENCY_MODE_MAGIC".into()),
                ..good()
            })
            .contains("DEPENDENCY_MODE_MAGIC")
        );
    }

    #[test]
    fn alternate_node_types_must_exist() {
        let flexible = |id: &str| NodeTypeFlexibility {
            alternate_node_type_ids: vec!["Standard_D4ds_v5".into(), id.into()],
            ..Default::default()
        };
        validate(
            &ClusterAttributes {
                worker_node_type_flexibility: Some(flexible("Standard_DS4_v2")),
                ..good()
            },
            &Catalog::azure().unwrap(),
        )
        .unwrap();
        assert!(
            refused(ClusterAttributes {
                driver_node_type_flexibility: Some(flexible("Standard_Nope_v9")),
                ..good()
            })
            .contains("Standard_Nope_v9")
        );
    }

    #[test]
    fn the_spec_snapshot_keeps_unknown_fields_and_drops_request_only_ones() {
        let mut spec = ClusterAttributes {
            cluster_id: Some("c".into()),
            idempotency_token: Some("t".into()),
            ..good()
        };
        spec.unknown_fields
            .insert("future_setting", serde_json::json!({"on": true}));
        let snapshot = serde_json::to_value(snapshot(&spec).unwrap()).unwrap();
        assert_eq!(snapshot["future_setting"], serde_json::json!({"on": true}));
        assert_eq!(snapshot["num_workers"], 1);
        assert!(
            snapshot.get("cluster_id").is_none() && snapshot.get("idempotency_token").is_none()
        );
    }

    #[test]
    fn an_update_mask_sets_or_clears_the_named_settings_only() {
        let mut current = ClusterAttributes {
            autotermination_minutes: Some(60),
            cluster_name: Some("etl".into()),
            idempotency_token: Some("t".into()),
            ..good()
        };
        current
            .unknown_fields
            .insert("future_setting", serde_json::json!(1));
        let cluster = serde_json::json!({
            "num_workers": 5,
            "cluster_name": "ignored: not in the mask",
            "azure_attributes": {"availability": "SPOT_AZURE"}
        });
        let cluster = cluster.as_object().unwrap();
        let updated = apply_update(
            &current,
            cluster,
            "num_workers,autotermination_minutes,azure_attributes.availability",
        )
        .unwrap();
        assert_eq!(updated.num_workers, Some(5));
        assert_eq!(
            updated.autotermination_minutes, None,
            "named but absent: cleared"
        );
        assert_eq!(updated.cluster_name.as_deref(), Some("etl"));
        assert_eq!(
            updated.unknown_fields.get("future_setting"),
            Some(&serde_json::json!(1))
        );
        assert_eq!(updated.idempotency_token.as_deref(), Some("t"));
        assert_eq!(
            updated
                .azure_attributes
                .unwrap()
                .availability
                .unwrap()
                .as_str(),
            "SPOT_AZURE"
        );
        // `*` replaces every setting, so the new settings need a runtime version.
        let err = apply_update(&current, cluster, "*").unwrap_err();
        assert_eq!(err.message, "Missing required field: cluster.spark_version");
        let mut full = cluster.clone();
        full.insert("spark_version".into(), "16.4.x-scala2.12".into());
        let all = apply_update(&current, &full, "*").unwrap();
        assert_eq!(
            all.cluster_name.as_deref(),
            Some("ignored: not in the mask")
        );
        assert_eq!(all.spark_version, "16.4.x-scala2.12");
        assert_eq!(all.autotermination_minutes, None);
        assert!(all.unknown_fields.is_empty());
        for mask in [
            "",
            "num_workers,",
            "nope",
            "cluster_id",
            "idempotency_token",
            "state",
            "spark_conf.spark.speculation",
            "azure_attributes.nope",
            "num_workers.x",
        ] {
            let err = apply_update(&current, cluster, mask).unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE", "{mask:?}");
        }
    }

    #[test]
    fn autotermination_outside_10_to_10000_is_refused() {
        for minutes in [-1, 1, 9, 10_001, i32::MAX, i32::MIN] {
            let message = refused(ClusterAttributes {
                autotermination_minutes: Some(minutes),
                ..good()
            });
            assert!(message.contains("between 10 and 10000"), "{message}");
        }
    }
}
