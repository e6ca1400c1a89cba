//! From a request to an answer: faults, routing, authentication, then the operation, all under
//! the one workspace lock.

mod host_metadata;
pub(crate) mod params;
pub(crate) mod routes;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use azure_databricks_sdk::{BodyKind, rules};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::fault::{FaultKind, retry_after_secs};
use crate::http::{Outcome, Request, Response, Service};
use crate::services::{files, oauth};
use crate::users::Caller;
use crate::workspace::Workspace;
use params::Params;

/// Largest request body of the operations that take JSON (or a form): the service's 10 MB
/// request limit, plus room for JSON framing. Larger ones are answered 413 before they are
/// read.
pub(crate) const MAX_JSON_BODY: u64 = 10 * 1024 * 1024 + 64 * 1024;

/// The workspace as the HTTP server's [`Service`].
#[derive(Debug)]
pub(crate) struct Api {
    pub(crate) shared: Arc<Mutex<Workspace>>,
}

impl Service for Api {
    /// The limit of the operation's request body, as its entry in the SDK's operations table
    /// declares it: a streamed body (a file upload) may be as large as the service's single
    /// `PUT` (5 GiB); every other operation takes JSON (or, `oidc/v1/token`, a form) within
    /// the 10 MB request limit.
    fn body_limit(&self, head: &Request) -> u64 {
        if files::storage::serves(&head.path) {
            return rules::FILES_SINGLE_PUT.max_bytes;
        }
        match routes::find(&head.method, &head.path) {
            Ok(route)
                if route
                    .operation
                    .is_some_and(|op| op.request_body == BodyKind::Stream) =>
            {
                rules::FILES_SINGLE_PUT.max_bytes
            }
            _ => MAX_JSON_BODY,
        }
    }

    fn answer(&self, request: &Request) -> Outcome {
        handle(&self.shared, request)
    }
}

/// Who calls, when (emulated epoch ms), and under which API version.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) caller: Caller,
    pub(crate) now: i64,
    /// The API version of the path, e.g. `2.0`: one of those the operation answers under, for
    /// handlers whose answer depends on it (`clusters/list` under 2.0 is not paged).
    pub(crate) version: &'static str,
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
    if files::storage::serves(&request.path) {
        return files::storage::answer(ws, request);
    }
    dispatch(ws, request).unwrap_or_else(|error| Response::error(&error))
}

fn dispatch(ws: &mut Workspace, request: &Request) -> Result<Response, ApiError> {
    let route = routes::find(&request.method, &request.path)?;
    let now = ws.clock.now_ms();
    let caller = ws.authenticate(request.header("authorization"), now)?;
    ws.settle(now);
    let streamed = route
        .operation
        .is_some_and(|op| op.request_body == BodyKind::Stream);
    // A form upload (`workspace/import` as the official Python SDK sends it) is parsed by
    // its handler.
    let form = request
        .header("content-type")
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    let params = if streamed || form {
        Params::from_query(request)
    } else {
        Params::from_request(request)?
    }
    .with_path_params(route.path_params);
    let call = Call {
        caller,
        now,
        version: route.version,
    };
    match route.handler {
        routes::Handler::Json(handler) => Ok(Response::json(200, &handler(ws, &call, &params)?)),
        routes::Handler::Raw(handler) => handler(ws, &call, &params, request),
    }
}
