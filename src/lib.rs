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
//! * [`Config`] / [`Client::from_env`] pick the credentials like the official SDKs (see
//!   [`Config::auth`] and [`AUTH_TYPES`]): personal access tokens, Databricks OAuth
//!   ([`OAuthM2m`], [`OidcToken`], [`DatabricksCli`]), Azure AD ([`AzureClientSecret`],
//!   [`AzureFederatedIdentity`], [`AzureManagedIdentity`], [`AzureCli`]), or your own
//!   [`CredentialsProvider`].
//! * Service handles borrowed from it hold the operations: [`Clusters`], [`Tokens`],
//!   [`Secrets`], [`SecretAcls`], [`SecretScopes`], and [`Raw`] for anything else.
//! * [`models`] has the request and response types.
//! * Every failure is an [`Error`]; API errors keep status, error code, message, details and
//!   request id ([`ApiError`]).
//! * [`operations`] lists every operation (method, path, idempotency) as data, [`rules`] the
//!   service's name and size rules that inputs are checked against, [`defaults`] every
//!   default.
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
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
