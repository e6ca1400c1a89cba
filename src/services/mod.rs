//! Service handles and their operations: one method per operation, generated from
//! `schema/endpoints.json`, and next to them what each service gains by hand (waiters,
//! iterators), one file per service.
//!
//! Each `Client` accessor (`clusters()`, `tokens()`, `secrets()`) returns a borrowed handle;
//! every generated method sends one request.

mod clusters;
mod dbfs;
mod files;
mod jobs;
mod workspace;

pub use clusters::{ClustersIter, EventsIter, NodeTypeFilter, SparkVersionFilter};
pub use dbfs::DbfsReader;
pub use files::{FileMetadata, Walk};
pub use jobs::{RunWait, TaskOutput};
pub use workspace::{Exported, WorkspaceWalk};

include!(concat!(env!("OUT_DIR"), "/services.rs"));
