//! [`EdgeClient`]: calls to one peer service over reqwest, each one instrumented
//! as an edge ([`super::Peer::start`]), under one deadline that covers connecting,
//! the answer and its body, and with the body read up to a bound.

use std::time::Duration;

use anyhow::Context;
use axum::body::Bytes;
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use super::{BaseUrl, EdgeOutcome, Peer, error_chain};

/// Default bound of an answer's body: a peer's single item is far smaller, and a
/// larger answer is a broken peer, not data to buffer.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// How long an idle pooled connection is kept: less than the 10 s header timeout
/// after which lookout's servers close idle connections, so a request is never
/// sent on a connection the server is closing.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// A peer's complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeResponse {
    /// Status code.
    pub status: StatusCode,
    /// The whole body, at most the client's bound.
    pub body: Bytes,
}

/// Why a call got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeError {
    /// Nothing complete within the deadline.
    TimedOut(Duration),
    /// Refused, reset, or another transport failure (the causes, on one line).
    Unreachable(String),
    /// The answer's body was longer than the bound.
    BodyTooLarge(usize),
}

impl std::fmt::Display for EdgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TimedOut(timeout) => write!(f, "no answer within {timeout:?}"),
            Self::Unreachable(causes) => f.write_str(causes),
            Self::BodyTooLarge(limit) => write!(f, "answer body longer than {limit} bytes"),
        }
    }
}

impl std::error::Error for EdgeError {}

/// Calls to one peer. Cheap to clone (the connection pool is shared). Connections
/// are not capped here: a service calls a peer from within its own requests, so
/// the server's `--max-connections` already bounds the calls in flight, and idle
/// ones close after [`POOL_IDLE_TIMEOUT`].
#[derive(Debug, Clone)]
pub struct EdgeClient {
    http: reqwest::Client,
    peer: Peer,
    base: BaseUrl,
    timeout: Duration,
    max_body_bytes: usize,
}

impl EdgeClient {
    /// A client of `peer` at `base`, each call bounded by `timeout`, answers read up
    /// to [`DEFAULT_MAX_BODY_BYTES`]. Creates the peer's GET failure series at 0.
    pub fn new(peer: Peer, base: BaseUrl, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // The peer's answer is the answer: a redirect would send the call (and
            // its trace context) somewhere nobody configured.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build()
            .context("cannot build the HTTP client")?;
        peer.register(&Method::GET);
        Ok(Self {
            http,
            peer,
            base,
            timeout,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        })
    }

    /// The same client with another body bound.
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// The peer this client calls.
    pub fn peer(&self) -> Peer {
        self.peer
    }

    /// `GET <base><path>`; `route` is the path's template (`/users/{id}`).
    pub async fn get(&self, route: &str, path: &str) -> Result<EdgeResponse, EdgeError> {
        self.send(Method::GET, route, path, None).await
    }

    /// Sends `method` to `<base><path>` with an optional JSON `body`, and reads the
    /// answer. Every call counts in the edge metrics and has a client span whose
    /// context the peer receives in `traceparent`.
    pub async fn send(
        &self,
        method: Method,
        route: &str,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<EdgeResponse, EdgeError> {
        let url = self.base.join(path);
        let call = self.peer.start(&method, route, &self.base, &url);
        let mut request = self
            .http
            .request(method, &url)
            .headers(call.trace_headers());
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status();
            let body = read_bounded(response, self.max_body_bytes).await?;
            Ok::<_, reqwest::Error>(body.map(|body| EdgeResponse { status, body }))
        };
        let result = match tokio::time::timeout(self.timeout, exchange)
            .instrument(call.span().clone())
            .await
        {
            Ok(Ok(Some(response))) => Ok(response),
            Ok(Ok(None)) => Err(EdgeError::BodyTooLarge(self.max_body_bytes)),
            Err(_elapsed) => Err(EdgeError::TimedOut(self.timeout)),
            Ok(Err(error)) => Err(EdgeError::Unreachable(error_chain(&error))),
        };
        match &result {
            Ok(response) => call.finish(EdgeOutcome::Answered(response.status), None),
            Err(EdgeError::TimedOut(_)) => call.finish(EdgeOutcome::TimedOut, None),
            Err(error) => call.finish(EdgeOutcome::Failed, Some(&error.to_string())),
        }
        result
    }
}

/// The body, or `None` once more than `limit` bytes are announced or arrive (the
/// response is then dropped, which closes its connection).
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Bytes>> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(Bytes::from(body)))
}
