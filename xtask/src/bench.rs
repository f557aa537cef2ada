//! `cargo xtask bench`: throughput, latency, memory and start-up of the services
//! against a bare-axum floor (figures, not pass/fail tests).
//!
//! Builds the release binaries, then for the floor (`bare_axum` example of
//! service-runtime) and each service (simulated latency off) measures the time from
//! spawn to the first `/health` answer (median of 5 starts), runs
//! `wrk -t1 -c32 --latency` on each path (interleaved rounds, median kept), and reads
//! VmRSS from `/proc/<pid>/status` after the load. Prints req/s, p50, p99, their
//! ratio to the floor, RSS and start-up, next to issue 2's targets.
//!
//! Options: `--duration <seconds>` per wrk run (default 5), `--rounds <n>`
//! interleaved rounds whose median is reported (default 3), `--compare-dir <dir>`
//! another build of user-service and order-service (say, a variant of a change)
//! whose business routes run in the same rounds, each paired with the floor, so
//! the report can set the two builds side by side.
//!
//! Then tracing's cost (`tracing.rs`): user-service with tracing off, on at
//! ratio 1.0 and at 0.01, exporting to a local OTLP sink (`otlp_sink.rs`), in
//! rounds of their own; `--tracing-only` runs just that part.
//!
//! `--collector-down <minutes>` runs only the exporter's memory soak
//! (`collector_down.rs`): tracing on with the collector stalled or refusing,
//! under load for that long, RSS printed each minute against tracing off.

mod collector_down;
mod otlp_sink;
mod report;
mod server;
mod tracing;
mod wrk;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use report::{Row, report};
use server::{rss_kib, start};
use wrk::{Load, wrk};

/// A floor run and the service run just after it.
type Pair = (Load, Load);

/// Name of the bare-axum floor in the report.
const FLOOR: &str = "bare-axum";
/// Names of the `--compare-dir` builds in the report.
const COMPARED_USERS: &str = "user-service (B)";
const COMPARED_ORDERS: &str = "order-service (B)";
/// Warm-up run before each measured run.
const WARM_UP: &str = "1s";
/// Starts per server whose median start-up time is reported.
const STARTS: usize = 5;

/// Command line of `cargo xtask bench`.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Seconds per wrk run.
    #[arg(long, value_name = "SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) duration: u64,
    /// Interleaved rounds; the report shows the median.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(super) rounds: usize,
    /// A directory holding another build of user-service and order-service, whose
    /// business routes are measured in the same rounds (reported as `<name> (B)`).
    #[arg(long, value_name = "DIR")]
    pub(super) compare_dir: Option<PathBuf>,
    /// Only measure tracing's cost (off, ratio 1.0, ratio 0.01).
    #[arg(long)]
    pub(super) tracing_only: bool,
    /// Only run the collector-down soak for this many minutes (RSS each minute).
    #[arg(long, value_name = "MINUTES",
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub(super) collector_down: Option<u64>,
}

pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    require_tool("wrk", "apt-get install wrk")?;
    println!("building release binaries...");
    // Two builds: `--example` would otherwise restrict every package to examples.
    cargo_release(&["-p", "user-service", "-p", "order-service", "--bins"])?;
    cargo_release(&["-p", "service-runtime", "--example", "bare_axum"])?;
    let release = target_dir().join("release");
    if let Some(minutes) = options.collector_down {
        return collector_down::run(&release.join("user-service"), minutes);
    }
    if !options.tracing_only {
        services_against_the_floor(options, &release)?;
    }
    tracing::run(
        &release.join("user-service"),
        options.duration,
        options.rounds,
    )
}

