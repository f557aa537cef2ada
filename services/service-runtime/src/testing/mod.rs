//! Helpers for integration tests of lookout binaries (feature `testing`): spawn the
//! real binary on free ports ([`Spawned`]), send HTTP requests through reqwest
//! ([`client`]), parse `/metrics` ([`scrape`]) and measure how much a series moved
//! ([`mod@moved`]), play hostile clients on raw sockets ([`hostile`]), and the contract checks every service must pass ([`checks`], run
//! by [`contract_tests!`](crate::contract_tests)). Blocking std code on purpose: tests stay simple
//! and need no runtime. Panics are the failure mode: these run inside tests.

pub mod checks;
pub mod client;
pub mod hostile;
pub mod moved;
pub mod scrape;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub use client::{HttpResponse, request, try_request};
pub use moved::{errors_moved, moved, operations_moved, requests_moved};
pub use scrape::{Sample, Scrape};

/// Guard against a binary that never starts: tests fail instead of hanging.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running binary, killed when dropped: when its test ends or panics. Unlike the
/// end-to-end supervisor (`e2e/src/bin/lookout-pdeathsig.rs`), it sets no
/// parent-death signal: that needs a helper binary the services' own test builds do
/// not produce. So a test binary killed outright (SIGKILL, not a panic) leaves its
/// service running on a free loopback port until it is killed by hand.
#[derive(Debug)]
pub struct Spawned {
    child: Child,
    /// Address of each listener by role (`api`, `admin`), from its `listening` log line.
    pub listeners: BTreeMap<String, SocketAddr>,
}

impl Spawned {
    /// Starts `binary` with `args` plus `--log-format json`, and waits until it has
    /// logged a `listening` line for every role in `roles`. Pass `--port 0` (and
    /// `--admin-port 0`) in `args` to get free ports.
    ///
    /// # Panics
    /// If the binary cannot start or does not report its listeners.
    pub fn start(binary: &str, args: &[&str], roles: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(args)
            .args(["--log-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(found) = parse_listening(&line) {
                    let _ = sender.send(found);
                }
            }
        });
        let mut listeners = BTreeMap::new();
        while !roles.iter().all(|role| listeners.contains_key(*role)) {
            let (role, addr) = receiver
                .recv_timeout(START_TIMEOUT)
                .unwrap_or_else(|_| panic!("{binary} did not report listeners {roles:?}"));
            listeners.insert(role, addr);
        }
        Self { child, listeners }
    }

    /// The address of the listener with `role`.
    pub fn addr(&self, role: &str) -> SocketAddr {
        *self
            .listeners
            .get(role)
            .unwrap_or_else(|| panic!("no {role} listener"))
    }

    /// Process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM.
    ///
    /// # Panics
    /// If the signal cannot be sent (the process is gone and reaped).
    pub fn terminate(&self) {
        let pid = i32::try_from(self.child.id()).expect("pids fit in i32");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap_or_else(|error| panic!("SIGTERM to {pid}: {error}"));
    }

    /// Waits for the process to exit.
    pub fn wait(&mut self) -> ExitStatus {
        self.child.wait().expect("wait for child")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(role, address)` of a JSON `listening` log line.
fn parse_listening(line: &str) -> Option<(String, SocketAddr)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value.get("message")?.as_str()? != "listening" {
        return None;
    }
    let role = value.get("listener")?.as_str()?.to_owned();
    let addr = value.get("address")?.as_str()?.parse().ok()?;
    Some((role, addr))
}
