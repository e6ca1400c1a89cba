//! One module per service of the workspace: its state and the handlers of its operations.
//!
//! Adding a service (jobs, DBFS, ...) means:
//!
//! 1. a module here, `services/<name>/mod.rs` with the handlers (one `fn(&mut Workspace,
//!    &Call, &Params) -> Result<Value, ApiError>` per operation; [`Call`](crate::api::Call)
//!    says under which API version it was called, [`Params`](crate::api::params::Params) has
//!    the path, query and body parameters) and `services/<name>/state.rs` with what the
//!    service remembers;
//! 2. a field of [`Workspace`](crate::workspace::Workspace) holding that state;
//! 3. an arm per operation in the `match` of `api/routes.rs`: once the operations are in the
//!    SDK's schema, the compiler names each one that has no handler. Methods, paths and API
//!    versions come from the SDK's operations table, not from the emulator.
//!
//! What every service shares stays outside: the workspace, its clock and randomness
//! ([`crate::workspace`]), users and callers ([`crate::users`]), page tokens
//! ([`crate::page_token`]), errors ([`crate::error`]), parameters and routing
//! ([`crate::api`]).

pub(crate) mod cluster_policies;
pub(crate) mod clusters;
pub(crate) mod dbfs;
pub(crate) mod files;
pub(crate) mod instance_pools;
pub(crate) mod jobs;
pub(crate) mod libraries;
pub(crate) mod oauth;
pub(crate) mod permissions;
pub(crate) mod scim;
pub(crate) mod secrets;
pub(crate) mod token_management;
pub(crate) mod tokens;
pub(crate) mod workspace;