/// The services' routes against the bare-axum floor, start-up and memory.
fn services_against_the_floor(options: &Options, release: &Path) -> anyhow::Result<()> {
    let floor_binary = release.join("examples").join("bare_axum");
    let mut plans: Vec<(&'static str, PathBuf, &[&'static str])> = vec![
        (FLOOR, floor_binary, &["/health"]),
        (
            "user-service",
            release.join("user-service"),
            &["/health", "/users/1", "/metrics"],
        ),
        (
            "order-service",
            release.join("order-service"),
            &["/health", "/orders/1", "/metrics"],
        ),
    ];
    if let Some(dir) = &options.compare_dir {
        plans.push((COMPARED_USERS, dir.join("user-service"), &["/users/1"]));
        plans.push((COMPARED_ORDERS, dir.join("order-service"), &["/orders/1"]));
    }
    // Start every server first (one at a time, so start-up is measured on a quiet
    // machine), then interleave the runs over several rounds and keep the median:
    // on a shared machine, background load then hits the floor and the services alike.
    let mut servers = Vec::new();
    for (name, binary, paths) in &plans {
        // Start-up is the median of a few starts: the first exec after a build
        // also pays for reading the binary from disk.
        let mut startups = Vec::new();
        for _ in 0..STARTS {
            startups.push(start(name, binary, &[])?.startup);
        }
        startups.sort();
        let mut server = start(name, binary, &[])?;
        server.startup = startups[STARTS / 2];
        servers.push((*name, server, *paths));
    }
    // Each service run is paired with a floor run just before it: the ratio of the
    // pair is what the targets are about, and a burst of background load on the
    // shared machine then hits both sides of a pair alike.
    let floor_addr = servers
        .iter()
        .find(|(name, ..)| *name == FLOOR)
        .map(|(_, server, _)| server.addr)
        .context("floor not started")?;
    let floor_url = format!("http://{floor_addr}/health");
    let mut floor_loads = Vec::new();
    let mut pairs: Vec<(&'static str, &'static str, Vec<Pair>)> = servers
        .iter()
        .filter(|(name, ..)| *name != FLOOR)
        .flat_map(|(name, _, paths)| paths.iter().map(|path| (*name, *path, Vec::new())))
        .collect();
    for round in 1..=options.rounds {
        println!("round {round}/{}...", options.rounds);
        for (name, path, runs) in &mut pairs {
            let addr = servers
                .iter()
                .find(|(server, ..)| server == name)
                .map(|(_, server, _)| server.addr)
                .context("server not started")?;
            let url = format!("http://{addr}{path}");
            wrk(&floor_url, WARM_UP)?;
            let floor = wrk(&floor_url, &format!("{}s", options.duration))?;
            wrk(&url, WARM_UP)?;
            let service = wrk(&url, &format!("{}s", options.duration))?;
            floor_loads.push(floor.clone());
            runs.push((floor, service));
        }
    }
    let mut rows = vec![Row {
        server: FLOOR,
        path: "/health",
        load: median(&floor_loads),
        rps_ratio: 1.0,
        p99_ratio: 1.0,
    }];
    for (server, path, runs) in pairs {
        let services: Vec<Load> = runs.iter().map(|(_, service)| service.clone()).collect();
        rows.push(Row {
            server,
            path,
            load: median(&services),
            rps_ratio: median_of(
                runs.iter().map(|(floor, service)| {
                    service.requests_per_second / floor.requests_per_second
                }),
            ),
            p99_ratio: median_of(
                runs.iter()
                    .map(|(floor, service)| service.p99_ms / floor.p99_ms),
            ),
        });
    }
    let mut memory = Vec::new();
    for (name, server, _) in &servers {
        memory.push((*name, rss_kib(server.child.id())?, server.startup));
    }
    report(&rows, &memory, options);
    Ok(())
}

/// The median of some figures (NaN for none).
fn median_of(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Per-figure median over the rounds (each figure on its own).
fn median(loads: &[Load]) -> Load {
    let pick = |figure: fn(&Load) -> f64| median_of(loads.iter().map(figure));
    Load {
        requests_per_second: pick(|load| load.requests_per_second),
        p50_ms: pick(|load| load.p50_ms),
        p99_ms: pick(|load| load.p99_ms),
        non_2xx: loads.iter().map(|load| load.non_2xx).sum(),
    }
}

fn cargo_release(selection: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked"])
        .args(selection)
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("release build of {selection:?} failed");
    }
    Ok(())
}

fn require_tool(tool: &str, install: &str) -> anyhow::Result<()> {
    match Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => Ok(()),
        Err(error) => bail!("{tool} is required ({install}): {error}"),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new("target").to_path_buf(), PathBuf::from)
}
