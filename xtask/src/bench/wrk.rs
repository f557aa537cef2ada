//! Running wrk and reading its `--latency` report.

use std::process::Command;

use anyhow::{Context, bail};

/// wrk client threads (issue 2: one).
pub(super) const THREADS: &str = "1";
/// wrk connections (issue 2: 32).
pub(super) const CONNECTIONS: &str = "32";

/// One wrk run's figures.
#[derive(Debug, Clone)]
pub(super) struct Load {
    pub(super) requests_per_second: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    pub(super) non_2xx: u64,
}

pub(super) fn wrk(url: &str, duration: &str) -> anyhow::Result<Load> {
    let output = Command::new("wrk")
        .args([
            "-t",
            THREADS,
            "-c",
            CONNECTIONS,
            "-d",
            duration,
            "--latency",
            url,
        ])
        .output()
        .context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed on {url}: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_wrk(&text).with_context(|| format!("unexpected wrk output:\n{text}"))
}

fn parse_wrk(text: &str) -> Option<Load> {
    let field = |prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(str::trim))
    };
    Some(Load {
        requests_per_second: field("Requests/sec:")?.parse().ok()?,
        p50_ms: parse_latency_ms(field("50%")?)?,
        p99_ms: parse_latency_ms(field("99%")?)?,
        non_2xx: field("Non-2xx or 3xx responses:")
            .and_then(|count| count.parse().ok())
            .unwrap_or(0),
    })
}

/// wrk prints latencies as `213.00us`, `1.23ms` or `1.01s`.
fn parse_latency_ms(text: &str) -> Option<f64> {
    let split = text.find(|character: char| character.is_ascii_alphabetic())?;
    let value: f64 = text[..split].parse().ok()?;
    match &text[split..] {
        "us" => Some(value / 1000.0),
        "ms" => Some(value),
        "s" => Some(value * 1000.0),
        "m" => Some(value * 60_000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_latency_output() {
        let text = "  Latency Distribution\n     50%  213.00us\n     75%  400.00us\n     90%    1.00ms\n     99%    2.50ms\n  123 requests in 1.00s, 1MB read\nRequests/sec:  12345.67\nTransfer/sec:      1.00MB\n";
        let load = parse_wrk(text).expect("parses");
        assert!((load.requests_per_second - 12345.67).abs() < 1e-6);
        assert!((load.p50_ms - 0.213).abs() < 1e-9);
        assert!((load.p99_ms - 2.5).abs() < 1e-9);
        assert_eq!(load.non_2xx, 0);
        assert_eq!(parse_latency_ms("1.50s"), Some(1500.0));
        assert_eq!(parse_latency_ms("fast"), None);
    }
}
