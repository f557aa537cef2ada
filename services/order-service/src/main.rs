//! order-service binary: `order-service --help` lists the flags. Run it with
//! `cargo run -p order-service -- --simulated-latency false`.

use std::process::ExitCode;

use clap::Parser;
use order_service::{Config, SERVICE};

fn main() -> ExitCode {
    let config = Config::parse();
    let common = config.common.clone();
    service_runtime::main(SERVICE, &common, |metrics, shutdown| {
        order_service::run(config, metrics, shutdown)
    })
}
