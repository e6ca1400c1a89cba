//! An Azure Databricks workspace on loopback, for tests and for trying things without an
//! account.
//!
//! [`Emulator::start`] serves the REST API on `http://127.0.0.1:<port>`: every operation of
//! [`azure_databricks_sdk`] (clusters, tokens, secrets, secret ACLs, secret scopes; routed by
//! the SDK's [`azure_databricks_sdk::operations`] table), with the service's validation, state rules, error codes and statuses, so that code written against
//! it behaves the same against a real workspace. Any client can use it: this SDK
//! ([`Emulator::client`]), curl, the Databricks CLI or the official Python SDK (point
//! `DATABRICKS_HOST` at [`Emulator::base_url`] and `DATABRICKS_TOKEN` at
//! [`Emulator::admin_token`]). The API is blocking; dropping the emulator stops it.
//!
//! ```
//! use std::time::Duration;
//! use azure_databricks_emulator::{Emulator, Fault};
//! use azure_databricks_sdk::models::{ClusterAttributes, ClusterState, CreateScopeRequest};
//!
//! let ws = Emulator::start()?;
//! let client = ws.client();
//!
//! // Clusters follow their lifecycle on an emulated clock the test moves.
//! let id = client.clusters().create(&ClusterAttributes {
//!     spark_version: "15.4.x-scala2.12".into(),
//!     node_type_id: Some("Standard_DS3_v2".into()),
//!     num_workers: Some(1),
//!     ..Default::default()
//! })?.cluster_id;
//! ws.advance(Duration::from_secs(180));
//! assert_eq!(client.clusters().get(&id)?.state, Some(ClusterState::Running));
//!
//! // Secret ACLs are enforced per user.
//! let alice = ws.client_as(&ws.add_user("alice@example.com"));
//! client.secrets().scopes().create(&CreateScopeRequest { scope: "etl".into(), ..Default::default() })?;
//! assert!(alice.secrets().list("etl").unwrap_err().is_permission_denied());
//!
//! // Faults test resilience: the SDK retries the 429 after its Retry-After, in emulated time.
//! ws.inject(Fault::too_many_requests(Duration::from_secs(2)));
//! let before = ws.request_count();
//! client.tokens().list()?;
//! assert_eq!(ws.request_count() - before, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is emulated
//!
//! * **Clusters**: Azure catalogs of node types (`Standard_DS3_v2`, `Standard_E8ds_v4`, …) and
//!   runtime versions (`13.3.x-scala2.12`, … `17.3.x-scala2.13` LTS, `18.0.x-scala2.13`); a
//!   few node types are listed with `node_info.status` `NotAvailableInRegion` or
//!   `NotEnabledOnSubscription` (the smallest ones among them) and refused by create and
//!   edit (400 `INVALID_PARAMETER_VALUE`); create and edit validate like the service; ids like
//!   `0923-164208-meows279`; a create with the `idempotency_token` of a cluster of the
//!   workspace (anyone's) that is not `TERMINATED` answers that cluster's id and creates
//!   nothing (the token is forgotten when its cluster reaches `TERMINATED` or is permanently
//!   deleted; at most 64 characters); PENDING → RUNNING, RESTARTING, RESIZING, TERMINATING →
//!   TERMINATED on the emulated clock (see [`EmulatorBuilder`] for the durations),
//!   autotermination after the idle minutes; start (only `TERMINATED`), restart, resize
//!   (only `RUNNING`), edit and update (only `RUNNING` or `TERMINATED`) otherwise answer 400
//!   `INVALID_STATE` "Cluster … is in unexpected state Restarting." like the service; pin and
//!   unpin (admins); a pinned cluster refuses `permanent-delete` (400 `INVALID_STATE` "Cannot
//!   delete pinned cluster …. Please ask an admin to unpin the cluster first."); every change
//!   recorded as an event, and `clusters/events` with time range, types, order, offset/limit
//!   pages, `next_page` and `total_count`, or (API 2.1) `page_size`/`page_token` pages with
//!   `next_page_token` and `prev_page_token`; unknown ids answer 400 `INVALID_PARAMETER_VALUE`
//!   "Cluster … does not exist" like the service; an unpinned cluster terminated (or unpinned)
//!   more than 30 days ago is purged: no longer listed, and every operation on its id answers
//!   400 `INVALID_STATE` "Cannot access cluster … that was terminated or unpinned more than 30
//!   days ago." from then on (never "does not exist", as reported of the service). Every user
//!   may manage every cluster.
//!   `GET /api/2.1/clusters/list` filters (`filter_by.cluster_states`, `cluster_sources`,
//!   `is_pinned`, `policy_id`), sorts (`sort_by.field` `DEFAULT` = newest first or
//!   `CLUSTER_NAME`, `sort_by.direction`) and pages (`page_size`, opaque `page_token`s that
//!   keep their place while clusters come and go); `/api/2.0/clusters/list` answers every
//!   cluster at once. `clusters/get` has the `spec` the user gave (unknown fields included);
//!   `clusters/update` changes the settings its `update_mask` names (`*` for all) with the
//!   state rules of edit; `kind` `CLASSIC_PREVIEW` with `is_single_node` and `use_ml_runtime`,
//!   `dependency_mode`, node type flexibility and `clone_from` (the source's settings under the
//!   request's) are stored and echoed.
//! * **Tokens**: `dapi…` values returned once, per-user lists without values, expiry (730
//!   days, the maximum, when `lifetime_seconds` is absent or 0), revocation, 600 per user; unknown, expired and revoked tokens answer 403
//!   `{"error_code": 403, "message": "Invalid access token."}`.
//! * **Secrets**: Databricks-backed scopes and read-only Azure Key Vault-backed ones (created
//!   with any token here, where the service wants an Azure AD token); the schema's name rules and limits
//!   ([`rules::SECRET_VALUE`](azure_databricks_sdk::rules::SECRET_VALUE),
//!   [`rules::SECRETS_PER_SCOPE`](azure_databricks_sdk::rules::SECRETS_PER_SCOPE)); ACLs READ < WRITE < MANAGE per principal, the group `users` holding
//!   every user, admins bypassing ACLs; the creator gets MANAGE, or `users` does.
//! * **Users**: an admin ([`Emulator::admin_token`]) and the users of [`Emulator::add_user`];
//!   `GET /api/2.0/preview/scim/v2/Me` tells who a token belongs to.
//! * **OAuth**: service principals with OAuth secrets ([`Emulator::add_service_principal`]) get
//!   hour-long access tokens from `POST /oidc/v1/token` (client credentials, HTTP Basic or form
//!   client authentication, `scope=all-apis`; OAuth 2.0 error answers such as
//!   `invalid_client`), found through `GET /oidc/.well-known/oauth-authorization-server`.
//! * **Host metadata**: `GET /.well-known/databricks-config` (no token) answers like a
//!   workspace — `oidc_endpoint`, `account_id`, `workspace_id`, `cloud` (`Azure`),
//!   `host_type`, `token_federation_default_oidc_audiences` — so the official SDKs, which ask
//!   for it when a client is made, neither warn nor fall back.
//! * **Wire**: empty lists and unset fields omitted (`clusters/list` answers `{}`), JSON bodies
//!   or query strings on GET, `null` members read as absent, malformed JSON answered 400
//!   `MALFORMED_REQUEST`, unknown paths 404 `ENDPOINT_NOT_FOUND`, an `X-Request-Id` on every
//!   answer; `Content-Length` or chunked request bodies; answers to `HEAD` without a body
//!   (their `Content-Length` is that of the body they stand for).
//! * **Faults** ([`Fault`]): 429 with `Retry-After`, 503, slow answers, dropped connections,
//!   and answers lost after the request was carried out; [`Emulator::request_log`] shows
//!   which requests a client really sent.
//!
//! All state lives behind one lock, so any number of concurrent clients see a consistent
//! workspace with no lost update. Nothing is persisted.
//!
//! # Limits
//!
//! The server survives misbehaving clients: no number a client sends can make it panic or
//! allocate without bound, and no client can lock the others out. "Service" marks the limits
//! the service documents; the others are the emulator's choice.
//!
//! | What | Limit | Beyond it |
//! |---|---|---|
//! | Open connections | [`DEFAULT_MAX_CONNECTIONS`] = 512 ([`EmulatorBuilder::max_connections`]) | the connection idle the longest is closed to make room (or, if none is idle, the one sending its request the longest); 503 `TEMPORARILY_UNAVAILABLE` only when every connection is running a request |
//! | Idle keep-alive connection | [`DEFAULT_IDLE_TIMEOUT`] = 60 s ([`EmulatorBuilder::idle_timeout`]) | closed; longer than the 15 s this SDK's client pools idle connections, so it never reuses one the server is closing |
//! | Receiving one request, head and body | [`DEFAULT_REQUEST_TIMEOUT`] = 30 s from its first byte ([`EmulatorBuilder::request_timeout`]) | 408, connection closed (a request trickling in cannot hold a thread) |
//! | Writing one answer | 30 s | connection closed |
//! | Request head | 64 KB, 100 headers | 431 |
//! | Request body of an operation that takes JSON (or a form) | 10 MB (service) | 413, before the body is read (a chunked body: as soon as it passes the limit) |
//! | Request body held in memory | 64 KiB per request | the body is spooled, as it arrives and through a fixed buffer, to a file of the emulator's own temporary directory (private to the user, made on the first such body, removed with everything in it when the emulator stops), so memory stays flat whatever the body size |
//! | A bug: a panic while answering | — | 500 `INTERNAL_ERROR`; the connection's slot is released and the server keeps serving (the workspace keeps what the failed request changed before the panic) |
//! | `num_workers`, `autoscale.max_workers` | 10 000 (the service documents none) | 400 `INVALID_PARAMETER_VALUE` |
//! | `autoscale` | 0 ≤ `min_workers` < `max_workers` | 400 `INVALID_PARAMETER_VALUE` |
//! | `autotermination_minutes` | 10 to 10 000, or 0 (service) | 400 `INVALID_PARAMETER_VALUE` |
//! | `lifetime_seconds` of `token/create` | 0 to 63 072 000 = 730 days, the service's default maximum token lifetime; absent or 0: 730 days | 400 `INVALID_PARAMETER_VALUE` |
//! | `idempotency_token` of `clusters/create` | 64 characters (service) | 400 `INVALID_PARAMETER_VALUE` |
//! | Ids of purged clusters, remembered to answer `INVALID_STATE` | one per cluster ever purged, for as long as the emulator runs | — |
//! | [`Emulator::request_log`] | the last 1000 requests | older ones are dropped |
//! | `clusters/events` | `limit`: [`rules::EVENTS_LIMIT`](azure_databricks_sdk::rules::EVENTS_LIMIT) (service), `offset` ≥ 0; any `start_time`, `end_time` | 400 `INVALID_PARAMETER_VALUE` |
//! | `clusters/events` `page_size` | 0 or unset: 50; above 500: 500 (service: "the server enforces 0 or 500"); not combined with `offset`/`limit` | 400 `INVALID_PARAMETER_VALUE` for the combination |
//! | `clusters/list` (2.1) `page_size` | 0 or unset: 20 (the service documents no default); above 100: 100 (the service's maximum, databricks/cli#1701); negative | 400 `INVALID_PARAMETER_VALUE` when negative |
//! | `page_token` (list, events) | only a token of the same query (filters, order) | 400 `INVALID_PARAMETER_VALUE` |
//! | Query booleans and integers (`filter_by.is_pinned`, `page_size`) | `true`/`false`; decimal integers | 400 `INVALID_PARAMETER_VALUE` |
//! | Tokens per user | 600 | 400 `QUOTA_EXCEEDED` |
//! | Secret values, secrets per scope, scopes | [`rules::SECRET_VALUE`](azure_databricks_sdk::rules::SECRET_VALUE), [`rules::SECRETS_PER_SCOPE`](azure_databricks_sdk::rules::SECRETS_PER_SCOPE), [`rules::SCOPES_PER_WORKSPACE`](azure_databricks_sdk::rules::SCOPES_PER_WORKSPACE) (service) | 400 `INVALID_PARAMETER_VALUE`, `RESOURCE_LIMIT_EXCEEDED` |
//!
//! A number that does not fit its wire type (32 bits for workers and minutes, 64 bits
//! otherwise) is answered 400 `MALFORMED_REQUEST`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

mod api;
mod clock;
mod emulator;
mod error;
mod fault;
mod http;
mod ids;
mod page_token;
mod request_log;
mod scratch;
mod sdk_clock;
mod service_principal;
mod services;
mod tree_path;
mod users;
mod workspace;

pub use emulator::{DEFAULT_ADMIN_USER, Emulator, EmulatorBuilder};
pub use fault::Fault;
pub use http::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT};
pub use request_log::LoggedRequest;
pub use service_principal::ServicePrincipal;

/// The README's examples, compiled by `cargo test --doc` so they stay correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
