//! Tokens the SDK obtains and refreshes itself, for every such method (Azure AD, managed
//! identity, Databricks OAuth, the Azure and Databricks CLIs): the single-flight cache, the
//! exchanges with token endpoints (one retry engine, secrets masked), running a CLI, and the
//! request headers built from cached tokens.

pub(crate) mod cache;
pub(crate) mod exchange;
pub(crate) mod headers;
pub(crate) mod process;

pub(crate) use cache::{AccessToken, CachedToken, TokenFetcher};
pub(crate) use headers::TokenHeaders;
