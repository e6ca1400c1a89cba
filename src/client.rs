//! The client, its builder, and how the base URL is derived from the host.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

use crate::auth::PreparedAuth;
use crate::error::ConfigError;
use crate::{Auth, Clock, Result, RetryPolicy, SystemClock, defaults};

/// Longest timeout passed to the HTTP library (longer ones are cut to it): a year.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// A client of one Azure Databricks workspace.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: clones share the connection pool, so
/// share one client between threads. Operations live on the service handles:
/// [`Client::clusters`], [`Client::tokens`], [`Client::secrets`] (with
/// [`crate::Secrets::acls`] and [`crate::Secrets::scopes`]), and the escape hatch
/// [`Client::raw`].
///
/// ```no_run
/// use azure_databricks_sdk::{Auth, Client};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::personal_access_token("dapi..."))
///     .build()?;
/// for cluster in client.clusters().list()? {
///     let state = cluster.state.as_ref().map_or("?", |s| s.as_str());
///     println!("{} {state}", cluster.cluster_id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) agent: ureq::Agent,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    /// `https://host[:port]`, no trailing slash.
    base: String,
    /// What the caller gave (for `Debug`).
    given_auth: Auth,
    /// Built from it; sent with every request.
    pub(crate) auth: PreparedAuth,
    pub(crate) max_response_bytes: u64,
    /// The client-side request rate limit, if set.
    rate_limit: Option<crate::rate_limit::RateLimiter>,
}

impl Inner {
    /// Waits until the rate limit lets the next request go (at once when there is none).
    pub(crate) fn pace(&self) {
        if let Some(limiter) = &self.rate_limit {
            limiter.acquire(&*self.clock);
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base.len() + path.len());
        url.push_str(&self.base);
        url.push_str(path);
        url
    }
}

impl Client {
    /// Starts building a client of the workspace at `host`: a bare host name
    /// (`adb-1234567890123456.7.azuredatabricks.net`) or an `https://` URL. Plain `http://` is
    /// accepted only for loopback hosts (tests, emulators).
    pub fn builder(host: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            host: host.into(),
            auth: None,
            timeout: defaults::TIMEOUT,
            connect_timeout: defaults::CONNECT_TIMEOUT,
            max_response_bytes: defaults::MAX_RESPONSE_BYTES,
            max_idle_connections_per_host: defaults::MAX_IDLE_CONNECTIONS_PER_HOST,
            proxy: ProxySetting::FromEnv,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            user_agent_extra: None,
            rate_limit: None,
        }
    }

    /// The workspace URL requests go to, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The authentication method in use (`pat`, `azure-cli`, ...; see [`Auth::method`]).
    pub fn auth_method(&self) -> &str {
        self.inner.given_auth.method()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The clock used by retries and waiters.
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }
}

/// Where requests go through.
#[derive(Clone)]
enum ProxySetting {
    FromEnv,
    Direct,
    Url(String),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            ProxySetting::Direct => f.write_str("Direct"),
            // A proxy URL may carry credentials (`http://user:password@proxy:3128`).
            ProxySetting::Url(url) => write!(f, "Url({:?})", crate::redact::url(url)),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("auth", &self.inner.given_auth)
            .finish_non_exhaustive()
    }
}

/// Builder of a [`Client`]; see [`Client::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    host: String,
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: u64,
    max_idle_connections_per_host: usize,
    proxy: ProxySetting,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    user_agent_extra: Option<String>,
    rate_limit: Option<u32>,
}

impl ClientBuilder {
    /// The credentials. Required.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Your own credentials: same as `.auth(Auth::provider(provider))` (see
    /// [`crate::CredentialsProvider`]).
    pub fn credentials_provider(self, provider: Arc<dyn crate::CredentialsProvider>) -> Self {
        self.auth(Auth::provider(provider))
    }

