//! The Token API: the calling user's personal access tokens.

mod state;

pub(crate) use state::{TokenRecord, Tokens};

use azure_databricks_sdk::SensitiveString;
use azure_databricks_sdk::models::{CreateTokenRequest, ListTokensResponse, Token};
use serde_json::{Value, json};

use crate::api::params::Params;
use crate::api::{Call, to_json};
use crate::error::ApiError;
use crate::workspace::Workspace;

type Answer = Result<Value, ApiError>;

/// `GET token/list`: the caller's tokens, never their values.
pub(crate) fn list(ws: &mut Workspace, call: &Call, _: &Params) -> Answer {
    to_json(&ListTokensResponse {
        unknown_fields: Default::default(),
        token_infos: ws.tokens.list(&call.caller.name),
    })
}

/// `POST token/create`: the only answer that carries the value. Without `lifetime_seconds`
/// (or with 0) the token lives the maximum lifetime, 730 days.
pub(crate) fn create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    let request: CreateTokenRequest = params.decode(&[])?;
    let (value, record) = ws.tokens.issue(
        &mut ws.env.rng,
        &call.caller.name,
        call.now,
        request.lifetime_seconds,
        request.comment,
    )?;
    to_json(&Token {
        unknown_fields: Default::default(),
        token_value: SensitiveString::new(value),
        token_info: Some(record.public()),
    })
}

/// `POST token/delete`.
pub(crate) fn delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    ws.tokens
        .delete(&call.caller.name, params.str("token_id")?)?;
    Ok(json!({}))
}
