//! From a request to an answer: faults, routing, authentication, then the operation, all under
//! the one workspace lock.

mod clusters;
mod host_metadata;
mod oauth;
pub(crate) mod params;
mod routes;
mod scim;
mod secrets;
mod tokens;

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::fault::{FaultKind, retry_after_secs};
use crate::http::{Outcome, Request, Response};
use crate::state::Workspace;
use crate::state::users::Caller;
use params::Params;

/// Who calls, and when (emulated epoch ms).
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) caller: Caller,
    pub(crate) now: i64,
}

/// Locks the workspace; a panic in another request does not make it unusable.
pub(crate) fn lock(shared: &Mutex<Workspace>) -> MutexGuard<'_, Workspace> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serializes an answer model.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(format!("serialization: {e}")))
}

/// Answers one request.
pub(crate) fn handle(shared: &Mutex<Workspace>, request: &Request) -> Outcome {
    let mut ws = lock(shared);
    ws.requests += 1;
    let log = ws.log_requests;
    let request_id = ws.env.rng.uuid();
    let (mut response, delay) = match ws.faults.take(&request.path) {
        Some(kind @ (FaultKind::DropConnection | FaultKind::DropAnswer)) => {
            if kind == FaultKind::DropAnswer {
                // Carried out; only the answer is lost.
                answer(&mut ws, request);
            }
            ws.request_log.push(&request.method, &request.path, None);
            drop(ws);
            if log {
                eprintln!(
                    "{} {} -> connection dropped (fault)",
                    request.method, request.path
                );
            }
            return Outcome::Drop;
        }
        Some(FaultKind::TooManyRequests(retry_after)) => (
            Response::error(&ApiError::too_many_requests(retry_after_secs(retry_after))),
            None,
        ),
        Some(FaultKind::Unavailable) => (Response::error(&ApiError::unavailable()), None),
        Some(FaultKind::Delay(delay)) => (answer(&mut ws, request), Some(delay)),
        None => (answer(&mut ws, request), None),
    };
    ws.request_log
        .push(&request.method, &request.path, Some(response.status));
    drop(ws);
    response.headers.push(("X-Request-Id", request_id));
    if log {
        eprintln!("{} {} -> {}", request.method, request.path, response.status);
    }
    match delay {
        Some(delay) => Outcome::Delayed(response, delay),
        None => Outcome::Respond(response),
    }
}

fn answer(ws: &mut Workspace, request: &Request) -> Response {
    if oauth::serves(&request.path) {
        return oauth::answer(ws, request);
    }
    if host_metadata::serves(&request.path) {
        return host_metadata::answer(request);
    }
    match dispatch(ws, request) {
        Ok(body) => Response::json(200, &body),
        Err(error) => Response::error(&error),
    }
}

fn dispatch(ws: &mut Workspace, request: &Request) -> Result<Value, ApiError> {
    let handler = routes::find(&request.method, &request.path)?;
    let now = ws.clock.now_ms();
    let caller = ws.authenticate(request.header("authorization"), now)?;
    ws.settle(now);
    let params = Params::from_request(request)?;
    handler(ws, &Call { caller, now }, &params)
}
