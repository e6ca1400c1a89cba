//! One module per service of the workspace: its state and the handlers of its operations.
//!
//! Adding a service (jobs, DBFS, ...) means:
//!
//! 1. a module here, `services/<name>/mod.rs` with the handlers (one `fn(&mut Workspace,
//!    &Call, &Params) -> Result<Value, ApiError>` per operation) and `services/<name>/state.rs`
//!    with what the service remembers;
//! 2. a field of [`Workspace`](crate::workspace::Workspace) holding that state;
//! 3. a line per operation in the routing table of [`crate::api`], which a test checks
//!    against the SDK's operations table.
//!
//! What every service shares stays outside: the workspace, its clock and randomness
//! ([`crate::workspace`]), users and callers ([`crate::users`]), page tokens
//! ([`crate::page_token`]), errors ([`crate::error`]), parameters and routing
//! ([`crate::api`]).

pub(crate) mod clusters;
pub(crate) mod oauth;
pub(crate) mod scim;
pub(crate) mod secrets;
pub(crate) mod tokens;
