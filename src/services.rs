//! Service handles and their operations, generated from `schema/endpoints.json`.
//!
//! Each `Client` accessor (`clusters()`, `tokens()`, `secrets()`) returns a borrowed handle;
//! every method sends one request.

include!(concat!(env!("OUT_DIR"), "/services.rs"));
