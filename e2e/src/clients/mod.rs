//! Small typed clients for the HTTP APIs the end-to-end test drives and checks.

pub mod alertmanager;
pub mod faults;
pub mod prometheus;
pub mod receiver;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;

/// The client every stack uses for its HTTP calls. Idle pooled connections are
/// dropped after 5 s: lookout's servers close a connection that sends no request
/// head within their header timeout (10 s by default, which is also their
/// keep-alive idle timeout), and a request sent on a pooled connection just as
/// the server closes it fails with "connection closed before message completed".
/// The client gives up its idle connections well before the server does.
pub(crate) fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(5))
        .build()
        .context("building the HTTP client")
}

/// `GET url` and decode the JSON body; a non-2xx status is an error with the body.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    query: &[(&str, &str)],
) -> Result<T> {
    let response = client
        .get(url)
        .query(query)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    decode(url, response).await
}

/// Decode a JSON response, turning a non-2xx status into an error that shows the body.
pub(crate) async fn decode<T: DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T> {
    let status = response.status();
    let body = response
        .text()
        .await
        .with_context(|| format!("reading the body of {url}"))?;
    if !status.is_success() {
        bail!("{url} answered HTTP {status}: {}", truncate(&body, 500));
    }
    serde_json::from_str(&body).with_context(|| format!("decoding {url}: {}", truncate(&body, 500)))
}

/// At most `max` bytes of `text` (on a char boundary), for error messages.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
