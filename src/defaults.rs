//! Every default of the SDK, in one place. Each is documented where it is used too (the
//! setter that changes it says so).

use std::time::Duration;

/// The `User-Agent` sent with every request: `azure-databricks-sdk-rust/<version>`;
/// [`crate::ClientBuilder::user_agent_extra`] appends to it.
pub const USER_AGENT: &str = concat!("azure-databricks-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// Longest time each phase of a request may take: sending it, waiting for the answer's
/// headers, reading the answer's body: 60 s. The connection must also never be silent for
/// more than half of it (see [`crate::ClientBuilder::timeout`]).
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// Longest time to establish a connection (TCP and TLS): 10 s.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest response body accepted: 64 MiB (a list of 1,000 clusters is about 2.3 MB).
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Idle connections kept per host for reuse: 16, so that up to 16 threads sharing a client
/// never have to open a new connection (and pay a TLS handshake) between calls.
pub const MAX_IDLE_CONNECTIONS_PER_HOST: usize = 16;
/// How long an idle connection is kept for reuse: 15 s.
pub const MAX_IDLE_AGE: Duration = Duration::from_secs(15);

/// Attempts of one workspace call, the first included: 8.
pub const MAX_ATTEMPTS: u32 = 8;
/// Attempts to connect when a connection is refused or times out: 3 (about 1.5 to 3 s of
/// backoff in all), so that a wrong or unreachable host fails fast.
pub const CONNECT_ATTEMPTS: u32 = 3;
/// Total time of one workspace call, retries and waits included: 5 minutes.
pub const RETRY_BUDGET: Duration = Duration::from_secs(300);
/// First backoff between two attempts of a workspace call: 1 s (doubling, with jitter).
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Longest backoff between two attempts of a workspace call: 30 s.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Attempts of one token request (Azure AD, OAuth): 5.
pub const TOKEN_MAX_ATTEMPTS: u32 = 5;
/// Total time of one token request, retries included: 1 minute.
pub const TOKEN_RETRY_BUDGET: Duration = Duration::from_secs(60);
/// First backoff between two attempts of a token request: 250 ms.
pub const TOKEN_INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// Longest backoff between two attempts of a token request: 10 s.
pub const TOKEN_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Timeout of one token request: 30 s.
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// Timeout to connect to a token endpoint: 10 s.
pub const TOKEN_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A token counts as expired this long before its expiry: 40 s. Azure Databricks rejects
/// tokens that expire within 30 s (the official SDKs use the same margin).
pub const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(40);

/// The token endpoint of the Azure instance metadata service (managed identity).
pub const MSI_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
/// Timeout of one managed identity token request: 10 s; off Azure the address does not
/// answer.
pub const MSI_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout to connect to the managed identity endpoint: 2 s (it is on the same host).
pub const MSI_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time a command-line sign-in (`az account get-access-token`) may take: 60 s.
pub const CLI_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest wait for a cluster state: 20 minutes (the official SDKs' default).
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// First pause between two polls of a wait: 1 s; each pause is 1 s longer than the previous.
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest pause between two polls of a wait: 10 s.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(10);

/// Longest raw body kept in an [`crate::ApiError`]: 8 KiB.
pub const MAX_ERROR_BODY: usize = 8 * 1024;
