//! order-service binary: `order-service --help` lists the flags. Run it with
//! `cargo run -p order-service -- --simulated-latency false`.

use std::process::ExitCode;

use clap::Parser;
use order_service::{Config, SERVICE};

fn main() -> ExitCode {
    let config = Config::parse();
    match start(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}: {error:#}", SERVICE.name);
            ExitCode::FAILURE
        }
    }
}

fn start(config: Config) -> anyhow::Result<()> {
    service_runtime::telemetry::init(&config.common.log_level, config.common.log_format)?;
    let metrics = service_runtime::metrics::install(SERVICE)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = service_runtime::shutdown::Shutdown::on_signals();
        order_service::run(config, metrics, shutdown).await
    })
}
