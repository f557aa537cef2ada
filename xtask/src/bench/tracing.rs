//! Tracing's cost, measured in the same run: user-service's `GET /users/1` with
//! tracing off, on at sample ratio 1.0 and on at 0.01, each exporting over
//! OTLP/HTTP to a local sink; interleaved rounds (each starting with the next
//! mode), ratios to the "off" run of the same round. Figures only (the issue's
//! goal: at most 5 % throughput cost at 0.01).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::otlp_sink::OtlpSink;
use super::server::{Server, start};
use super::wrk::{CONNECTIONS, Load, THREADS, wrk};
use super::{WARM_UP, median, median_of};

/// The path measured: a business route, one server span per request.
const PATH: &str = "/users/1";
/// The modes: a label and the sample ratio (`None`: no `--otlp-endpoint`).
const MODES: [(&str, Option<&str>); 3] = [
    ("off", None),
    ("on, ratio 1.0", Some("1.0")),
    ("on, ratio 0.01", Some("0.01")),
];
/// The goal for the cheapest mode that still traces.
const GOAL_MAX_COST: f64 = 0.05;

/// The tracing section of the report.
pub(super) fn run(binary: &Path, duration: u64, rounds: usize) -> anyhow::Result<()> {
    let sink = OtlpSink::start()?;
    let endpoint = sink.endpoint();
    let mut servers = Vec::new();
    for (label, ratio) in MODES {
        let args = match ratio {
            None => Vec::new(),
            Some(ratio) => vec![
                "--otlp-endpoint".to_owned(),
                endpoint.clone(),
                "--trace-sample-ratio".to_owned(),
                ratio.to_owned(),
            ],
        };
        servers.push((label, start("user-service", binary, &args)?));
    }
    let mut runs: Vec<Vec<Load>> = vec![Vec::new(); MODES.len()];
    for round in 1..=rounds {
        println!("tracing round {round}/{rounds}...");
        // Each round starts with the next mode, so no mode always runs first
        // (or last) in a round and a burst of background load is spread evenly.
        for offset in 0..MODES.len() {
            let mode = (round + offset) % MODES.len();
            let url = format!("http://{}{PATH}", servers[mode].1.addr);
            wrk(&url, WARM_UP)?;
            runs[mode].push(wrk(&url, &format!("{duration}s"))?);
        }
    }
    report(&servers, &runs, &sink, duration, rounds)
}

fn report(
    servers: &[(&str, Server)],
    runs: &[Vec<Load>],
    sink: &OtlpSink,
    duration: u64,
    rounds: usize,
) -> anyhow::Result<()> {
    println!(
        "\ntracing: user-service GET {PATH}, wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s, median of {rounds} rounds,\n\
         spans exported over OTLP/HTTP to a local sink; ratios: median of (mode ÷ \"off\" run of the same round)\n"
    );
    println!(
        "{:<16} {:>10} {:>9} {:>9} {:>9} {:>9} {:>14} {:>12}",
        "mode",
        "req/s",
        "p50 ms",
        "p99 ms",
        "req/s÷off",
        "p99÷off",
        "spans exported",
        "spans dropped"
    );
    let off = &runs[0];
    let mut cheapest_cost = f64::NAN;
    for ((label, server), loads) in servers.iter().zip(runs) {
        let load = median(loads);
        let rps_ratio = median_of(
            loads
                .iter()
                .zip(off)
                .map(|(mode, off)| mode.requests_per_second / off.requests_per_second),
        );
        let p99_ratio = median_of(
            loads
                .iter()
                .zip(off)
                .map(|(mode, off)| mode.p99_ms / off.p99_ms),
        );
        let metrics = scrape(server.addr).unwrap_or_default();
        let counter = |name: &str| {
            counter_value(&metrics, name).map_or_else(|| String::from("n/a"), |v| format!("{v:.0}"))
        };
        println!(
            "{label:<16} {:>10.0} {:>9.3} {:>9.3} {rps_ratio:>9.3} {p99_ratio:>9.2} {:>14} {:>12}{}",
            load.requests_per_second,
            load.p50_ms,
            load.p99_ms,
            counter("otel_spans_exported_total"),
            counter("otel_spans_dropped_total"),
            if load.non_2xx > 0 {
                format!("  ({} non-2xx!)", load.non_2xx)
            } else {
                String::new()
            },
        );
        // MODES ends with the cheapest mode that still traces (0.01).
        cheapest_cost = 1.0 - rps_ratio;
    }
    println!(
        "sink: {} export requests, {:.1} MiB received, {} refused",
        sink.counts.requests.load(Ordering::Relaxed),
        sink.counts.bytes.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0),
        sink.counts.refused.load(Ordering::Relaxed)
    );
    println!(
        "goal (issue 13): tracing at ratio 0.01 costs {:.1}% of req/s (<= {:.0}%: {})",
        cheapest_cost * 100.0,
        GOAL_MAX_COST * 100.0,
        if cheapest_cost <= GOAL_MAX_COST {
            "ok"
        } else {
            "MISSED"
        }
    );
    Ok(())
}

/// `GET /metrics` of a server (Prometheus text), read whole.
pub(super) fn scrape(addr: SocketAddr) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// The value of a counter without labels in a Prometheus text exposition.
pub(super) fn counter_value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (metric, value) = line.split_once(' ')?;
            (metric == name).then(|| value.trim().parse().ok())?
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_unlabelled_counter() {
        let text = "# TYPE otel_spans_exported_total counter\notel_spans_exported_total 42\notel_spans_dropped_total_x 1\n";
        assert_eq!(counter_value(text, "otel_spans_exported_total"), Some(42.0));
        assert_eq!(counter_value(text, "otel_spans_dropped_total"), None);
    }
}
