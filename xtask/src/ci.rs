//! `cargo xtask test`: every check CI runs, in one command, in a fixed order.
//!
//! Each step is a command; the run goes on after a failed step so one report
//! shows everything that is wrong, and exits non-zero if any step failed.
//! Neighbouring steps marked `alongside` run at the same time (see
//! [`alongside`]), each into its own log, printed when they have all ended.

mod alongside;

use std::process::Command;
use std::time::Instant;

/// External tools the checks need, with the Debian package (or cargo crate)
/// that provides each. A missing one fails the run before any step starts.
const REQUIRED_TOOLS: &[(&str, &str)] = &[
    ("promtool", "apt-get install prometheus"),
    ("prometheus", "apt-get install prometheus"),
    ("amtool", "apt-get install prometheus-alertmanager"),
    (
        "prometheus-alertmanager",
        "apt-get install prometheus-alertmanager",
    ),
    (
        "prometheus-node-exporter",
        "apt-get install prometheus-node-exporter",
    ),
    ("nix-instantiate", "apt-get install nix-bin"),
    ("deadnix", "cargo install deadnix --locked"),
    (
        "python3",
        "pyenv or apt-get install python3 (vm-lint's pyflakes and mypy)",
    ),
    (
        "cargo-machete",
        "cargo install cargo-machete --locked (version pinned in .ci/run)",
    ),
    ("jq", "apt-get install jq"),
];

struct Step {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    /// Runs at the same time as the neighbouring steps that are also marked.
    alongside: bool,
}

const fn step(name: &'static str, program: &'static str, args: &'static [&'static str]) -> Step {
    Step {
        name,
        program,
        args,
        alongside: false,
    }
}

/// A step that runs at the same time as its marked neighbours: for the long
/// end-to-end tests, which mostly wait for alert `for` durations and leave the
/// CPU idle, so running them one after the other only adds up their waits.
const fn alongside(
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
) -> Step {
    Step {
        alongside: true,
        ..step(name, program, args)
    }
}

/// The steps, cheapest first so a formatting slip is reported in seconds.
const STEPS: &[Step] = &[
    step("cargo fmt", "cargo", &["fmt", "--all", "--", "--check"]),
    // Reads the manifests and greps the sources, so it costs a second. A
    // false positive (a crate used only through another crate's macro) goes
    // in that crate's `[package.metadata.cargo-machete] ignored`, with a
    // comment saying why. Called as `cargo-machete`, not `cargo machete`:
    // under `cargo xtask` it sees CARGO_PKG_NAME, decides it was not started
    // by cargo and would take the word `machete` for a directory to scan.
    step(
        "unused dependencies (cargo-machete)",
        "cargo-machete",
        &["--skip-target-dir"],
    ),
    // Reads the sources only: seconds, like the two steps above.
    step(
        "no import cycles between modules",
        "cargo",
        &["xtask", "cycles"],
    ),
    step("nix files", "cargo", &["xtask", "nix"]),
    step("nix formatting (alejandra)", "cargo", &["xtask", "nixfmt"]),
    step(
        "VM test scripts (pyflakes, mypy, driver methods)",
        "cargo",
        &["xtask", "vm-lint"],
    ),
    step("rules, promtool and amtool", "cargo", &["xtask", "rules"]),
    step("dashboards", "cargo", &["xtask", "dashboards"]),
    // The end-to-end test runs our binaries, so they must be built first.
    step(
        "build binaries",
        "cargo",
        &["build", "--workspace", "--bins", "--locked"],
    ),
    // The end-to-end crate's tests, built before the steps below start.
    step(
        "build the end-to-end tests",
        "cargo",
        &["test", "--locked", "--package", "lookout-e2e", "--no-run"],
    ),
    // From here on, at the same time: the end-to-end tests mostly wait for
    // alert `for` durations (every test starts its own processes on free
    // ports, and its deadlines leave room for a busy machine), while the
    // flake-check twins compile. The twins run clippy and every unit and
    // integration test as the flake's workspace-clippy and workspace-nextest
    // checks do, on a copy of exactly their file sets (so they are not also
    // run in the repository); the builds above seed their target dir. The
    // latencies the end-to-end tests print are measured under that load; the
    // figures in the docs come from runs on their own.
    alongside(
        "nix flake check twins (clippy, tests, ...), each on its file set of nix/sources.nix",
        "cargo",
        &["xtask", "flake-checks"],
    ),
    alongside(
        "end-to-end harness and unit tests",
        "cargo",
        &[
            "test",
            "--locked",
            "--package",
            "lookout-e2e",
            "--lib",
            "--test",
            "harness",
        ],
    ),
    alongside(
        "end-to-end pipeline (real Prometheus and Alertmanager)",
        "cargo",
        &[
            "test",
            "--locked",
            "--package",
            "lookout-e2e",
            "--test",
            "pipeline",
            "--",
            "--nocapture",
            "--test-threads=1",
        ],
    ),
    alongside(
        "end-to-end HA (two Prometheus replicas, three Alertmanager peers)",
        "cargo",
        &[
            "test",
            "--locked",
            "--package",
            "lookout-e2e",
            "--test",
            "ha",
            "--",
            "--nocapture",
            "--test-threads=1",
        ],
    ),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        anyhow::bail!("`cargo xtask test` takes no arguments, got {arg:?}");
    }
    check_tools()?;
    let mut failed = Vec::new();
    let mut rest = STEPS;
    while let Some(first) = rest.first() {
        let count = if first.alongside {
            rest.iter().take_while(|step| step.alongside).count()
        } else {
            1
        };
        let (now, later) = rest.split_at(count);
        rest = later;
        if count == 1 {
            println!("\n==> {}", first.name);
            let started = Instant::now();
            let status = Command::new(first.program).args(first.args).status();
            if !report(first, status, started) {
                failed.push(first.name);
            }
        } else {
            failed.extend(alongside::run(now)?);
        }
    }
    println!();
    for name in &failed {
        println!("failed step: {name}");
    }
    println!(
        "steps: {} passed, {} failed",
        STEPS.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} step(s) failed", failed.len())
    }
}

/// Prints how a step ended; true when it succeeded.
fn report(
    step: &Step,
    status: std::io::Result<std::process::ExitStatus>,
    started: Instant,
) -> bool {
    let seconds = started.elapsed().as_secs_f64();
    match status {
        Ok(status) if status.success() => {
            println!("<== {}: ok ({seconds:.1}s)", step.name);
            true
        }
        Ok(status) => {
            println!("<== {}: FAILED with {status} ({seconds:.1}s)", step.name);
            false
        }
        Err(err) => {
            println!("<== {}: could not start {}: {err}", step.name, step.program);
            false
        }
    }
}

/// Fails with one line per missing tool, naming what installs it.
fn check_tools() -> anyhow::Result<()> {
    let missing: Vec<String> = REQUIRED_TOOLS
        .iter()
        .filter(|(tool, _)| find_on_path(tool).is_none())
        .map(|(tool, install)| format!("  {tool}: {install}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "missing tools (CI installs them in .ci/run):\n{}",
        missing.join("\n")
    )
}

/// The first executable called `name` on PATH.
pub(crate) fn find_on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
