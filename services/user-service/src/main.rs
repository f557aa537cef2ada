//! user-service binary: `user-service --help` lists the flags. Run it with
//! `cargo run -p user-service -- --simulated-latency false`.

use std::process::ExitCode;

use clap::Parser;
use user_service::{Config, SERVICE};

fn main() -> ExitCode {
    let config = Config::parse();
    let common = config.common.clone();
    service_runtime::main(SERVICE, &common, |metrics, shutdown| {
        user_service::run(config, metrics, shutdown)
    })
}
