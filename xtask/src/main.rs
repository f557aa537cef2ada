//! Developer tasks for lookout: `cargo xtask <task>`.
//!
//! - `test`: every check CI runs (the README's test command).
//! - `stack`: the whole stack on this machine, on the well-known ports.
//! - `bench`: the services against a bare-axum floor with wrk (figures).
//! - `rules`, `dashboards`, `nix`, `nixfmt`: one family of checks each.
//! - `flake-checks`: the checks of `nix flake check`, each on its file set.

mod bench;
mod ci;
mod dashboards;
mod flake_checks;
mod nixcheck;
mod nixfmt;
mod rules;
mod stack;

const USAGE: &str =
    "usage: cargo xtask <test|stack|bench|rules|dashboards|nix|nixfmt|flake-checks> [args]";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return std::process::ExitCode::from(2);
    };
    if let Err(err) = workspace_root().and_then(|root| Ok(std::env::set_current_dir(root)?)) {
        eprintln!("xtask: cannot enter the workspace root: {err:#}");
        return std::process::ExitCode::FAILURE;
    }
    let result = match task.as_str() {
        "test" => ci::run(rest),
        "bench" => bench::run(rest),
        "stack" => stack::run(rest),
        "rules" => rules::run(rest),
        "dashboards" => dashboards::run(rest),
        "nix" => nixcheck::run(rest),
        "nixfmt" => nixfmt::run(rest),
        "flake-checks" => flake_checks::run(rest),
        other => {
            eprintln!("xtask: unknown task {other:?}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask {task}: {err:#}");
            std::process::ExitCode::FAILURE
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
