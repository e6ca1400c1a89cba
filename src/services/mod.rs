//! Service handles and their operations: one method per operation, generated from
//! `schema/endpoints.json`, and next to them what each service gains by hand (waiters,
//! iterators), one file per service.
//!
//! Each `Client` accessor (`clusters()`, `tokens()`, `secrets()`) returns a borrowed handle;
//! every generated method sends one request.

mod clusters;
mod jobs;

pub use clusters::{ClustersIter, EventsIter, NodeTypeFilter, SparkVersionFilter};
pub use jobs::{MAX_IDEMPOTENCY_TOKEN_LEN, RunWait, TaskOutput};

include!(concat!(env!("OUT_DIR"), "/services.rs"));
