//! Developer tasks for lookout: `cargo xtask <task>` (`cargo xtask --help` lists
//! them, `cargo xtask <task> --help` their flags).
//!
//! - `test`: every check CI runs (the README's test command).
//! - `stack`: the whole stack on this machine, on the well-known ports.
//! - `bench`: the services against a bare-axum floor with wrk (figures).
//! - `rules`, `dashboards`, `nix`, `nixfmt`, `vm-lint`: one family of checks each.
//! - `cycles`: no import cycle between the modules of any workspace crate.
//! - `flake-checks`: the checks of `nix flake check`, each on its file set.
//!
//! A task that parses its own arguments (or hands them to another program) takes
//! [`RawArgs`]: add a variant `Name(RawArgs)` to [`Task`] (with
//! `#[command(disable_help_flag = true)]` if it answers `--help` itself) and the
//! arm `Task::Name(raw) => module::run(&raw.args)`.

mod bench;
mod ci;
mod cycles;
mod dashboards;
mod flake_checks;
mod nixcheck;
mod nixfmt;
mod promql;
mod rules;
mod stack;
mod vmlint;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Developer tasks for lookout"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Every check CI runs, in order.
    Test,
    /// Builds every binary, then runs the stack on the well-known ports until
    /// Ctrl-C; ARGS go to lookout-stack (`cargo xtask stack --help` shows them).
    #[command(disable_help_flag = true)]
    Stack(RawArgs),
    /// Throughput, latency, memory and start-up of the services against a bare-axum
    /// floor, and tracing's cost (figures, not pass/fail).
    Bench(bench::Options),
    /// The monitoring rules and the Alertmanager routing, against promtool, amtool
    /// and a real Alertmanager.
    Rules(rules::Options),
    /// Checks every Grafana dashboard, or lists their queries.
    Dashboards(dashboards::Options),
    /// No two sibling modules of a workspace crate import each other.
    Cycles,
    /// Every .nix file parses, deadnix finds nothing, the pure functions evaluate.
    Nix,
    /// Nix files are formatted as alejandra formats them.
    Nixfmt(nixfmt::Options),
    /// Lints the VM test scripts as the nixpkgs test driver does (pyflakes, mypy
    /// against the driver stubs, allowed wait primitives).
    VmLint,
    /// The checks of `nix flake check` that run a command, each on a copy of
    /// exactly its file set (nix/sources.nix); CHECKS names some of them.
    FlakeChecks(RawArgs),
}

/// Arguments passed on untouched, `--help` included, to a task that parses its
/// own.
#[derive(clap::Args)]
struct RawArgs {
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

fn main() -> ExitCode {
    // Unusable arguments: clap prints the error and usage and exits 2.
    let cli = Cli::parse();
    if let Err(err) = workspace_root().and_then(|root| Ok(std::env::set_current_dir(root)?)) {
        eprintln!("xtask: cannot enter the workspace root: {err:#}");
        return ExitCode::FAILURE;
    }
    let result = match &cli.task {
        Task::Test => ci::run(&[]),
        Task::Stack(raw) => stack::run(&raw.args),
        Task::Bench(options) => bench::run(options),
        Task::Rules(options) => rules::run(options),
        Task::Dashboards(options) => dashboards::run(options),
        Task::Cycles => cycles::run(),
        Task::Nix => nixcheck::run(&[]),
        Task::Nixfmt(options) => nixfmt::run(options),
        Task::VmLint => vmlint::run(&[]),
        Task::FlakeChecks(raw) => flake_checks::run(&raw.args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let task = std::env::args().nth(1).unwrap_or_default();
            eprintln!("xtask {task}: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask's manifest lives one level below it. Tasks run
/// from there so relative paths (rules/, dashboards/, nix/) always resolve.
fn workspace_root() -> anyhow::Result<std::path::PathBuf> {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(std::path::Path::to_path_buf)
        .ok_or_else(|| anyhow::anyhow!("{} has no parent", manifest_dir.display()))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn raw_tasks_get_every_argument_help_included() {
        let cli = Cli::try_parse_from(["xtask", "stack", "--help", "--work-dir", "/tmp/x"])
            .expect("parses");
        let Task::Stack(raw) = cli.task else {
            panic!("not the stack task");
        };
        assert_eq!(raw.args, ["--help", "--work-dir", "/tmp/x"]);
    }

    #[test]
    fn tasks_without_arguments_refuse_them() {
        for task in ["test", "nix", "cycles"] {
            let error = Cli::try_parse_from(["xtask", task, "--anything"]).err();
            assert_eq!(
                error.map(|error| error.kind()),
                Some(clap::error::ErrorKind::UnknownArgument),
                "{task}"
            );
        }
    }
}
