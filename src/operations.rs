//! Every operation of the API as data, generated from `schema/endpoints.json`: its name,
//! HTTP method, path, idempotency and "not found" answers. The service methods send these;
//! tools (and the emulator of this repository) can route or audit by them.
//!
//! ```
//! use azure_databricks_sdk::operations;
//! for op in operations::ALL {
//!     println!("{:<28} {:<4} {}", op.name, op.method, op.path);
//! }
//! assert!(operations::ALL.contains(&operations::CLUSTERS_GET));
//! ```

use crate::operation::{BodyKind, HttpMethod, NotFoundIf, Operation};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));
