//! Databricks service principals with OAuth secrets, and the access tokens the workspace's
//! token endpoint issued to them.

use std::collections::{BTreeMap, HashMap};

use crate::ids::Rng;

/// How long an issued OAuth access token lives: one hour, as on the service.
pub(crate) const ACCESS_TOKEN_SECONDS: i64 = 3600;

/// A service principal: its display name and OAuth secret.
#[derive(Debug, Clone)]
struct Principal {
    secret: String,
}

/// The service principals (by client id, their application id) and the live access tokens.
#[derive(Debug, Default)]
pub(crate) struct OAuth {
    principals: BTreeMap<String, Principal>,
    /// Access token → (client id, expiry in epoch ms).
    tokens: HashMap<String, (String, i64)>,
}

impl OAuth {
    /// Registers a principal; returns its client id and secret.
    pub(crate) fn add(&mut self, rng: &mut Rng) -> (String, String) {
        let client_id = rng.uuid();
        let secret = format!("dose{}", rng.hex(32));
        self.principals.insert(
            client_id.clone(),
            Principal {
                secret: secret.clone(),
            },
        );
        (client_id, secret)
    }

    /// Whether a service principal has this application (client) id.
    pub(crate) fn has(&self, client_id: &str) -> bool {
        self.principals.contains_key(client_id)
    }

    /// Whether `client_id` and `secret` are a principal's.
    pub(crate) fn check(&self, client_id: &str, secret: &str) -> bool {
        self.principals
            .get(client_id)
            .is_some_and(|p| p.secret == secret)
    }

    /// A new access token of `client_id`, valid from `now` (epoch ms) for an hour.
    pub(crate) fn issue(&mut self, rng: &mut Rng, client_id: &str, now: i64) -> String {
        // Expired tokens are forgotten when new ones are issued.
        self.tokens.retain(|_, (_, expires)| *expires > now);
        let token = format!(
            "eyJraWQiOiJlbXVsYXRvciJ9.{}.{}",
            rng.alnum(48),
            rng.alnum(24)
        );
        self.tokens.insert(
            token.clone(),
            (client_id.to_string(), now + ACCESS_TOKEN_SECONDS * 1000),
        );
        token
    }

    /// The client id whose valid access token `token` is.
    pub(crate) fn owner(&self, token: &str, now: i64) -> Option<&str> {
        self.tokens
            .get(token)
            .filter(|(_, expires)| *expires > now)
            .map(|(owner, _)| owner.as_str())
    }
}
