//! A blocking Rust SDK for the [Azure Databricks REST API 2.0]: clusters, personal access
//! tokens, secrets, secret scopes and secret ACLs.
//!
//! ```no_run
//! use azure_databricks_sdk::{Auth, Client, SecretValue};
//! use azure_databricks_sdk::models::CreateScopeRequest;
//!
//! # fn main() -> azure_databricks_sdk::Result<()> {
//! let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
//!     .auth(Auth::personal_access_token("dapi..."))
//!     .build()?;
//!
//! for cluster in client.clusters().list()? {
//!     println!("{} {:?} {:?}", cluster.cluster_id, cluster.cluster_name, cluster.state);
//! }
//!
//! client.secrets().scopes().create(&CreateScopeRequest { scope: "etl".into(), ..Default::default() })?;
//! client.secrets().put("etl", "db-password", SecretValue::String("s3cr3t".into()))?;
//! # Ok(()) }
//! ```
//!
//! # Organisation
//!
//! * [`Client`] (built with [`Client::builder`]) owns the connection pool and the credentials
//!   ([`Auth`]); it is cheap to clone and `Send + Sync`.
//! * Service handles borrowed from it hold the operations: [`Clusters`], [`Tokens`],
//!   [`Secrets`], [`SecretAcls`], [`SecretScopes`], and [`Raw`] for anything else.
//! * [`models`] has the request and response types.
//! * Every failure is an [`Error`]; API errors keep status, error code, message, details and
//!   request id ([`ApiError`]).
//!
//! The models and the service methods are generated at build time from the JSON Schemas and
//! the endpoint list under `schema/` in the repository.
//!
//! # Security
//!
//! Tokens and secret values are held in types whose `Debug` is masked ([`SensitiveString`],
//! [`SecretValue`]); no error message contains them. Plain `http://` is refused except for
//! loopback hosts, and redirects are never followed, so credentials never leave the workspace
//! host.
//!
//! [Azure Databricks REST API 2.0]: https://learn.microsoft.com/azure/databricks/dev-tools/api/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

mod auth;
mod azure;
mod client;
mod clock;
mod config;
mod error;
pub mod models;
mod pagination;
mod raw;
mod redact;
mod resolver;
mod retry;
mod secret;
mod services;
mod transport;
mod validate;
mod waiter;

pub use auth::Auth;
pub use azure::{
    AZURE_DATABRICKS_RESOURCE_ID, AzureCli, AzureClientSecret, AzureCloud, AzureManagedIdentity,
    DEFAULT_AZ_TIMEOUT, DEFAULT_MSI_CONNECT_TIMEOUT, DEFAULT_MSI_ENDPOINT, DEFAULT_MSI_TIMEOUT,
    DEFAULT_TOKEN_CONNECT_TIMEOUT, DEFAULT_TOKEN_TIMEOUT, TOKEN_REFRESH_MARGIN,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    USER_AGENT,
};
pub use clock::{Clock, SystemClock};
pub use config::{AUTH_TYPES, Config, ConfigBuilder, ValueSource};
pub use error::{ApiError, Error, MAX_ERROR_BODY, Result};
/// The map type of the models (tags, Spark configuration): keeps the order of the wire.
pub use indexmap::IndexMap;
pub use pagination::EventsIter;
pub use raw::Raw;
pub use resolver::DNS_CACHE_TTL;
pub use retry::{
    DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_BACKOFF, DEFAULT_RETRY_BUDGET,
    RetryPolicy,
};
pub use secret::{SecretValue, SensitiveString};
pub use services::{Clusters, SecretAcls, SecretScopes, Secrets, Tokens};
pub use validate::{MAX_NAME_LEN, MAX_SECRET_BYTES};
pub use waiter::{DEFAULT_WAIT_TIMEOUT, FIRST_POLL_INTERVAL, MAX_POLL_INTERVAL, Wait};
