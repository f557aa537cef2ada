//! Step 1, Prometheus 3 readiness: every scrape target answers with a
//! Content-Type that Prometheus 3 parses without a `fallback_scrape_protocol`.
//! The Prometheus 2.42 that runs here parses a missing or unknown type as the
//! text format, so only this check shows what Prometheus 3 (under `nix flake
//! check` and on NixOS) would refuse with "received unsupported Content-Type".
//! Setting `fallback_scrape_protocol` instead is no option: 2.42 rejects the
//! field and would not load the shared scrape config.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use lookout_e2e::stack::Stack;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

/// An Accept header in the spirit of Prometheus 3's negotiation: OpenMetrics
/// preferred, then the text format, then anything.
const NEGOTIATED: &str =
    "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

/// The media types Prometheus 3 parses without a fallback protocol
/// (`textparse.New`: text, OpenMetrics, protobuf).
const PARSED_BY_PROMETHEUS_3: [&str; 3] = [
    "text/plain",
    "application/openmetrics-text",
    "application/vnd.google.protobuf",
];

pub(crate) async fn every_target_sends_a_prometheus3_content_type(stack: &Stack) -> Result<()> {
    let targets = stack.prometheus().targets().await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let mut seen = Vec::new();
    let mut refused = Vec::new();
    for target in &targets {
        let response = http
            .get(&target.scrape_url)
            .header(ACCEPT, NEGOTIATED)
            .send()
            .await
            .with_context(|| format!("scraping {}", target.scrape_url))?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let job = target.labels.get("job").cloned().unwrap_or_default();
        if parsed_by_prometheus3(&content_type) {
            seen.push(format!("{job}: {content_type}"));
        } else {
            refused.push(format!("{job} ({}): {content_type:?}", target.scrape_url));
        }
    }
    ensure!(
        refused.is_empty(),
        "Prometheus 3 would refuse these scrapes (no fallback_scrape_protocol): {refused:?}"
    );
    println!("[e2e] step 1: every target's Content-Type parses in Prometheus 3: {seen:?}");
    Ok(())
}

fn parsed_by_prometheus3(content_type: &str) -> bool {
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    PARSED_BY_PROMETHEUS_3.contains(&media_type.as_str())
}

#[test]
fn only_the_exposition_media_types_are_parsed() {
    assert!(parsed_by_prometheus3(
        "text/plain; version=0.0.4; charset=utf-8"
    ));
    assert!(parsed_by_prometheus3(
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    ));
    for refused in [
        "",
        "application/json",
        "text/html; charset=utf-8",
        "application/text",
    ] {
        assert!(!parsed_by_prometheus3(refused), "{refused:?}");
    }
}
