//! A blocking Rust SDK for the [Azure Databricks REST API]: clusters (on today's 2.1 API),
//! personal access tokens, secrets, secret scopes and secret ACLs (2.0), with the sign-in
//! methods of the official Databricks SDKs; each operation is sent under its own API version
//! ([`operations`] lists them).
//!
//! [`Client::from_env`] signs in like the official SDKs and the Databricks CLI: from
//! `DATABRICKS_HOST` and `DATABRICKS_TOKEN`, the other variables of the sign-in methods, or a
//! profile of `~/.databrickscfg` (see [`Config`]).
//!
//! ```no_run
//! use azure_databricks_sdk::{Client, SecretValue};
//! use azure_databricks_sdk::models::CreateScopeRequest;
//!
//! fn main() -> Result<(), azure_databricks_sdk::Error> {
//!     let client = Client::from_env()?;
//!
//!     for cluster in client.clusters().list()? {
//!         let state = cluster.state.as_ref().map_or("?", |s| s.as_str());
//!         println!("{} {state}", cluster.cluster_id);
//!     }
//!
//!     client.secrets().scopes().create(&CreateScopeRequest { scope: "etl".into(), ..Default::default() })?;
//!     client.secrets().put("etl", "db-password", SecretValue::String("s3cr3t".into()))?;
//!     Ok(())
//! }
//! ```
//!
//! Or with a host and a token in code:
//!
//! ```no_run
//! use azure_databricks_sdk::{Auth, Client};
//! # fn main() -> azure_databricks_sdk::Result<()> {
//! let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
//!     .auth(Auth::personal_access_token("dapi..."))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # Organisation
//!
//! * [`Client`] (built with [`Client::from_env`], [`Client::from_config`] or
//!   [`Client::builder`]) owns the connection pool and the credentials ([`Auth`]); it is cheap
//!   to clone and `Send + Sync`.
//! * [`Config`] / [`Client::from_env`] pick the credentials like the official SDKs (see
//!   [`Config::auth`] and [`AUTH_TYPES`]): personal access tokens, Databricks OAuth
//!   ([`OAuthM2m`], [`OidcToken`], [`DatabricksCli`]), Azure AD ([`AzureClientSecret`],
//!   [`AzureFederatedIdentity`], [`AzureManagedIdentity`], [`AzureCli`]), or your own
//!   [`CredentialsProvider`].
//! * Service handles borrowed from it hold the operations: [`Clusters`], [`Tokens`],
//!   [`Secrets`], [`SecretAcls`], [`SecretScopes`], and [`Raw`] for anything else.
//! * [`models`] has the request and response types; their enums implement `Display` (the
//!   wire value, e.g. `RUNNING`).
//! * Every failure is an [`Error`]; API errors keep status, error code, message, details and
//!   request id ([`ApiError`]), and a 401/403 says which credentials were sent.
//! * [`operations`] lists every operation (method, path, idempotency) as data, [`rules`] the
//!   service's name and size rules that inputs are checked against, [`defaults`] every
//!   default.
//!
//! To **terminate** a cluster, call [`Clusters::delete`] (the API calls terminating
//! `clusters/delete`; the cluster stays listed as `TERMINATED` and can be started again), or
//! [`Clusters::delete_and_wait`] to wait for `TERMINATED`; [`Clusters::permanent_delete`]
//! removes it.
//!
//! The models and the service methods are generated at build time from the JSON Schemas and
//! the endpoint list under `schema/` in the repository.
//!
//! # Testing with the emulator
//!
//! The repository's `azure-databricks-emulator` crate is a workspace on loopback that answers
//! every operation the way the service does, on an emulated clock your test moves, with
//! injectable faults. Add it as a dev-dependency from the same place as this crate, then:
//!
//! ```ignore
//! let ws = azure_databricks_emulator::Emulator::start()?;
//! let client = ws.client(); // a Client signed in as the workspace admin
//! assert!(client.clusters().list()?.is_empty());
//! ws.advance(std::time::Duration::from_secs(180)); // clusters start in 3 emulated minutes
//! ```
//!
//! The README's "Testing with the emulator" section has a complete test.
//!
//! # Security
//!
//! Tokens and secret values are held in types whose `Debug` is masked ([`SensitiveString`],
//! [`SecretValue`]); no error message contains them. Plain `http://` is refused except for
//! loopback hosts, and redirects are never followed, so credentials never leave the workspace
//! host.
//!
//! [Azure Databricks REST API]: https://learn.microsoft.com/azure/databricks/dev-tools/api/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

mod auth;
mod azure;
mod buffer;
mod call;
mod client;
mod clock;
mod config;
pub mod defaults;
mod error;
pub mod models;
mod oauth;
mod operation;
pub mod operations;
mod paging;
mod path;
mod rate_limit;
mod raw;
mod redact;
mod retry;
pub mod rules;
mod secret;
mod services;
mod streaming;
mod tls;
mod token;
mod unknown;
mod validate;
mod wait;

/// Target of the crate's log records.
pub(crate) const LOG_TARGET: &str = "azure_databricks_sdk";

pub use auth::{Auth, CredentialHeaders, CredentialsProvider};
pub use azure::{
    AZURE_DATABRICKS_RESOURCE_ID, AzureCli, AzureClientSecret, AzureCloud, AzureFederatedIdentity,
    AzureManagedIdentity,
};
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, SystemClock};
pub use config::{AUTH_TYPES, Config, ConfigBuilder, ValueSource};
pub use error::{
    ApiError, AuthError, ConfigError, Error, Result, TransportError, TransportErrorKind, WaitError,
};
/// The map type of the models (tags, Spark configuration): keeps the order of the wire.
pub use indexmap::IndexMap;
pub use oauth::{DatabricksCli, OAuthM2m, OidcToken, OidcTokenSource};
pub use operation::{BodyKind, HttpMethod, NotFoundIf, Operation, PathMatch};
pub use paging::Pages;
pub use raw::Raw;
pub use retry::RetryPolicy;
pub(crate) use retry::idempotency_token;
pub use secret::{SecretValue, SensitiveString};
pub use services::*;
pub use streaming::{Download, Headers, Upload};
pub use unknown::UnknownFields;
pub use wait::{Wait, Waiting};

/// The README's examples, compiled by `cargo test` (`cargo test --doc`) so they stay correct.
/// Some use the emulator, which only the repository has (see build.rs).
#[cfg(all(doctest, emulator_tests))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
