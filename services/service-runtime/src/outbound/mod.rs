//! Outbound HTTP calls to peer services, instrumented as the edges of a service
//! mesh: per call a client span whose trace context travels in `traceparent`, and
//! the edge metrics `http_client_requests_total{peer, method, status_code}` and
//! `http_client_request_duration_seconds{peer}` (see [`crate::catalog`]).
//!
//! - [`EdgeClient`]: reqwest calls to one peer, under a deadline, body bounded.
//! - [`Peer`] and [`EdgeCall`]: the instrumentation alone, for a caller with its
//!   own HTTP client (the traffic generator drains bodies it never keeps).
//! - [`BaseUrl`]: a peer's validated `http://host:port[/prefix]`.

mod base_url;
mod client;
mod edge;
#[cfg(test)]
mod tests;

pub use base_url::BaseUrl;
pub use client::{DEFAULT_MAX_BODY_BYTES, EdgeClient, EdgeError, EdgeResponse};
pub use edge::{EdgeCall, EdgeOutcome, Peer};

/// An error and its causes on one line: reqwest's own message ("error sending
/// request") hides the useful part ("Connection refused") in its sources.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
