//! Validation of a cluster specification (`clusters/create`, `clusters/edit`) as the service
//! does it: known runtime and node types, workers or autoscale, autotermination range.

use azure_databricks_sdk::models::{AutoScale, ClusterAttributes};

use super::catalog::Catalog;
use super::lifecycle::Size;
use crate::error::ApiError;

/// Most workers a cluster may have, fixed or as its autoscale maximum. The service documents
/// no maximum (the cloud's quota stops a cluster at launch); this one is chosen so that what a
/// cluster shows (one executor per worker in `clusters/get`) stays a few megabytes.
pub(crate) const MAX_WORKERS: i32 = 10_000;
/// Shortest automatic termination, in minutes (0 turns it off), as the service documents.
pub(crate) const MIN_AUTOTERMINATION_MINUTES: i32 = 10;
/// Longest automatic termination, in minutes, as the service documents.
pub(crate) const MAX_AUTOTERMINATION_MINUTES: i32 = 10_000;

/// Most SSH public keys on a cluster.
const MAX_SSH_KEYS: usize = 10;
/// Longest idempotency token.
const MAX_IDEMPOTENCY_TOKEN: usize = 64;

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
    if let Some(pool) = spec
        .instance_pool_id
        .as_deref()
        .or(spec.driver_instance_pool_id.as_deref())
    {
        return Err(ApiError::invalid_parameter(format!(
            "Instance pool {pool} does not exist."
        )));
    }
    let node_type = spec
        .node_type_id
        .as_deref()
        .ok_or_else(|| ApiError::missing("node_type_id"))?;
    for id in [Some(node_type), spec.driver_node_type_id.as_deref()]
        .into_iter()
        .flatten()
    {
        if catalog.node_type(id).is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "Node type {id} is not supported. Use clusters/list-node-types for the supported node types."
            )));
        }
    }
    size(spec.num_workers, spec.autoscale.as_ref())?;
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
    if spec
        .idempotency_token
        .as_ref()
        .is_some_and(|t| t.len() > MAX_IDEMPOTENCY_TOKEN)
    {
        return Err(ApiError::invalid_parameter(format!(
            "idempotency_token may have at most {MAX_IDEMPOTENCY_TOKEN} characters"
        )));
    }
    Ok(())
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
    use azure_databricks_sdk::models::AutoScale;

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
