//! The printed report: figures, ratios to the floor, and the targets.

use std::time::Duration;

use super::Options;
use super::wrk::{CONNECTIONS, Load, THREADS};

/// One row of the report.
pub(super) struct Row {
    pub(super) server: &'static str,
    pub(super) path: &'static str,
    pub(super) load: Load,
    /// Median over the rounds of req/s divided by the paired floor run's.
    pub(super) rps_ratio: f64,
    /// Median over the rounds of p99 divided by the paired floor run's.
    pub(super) p99_ratio: f64,
}

fn verdict(met: bool) -> &'static str {
    if met { "ok" } else { "MISSED" }
}

pub(super) fn report(rows: &[Row], memory: &[(&str, u64, Duration)], options: &Options) {
    println!(
        "\nwrk -t{THREADS} -c{CONNECTIONS} -d{}s --latency, simulated latency off, median of {} rounds,\nratios: median of (service ÷ floor run just before it)\n",
        options.duration, options.rounds
    );
    println!(
        "{:<18} {:<10} {:>10} {:>9} {:>9} {:>10} {:>10}",
        "server", "path", "req/s", "p50 ms", "p99 ms", "req/s÷floor", "p99÷floor"
    );
    for row in rows {
        let load = &row.load;
        println!(
            "{:<18} {:<10} {:>10.0} {:>9.3} {:>9.3} {:>10.2} {:>10.2}{}",
            row.server,
            row.path,
            load.requests_per_second,
            load.p50_ms,
            load.p99_ms,
            row.rps_ratio,
            row.p99_ratio,
            if load.non_2xx > 0 {
                format!("  ({} non-2xx!)", load.non_2xx)
            } else {
                String::new()
            },
        );
    }
    println!(
        "\n{:<14} {:>14} {:>14}",
        "server", "RSS after load", "start-up"
    );
    for (server, rss, startup) in memory {
        println!(
            "{server:<14} {:>10.1} MiB {:>11.1} ms",
            *rss as f64 / 1024.0,
            startup.as_secs_f64() * 1000.0
        );
    }
    compare(rows);
    println!("\ntargets (issue 2):");
    for row in rows
        .iter()
        .filter(|row| row.path == "/users/1" || row.path == "/orders/1")
    {
        let ratio = row.rps_ratio;
        let p99 = row.p99_ratio;
        println!(
            "  {} {}: req/s {:.0}% of floor (>= 80%: {}), p99 {:.2}x floor (<= 1.5x: {})",
            row.server,
            row.path,
            ratio * 100.0,
            verdict(ratio >= 0.8),
            p99,
            verdict(p99 <= 1.5)
        );
    }
    for row in rows.iter().filter(|row| row.path == "/metrics") {
        let rps = row.load.requests_per_second;
        println!(
            "  {} /metrics: {rps:.0} req/s (>= 5000: {})",
            row.server,
            verdict(rps >= 5000.0)
        );
    }
    for (server, rss, startup) in memory.iter().filter(|(server, ..)| *server != "bare-axum") {
        let mib = *rss as f64 / 1024.0;
        let ms = startup.as_secs_f64() * 1000.0;
        println!(
            "  {server}: RSS {mib:.1} MiB (<= 16: {}), start-up {ms:.1} ms (<= 50: {})",
            verdict(mib <= 16.0),
            verdict(ms <= 50.0)
        );
    }
}

/// Each `--compare-dir` row against the row of the main build with the same path:
/// both are medians of ratios to floor runs of the same rounds.
fn compare(rows: &[Row]) {
    for compared in rows.iter().filter(|row| row.server.ends_with(" (B)")) {
        let main = compared.server.trim_end_matches(" (B)");
        let Some(row) = rows
            .iter()
            .find(|row| row.server == main && row.path == compared.path)
        else {
            continue;
        };
        println!(
            "\n{main} {}: build B does {:+.1}% req/s and {:+.1}% p99 against the main build (ratios to the floor)",
            row.path,
            (compared.rps_ratio / row.rps_ratio - 1.0) * 100.0,
            (compared.p99_ratio / row.p99_ratio - 1.0) * 100.0,
        );
    }
}
