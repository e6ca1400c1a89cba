//! The client, its builder, and how the base URL is derived from the host.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

use crate::auth::AuthHeaders;
use crate::{Auth, Clock, Error, Result, RetryPolicy, SystemClock};

/// Default timeout of a whole request (connect, send, receive): 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default timeout to establish a connection: 30 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit of a response body: 64 MiB (a list of 1,000 clusters is about 2.3 MB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Longest timeout passed to the HTTP library (longer ones are cut to it): a year.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);
/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("azure-databricks-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// A client of one Azure Databricks workspace.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: clones share the connection pool.
/// Operations live on the service handles: [`Client::clusters`], [`Client::tokens`],
/// [`Client::secrets`] (with [`crate::Secrets::acls`] and [`crate::Secrets::scopes`]), and the
/// escape hatch [`Client::raw`].
///
/// ```no_run
/// use azure_databricks_sdk::{Auth, Client};
/// # fn main() -> azure_databricks_sdk::Result<()> {
/// let client = Client::builder("adb-1234567890123456.7.azuredatabricks.net")
///     .auth(Auth::personal_access_token("dapi..."))
///     .build()?;
/// for cluster in client.clusters().list()? {
///     println!("{} {:?}", cluster.cluster_id, cluster.state);
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
    auth: Auth,
    /// Built from `auth`; sent with every request.
    pub(crate) auth_headers: AuthHeaders,
    pub(crate) max_response_bytes: u64,
}

impl Inner {
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
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            proxy: ProxySetting::FromEnv,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            user_agent_extra: None,
        }
    }

    /// The workspace URL requests go to, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
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
            .field("auth", &self.inner.auth)
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
    proxy: ProxySetting,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    user_agent_extra: Option<String>,
}

impl ClientBuilder {
    /// The credentials. Required.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Timeout of a whole request, from connecting to reading the last byte of the answer.
    /// Defaults to 60 s ([`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout to establish a connection. Defaults to 30 s ([`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body accepted; a larger one fails with a transport error.
    /// Defaults to 64 MiB ([`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
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
    /// [`Error::Config`] when the host is not a valid host or URL, uses plain `http://` for a
    /// host that is not loopback, or when the credentials are missing or malformed.
    pub fn build(self) -> Result<Client> {
        let base = base_url(&self.host)?;
        let auth = self
            .auth
            .ok_or_else(|| Error::Config("no credentials: call .auth(Auth::...)".into()))?;
        let auth_headers = auth.headers()?;
        let user_agent = match &self.user_agent_extra {
            Some(extra) if extra.chars().any(char::is_control) || extra.trim().is_empty() => {
                return Err(Error::Config(
                    "user_agent_extra must be non-empty printable text".into(),
                ));
            }
            Some(extra) => format!("{USER_AGENT} {}", extra.trim()),
            None => USER_AGENT.to_string(),
        };
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(url) => Some(
                ureq::Proxy::new(url)
                    .map_err(|_| Error::Config("the proxy URL is invalid".into()))?,
            ),
        };
        let config = ureq::Agent::config_builder()
            // Error statuses carry the Databricks error body: read it instead of failing.
            .http_status_as_error(false)
            // Redirects are reported, never followed: credentials stay on the workspace host.
            .max_redirects(0)
            .user_agent(user_agent)
            .accept("application/json")
            .timeout_global(Some(self.timeout.min(MAX_TIMEOUT)))
            .timeout_connect(Some(self.connect_timeout.min(MAX_TIMEOUT)))
            .proxy(proxy)
            .tls_config(tls_config());
        Ok(Client {
            inner: Arc::new(Inner {
                agent: ureq::Agent::with_parts(
                    config.build(),
                    ureq::unversioned::transport::DefaultConnector::default(),
                    crate::resolver::CachingResolver::default(),
                ),
                retry: self.retry,
                clock: self.clock,
                base,
                auth,
                auth_headers,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
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
    let bad = |why: &str| {
        Error::Config(format!(
            "invalid workspace host `{}`: {why}",
            crate::redact::url(host)
        ))
    };
    if host.is_empty() {
        return Err(bad("empty"));
    }
    let url = if host.contains("://") {
        host.to_string()
    } else {
        format!("https://{host}")
    };
    let uri: Uri = url.parse().map_err(|_| bad("not a host name or URL"))?;
    let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("credentials in the URL are not allowed; use .auth(..)"));
    }
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(bad(
            "give only the scheme and host, without a path or query",
        ));
    }
    match scheme.as_str() {
        "https" => {}
        "http" if is_loopback(authority.host()) => {}
        "http" => {
            return Err(bad(
                "plain http is only allowed for loopback hosts; a bearer token must not cross the network unencrypted",
            ));
        }
        _ => return Err(bad("the scheme must be https")),
    }
    Ok(format!(
        "{scheme}://{}",
        authority.as_str().to_ascii_lowercase()
    ))
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
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}
