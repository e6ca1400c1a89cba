//! A small HTTP/1.1 server on `std::net`: keep-alive, `Content-Length` and chunked request
//! bodies of any size (spooled to disk past 64 KiB, [`body::Body`]), `Expect: 100-continue`, answers
//! from memory or streamed from a file with byte ranges ([`Response::file`]), `HEAD`, one
//! thread per connection.
//!
//! It is ours rather than a server crate's so that a fault can close a connection without
//! answering (servers that own the socket always answer, e.g. tiny_http sends a 500 for a
//! dropped request) and so that the emulator builds in seconds.

mod body;
mod connection;
mod request;
mod response;
mod server;

pub(crate) use body::Body;
pub(crate) use request::Request;
pub(crate) use response::Response;
pub use server::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT};
pub(crate) use server::{Limits, Outcome, Server, Service};
