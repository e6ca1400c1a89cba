//! Service handles and their operations: one method per operation, generated from
//! `schema/endpoints.json`, and next to them what each service gains by hand (waiters,
//! iterators), one file per service.
//!
//! Each `Client` accessor (`clusters()`, `tokens()`, `secrets()`) returns a borrowed handle;
//! every generated method sends one request.

mod cluster_policies;
mod clusters;
mod dbfs;
mod files;
mod jobs;
mod libraries;
mod workspace;

pub use cluster_policies::PolicyDefinition;
pub use clusters::{ClustersIter, EventsIter, NodeTypeFilter, SparkVersionFilter};
pub use dbfs::DbfsReader;
pub use files::{FileMetadata, UploadOptions, Walk};
pub use jobs::{RunWait, TaskOutput};
pub use libraries::LibrariesWait;
pub use workspace::{Exported, WorkspaceWalk};

include!(concat!(env!("OUT_DIR"), "/services.rs"));
