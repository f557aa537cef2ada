//! Blocking HTTP requests for the service tests, through reqwest: one request per
//! connection (no idle pool, so no connection outlives its request and counts
//! against a server's connection cap), every request under a deadline. Tests whose
//! point is a malformed request or a hostile client use raw sockets ([`super::hostile`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use reqwest::Method;
use reqwest::blocking::Client;
use reqwest::header::{CONNECTION, CONTENT_TYPE};

/// Deadline of one request, answer included: well above the longest injected
/// latency a test waits for, so only a hung server trips it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// One client for every test of a binary: building one starts a runtime thread.
static CLIENT: LazyLock<Client> = LazyLock::new(|| {
    Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("the HTTP client builds")
});

/// A response read off the wire.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// Body as text.
    pub body: String,
}

impl HttpResponse {
    /// The body parsed as JSON.
    ///
    /// # Panics
    /// If it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {:?}", self.body))
    }

    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Sends one request with `Connection: close` (and `Content-Type: application/json`
/// when there is a body) and reads the whole response.
///
/// # Panics
/// On connection or protocol errors, or after [`REQUEST_TIMEOUT`].
pub fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> HttpResponse {
    try_request(addr, method, path, body)
        .unwrap_or_else(|error| panic!("{method} {path} on {addr}: {error}"))
}

/// [`request`] returning errors (connection refused, reset, timeout, a body that
/// is not UTF-8) instead of panicking.
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> std::io::Result<HttpResponse> {
    let method = Method::from_bytes(method.as_bytes()).map_err(std::io::Error::other)?;
    let mut builder = CLIENT
        .request(method, format!("http://{addr}{path}"))
        .header(CONNECTION, "close");
    if let Some(body) = body {
        builder = builder
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec());
    }
    let response = builder.send().map_err(std::io::Error::other)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    let bytes = response.bytes().map_err(std::io::Error::other)?;
    let body = String::from_utf8(bytes.to_vec()).map_err(std::io::Error::other)?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}
