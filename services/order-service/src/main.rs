//! order-service binary: `order-service --help` lists the flags. Run it with
//! `cargo run -p order-service -- --simulated-latency false`.

use std::process::ExitCode;

use clap::Parser;
use order_service::{Config, SERVICE};

fn main() -> ExitCode {
    let config = Config::parse();
    let (common, tracing) = (config.common.clone(), config.tracing.clone());
    service_runtime::main(SERVICE, &common, &tracing, |metrics, shutdown| {
        order_service::run(config, metrics, shutdown)
    })
}
