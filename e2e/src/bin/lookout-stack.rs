//! `lookout-stack`: the whole lookout stack on this machine, on the well-known
//! ports of `nix/ports.json`, with the traffic generator on (and Grafana when a
//! `grafana` binary is installed), until Ctrl-C or SIGTERM stops everything.
//!
//! ```text
//! cargo build --workspace --bins && target/debug/lookout-stack [--keep DIR]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use lookout_e2e::stack::{GrafanaStatus, Stack, StackOptions, TraceExport};
use lookout_e2e::tools::repo_dir;
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str =
    "usage: lookout-stack [--work-dir DIR] [--no-traffic] [--no-grafana] [--otlp-endpoint URL]
Runs user-service, order-service, the alert receiver, the traffic generator, node exporter,
Alertmanager, Prometheus (and Grafana if installed) on the ports of nix/ports.json.
  --work-dir DIR  keep configs, data and logs in DIR (default: a temporary directory,
                  removed at exit)
  --no-traffic    do not start the traffic generator
  --no-grafana    do not start Grafana even if it is installed
  --otlp-endpoint URL
                  the services and the traffic generator export traces over OTLP/HTTP
                  to URL (e.g. http://127.0.0.1:4318 for Tempo or Jaeger); tracing is
                  off without it";

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("lookout-stack: cannot start tokio: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(std::env::args().skip(1).collect())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lookout-stack: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Vec<String>) -> Result<()> {
    let repo = repo_dir();
    let mut options = StackOptions::local(&repo)?;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--work-dir" => {
                let dir = args.next().context("--work-dir needs a directory")?;
                options.work_dir = Some(PathBuf::from(dir));
            }
            "--no-traffic" => options.traffic_generator = false,
            "--no-grafana" => options.grafana = false,
            "--otlp-endpoint" => {
                let url = args.next().context("--otlp-endpoint needs a URL")?;
                options.traces = TraceExport::Endpoint(url);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (see --help)"),
        }
    }
    // Signal handlers first, so a Ctrl-C during start-up also stops what started.
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    println!("lookout-stack: starting (repository {})", repo.display());
    let mut stack = tokio::select! {
        stack = Stack::start(&repo, options) => stack?,
        _ = interrupt.recv() => bail!("interrupted during start-up; everything started was stopped"),
        _ = terminate.recv() => bail!("terminated during start-up; everything started was stopped"),
    };
    print_urls(&stack);
    tokio::select! {
        _ = interrupt.recv() => println!("\nlookout-stack: SIGINT, stopping everything"),
        _ = terminate.recv() => println!("lookout-stack: SIGTERM, stopping everything"),
        dead = watch(&mut stack) => eprintln!("lookout-stack: {dead:#}\nstopping everything"),
    }
    stack.shutdown().await;
    println!("lookout-stack: stopped");
    Ok(())
}

/// Resolves when a process of the stack exits on its own.
async fn watch(stack: &mut Stack) -> anyhow::Error {
    loop {
        if let Err(dead) = stack.supervisor().check_alive() {
            return dead;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

fn print_urls(stack: &Stack) {
    let ports = stack.ports();
    let line = |name: &str, url: String| println!("  {name:<18} {url}");
    println!("lookout-stack: everything is up");
    line(
        "user-service",
        format!("http://127.0.0.1:{}/users", ports.user_service),
    );
    line(
        "order-service",
        format!("http://127.0.0.1:{}/orders", ports.order_service),
    );
    line(
        "fault control",
        format!(
            "http://127.0.0.1:{}/faults (user-service), http://127.0.0.1:{}/faults (order-service)",
            ports.user_service_admin, ports.order_service_admin
        ),
    );
    line(
        "alert receiver",
        format!("http://127.0.0.1:{}/alerts", ports.alert_receiver),
    );
    line(
        "node exporter",
        format!("http://127.0.0.1:{}/metrics", ports.node_exporter),
    );
    line(
        "prometheus",
        format!("http://127.0.0.1:{}/", ports.prometheus),
    );
    line(
        "alertmanager",
        format!("http://127.0.0.1:{}/", ports.alertmanager),
    );
    line(
        "traces (OTLP/HTTP)",
        stack
            .otlp_endpoint()
            .unwrap_or_else(|| String::from("off (--otlp-endpoint URL turns them on)")),
    );
    match stack.grafana() {
        GrafanaStatus::Running { url, password_file } => line(
            "grafana",
            format!(
                "{url}/ (user admin, password in {})",
                password_file.display()
            ),
        ),
        GrafanaStatus::Skipped(reason) => line("grafana", format!("skipped: {reason}")),
        GrafanaStatus::NotRequested => line("grafana", String::from("not started (--no-grafana)")),
    }
    println!(
        "  configs, data and logs in {}\n\
         Trigger an alert: curl -X PUT -H 'content-type: application/json' \
         -d '{{\"error_ratio\":0.5}}' http://127.0.0.1:{}/faults  (HighErrorRate after ~1 minute)\n\
         Ctrl-C stops everything.",
        stack.dir().display(),
        ports.user_service_admin
    );
}
