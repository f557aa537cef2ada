//! `cargo xtask bench`: throughput, latency, memory and start-up of the services
//! against a bare-axum floor (figures, not pass/fail tests).
//!
//! Builds the release binaries, then for the floor (`bare_axum` example of
//! service-runtime) and each service (simulated latency off) measures the time from
//! spawn to the first `/health` answer (median of 5 starts), runs `wrk -t1 -c32 --latency` on each path
//! (interleaved rounds, median kept), and reads VmRSS from `/proc/<pid>/status`
//! after the load. Prints req/s, p50, p99,
//! their ratio to the floor, RSS and start-up, next to issue 2's targets.
//!
//! Options: `--duration <seconds>` per wrk run (default 5), `--rounds <n>`
//! interleaved rounds whose median is reported (default 3).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const CONNECTIONS: &str = "32";
const THREADS: &str = "1";
/// Give up on a server that does not answer `/health` within this time.
const START_DEADLINE: Duration = Duration::from_secs(10);
const WARM_UP: &str = "1s";
/// Starts per server whose median start-up time is reported.
const STARTS: usize = 5;

/// One wrk run's figures.
struct Load {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
}

/// One row of the report.
struct Row {
    server: &'static str,
    path: &'static str,
    load: Load,
}

/// A server under test, killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    startup: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Command-line options of `cargo xtask bench`.
struct Options {
    /// Seconds per wrk run.
    duration: u64,
    /// Interleaved rounds; the report shows the median.
    rounds: usize,
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse_options(args)?;
    require_tool("wrk", "apt-get install wrk")?;
    println!("building release binaries...");
    // Two builds: `--example` would otherwise restrict every package to examples.
    cargo_release(&["-p", "user-service", "-p", "order-service", "--bins"])?;
    cargo_release(&["-p", "service-runtime", "--example", "bare_axum"])?;
    let release = target_dir().join("release");
    let floor_binary = release.join("examples").join("bare_axum");
    let plans: [(&'static str, PathBuf, &[&'static str]); 3] = [
        ("bare-axum", floor_binary, &["/health"]),
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
    // Start every server first (one at a time, so start-up is measured on a quiet
    // machine), then interleave the runs over several rounds and keep the median:
    // on a shared machine, background load then hits the floor and the services alike.
    let mut servers = Vec::new();
    for (name, binary, paths) in &plans {
        // Start-up is the median of a few starts: the first exec after a build
        // also pays for reading the binary from disk.
        let mut startups = Vec::new();
        for _ in 0..STARTS {
            startups.push(start(name, binary)?.startup);
        }
        startups.sort();
        let mut server = start(name, binary)?;
        server.startup = startups[STARTS / 2];
        servers.push((*name, server, *paths));
    }
    let mut samples: Vec<(&'static str, &'static str, Vec<Load>)> = servers
        .iter()
        .flat_map(|(name, _, paths)| paths.iter().map(|path| (*name, *path, Vec::new())))
        .collect();
    for round in 1..=options.rounds {
        println!("round {round}/{}...", options.rounds);
        for (name, path, loads) in &mut samples {
            let addr = servers
                .iter()
                .find(|(server, ..)| server == name)
                .map(|(_, server, _)| server.addr)
                .context("server not started")?;
            let url = format!("http://{addr}{path}");
            wrk(&url, WARM_UP)?;
            loads.push(wrk(&url, &format!("{}s", options.duration))?);
        }
    }
    let rows: Vec<Row> = samples
        .into_iter()
        .map(|(server, path, loads)| Row {
            server,
            path,
            load: median(&loads),
        })
        .collect();
    let mut memory = Vec::new();
    for (name, server, _) in &servers {
        memory.push((*name, rss_kib(server.child.id())?, server.startup));
    }
    report(&rows, &memory, &options);
    Ok(())
}

/// Per-figure median over the rounds (each figure on its own).
fn median(loads: &[Load]) -> Load {
    let pick = |figure: fn(&Load) -> f64| {
        let mut values: Vec<f64> = loads.iter().map(figure).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    };
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

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        duration: 5,
        rounds: 3,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--duration" => options.duration = value.parse().context("invalid --duration")?,
            "--rounds" => options.rounds = value.parse().context("invalid --rounds")?,
            other => {
                bail!("usage: cargo xtask bench [--duration <s>] [--rounds <n>], got {other:?}")
            }
        }
    }
    if options.rounds == 0 || options.duration == 0 {
        bail!("--duration and --rounds must be at least 1");
    }
    Ok(options)
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

/// A free loopback port: bind port 0 and release it.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Spawns a server and measures the time to its first `/health` answer.
fn start(name: &str, binary: &Path) -> anyhow::Result<Server> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut command = Command::new(binary);
    if name == "bare-axum" {
        command.arg(port.to_string());
    } else {
        let admin = free_port()?.to_string();
        command.args([
            "--port",
            &port.to_string(),
            "--admin-port",
            &admin,
            "--simulated-latency",
            "false",
        ]);
        command.args(["--log-level", "warn"]);
    }
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let mut server = Server {
        child,
        addr,
        startup: Duration::ZERO,
    };
    while !health_ok(addr) {
        if started.elapsed() > START_DEADLINE {
            bail!("{name} did not answer /health within {START_DEADLINE:?}");
        }
        if let Some(status) = server.child.try_wait()? {
            bail!("{name} exited during start-up: {status}");
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    server.startup = started.elapsed();
    Ok(server)
}

fn health_ok(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
}

fn wrk(url: &str, duration: &str) -> anyhow::Result<Load> {
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

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

fn verdict(met: bool) -> &'static str {
    if met { "ok" } else { "MISSED" }
}

fn report(rows: &[Row], memory: &[(&str, u64, Duration)], options: &Options) {
    let Some(floor) = rows
        .iter()
        .find(|row| row.server == "bare-axum")
        .map(|row| &row.load)
    else {
        return;
    };
    println!(
        "\nwrk -t{THREADS} -c{CONNECTIONS} -d{}s --latency, simulated latency off, median of {} rounds\n",
        options.duration, options.rounds
    );
    println!(
        "{:<14} {:<10} {:>10} {:>9} {:>9} {:>10} {:>10}",
        "server", "path", "req/s", "p50 ms", "p99 ms", "req/s÷floor", "p99÷floor"
    );
    for row in rows {
        let load = &row.load;
        println!(
            "{:<14} {:<10} {:>10.0} {:>9.3} {:>9.3} {:>10.2} {:>10.2}{}",
            row.server,
            row.path,
            load.requests_per_second,
            load.p50_ms,
            load.p99_ms,
            load.requests_per_second / floor.requests_per_second,
            load.p99_ms / floor.p99_ms,
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
    println!("\ntargets (issue 2):");
    for row in rows
        .iter()
        .filter(|row| row.path == "/users/1" || row.path == "/orders/1")
    {
        let ratio = row.load.requests_per_second / floor.requests_per_second;
        let p99 = row.load.p99_ms / floor.p99_ms;
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