    /// Longest time each phase of a request may take: sending the request, waiting for the
    /// answer's headers, reading the answer's body. Within a phase the connection must also
    /// never be silent for more than half of it. Defaults to 60 s ([`defaults::TIMEOUT`]).
    ///
    /// So a call is bounded (connect + 3 × `timeout` at most per attempt, plus the retry
    /// budget), and a stalled connection is noticed after `timeout / 2`. There is no
    /// whole-request deadline: that would make the HTTP library resolve the host name in a
    /// thread of its own on every request, halving the calls per second.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout to establish a connection (TCP and TLS). Defaults to 10 s
    /// ([`defaults::CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body accepted; a larger one fails with
    /// [`crate::Error::ResponseTooLarge`]. Defaults to 64 MiB
    /// ([`defaults::MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Idle connections kept open for reuse (the pool holds only connections to the workspace
    /// host). Set it to the number of threads that share the client, so none of them has to
    /// open a connection (and pay a TLS handshake) between calls. Defaults to 16
    /// ([`defaults::MAX_IDLE_CONNECTIONS_PER_HOST`]).
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.max_idle_connections_per_host = connections;
        self
    }

    /// Connects directly, ignoring the proxy environment variables. By default
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (upper or lower case) are
    /// honoured.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Direct;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, `https://...`,
    /// `socks5://...`; credentials as `http://user:pass@host:port`), overriding the
    /// environment. By default the proxy comes from the environment (see [`Self::no_proxy`]).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// How failed calls are retried. Defaults to [`RetryPolicy::default`]: 8 attempts within
    /// 5 minutes, honouring `Retry-After`; [`RetryPolicy::disabled`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The clock retries and waiters use to read the time and sleep. Defaults to
    /// [`SystemClock`]; tests substitute one that does not really wait.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// At most `requests_per_second` requests to the workspace per second from this client
    /// (and its clones), in bursts of as many: every attempt, retries included, waits for its
    /// turn on the client's [clock](Self::clock). Off by default; `rate_limit` /
    /// `DATABRICKS_RATE_LIMIT` in [`crate::Config`]. Must be at least 1.
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Appended to the `User-Agent` (`azure-databricks-sdk-rust/<version> <extra>`), e.g.
    /// `my-tool/1.2`, so workspace admins can tell your tool's calls apart. None by default.
    pub fn user_agent_extra(mut self, extra: impl Into<String>) -> Self {
        self.user_agent_extra = Some(extra.into());
        self
    }

    /// Checks the host and the credentials and builds the client. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] when the host is not a valid host or URL (or has a port outside
    /// 1–65535), uses plain `http://` for a host that is not loopback, or when the credentials
    /// are missing or malformed.
    pub fn build(self) -> Result<Client> {
        let base = base_url(&self.host)?;
        if self.rate_limit == Some(0) {
            return Err(ConfigError::attribute(
                "rate_limit",
                "must be at least 1 request per second",
            )
            .into());
        }
        let given_auth = self.auth.ok_or_else(|| {
            ConfigError::new("no credentials: call .auth(Auth::...) or use Client::from_env()")
        })?;
        let auth = given_auth.prepare()?;
        let user_agent = match &self.user_agent_extra {
            Some(extra) if extra.chars().any(char::is_control) || extra.trim().is_empty() => {
                return Err(ConfigError::attribute(
                    "user_agent_extra",
                    "must be non-empty printable text",
                )
                .into());
            }
            Some(extra) => format!("{} {}", defaults::USER_AGENT, extra.trim()),
            None => defaults::USER_AGENT.to_string(),
        };
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(url) => Some(
                ureq::Proxy::new(url)
                    .map_err(|_| ConfigError::attribute("proxy", "the proxy URL is invalid"))?,
            ),
        };
        let agent = agent(AgentSettings {
            user_agent: &user_agent,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            max_idle_connections_per_host: self.max_idle_connections_per_host,
            proxy,
        });
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                retry: self.retry,
                clock: self.clock,
                base,
                given_auth,
                auth,
                max_response_bytes: self.max_response_bytes,
                rate_limit: self.rate_limit.map(crate::rate_limit::RateLimiter::new),
            }),
        })
    }
}

/// What differs between the HTTP agents of the SDK (the workspace client, token requests).
pub(crate) struct AgentSettings<'a> {
    pub(crate) user_agent: &'a str,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_idle_connections_per_host: usize,
    pub(crate) proxy: Option<ureq::Proxy>,
}

/// The one place an HTTP agent is configured: error statuses are answers (their body carries
/// the error), redirects are never followed (credentials stay on the host they are for),
/// timeouts per phase and per read/write (see [`ClientBuilder::timeout`]), TLS per the crate
/// features.
pub(crate) fn agent(settings: AgentSettings<'_>) -> ureq::Agent {
    let phase = Some(settings.timeout.min(MAX_TIMEOUT));
    // The socket timeout per read or write stays below the phase deadline, so it is the same
    // value for every read and the HTTP library sets it once per connection instead of on
    // every read (a `setsockopt` each).
    let io = Some((settings.timeout / 2).min(MAX_TIMEOUT));
    let idle = settings.max_idle_connections_per_host;
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(settings.user_agent)
        .accept("application/json")
        .timeout_connect(Some(
            settings
                .connect_timeout
                .min(settings.timeout)
                .min(MAX_TIMEOUT),
        ))
        .timeout_send_request(phase)
        .timeout_send_body(phase)
        .timeout_recv_response(phase)
        .timeout_recv_body(phase)
        .timeout_per_read(io)
        .timeout_per_write(io)
        .max_idle_connections(idle.max(1).saturating_mul(4))
        .max_idle_connections_per_host(idle)
        .max_idle_age(defaults::MAX_IDLE_AGE)
        .proxy(settings.proxy)
        .tls_config(tls_config())
        .build()
        .new_agent()
}

/// TLS as the crate features choose: rustls with webpki roots (default), the platform verifier
/// (`platform-verifier`), or native-tls (`native-tls` without `rustls`).
fn tls_config() -> ureq::tls::TlsConfig {
    let builder = ureq::tls::TlsConfig::builder();
    #[cfg(feature = "platform-verifier")]
    let builder = builder.root_certs(ureq::tls::RootCerts::PlatformVerifier);
    #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
    let builder = builder.provider(ureq::tls::TlsProvider::NativeTls);
    builder.build()
}

