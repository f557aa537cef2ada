//! Sending one request of the mix to its service and reporting what happened.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use reqwest::Url;

use crate::mix::{RequestKind, Service};

/// A service's base URL: plain `http://host:port` (optionally with a path prefix).
/// Only http is accepted: lookout's services speak plain HTTP on loopback or a
/// private network, and the client is built without TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl FromStr for BaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(text).map_err(|error| format!("{text:?} is not a URL: {error}"))?;
        if url.scheme() != "http" {
            return Err(format!("{text:?}: only http:// URLs are supported"));
        }
        if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{text:?}: expected http://host:port with no query or fragment"
            ));
        }
        Ok(Self(url))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl BaseUrl {
    /// The URL of `path` (which starts with `/`) on this service.
    pub fn join(&self, path: &str) -> String {
        format!("{self}{path}")
    }
}

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

/// An HTTP client for the two services, with a per-request timeout.
#[derive(Debug, Clone)]
pub struct Requester {
    client: reqwest::Client,
    targets: Targets,
    max_body_bytes: u64,
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
        })
    }

    /// Sends `kind` to its service and reads the answer, up to the body limit.
    pub async fn send(&self, kind: RequestKind) -> Outcome {
        let base = match kind.service {
            Service::Users => &self.targets.users,
            Service::Orders => &self.targets.orders,
        };
        let url = base.join(kind.path());
        let request = match kind.method() {
            "POST" => self.client.post(&url),
            _ => self.client.get(&url),
        };
        let request = match kind.body() {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
            None => request,
        };
        let result = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let complete = drain_body(response, self.max_body_bytes).await?;
            Ok::<_, reqwest::Error>(complete.then_some(status))
        }
        .await;
        match result {
            Ok(Some(status)) => Outcome::Answered(status),
            Ok(None) => Outcome::BodyTooLarge,
            Err(error) if error.is_timeout() => Outcome::TimedOut,
            Err(error) => Outcome::Failed(with_causes(&error)),
        }
    }
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

/// The error and its causes on one line: reqwest's own message ("error sending
/// request") hides the useful part ("Connection refused") in its sources.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_accept_plain_http_only() {
        let url: BaseUrl = "http://127.0.0.1:8001/".parse().expect("valid");
        assert_eq!(url.join("/users"), "http://127.0.0.1:8001/users");
        let prefixed: BaseUrl = "http://proxy:80/api".parse().expect("valid");
        assert_eq!(prefixed.join("/users/999"), "http://proxy/api/users/999");
        for bad in [
            "https://127.0.0.1:8001",
            "127.0.0.1:8001",
            "http://h/?a=1",
            "ftp://h",
            "",
        ] {
            assert!(
                bad.parse::<BaseUrl>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
