//! The tenant of an Azure Databricks workspace, learned from its Azure AD login redirect:
//! `GET {host}/aad/auth` answers a redirect to
//! `https://login.microsoftonline.com/<tenant>/oauth2/authorize?...` (as the official Python
//! and Go SDKs find it).

use crate::error::AuthError;
use crate::{LOG_TARGET, Result};

/// The tenant id of the workspace at `base` (`https://host`).
pub(crate) fn from_workspace(method: &str, agent: &ureq::Agent, base: &str) -> Result<String> {
    let url = format!("{base}/aad/auth");
    let fail = |why: String| -> crate::Error {
        AuthError::new(
            method,
            format!(
                "no tenant id: azure_tenant_id (ARM_TENANT_ID) is not set and {url} {why}; \
                 set the tenant"
            ),
        )
        .into()
    };
    let response = agent
        .get(&url)
        .call()
        .map_err(|e| fail(format!("could not be read ({e})")))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let tenant = match (status, location) {
        (300..=399, Some(location)) => tenant_of(&location),
        (300..=399, None) => return Err(fail("redirected without a Location".into())),
        _ => return Err(fail(format!("answered HTTP {status}, not a redirect"))),
    };
    let tenant = tenant.ok_or_else(|| fail("redirected to an unexpected address".into()))?;
    super::check_tenant(method, &tenant)?;
    log::debug!(target: LOG_TARGET, "{method}: tenant {tenant} from {url}");
    Ok(tenant)
}

/// The first path segment of the redirect: `https://login.microsoftonline.com/<tenant>/...`.
fn tenant_of(location: &str) -> Option<String> {
    let rest = location.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    let tenant = path.split(['/', '?', '#']).next()?;
    (!tenant.is_empty()).then(|| tenant.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_is_the_first_path_segment() {
        assert_eq!(
            tenant_of("https://login.microsoftonline.com/72f988bf-86f1/oauth2/authorize?x=1")
                .as_deref(),
            Some("72f988bf-86f1")
        );
        assert_eq!(
            tenant_of("https://login.microsoftonline.us/t1?x").as_deref(),
            Some("t1")
        );
        assert_eq!(tenant_of("/relative"), None);
        assert_eq!(tenant_of("https://host/"), None);
    }
}
