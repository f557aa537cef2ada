//! `alert-receiver`: the default Alertmanager webhook receiver of lookout.
//!
//! ```text
//! alert-receiver --port 5001 --store-file /var/lib/alert-receiver/notifications.jsonl
//! curl -s localhost:5001/alerts?status=firing | jq
//! ```

use std::process::ExitCode;

use clap::Parser;
use service_runtime::{ServiceInfo, ports, server, shutdown::Shutdown, telemetry};

use alert_receiver::config::Config;
use alert_receiver::ring::HistoryBounds;
use alert_receiver::state::AppState;
use alert_receiver::work_limits::{WorkLimits, WorkSettings};

const SERVICE: ServiceInfo = ServiceInfo {
    name: "alert-receiver",
    version: env!("CARGO_PKG_VERSION"),
};

fn main() -> ExitCode {
    let config = Config::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::Error::new(error).context("cannot start tokio")),
    };
    match service_runtime::launch::run_to_exit(runtime, run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let telemetry = telemetry::init(SERVICE, &config.common, &config.tracing)?;
    let metrics = service_runtime::metrics::install(SERVICE)?;
    let bounds = HistoryBounds {
        max_notifications: config.capacity,
        max_bytes: config.max_memory_bytes,
    };
    // The error names the store file and its cause: no context to add.
    let limits = WorkLimits::new(WorkSettings {
        max_memory_bytes: config.max_memory_bytes.get(),
        body_timeout: config.webhook_body_timeout,
        max_answers: config.max_alerts_answers.get(),
        answer_send_timeout: config.alerts_send_timeout,
    });
    let state = AppState::open(
        bounds,
        config.store_file.as_deref(),
        config.max_label_values,
        limits,
    )?;
    let app = service_runtime::http::instrument(alert_receiver::router(state), SERVICE, metrics);
    let address = config.common.socket_addr(ports::default_port(SERVICE.name));
    let listener = server::bind(address, "api").await?;
    server::serve(listener, app, &config.connections, Shutdown::on_signals()).await?;
    telemetry.flush().await;
    tracing::info!("stopped");
    Ok(())
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("alert-receiver: {error:#}");
    ExitCode::FAILURE
}
