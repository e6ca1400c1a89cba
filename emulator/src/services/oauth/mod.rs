//! The workspace's OAuth endpoints: `GET /oidc/.well-known/oauth-authorization-server` and
//! `POST /oidc/v1/token` (the client-credentials grant of service principals, client
//! authentication by HTTP Basic or form fields), answered in the OAuth 2.0 shapes.

mod state;

pub(crate) use state::OAuth;

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use serde_json::json;

use crate::api::MAX_JSON_BODY;
use crate::error::ApiError;
use crate::http::{Request, Response};
use crate::workspace::Workspace;
use state::ACCESS_TOKEN_SECONDS;

/// The scope the workspace grants.
const SCOPE: &str = "all-apis";

/// Whether the emulator answers `path` here.
pub(crate) fn serves(path: &str) -> bool {
    path.starts_with("/oidc/")
}

/// Answers a request under `/oidc/`.
pub(crate) fn answer(ws: &mut Workspace, request: &Request) -> Response {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/oidc/.well-known/oauth-authorization-server") => discovery(request),
        ("POST", "/oidc/v1/token") => token(ws, request),
        _ => oauth_error(404, "invalid_request", "no such OAuth endpoint"),
    }
}

fn discovery(request: &Request) -> Response {
    let host = request.header("host").unwrap_or("127.0.0.1");
    let base = format!("http://{host}/oidc");
    Response::json(
        200,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/v1/authorize"),
            "token_endpoint": format!("{base}/v1/token"),
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": [SCOPE, "offline_access", "sql"],
        }),
    )
}

fn token(ws: &mut Workspace, request: &Request) -> Response {
    if request.body.len() > MAX_JSON_BODY {
        return Response::error(&ApiError::too_large(MAX_JSON_BODY));
    }
    let Ok(body) = request.body.to_bytes() else {
        return Response::error(&ApiError::internal(
            "The request body could not be read back.",
        ));
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "only client_credentials is supported here",
        );
    }
    let credentials = basic(request.header("authorization")).or_else(|| {
        Some((
            field("client_id")?.to_string(),
            field("client_secret")?.to_string(),
        ))
    });
    let Some((client_id, secret)) = credentials else {
        return oauth_error(401, "invalid_client", "Client authentication failed");
    };
    if !ws.oauth.check(&client_id, &secret) {
        return oauth_error(401, "invalid_client", "Client authentication failed");
    }
    let scopes: Vec<&str> = field("scope").unwrap_or_default().split(' ').collect();
    if !scopes.contains(&SCOPE) {
        return oauth_error(400, "invalid_scope", "the scope must include all-apis");
    }
    let now = ws.clock.now_ms();
    let access_token = ws.oauth.issue(&mut ws.env.rng, &client_id, now);
    Response::json(
        200,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": SCOPE,
        }),
    )
}

/// The client id and secret of `Authorization: Basic`, each form-decoded (RFC 6749, 2.3.1).
fn basic(authorization: Option<&str>) -> Option<(String, String)> {
    let (scheme, value) = authorization?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(BASE64_STANDARD.decode(value.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((decode(id), decode(secret)))
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", BASE64_STANDARD.encode("id%3A1:se%2Bcret"));
        assert_eq!(
            basic(Some(&header)),
            Some(("id:1".to_string(), "se+cret".to_string()))
        );
        assert_eq!(basic(Some("Bearer x")), None);
        assert_eq!(basic(None), None);
    }
}
