//! A process supervisor for the stack's children. Each child runs in its own
//! process group with stdout and stderr captured to `<log_dir>/<name>.log`, and
//! is killed when the supervisor is dropped: at the end of a test, when an
//! assertion panics (unwinding drops the supervisor), and, through the kernel's
//! parent-death signal, even when the supervising process is itself killed.
//!
//! The parent-death signal must be set in the child before it executes the
//! program, which `std` only allows through the `unsafe` `pre_exec` hook
//! (forbidden here). So every child starts as the small `lookout-pdeathsig`
//! program (`src/bin/lookout-pdeathsig.rs`), which sets it on itself with the
//! `nix` crate's safe `prctl::set_pdeathsig` and then replaces itself with the
//! real program (the signal survives `execve`). Without that binary next to
//! the other lookout binaries, children start directly, without the signal.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

use crate::tools::lookout_binary;

/// The helper that sets the parent-death signal, then executes the child.
pub const PDEATHSIG_HELPER: &str = "lookout-pdeathsig";

/// How long a child gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// What to run for one named child.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    /// Short unique name (`prometheus`, `user-service`, ...); also the log file name.
    pub name: String,
    /// Program to execute: a path, or a bare name looked up on `PATH`.
    pub program: PathBuf,
    /// Arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Variables of the supervisor's environment the child must not inherit.
    pub env_remove: Vec<String>,
    /// Working directory (the supervisor's log directory when `None`).
    pub cwd: Option<PathBuf>,
}

impl ProcessSpec {
    /// A spec with no extra environment and the default working directory.
    pub fn new(name: &str, program: PathBuf, args: Vec<String>) -> Self {
        Self {
            name: name.to_owned(),
            program,
            args,
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: None,
        }
    }
}

struct Managed {
    spec: ProcessSpec,
    child: Option<Child>,
}

/// Starts, stops and restarts named children; kills every one of them on drop.
pub struct Supervisor {
    log_dir: PathBuf,
    processes: BTreeMap<String, Managed>,
    pdeathsig_wrapper: Option<PathBuf>,
}

impl Supervisor {
    /// A supervisor writing child logs into `log_dir` (created if missing).
    pub fn new(log_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(log_dir)
            .with_context(|| format!("creating log directory {}", log_dir.display()))?;
        // The helper asks the kernel to SIGKILL the child when its parent dies,
        // so a supervisor killed with SIGKILL still leaves no orphans.
        let pdeathsig_wrapper = lookout_binary(PDEATHSIG_HELPER).ok();
        Ok(Self {
            log_dir: log_dir.to_path_buf(),
            processes: BTreeMap::new(),
            pdeathsig_wrapper,
        })
    }

    /// Starts a new child. Its name must not be in use.
    pub fn start(&mut self, spec: ProcessSpec) -> Result<()> {
        if self.processes.contains_key(&spec.name) {
            bail!("a process named {} is already supervised", spec.name);
        }
        let child = self.spawn(&spec)?;
        self.processes.insert(
            spec.name.clone(),
            Managed {
                spec,
                child: Some(child),
            },
        );
        Ok(())
    }

    /// Starts a stopped child again with the same spec; its log file is appended to.
    pub fn restart(&mut self, name: &str) -> Result<()> {
        let spec = self.managed(name)?.spec.clone();
        if self.is_running(name)? {
            bail!("{name} is still running; stop it before restarting it");
        }
        let child = self.spawn(&spec)?;
        self.managed_mut(name)?.child = Some(child);
        Ok(())
    }

    /// Stops a child: SIGTERM to its process group, then SIGKILL after a grace period.
    pub async fn stop(&mut self, name: &str) -> Result<()> {
        let managed = self.managed_mut(name)?;
        let Some(mut child) = managed.child.take() else {
            return Ok(());
        };
        signal_group(&child, Signal::SIGTERM);
        if tokio::time::timeout(STOP_GRACE, child.wait())
            .await
            .is_err()
        {
            signal_group(&child, Signal::SIGKILL);
            child.kill().await.ok();
        }
        append_marker(&self.log_path(name), "stopped by the supervisor");
        Ok(())
    }

    /// Kills a child at once with SIGKILL, as a crash would.
    pub async fn kill(&mut self, name: &str) -> Result<()> {
        let managed = self.managed_mut(name)?;
        let Some(mut child) = managed.child.take() else {
            return Ok(());
        };
        signal_group(&child, Signal::SIGKILL);
        child.kill().await.ok();
        append_marker(&self.log_path(name), "killed by the supervisor");
        Ok(())
    }

    /// Stops the named children first, in the order given, then every other one.
    pub async fn stop_all(&mut self, order: &[&str]) {
        for name in order {
            self.stop(name).await.ok();
        }
        let names: Vec<String> = self.processes.keys().cloned().collect();
        for name in names {
            self.stop(&name).await.ok();
        }
    }

