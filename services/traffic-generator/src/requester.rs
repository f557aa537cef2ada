//! Sending one request of the mix to its service and reporting what happened.

use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use service_runtime::outbound::{EdgeOutcome, Peer, error_chain};
use tracing::Instrument;

use crate::mix::{RequestKind, Service};

/// A service's base URL: plain `http://host:port` (optionally with a path prefix),
/// validated as every lookout client validates its peers'.
pub use service_runtime::outbound::BaseUrl;

/// Where each service lives.
#[derive(Debug, Clone)]
pub struct Targets {
    /// user-service's base URL.
    pub users: BaseUrl,
    /// order-service's base URL.
    pub orders: BaseUrl,
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The service answered with this status (body read in full).
    Answered(u16),
    /// The answer's body was longer than the limit: reading stopped there.
    BodyTooLarge,
    /// No complete answer within the timeout.
    TimedOut,
    /// Connection refused, reset, or another transport error.
    Failed(String),
}

/// An HTTP client for the two services, with a per-request timeout. Each request
/// is an instrumented edge (`service_runtime::outbound`): a client span that starts
/// a new trace, its `traceparent` sent along (when tracing is on), and the edge
/// metrics per peer.
#[derive(Debug, Clone)]
pub struct Requester {
    client: reqwest::Client,
    targets: Targets,
    max_body_bytes: u64,
    users: Peer,
    orders: Peer,
}

impl Requester {
    /// A client that gives up on any request after `timeout` (body included),
    /// reads at most `max_body_bytes` of an answer and keeps up to `max_idle` idle
    /// connections per service for reuse.
    pub fn new(
        targets: Targets,
        timeout: Duration,
        max_idle: usize,
        max_body_bytes: u64,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(max_idle)
            // lookout's servers close a connection idle for their header timeout
            // (10 s by default); a request sent on it just then would fail, so
            // idle connections are given up first (this matters at low rates).
            .pool_idle_timeout(Duration::from_secs(5))
            .user_agent(concat!(
                "lookout-traffic-generator/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Self {
            client,
            targets,
            max_body_bytes,
            users: peer("user-service")?,
            orders: peer("order-service")?,
        })
    }

    /// Sends `kind` to its service and reads the answer, up to the body limit.
    pub async fn send(&self, kind: RequestKind) -> Outcome {
        let (base, peer) = match kind.service {
            Service::Users => (&self.targets.users, self.users),
            Service::Orders => (&self.targets.orders, self.orders),
        };
        let url = base.join(kind.path());
        let method = match kind.method() {
            "POST" => Method::POST,
            _ => Method::GET,
        };
        // The generator's requests are where the work starts: each is a new trace.
        let call = peer.start_trace(&method, kind.route(), base, &url);
        let request = self
            .client
            .request(method, &url)
            .headers(call.trace_headers());
        let request = match kind.body() {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
            None => request,
        };
        let result = async {
            let response = request.send().await?;
            let status = response.status();
            let complete = drain_body(response, self.max_body_bytes).await?;
            Ok::<_, reqwest::Error>(complete.then_some(status))
        }
        .instrument(call.span().clone())
        .await;
        match result {
            Ok(Some(status)) => {
                call.finish(EdgeOutcome::Answered(status), None);
                Outcome::Answered(status.as_u16())
            }
            Ok(None) => {
                call.finish(
                    EdgeOutcome::Failed,
                    Some("answer body over --max-body-bytes"),
                );
                Outcome::BodyTooLarge
            }
            Err(error) if error.is_timeout() => {
                call.finish(EdgeOutcome::TimedOut, None);
                Outcome::TimedOut
            }
            Err(error) => {
                let causes = error_chain(&error);
                call.finish(EdgeOutcome::Failed, Some(&causes));
                Outcome::Failed(causes)
            }
        }
    }
}

fn peer(name: &'static str) -> anyhow::Result<Peer> {
    Peer::new(name).map_err(anyhow::Error::msg)
}

/// Reads the body chunk by chunk, keeping none of it (only the status matters), so
/// memory stays at one chunk whatever the server sends. Reading to the end lets the
/// connection go back to the pool; `false` once more than `limit` bytes are
/// announced or arrive: the response is then dropped, which closes the connection.
async fn drain_body(mut response: reqwest::Response, limit: u64) -> reqwest::Result<bool> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Ok(false);
    }
    let mut read: u64 = 0;
    while let Some(chunk) = response.chunk().await? {
        read = read.saturating_add(chunk.len() as u64);
        if read > limit {
            return Ok(false);
        }
    }
    Ok(true)
}