/// `https://host[:port]` from a bare host or a URL; `http` only for loopback hosts.
pub(crate) fn base_url(host: &str) -> Result<String> {
    let host = host.trim();
    if host.is_empty() {
        return Err(ConfigError::attribute("host", "the workspace host is empty").into());
    }
    let url = if host.contains("://") {
        host.to_string()
    } else {
        format!("https://{host}")
    };
    let uri = check_url("workspace host", &url, UrlPolicy::Workspace)
        .map_err(|why| ConfigError::attribute("host", why))?;
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(ConfigError::attribute(
            "host",
            format!(
                "invalid workspace host `{}`: give only the scheme and host, without a path or query",
                crate::redact::url(host)
            ),
        )
        .into());
    }
    let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Where a URL may point, besides `https` anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlPolicy {
    /// Plain `http` for loopback hosts only (tests, emulators).
    Workspace,
    /// Also plain `http` to a link-local address (the Azure instance metadata service).
    MetadataService,
}

/// The one URL policy of the SDK, for the workspace and every token endpoint: a valid URL with
/// a host, no credentials in it, a port in 1–65535, and `https` (plain `http` only where
/// `policy` allows it), so that a bearer token never crosses the network unencrypted and never
/// goes to a port the caller did not mean. The error text never contains credentials.
pub(crate) fn check_url(
    what: &str,
    url: &str,
    policy: UrlPolicy,
) -> std::result::Result<Uri, String> {
    let shown = crate::redact::url(url);
    let bad = |why: &str| format!("invalid {what} `{shown}`: {why}");
    let uri: Uri = url.parse().map_err(|_| bad("not a host name or URL"))?;
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("credentials in the URL are not allowed"));
    }
    if authority.host().is_empty() {
        return Err(bad("no host"));
    }
    if let Some((_, port)) = authority.as_str().rsplit_once(':')
        && !port.ends_with(']')
        && !port.parse::<u16>().is_ok_and(|p| p >= 1)
    {
        return Err(bad("the port must be a number from 1 to 65535"));
    }
    let host = authority.host();
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok();
    let link_local = matches!(ip, Some(std::net::IpAddr::V4(v4)) if v4.is_link_local());
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") if policy == UrlPolicy::MetadataService && link_local => Ok(uri),
        Some("http") => Err(bad(
            "plain http is only allowed for loopback hosts; a bearer token must not cross the network unencrypted",
        )),
        _ => Err(bad("the scheme must be https")),
    }
}

/// `localhost` or a loopback IP (`[::1]` brackets allowed).
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_hosts_and_https_urls_give_the_same_base() {
        let want = "https://adb-1234567890123456.7.azuredatabricks.net";
        for host in [
            "adb-1234567890123456.7.azuredatabricks.net",
            "https://adb-1234567890123456.7.azuredatabricks.net",
            "https://ADB-1234567890123456.7.azuredatabricks.net/",
            " adb-1234567890123456.7.azuredatabricks.net ",
        ] {
            assert_eq!(base_url(host).unwrap(), want, "{host}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback() {
        assert_eq!(
            base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("http://localhost:1").unwrap(),
            "http://localhost:1"
        );
        assert_eq!(base_url("http://[::1]:1").unwrap(), "http://[::1]:1");
        for remote in [
            "http://adb-1.2.azuredatabricks.net",
            "http://10.0.0.1",
            "http://127.evil.com",
        ] {
            let err = base_url(remote).unwrap_err().to_string();
            assert!(err.contains("plain http"), "{remote}: {err}");
        }
    }

    #[test]
    fn paths_credentials_and_other_schemes_are_refused() {
        for bad in [
            "",
            "https://h/api/2.0",
            "https://u:p@h",
            "ftp://h",
            "https://h?x=1",
            "http://127.0.0.1:99999",
            "https://adb-1.2.azuredatabricks.net:99999",
            "https://adb-1.2.azuredatabricks.net:0",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod url_policy_tests {
    use super::*;

    #[test]
    fn token_endpoints_follow_the_same_policy_and_imds_may_be_plain_http() {
        let ok = |url, policy| check_url("endpoint", url, policy).is_ok();
        assert!(ok(
            "https://login.microsoftonline.com/",
            UrlPolicy::Workspace
        ));
        assert!(ok("http://127.0.0.1:9/", UrlPolicy::Workspace));
        assert!(!ok("http://login.example.com/", UrlPolicy::Workspace));
        assert!(!ok("http://169.254.169.254/x", UrlPolicy::Workspace));
        assert!(ok("http://169.254.169.254/x", UrlPolicy::MetadataService));
        assert!(!ok("ftp://h/", UrlPolicy::Workspace));
        assert!(!ok("https://h:65536/", UrlPolicy::Workspace));
        assert!(ok("http://[::1]:8080/", UrlPolicy::Workspace));
        let err = check_url("proxy", "https://user:pw@h", UrlPolicy::Workspace).unwrap_err();
        assert!(!err.contains("pw"), "{err}");
    }
}