    /// Whether the child is supervised and still running.
    pub fn is_running(&mut self, name: &str) -> Result<bool> {
        let managed = self.managed_mut(name)?;
        Ok(match managed.child.as_mut() {
            Some(child) => child.try_wait().ok().flatten().is_none(),
            None => false,
        })
    }

    /// The process id of a running child.
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.processes.get(name)?.child.as_ref()?.id()
    }

    /// Name and process id of every child that is running now.
    pub fn running(&mut self) -> Vec<(String, u32)> {
        self.processes
            .iter_mut()
            .filter_map(|(name, managed)| {
                let child = managed.child.as_mut()?;
                if child.try_wait().ok().flatten().is_some() {
                    return None;
                }
                Some((name.clone(), child.id()?))
            })
            .collect()
    }

    /// An error naming every child that should run but has exited, with its log tail.
    pub fn check_alive(&mut self) -> Result<()> {
        let mut dead = Vec::new();
        for (name, managed) in &mut self.processes {
            if let Some(child) = managed.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                dead.push(format!(
                    "{name} exited unexpectedly ({status}); last log lines:\n{}",
                    tail_file(&self.log_dir.join(format!("{name}.log")), 20)
                ));
            }
        }
        if dead.is_empty() {
            Ok(())
        } else {
            bail!("{}", dead.join("\n"))
        }
    }

    /// The log file of a child.
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.log_dir.join(format!("{name}.log"))
    }

    /// The last `lines` lines of a child's log.
    pub fn log_tail(&self, name: &str, lines: usize) -> String {
        tail_file(&self.log_path(name), lines)
    }

    /// The last `lines` lines of every child's log, each under a header.
    pub fn all_log_tails(&self, lines: usize) -> String {
        self.processes
            .keys()
            .map(|name| {
                format!(
                    "--- {name} ({}):\n{}",
                    self.log_path(name).display(),
                    self.log_tail(name, lines)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `err` followed by what helps a post-mortem: the processes that died and
    /// the last lines of every log.
    pub fn diagnose(&mut self, err: &anyhow::Error) -> anyhow::Error {
        let dead = match self.check_alive() {
            Ok(()) => String::from("every started process is still running"),
            Err(dead) => dead.to_string(),
        };
        anyhow::anyhow!(
            "{err:#}\n\n{dead}\nlogs in {}:\n{}",
            self.log_dir.display(),
            self.all_log_tails(15)
        )
    }

    fn spawn(&self, spec: &ProcessSpec) -> Result<Child> {
        let log_path = self.log_path(&spec.name);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let stderr = log.try_clone().context("duplicating the log file handle")?;
        let mut command = match &self.pdeathsig_wrapper {
            Some(helper) => {
                let mut command = Command::new(helper);
                command
                    .arg(std::process::id().to_string())
                    .arg(&spec.program);
                command
            }
            None => Command::new(&spec.program),
        };
        for name in &spec.env_remove {
            command.env_remove(name);
        }
        command
            .args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(spec.cwd.as_deref().unwrap_or(&self.log_dir))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            // Own process group: a terminal's Ctrl-C reaches only the supervisor,
            // which then stops the children in order, and a group kill gets any
            // grandchildren too.
            .process_group(0)
            .kill_on_drop(true);
        let child = command.spawn().with_context(|| {
            format!(
                "starting {} ({} {})",
                spec.name,
                spec.program.display(),
                spec.args.join(" ")
            )
        })?;
        Ok(child)
    }

    fn managed(&self, name: &str) -> Result<&Managed> {
        self.processes
            .get(name)
            .with_context(|| format!("no supervised process named {name}"))
    }

    fn managed_mut(&mut self, name: &str) -> Result<&mut Managed> {
        self.processes
            .get_mut(name)
            .with_context(|| format!("no supervised process named {name}"))
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        for managed in self.processes.values_mut() {
            if let Some(mut child) = managed.child.take() {
                signal_group(&child, Signal::SIGKILL);
                child.start_kill().ok();
                // Reap it so no zombie outlives the test; SIGKILL makes this quick.
                for _ in 0..50 {
                    if child.try_wait().ok().flatten().is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }
}

/// Sends a signal to the child's process group (the child leads it), so any
/// grandchildren get it too. A group that is already gone is not an error.
fn signal_group(child: &Child, signal: Signal) {
    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        killpg(Pid::from_raw(pid), signal).ok();
    }
}

fn append_marker(path: &Path, what: &str) {
    if let Ok(mut file) = OpenOptions::new().append(true).open(path) {
        writeln!(file, "==== lookout-e2e: {what} ====").ok();
    }
}

/// The last `lines` lines of a file, or a note when it cannot be read.
pub fn tail_file(path: &Path, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(err) => format!("(cannot read {}: {err})", path.display()),
    }
}
