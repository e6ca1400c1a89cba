//! What a TLS failure means, in words. A TLS failure is never transient (the same handshake
//! with the same server fails the same way), so it is not retried; the error names the host
//! and says what happened, e.g. that `https://` reached a server speaking plain HTTP.

/// The explanation of `error` if it is a TLS failure, else `None`. `host` is the
/// `host[:port]` the request went to.
pub(crate) fn diagnose(error: &ureq::Error, host: &str) -> Option<String> {
    match error {
        ureq::Error::Io(io) => {
            #[cfg(feature = "rustls")]
            if let Some(tls) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                return Some(explain_rustls(tls, host));
            }
            // A rustls the downcast does not see (another major version inside the HTTP
            // library): its messages still say what happened.
            rustls_text(&io.to_string(), host)
        }
        #[cfg(feature = "rustls")]
        ureq::Error::Rustls(tls) => Some(explain_rustls(tls, host)),
        #[cfg(feature = "native-tls")]
        ureq::Error::NativeTls(tls) => Some(explain_native_tls(&tls.to_string(), host)),
        ureq::Error::Tls(what) => Some((*what).to_string()),
        other => rustls_text(&other.to_string(), host),
    }
}

/// The server answered the TLS handshake in plain HTTP: `https://` (the default scheme of a
/// bare host) against a plain-HTTP server, or the wrong port.
fn plain_http(host: &str) -> String {
    let name = host
        .parse::<ureq::http::uri::Authority>()
        .map(|a| a.host().to_string())
        .unwrap_or_default();
    if crate::client::is_loopback(&name) {
        format!("the server answered plain HTTP; use `http://{host}` for a loopback server")
    } else {
        "the server answered plain HTTP, not HTTPS: check the host and port (plain `http://` \
         is allowed only for loopback hosts)"
            .to_string()
    }
}

/// Why a certificate is not trusted, and what usually helps.
#[cfg(feature = "rustls")]
fn explain_certificate(error: &rustls::CertificateError, host: &str) -> String {
    use rustls::CertificateError as C;
    match error {
        C::UnknownIssuer => "its certificate is not signed by an authority this client trusts \
                            (behind a TLS-inspecting proxy, build with the `platform-verifier` \
                            feature to trust the operating system's certificates)"
            .to_string(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            format!("its certificate is not valid for {host}")
        }
        C::Expired | C::ExpiredContext { .. } => "its certificate has expired".to_string(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "its certificate is not valid yet (is this machine's clock right?)".to_string()
        }
        C::Revoked => "its certificate has been revoked".to_string(),
        _ => "its certificate was rejected".to_string(),
    }
}

#[cfg(feature = "rustls")]
fn explain_rustls(error: &rustls::Error, host: &str) -> String {
    use rustls::{Error as E, InvalidMessage};
    match error {
        E::InvalidMessage(InvalidMessage::InvalidContentType) => plain_http(host),
        E::InvalidCertificate(certificate) => explain_certificate(certificate, host),
        E::AlertReceived(_) => "the server refused the TLS handshake".to_string(),
        E::PeerIncompatible(_) => {
            "the server supports no TLS version or cipher suite this client does".to_string()
        }
        _ => "the TLS handshake failed".to_string(),
    }
}

/// The explanation of a rustls error known only by its message.
fn rustls_text(message: &str, host: &str) -> Option<String> {
    if message.contains("received corrupt message of type InvalidContentType") {
        Some(plain_http(host))
    } else if message.contains("invalid peer certificate") {
        Some("its certificate was rejected".to_string())
    } else if [
        "received fatal alert",
        "peer is incompatible",
        "peer misbehaved",
    ]
    .iter()
    .any(|m| message.contains(m))
    {
        Some("the TLS handshake failed".to_string())
    } else {
        None
    }
}

/// The explanation of a native-tls (OpenSSL, SChannel, Security.framework) error, known by
/// its message.
#[cfg(feature = "native-tls")]
fn explain_native_tls(message: &str, host: &str) -> String {
    if message.contains("wrong version number") || message.contains("packet length too long") {
        plain_http(host)
    } else if message.contains("certificate") {
        "its certificate was rejected".to_string()
    } else {
        "the TLS handshake failed".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_names_the_url_to_use_on_loopback_only() {
        assert_eq!(
            plain_http("127.0.0.1:18080"),
            "the server answered plain HTTP; use `http://127.0.0.1:18080` for a loopback server"
        );
        assert!(plain_http("localhost:8080").contains("`http://localhost:8080`"));
        assert!(plain_http("[::1]:8080").contains("`http://[::1]:8080`"));
        let remote = plain_http("adb-1.2.azuredatabricks.net:8080");
        assert!(remote.contains("check the host and port"), "{remote}");
        assert!(!remote.contains("use `http://"), "{remote}");
    }

    #[test]
    fn rustls_messages_are_recognised_without_the_type() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "received corrupt message of type InvalidContentType",
        );
        let text = diagnose(&ureq::Error::Io(io), "127.0.0.1:1").unwrap();
        assert!(text.contains("plain HTTP"), "{text}");
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(diagnose(&ureq::Error::Io(reset), "h"), None);
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn a_rejected_certificate_is_a_tls_error_that_is_not_retried() {
        let rejected = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let error = ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rejected,
        ));
        let transport = crate::call::transport_error(
            "clusters.get",
            "https://adb-1.2.azuredatabricks.net/api/2.1/clusters/get",
            error,
        );
        assert_eq!(transport.kind(), crate::TransportErrorKind::Tls);
        assert_eq!(transport.host(), Some("adb-1.2.azuredatabricks.net"));
        let error = crate::Error::from(transport);
        assert_eq!(crate::retry::classify(&error), None);
        assert!(
            error.to_string().starts_with(
                "clusters.get: TLS with adb-1.2.azuredatabricks.net failed: its certificate is \
                 not signed by an authority this client trusts"
            ),
            "{error}"
        );
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn rustls_errors_are_explained() {
        let io = |e: rustls::Error| {
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        };
        let cases = [
            (
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
                "platform-verifier",
            ),
            (
                rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName),
                "not valid for h.example.com",
            ),
            (
                rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
                "expired",
            ),
            (
                rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure),
                "refused the TLS handshake",
            ),
        ];
        for (error, expected) in cases {
            let text = diagnose(&io(error), "h.example.com").unwrap();
            assert!(text.contains(expected), "{text}");
        }
    }
}
