//! Databricks service principals with OAuth secrets, for `oauth-m2m` sign-in against the
//! emulator.

use std::fmt;

use azure_databricks_sdk::SensitiveString;

use crate::Emulator;
use crate::api;

/// A service principal of the emulated workspace and its OAuth secret
/// ([`Emulator::add_service_principal`]). Its user name in the workspace (what
/// `preview/scim/v2/Me` shows) is its client id, as on the service. `Debug` masks the secret.
#[derive(Clone)]
pub struct ServicePrincipal {
    /// The display name it was added with.
    pub name: String,
    /// The application id: `client_id` / `DATABRICKS_CLIENT_ID`.
    pub client_id: String,
    /// The OAuth secret (`dose…`): `client_secret` / `DATABRICKS_CLIENT_SECRET`.
    pub client_secret: SensitiveString,
}

impl ServicePrincipal {
    /// A `~/.databrickscfg` profile that signs in as this principal with `oauth-m2m` to the
    /// workspace at `host` (e.g. [`Emulator::base_url`]).
    pub fn profile(&self, profile: &str, host: &str) -> String {
        format!(
            "[{profile}]\nhost          = {host}\nauth_type     = oauth-m2m\nclient_id     = {}\nclient_secret = {}\n",
            self.client_id,
            self.client_secret.expose()
        )
    }
}

impl fmt::Debug for ServicePrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServicePrincipal")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

impl Emulator {
    /// Adds a service principal (a member of the group `users`) with an OAuth secret: with
    /// its client id and secret, `POST /oidc/v1/token` issues access tokens of an hour that
    /// the workspace accepts as this principal's.
    ///
    /// ```
    /// use azure_databricks_emulator::Emulator;
    /// use azure_databricks_sdk::{Auth, Client, OAuthM2m};
    ///
    /// let ws = Emulator::start()?;
    /// let sp = ws.add_service_principal("etl");
    /// let auth = Auth::oauth_m2m(OAuthM2m::new(ws.base_url(), &sp.client_id, sp.client_secret.expose()).no_proxy())?;
    /// let client = Client::builder(ws.base_url()).auth(auth).no_proxy().build()?;
    /// assert!(client.clusters().list()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_service_principal(&self, name: &str) -> ServicePrincipal {
        let mut ws = api::lock(&self.shared);
        let ws = &mut *ws;
        let (client_id, secret) = ws.oauth.add(&mut ws.env.rng);
        let doc = serde_json::json!({"displayName": name, "active": true});
        let doc = doc.as_object().cloned().unwrap_or_default();
        ws.users
            .add_principal(&client_id, crate::users::Kind::ServicePrincipal, false, doc);
        ServicePrincipal {
            name: name.to_string(),
            client_id,
            client_secret: SensitiveString::new(secret),
        }
    }
}
