//! Starting a server under test, timing its start-up, reading its memory.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Give up on a server that does not answer `/health` within this time.
const START_DEADLINE: Duration = Duration::from_secs(10);

/// A server under test, killed on drop.
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) addr: SocketAddr,
    pub(super) startup: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port: bind port 0 and release it.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Variables that would switch tracing on (or change it) behind the flags' back.
const TRACING_ENV: [&str; 5] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "LOOKOUT_TRACE_SAMPLE_RATIO",
    "LOOKOUT_OTLP_QUEUE_SPANS",
];

/// Spawns a server with `extra` flags and measures the time to its first
/// `/health` answer.
pub(super) fn start(name: &str, binary: &Path, extra: &[String]) -> anyhow::Result<Server> {
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
        command.args(extra);
    }
    for variable in TRACING_ENV {
        command.env_remove(variable);
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

pub(super) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}
