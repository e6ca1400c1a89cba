//! Request and response types of the API, generated from `schema/*.json`.
//!
//! Field names are the wire names. Unset `Option`s, empty `Vec`s and empty maps are omitted
//! from requests, never sent as `null`. Fields of a response this version of the SDK does not
//! know are kept in each struct's `unknown_fields` and written back when it is serialized (so
//! get → edit never drops a setting), and every enum is open: an unknown value decodes into
//! its `Unknown(String)` variant and is written back unchanged. Time fields documented as
//! epoch milliseconds are `i64`. Maps (tags, Spark configuration) are
//! [`IndexMap`](crate::IndexMap)s: they keep the order the service sent.
//!
//! Request types implement `Default`, so set what you need and default the rest:
//!
//! ```
//! use azure_databricks_sdk::models::{AutoScale, ClusterResizeRequest};
//! let resize = ClusterResizeRequest {
//!     cluster_id: "0923-164208-meows279".into(),
//!     autoscale: Some(AutoScale { min_workers: Some(2), max_workers: Some(8), ..Default::default() }),
//!     ..Default::default()
//! };
//! assert_eq!(
//!     serde_json::to_value(&resize).unwrap(),
//!     serde_json::json!({"cluster_id": "0923-164208-meows279", "autoscale": {"min_workers": 2, "max_workers": 8}})
//! );
//! ```

pub use crate::UnknownFields;

include!(concat!(env!("OUT_DIR"), "/models.rs"));
