//! The Token Management API: every user's tokens, for workspace admins only. The tokens are
//! those of the Token API ([`crate::services::tokens`]); this module only shows them to admins,
//! revokes any of them and issues tokens on behalf of service principals.

use azure_databricks_sdk::SensitiveString;
use azure_databricks_sdk::models::{
    CreateOboTokenRequest, CreateOboTokenResponse, GetTokenResponse, ListManagedTokensRequest,
    ListManagedTokensResponse, TokenInfo,
};
use serde_json::{Value, json};

use crate::api::params::{Params, Shape};
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::services::tokens::TokenRecord;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// Refuses callers who are not workspace admins.
pub(crate) fn admins_only(call: &Call) -> Result<(), ApiError> {
    call.caller.require_admin("access token management APIs")
}

fn info(ws: &Workspace, token: &TokenRecord) -> TokenInfo {
    let id = |name: &str| ws.users.get(name).and_then(|u| i64::try_from(u.id).ok());
    TokenInfo {
        token_id: Some(token.id.clone()),
        comment: token.comment.clone(),
        creation_time: Some(token.created),
        expiry_time: Some(token.expiry.unwrap_or(-1)),
        created_by_id: id(&token.creator),
        created_by_username: Some(token.creator.clone()),
        owner_id: id(&token.owner),
        ..Default::default()
    }
}

/// `GET token-management/tokens[?created_by_id=&created_by_username=]`: oldest first.
pub(crate) fn list(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let request: ListManagedTokensRequest =
        params.decode_query(&[("created_by_id", Shape::Int)])?;
    let token_infos = ws
        .tokens
        .all()
        .into_iter()
        .map(|t| info(ws, t))
        .filter(|t| {
            request
                .created_by_id
                .is_none_or(|id| t.created_by_id == Some(id))
        })
        .filter(|t| {
            request
                .created_by_username
                .as_ref()
                .is_none_or(|name| t.created_by_username.as_ref() == Some(name))
        })
        .collect();
    to_json(&ListManagedTokensResponse {
        token_infos,
        ..Default::default()
    })
}

/// `GET token-management/tokens/{token_id}`.
pub(crate) fn get(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let id = params.str("token_id")?;
    let token = ws
        .tokens
        .all()
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("Token with id {id} does not exist.")))?;
    to_json(&GetTokenResponse {
        token_info: Some(info(ws, token)),
        ..Default::default()
    })
}

/// `DELETE token-management/tokens/{token_id}`.
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    ws.tokens.revoke(params.str("token_id")?)?;
    Ok(json!({}))
}

/// `POST token-management/on-behalf-of/tokens`: a token of a service principal, created by the
/// admin who calls.
pub(crate) fn create_obo_token(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let request: CreateOboTokenRequest = params.decode(&["application_id"])?;
    if !ws.is_service_principal(&request.application_id) {
        return Err(ApiError::not_found(format!(
            "Service principal with application id {} does not exist in the workspace.",
            request.application_id
        )));
    }
    let (value, record) = ws.tokens.issue(
        &mut ws.env.rng,
        &request.application_id,
        call.now,
        request.lifetime_seconds,
        request.comment,
    )?;
    let record = match ws.tokens.by_id_mut(&record.id) {
        Some(token) => {
            token.creator = call.caller.name.clone();
            token.clone()
        }
        None => record,
    };
    to_json(&CreateOboTokenResponse {
        token_info: Some(info(ws, &record)),
        token_value: Some(SensitiveString::new(value)),
        ..Default::default()
    })
}
