//! user-service binary: `user-service --help` lists the flags. Run it with
//! `cargo run -p user-service -- --simulated-latency false`.

use std::process::ExitCode;

use clap::Parser;
use user_service::{Config, SERVICE};

fn main() -> ExitCode {
    let config = Config::parse();
    let (common, tracing) = (config.common.clone(), config.tracing.clone());
    service_runtime::main(SERVICE, &common, &tracing, |metrics, shutdown| {
        user_service::run(config, metrics, shutdown)
    })
}
