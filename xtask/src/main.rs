//! Developer tasks for lookout: `cargo xtask <task>`.

mod dashboards;
mod nixfmt;
mod rules;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("usage: cargo xtask <dashboards|nixfmt|rules> [args]");
        return std::process::ExitCode::from(2);
    };
    let result = match task.as_str() {
        "dashboards" => dashboards::run(rest),
        "nixfmt" => nixfmt::run(rest),
        "rules" => rules::run(rest),
        other => Err(anyhow::anyhow!("unknown task {other}")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask {task}: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
